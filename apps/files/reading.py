"""Reading an uploaded ledger (.xlsx or .csv) into a Dataset, wherever its table is.

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

Reading trusts nothing the file declares: an .xlsx sheet's ``<dimension>`` may claim one row
and hold 400,000, so the rows actually there are read, and reading stops as soon as there are
more than ``IMPORT_MAX_ROWS``. Every check and every import may use at most
``IMPORT_MAX_SECONDS`` of CPU time (``ImportDeadline``); past that it ends with a message and,
the import being one transaction, nothing saved. Formula cells are read as formulae (never
Excel's cached results) and noted in ``formula_cells`` (see ``apps.files.spreadsheets``).
"""

import csv
import io
import os
import re
import time
import unicodedata

from django.conf import settings
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from tablib import Dataset

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
    """A Dataset from .xlsx or .csv bytes (CSV in UTF-8, with or without BOM, or GBK — what
    Chinese Excel saves), of at most ``IMPORT_MAX_ROWS`` rows, read within ``deadline``. With
    a ``resource``, the table is looked for as the module's docstring says; without, the
    header is the first non-blank row of the first worksheet."""
    deadline = deadline or ImportDeadline()
    columns = Columns(resource) if resource is not None else None
    ext = os.path.splitext(filename)[1].lower()
    if ext == ".xlsx":
        dataset = _read_xlsx(data, deadline, columns)
    elif ext == ".csv":
        dataset = _read_csv(data, deadline, columns)
    else:
        raise SpreadsheetError(_("只支持 .xlsx 或 .csv 文件；.xls 请在 Excel 中另存为 .xlsx。"))
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
        rows = list(csv.reader(io.StringIO(text, newline="")))
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


def _read_xlsx(data, deadline, columns):
    """The chosen sheet's rows as they are in the file: the declared ``<dimension>`` is
    ignored (``reset_dimensions``), columns beyond the last named one are not read, blank
    lines are skipped, and reading stops at the first row past ``IMPORT_MAX_ROWS``."""
    unreadable = _("无法读取该 Excel 文件，请确认是 .xlsx 格式且未加密。")
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as exc:
        raise SpreadsheetError(unreadable) from exc
    try:
        sheets = [s for s in book.worksheets if hasattr(s, "iter_rows")]
        active = book.active
        if active in sheets:  # the sheet open when the file was saved is looked at first
            sheets.remove(active)
            sheets.insert(0, active)
        for sheet in sheets:
            sheet.reset_dimensions()
        candidates = [
            (
                sheet,
                enumerate(sheet.iter_rows(max_row=HEADER_SEARCH_ROWS, values_only=True), 1),
            )
            for sheet in (sheets if columns is not None else sheets[:1])
        ]
        best = _best_header(candidates, columns, deadline)
        if best is None:
            raise SpreadsheetError(_("文件是空的。"))
        sheet, header_line, header = best
        table = _Table(header, header_line, columns)
        table.dataset.sheet_name = sheet.title if len(sheets) > 1 else ""
        width = len(table.dataset.headers)
        if not width:
            return table.dataset
        for line, row in enumerate(
            sheet.iter_rows(min_row=header_line + 1, max_col=width), header_line + 1
        ):
            deadline.check()
            values = [cell.value for cell in row]
            formulas = []
            for column, cell in enumerate(row):
                if cell.data_type == "f":
                    formula = cell.value
                    if not isinstance(formula, str):  # array or data-table formula
                        formula = getattr(formula, "text", None) or "="
                    values[column] = formula
                    formulas.append((column, formula))
            table.add(line, values, formulas)
        return table.dataset
    except SpreadsheetError:
        raise
    except Exception as exc:
        raise SpreadsheetError(unreadable) from exc
    finally:
        book.close()


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
