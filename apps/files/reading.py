"""Reading an uploaded ledger (.xlsx, .xls, .ods or .csv) into a Dataset, wherever its table is.

A street's 台账 is rarely the template: a title row of merged cells ("华阳路街道2026年应急物资
台账") or notes above the header, the table on the second worksheet, a 序号 column, columns in
another order or extra ones, 合计 / 填表人 / 审核人 lines under the table. Given the resource
(``Columns``), ``read_dataset`` looks for the header among the first ``HEADER_SEARCH_ROWS``
rows of every worksheet and takes the row that names most of the resource's columns. Header
cells are compared ignoring spaces, line breaks and full-/half-width forms (NFKC), and a
column may have synonyms (``column_synonyms`` on the resource). The file's columns are renamed
to the resource's names; those that match nothing are kept in ``unmatched_columns`` for the
preview. A row whose first non-empty cell starts with a footer word (``FOOTER_WORDS``) is
skipped and noted in ``footer_lines``; a row with nothing but its 序号 is blank. Each row
keeps its line as Excel numbers it (``line_numbers``), so that every message points at the
line the user sees.

Workbooks (.xlsx from Excel, WPS or LibreOffice, legacy .xls, .ods, and WPS's .et where it is
an .xls inside) are read with python-calamine, a maintained Rust reader many times faster than
openpyxl; a .et that cannot be read gets a message saying how to save it as .xlsx. CSV may be
UTF-8 (with or without BOM) or GBK/GB18030, separated by commas, tabs or semicolons.

Reading trusts nothing the file declares: an .xlsx sheet's ``<dimension>`` may claim one row
and hold 400,000, so the rows actually there are read, and reading stops as soon as there are
more than ``IMPORT_MAX_ROWS``. Every check and every import may use at most
``IMPORT_MAX_SECONDS`` of CPU time (``ImportDeadline``); past that it ends with a message and,
the import being one transaction, nothing saved. Formula cells are read as formulae (never
Excel's cached results) and noted in ``formula_cells`` (see ``apps.files.spreadsheets``): the
worksheet's XML is scanned for ``<f>`` elements, as calamine gives only cached values.
"""

import csv
import datetime
import decimal
import io
import json
import os
import posixpath
import re
import time
import unicodedata
import zipfile

import python_calamine
from defusedxml import ElementTree
from django.conf import settings
from django.utils.translation import gettext as _
from tablib import Dataset

WORKBOOK_EXTENSIONS = (".xlsx", ".xlsm", ".xls", ".ods", ".et")
SPREADSHEET_EXTENSIONS = (*WORKBOOK_EXTENSIONS, ".csv")

HEADER_SEARCH_ROWS = 10
FOOTER_WORDS = (
    "合计",
    "总计",
    "小计",
    "填表人",
    "填报人",
    "制表人",
    "填表日期",
    "填报日期",
    "制表日期",
    "审核人",
    "审核日期",
    "备注",
    "说明",
    "注:",  # also 注： (compared after NFKC)
)
IGNORED_COLUMNS = ("序号",)


class SpreadsheetError(Exception):
    """The file as a whole cannot be read; the message is for the user."""


class ImportDeadline:
    """The CPU time one check or import may use (``IMPORT_MAX_SECONDS``), counted on the
    running thread so that a busy server does not cut short an honest file. ``check`` raises
    a SpreadsheetError once it is spent."""

    def __init__(self, seconds=None):
        self.seconds = settings.IMPORT_MAX_SECONDS if seconds is None else seconds
        self.started = time.thread_time()

    def check(self):
        if time.thread_time() - self.started > self.seconds:
            raise SpreadsheetError(
                _(
                    "处理该文件超过了 %(seconds)s 秒的时间上限，已停止，未保存任何数据。"
                    "请拆分成较小的文件后重新导入。"
                )
                % {"seconds": self.seconds}
            )


def header_key(text) -> str:
    """What two header cells must share to name the same column: NFKC, no whitespace."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text))).lower()


class Columns:
    """The names a resource's columns go by in a file: each field's column name, then the
    synonyms the resource declares (``column_synonyms``: field name → other names)."""

    def __init__(self, resource):
        self.names = {}
        fields = resource.fields
        for field in fields.values():
            self.names.setdefault(header_key(field.column_name), str(field.column_name))
        for name, synonyms in column_synonyms(type(resource)).items():
            if name in fields:
                for synonym in synonyms:
                    self.names.setdefault(header_key(synonym), str(fields[name].column_name))

    def match(self, header):
        return self.names.get(header_key(header)) if header not in (None, "") else None

    def score(self, cells):
        return len({self.match(c) for c in cells} - {None})


def column_synonyms(resource_class) -> dict:
    """``column_synonyms`` of the resource class and its bases, the subclass's last."""
    merged = {}
    for klass in reversed(resource_class.__mro__):
        for name, synonyms in vars(klass).get("column_synonyms", {}).items():
            merged[name] = (*merged.get(name, ()), *synonyms)
    return merged


class SheetDataset(Dataset):
    """A Dataset read from a file. Besides the rows: ``line_numbers`` (the Excel line of each
    row), ``header_line``, ``sheet_name``, ``unmatched_columns`` (the file's column names that
    name nothing the resource knows), ``footer_lines`` and ``formula_cells``
    (``(row index, column name, formula)``)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.formula_cells = []
        self.line_numbers = []
        self.header_line = 1
        self.sheet_name = ""
        self.unmatched_columns = []
        self.footer_lines = []


def line_of(dataset, index):
    """The Excel line of the dataset's row ``index`` (0-based)."""
    lines = getattr(dataset, "line_numbers", None)
    if lines and 0 <= index < len(lines):
        return lines[index]
    return getattr(dataset, "header_line", 1) + 1 + index


def read_dataset(data, filename, *, deadline=None, resource=None):
    """A Dataset from .xlsx, .xls, .ods (.et) or .csv bytes (CSV in UTF-8, with or without
    BOM, or GBK/GB18030 — what Chinese Excel saves — comma, tab or semicolon separated), of at
    most ``IMPORT_MAX_ROWS`` rows, read within ``deadline``. With
    a ``resource``, the table is looked for as the module's docstring says; without, the
    header is the first non-blank row of the first worksheet."""
    deadline = deadline or ImportDeadline()
    columns = Columns(resource) if resource is not None else None
    ext = os.path.splitext(filename)[1].lower()
    if ext in WORKBOOK_EXTENSIONS:
        dataset = _read_workbook(data, ext, deadline, columns)
    elif ext == ".csv":
        dataset = _read_csv(data, deadline, columns)
    else:
        raise SpreadsheetError(unsupported_message())
    if not dataset.headers or all(h in (None, "") for h in dataset.headers):
        raise SpreadsheetError(_("文件的前 %(rows)d 行中没有列名。") % {"rows": HEADER_SEARCH_ROWS})
    return dataset


def _read_csv(data, deadline, columns):
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise SpreadsheetError(_("无法识别 CSV 文件的编码，请另存为 UTF-8 或 .xlsx。"))
    # NUL characters cannot be stored by PostgreSQL (text or JSON): drop them.
    text = text.replace("\x00", "")
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text)))
    except (csv.Error, ValueError) as exc:
        raise SpreadsheetError(_("无法读取该 CSV 文件。")) from exc
    deadline.check()
    best = _best_header([("", enumerate(rows[:HEADER_SEARCH_ROWS], 1))], columns, deadline)
    if best is None:
        raise SpreadsheetError(_("文件的前 %(rows)d 行中没有列名。") % {"rows": HEADER_SEARCH_ROWS})
    _sheet, header_line, header = best
    table = _Table(header, header_line, columns)
    for line, values in enumerate(rows[header_line:], header_line + 1):
        deadline.check()
        table.add(line, values)
    return table.dataset


def unsupported_message():
    return _(
        "只支持 .xlsx、.xls、.ods 或 .csv 文件；其他格式请在 Excel 或 WPS 中"
        "“另存为”Excel 工作簿（.xlsx）后上传。"
    )


def _delimiter(text):
    """The separator of a CSV file: the one of comma, tab and semicolon that splits the first
    lines most evenly (a title line may hold none), comma when in doubt."""
    lines = [line for line in text.splitlines()[:HEADER_SEARCH_ROWS] if line.strip()]
    best, best_score = ",", 0
    for candidate in (",", "\t", ";"):
        counts = [line.count(candidate) for line in lines]
        score = max(counts, default=0)
        if score > best_score:
            best, best_score = candidate, score
    return best


def _read_workbook(data, ext, deadline, columns):
    """The chosen sheet's rows as calamine reads them (the cells really there, whatever the
    file declares): columns beyond the last named one are not read, blank lines are skipped,
    reading stops at the first row past ``IMPORT_MAX_ROWS``. In an .xlsx, formula cells are
    found in the sheet's XML."""
    if ext == ".et":
        unreadable = _(
            "无法读取该 WPS 表格（.et）文件。请在 WPS 中点击“文件 → 另存为”，文件类型选择"
            "“Excel 工作簿（*.xlsx）”，保存后上传 .xlsx 文件。"
        )
    else:
        unreadable = _("无法读取该 Excel 文件，请确认是 .xlsx、.xls 或 .ods 格式且未加密。")
    try:
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        names = list(book.sheet_names)
    except Exception as exc:
        raise SpreadsheetError(unreadable) from exc
    try:
        order = list(range(len(names)))
        active = _active_sheet(data) if ext in (".xlsx", ".xlsm") else 0
        if 0 < active < len(order):  # the sheet open when the file was saved is looked at first
            order.remove(active)
            order.insert(0, active)
        sheets = {}

        def rows_of(index):
            if index not in sheets:
                sheets[index] = book.get_sheet_by_index(index).to_python(skip_empty_area=False)
            return sheets[index]

        candidates = [
            (index, enumerate(rows_of(index)[:HEADER_SEARCH_ROWS], 1))
            for index in (order if columns is not None else order[:1])
        ]
        best = _best_header(candidates, columns, deadline)
        if best is None:
            raise SpreadsheetError(_("文件是空的。"))
        index, header_line, header = best
        table = _Table([_value(v) for v in header], header_line, columns)
        table.dataset.sheet_name = names[index] if len(names) > 1 else ""
        width = len(table.dataset.headers)
        if not width:
            return table.dataset
        formulas = _xlsx_formulas(data, names[index]) if ext in (".xlsx", ".xlsm") else {}
        rows = rows_of(index)
        for line in range(header_line + 1, len(rows) + 1):
            if line % 256 == 0:
                deadline.check()
            values = [_value(v) for v in rows[line - 1][:width]]
            found = []
            for column in range(width):
                formula = formulas.get((line, column))
                if formula is not None:
                    while len(values) <= column:
                        values.append(None)
                    values[column] = formula
                    found.append((column, formula))
            table.add(line, values, found)
        deadline.check()
        return table.dataset
    except SpreadsheetError:
        raise
    except Exception as exc:
        raise SpreadsheetError(unreadable) from exc
    finally:
        book.close()


def _value(value):
    """A calamine cell as openpyxl would give it: blank is None, a time of day is text."""
    if value == "":
        return None
    if isinstance(value, datetime.time | datetime.timedelta):
        return str(value)
    return value


_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_ACTIVE_TAB = re.compile(rb'activeTab="(\d+)"')
_FORMULA_CELL = re.compile(
    rb'<c\b[^>]*?\br="([A-Z]{1,3})(\d+)"[^>]*?(?<!/)>(?:(?!</c>).)*?<f\b([^>]*?)(?:/>|>(.*?)</f>)',
    re.DOTALL,
)


def _active_sheet(data):
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            match = _ACTIVE_TAB.search(archive.read("xl/workbook.xml"))
    except Exception:
        return 0
    return int(match.group(1)) if match else 0


def _xlsx_formulas(data, sheet_name):
    """``{(line, column index): "=formula"}`` of an .xlsx worksheet (a shared or array
    formula's dependent cells read "=")."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
        targets = {rel.get("Id"): rel.get("Target") for rel in rels}
        path = None
        for sheet in workbook.iter(f"{_NS}sheet"):
            if sheet.get("name") == sheet_name:
                target = targets.get(sheet.get(f"{_REL_NS}id"), "")
                path = (
                    target.lstrip("/") if target.startswith("/") else posixpath.join("xl", target)
                )
        if path is None:
            return {}
        xml = archive.read(posixpath.normpath(path))
    found = {}
    if b"<f" not in xml:
        return found
    for letters, line, _attributes, text in _FORMULA_CELL.findall(xml):
        column = 0
        for letter in letters.decode():
            column = column * 26 + ord(letter) - 64
        formula = _unescape(text.decode()) if text else ""
        found[(int(line), column - 1)] = "=" + formula
    return found


def _unescape(text):
    return (
        text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", '"')
        .replace("&apos;", "'")
        .replace("&amp;", "&")
    )


def _best_header(candidates, columns, deadline):
    """``(sheet, line, cells)`` of the row naming most of the resource's columns among the
    first rows of each candidate sheet; without a match, the first sheet's first non-blank
    row. ``candidates``: ``(sheet, enumerate(rows, 1))``."""
    best, first = None, None
    for sheet, rows in candidates:
        for line, cells in rows:
            deadline.check()
            cells = list(cells)
            if all(c is None or str(c).strip() == "" for c in cells):
                continue
            if first is None:
                first = (sheet, line, cells)
            score = columns.score(cells) if columns is not None else 0
            if score and (best is None or score > best[0]):
                best = (score, (sheet, line, cells))
    return best[1] if best else first


class _Table:
    """Builds the SheetDataset below a header row: columns renamed, rows padded to the
    header's width, blank and footer rows skipped, lines kept."""

    def __init__(self, header, header_line, columns):
        names = [str(c).strip() if c is not None else "" for c in header]
        while names and not names[-1]:
            names.pop()
        dataset = SheetDataset()
        dataset.header_line = header_line
        taken = set()
        headers = []
        for name in names:
            column = columns.match(name) if columns is not None else None
            if column is not None and column not in taken:
                taken.add(column)
                headers.append(column)
                continue
            if name and header_key(name) not in IGNORED_COLUMNS and columns is not None:
                dataset.unmatched_columns.append(name)
            # an unmatched name never takes the place of one the resource knows
            headers.append(name if name not in taken else f"{name}（{len(headers) + 1}）")
        dataset.headers = headers
        self.dataset = dataset
        self.ignored = {i for i, n in enumerate(names) if header_key(n) in IGNORED_COLUMNS}
        self.skip_blank = getattr(settings, "IMPORT_EXPORT_IMPORT_IGNORE_BLANK_LINES", False)
        self.limit = settings.IMPORT_MAX_ROWS

    def add(self, line, values, formulas=()):
        dataset = self.dataset
        width = len(dataset.headers)
        values = list(values[:width]) + [None] * (width - len(values))
        filled = [i for i, v in enumerate(values) if v is not None and str(v).strip() != ""]
        if filled and isinstance(values[filled[0]], str) and is_footer(values[filled[0]]):
            dataset.footer_lines.append(line)
            return
        if self.skip_blank and not set(filled) - self.ignored:
            return  # blank, or nothing but its 序号
        if len(dataset) >= self.limit:
            raise SpreadsheetError(
                _("文件超过单次导入上限 %(limit)d 行，请拆分后导入。") % {"limit": self.limit}
            )
        for column, formula in formulas:
            if column < width:
                dataset.formula_cells.append((len(dataset), dataset.headers[column], formula))
        dataset.line_numbers.append(line)
        dataset.append(values)


def is_footer(text) -> bool:
    return unicodedata.normalize("NFKC", text).strip().startswith(FOOTER_WORDS)


# --- the parsed file, kept between the check and the import ------------------------------------

_DATASET_ATTRIBUTES = (
    "line_numbers",
    "header_line",
    "sheet_name",
    "unmatched_columns",
    "footer_lines",
    "formula_cells",
)


def dump_dataset(dataset) -> bytes:
    """The dataset as JSON, dates and times tagged, so that the import confirmed after the
    check reads the rows the check read without parsing the file again."""
    payload = {
        "headers": list(dataset.headers),
        "rows": [[_dump_cell(v) for v in row] for row in dataset],
        **{name: getattr(dataset, name, None) for name in _DATASET_ATTRIBUTES},
    }
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


def load_dataset(data: bytes) -> SheetDataset:
    payload = json.loads(data)
    dataset = SheetDataset()
    dataset.headers = payload["headers"]
    for row in payload["rows"]:
        dataset.append([_load_cell(v) for v in row])
    for name in _DATASET_ATTRIBUTES:
        setattr(dataset, name, payload.get(name))
    dataset.formula_cells = [tuple(c) for c in dataset.formula_cells or ()]
    return dataset


def _dump_cell(value):
    if isinstance(value, datetime.datetime):
        return {"dt": value.isoformat()}
    if isinstance(value, datetime.date):
        return {"d": value.isoformat()}
    if isinstance(value, decimal.Decimal):
        return {"n": str(value)}
    return value


def _load_cell(value):
    if isinstance(value, dict):
        if "dt" in value:
            return datetime.datetime.fromisoformat(value["dt"])
        if "d" in value:
            return datetime.date.fromisoformat(value["d"])
        if "n" in value:
            return decimal.Decimal(value["n"])
    return value
