"""Excel in and out, the same way in every app.

- ``ScopedResource``: base for every django-import-export resource. It takes the acting user,
  refuses rows for org units the user may not edit, only updates rows the user can see, keys
  the org unit by its code, and records who created/changed each row.
- ``ImportView``: upload → background dry run → preview listing every bad row → confirm →
  background import, all or nothing (``ImportJob`` + ``apps.files.tasks.run_import``).
- ``export_response``: an .xlsx download of a queryset the caller has already scoped, with
  formulae escaped.

Reading a file (``read_dataset``) trusts nothing it declares: an .xlsx sheet's ``<dimension>``
may claim one row and hold 400,000, so the rows actually there are read, and reading stops as
soon as there are more than ``IMPORT_MAX_ROWS``. Every check and every import may use at most
``IMPORT_MAX_SECONDS`` of CPU time (``ImportDeadline``); past that it ends with a message and,
the import being one transaction, nothing saved.

Cells that look like formulae (decided here, the same for every import):

- a real formula cell of an .xlsx file (``=SUM(B2:B9)``, Excel shows its result) is refused,
  with its line and column: importing its result would store a figure the file does not hold
  (files not saved by Excel carry none, others a stale one), importing its text would store
  something the user never saw. The user pastes the values (选择性粘贴 → 数值) and uploads
  again;
- a *text* cell that begins with ``=``, ``+``, ``-`` or ``@`` (any CSV cell; an .xlsx cell typed
  as text, e.g. ``'=1+1``) is stored exactly as typed, never evaluated nor stripped, and the
  check lists it in the preview so that the user sees it before confirming. Exports escape
  formulae, so such text is not run when the export is opened in Excel. Numbers are not
  formulae: a numeric cell ``-5`` is a number (refused or not by the column's own rules), and
  so is the text ``-5`` or a lone ``-`` placeholder.
"""

import decimal
import io
import os
import re
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView
from import_export import fields, resources
from import_export.formats.base_formats import XLSX
from import_export.widgets import CachedForeignKeyWidget
from openpyxl import load_workbook
from tablib import Dataset

from apps.orgs.models import OrgUnit, can_edit_unit, user_can_edit

from .forms import SpreadsheetUploadForm
from .models import ImportJob

PROGRESS_EVERY = 200


class ScopedResource(resources.ModelResource):
    org_unit = fields.Field(
        attribute="org_unit",
        column_name=gettext_lazy("所属单位编码"),
        widget=CachedForeignKeyWidget(OrgUnit, field="code"),
    )

    class Meta:
        clean_model_instances = True  # model validation (required fields, choices) per row
        skip_unchanged = True
        report_skipped = True

    def __init__(self, user=None, **kwargs):
        super().__init__(**kwargs)
        self.user = user
        self.on_progress = None
        self.deadline = None  # an ImportDeadline, checked after each row
        # Column names are looked up in every row: translate them once, not on each lookup.
        for field in self.fields.values():
            if isinstance(field.column_name, Promise):
                field.column_name = str(field.column_name)

    def get_queryset(self):
        # Rows are matched for update only among those the user can see.
        return super().get_queryset().visible_to(self.user)

    def import_row(self, row, instance_loader, **kwargs):
        result = super().import_row(row, instance_loader, **kwargs)
        number = kwargs.get("row_number", 0)
        if self.on_progress and number % PROGRESS_EVERY == 0:
            self.on_progress(number)
        if self.deadline is not None:
            # Raised outside import-export's per-row error handling: the whole import stops
            # and its transaction is rolled back.
            self.deadline.check()
        return result

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        try:
            super().import_field(field, instance, row, is_m2m, **kwargs)
        except decimal.InvalidOperation as exc:
            # DecimalWidget lets "三千" through as decimal.InvalidOperation, whose text is
            # "[<class 'decimal.ConversionSyntax'>]": a ValueError becomes a clear cell error.
            raise ValueError(
                _("“%(value)s”不是有效的数字。") % {"value": row.get(field.column_name)}
            ) from exc

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors = dict(import_validation_errors or {})
        unit = getattr(instance, "org_unit", None) if instance.org_unit_id else None
        if "org_unit" not in errors and not can_edit_unit(self.user, unit):
            errors["org_unit"] = [
                _("所属单位“%(unit)s”不在您可维护的范围内。") % {"unit": unit.code if unit else "—"}
            ]
        super().validate_instance(instance, errors, validate_unique)

    def before_save_instance(self, instance, row, **kwargs):
        if instance.pk is None:
            instance.created_by = self.user
        instance.updated_by = self.user
        super().before_save_instance(instance, row, **kwargs)


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


class SheetDataset(Dataset):
    """A Dataset read from a file, with the formula cells the file had:
    ``formula_cells`` lists ``(row index, column name, formula)``."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.formula_cells = []


def read_dataset(data, filename, *, deadline=None):
    """A Dataset from .xlsx or .csv bytes (CSV in UTF-8, with or without BOM, or GBK — what
    Chinese Excel saves), of at most ``IMPORT_MAX_ROWS`` rows, read within ``deadline``."""
    deadline = deadline or ImportDeadline()
    ext = os.path.splitext(filename)[1].lower()
    if ext == ".xlsx":
        dataset = _read_xlsx(data, deadline)
    elif ext == ".csv":
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
            dataset = SheetDataset().load(io.StringIO(text).read(), format="csv")
        except Exception as exc:
            raise SpreadsheetError(_("无法读取该 CSV 文件。")) from exc
        deadline.check()
    else:
        raise SpreadsheetError(_("只支持 .xlsx 或 .csv 文件；.xls 请在 Excel 中另存为 .xlsx。"))
    if not dataset.headers or all(h in (None, "") for h in dataset.headers):
        raise SpreadsheetError(_("第一行应为列名，但文件没有列名。"))
    dataset.headers = [str(h).strip() if h is not None else "" for h in dataset.headers]
    if len(dataset) > settings.IMPORT_MAX_ROWS:
        raise SpreadsheetError(
            _("文件有 %(rows)d 行，超过单次导入上限 %(limit)d 行，请拆分后导入。")
            % {"rows": len(dataset), "limit": settings.IMPORT_MAX_ROWS}
        )
    return dataset


def _read_xlsx(data, deadline):
    """The first sheet's rows as they are in the file: the declared ``<dimension>`` is ignored
    (``reset_dimensions``), columns beyond the last named one are not read, blank lines are
    skipped, and reading stops at the first row past ``IMPORT_MAX_ROWS``. Formulae are read as
    formulae (not Excel's cached results) and noted in ``formula_cells``."""
    unreadable = _("无法读取该 Excel 文件，请确认是 .xlsx 格式且未加密。")
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as exc:
        raise SpreadsheetError(unreadable) from exc
    try:
        sheet = book.active
        sheet.reset_dimensions()
        header_row = next(sheet.iter_rows(max_row=1), None)
        if header_row is None:
            raise SpreadsheetError(_("文件是空的。"))
        headers = [str(c.value).strip() if c.value is not None else "" for c in header_row]
        while headers and not headers[-1]:
            headers.pop()
        dataset = SheetDataset()
        dataset.headers = headers
        if not headers:
            return dataset
        skip_blank = getattr(settings, "IMPORT_EXPORT_IMPORT_IGNORE_BLANK_LINES", False)
        limit = settings.IMPORT_MAX_ROWS
        for row in sheet.iter_rows(min_row=2, max_col=len(headers)):
            deadline.check()
            values = [cell.value for cell in row]
            if skip_blank and all(v is None for v in values):
                continue
            if len(dataset) >= limit:
                raise SpreadsheetError(
                    _("文件超过单次导入上限 %(limit)d 行，请拆分后导入。") % {"limit": limit}
                )
            values += [None] * (len(headers) - len(values))
            for column, cell in enumerate(row):
                if cell.data_type == "f":
                    formula = cell.value
                    if not isinstance(formula, str):  # array or data-table formula
                        formula = getattr(formula, "text", None) or "="
                    values[column] = formula
                    dataset.formula_cells.append((len(dataset), headers[column], formula))
            dataset.append(values)
        return dataset
    except SpreadsheetError:
        raise
    except Exception as exc:
        raise SpreadsheetError(unreadable) from exc
    finally:
        book.close()


def check_headers(resource, dataset):
    """Refuse a file whose columns do not match the template, naming what is missing."""
    expected = [f.column_name for f in resource.get_import_fields()]
    required = [resource.fields[name].column_name for name in resource._meta.import_id_fields]
    missing = [str(c) for c in required if str(c) not in dataset.headers]
    known = [h for h in dataset.headers if h in {str(c) for c in expected}]
    if missing or not known:
        raise SpreadsheetError(
            _("文件的列与模板不符。缺少的列：%(missing)s。模板的列：%(expected)s。")
            % {
                "missing": "、".join(missing or [str(c) for c in expected]),
                "expected": "、".join(str(c) for c in expected),
            }
        )


MAX_REPORTED_ERRORS = 1000
PREVIEW_ROWS = 20
FORMULA_SIGNS = ("=", "+", "-", "@")
# Text Excel would read as a number, not a formula: "-5", "+3.5", "-" alone.
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)?")


def _imported_columns(resource, dataset):
    names = {str(f.column_name) for f in resource.get_import_fields()}
    return [(i, h) for i, h in enumerate(dataset.headers) if h in names]


def formula_errors(resource, dataset):
    """The file's formula cells in the columns the resource imports, as errors (see the
    module's docstring: formula cells are refused). Excel line numbers, header = line 1."""
    names = {h for _i, h in _imported_columns(resource, dataset)}
    return [
        {
            "line": index + 2,
            "column": column,
            "message": _(
                "该单元格是公式（%(formula)s），公式不能导入：请在 Excel 中将其"
                "“选择性粘贴”为数值后重新上传。"
            )
            % {"formula": _shorten(formula)},
        }
        for index, column, formula in getattr(dataset, "formula_cells", ())
        if column in names
    ]


def formula_like_text(resource, dataset):
    """Text cells of the imported columns that begin with =, +, -, @ (stored as typed, listed
    in the preview). Numbers, and text that is just a number, are not listed."""
    found = []
    columns = _imported_columns(resource, dataset)
    formula_at = {(i, c) for i, c, _f in getattr(dataset, "formula_cells", ())}
    for index, row in enumerate(dataset):
        for position, column in columns:
            value = row[position] if position < len(row) else None
            if not isinstance(value, str) or (index, column) in formula_at:
                continue
            text = value.strip()
            if text.startswith(FORMULA_SIGNS) and not _PLAIN_NUMBER.fullmatch(text):
                found.append({"line": index + 2, "column": column, "value": _shorten(text)})
    return found


def _shorten(text, length=60):
    return text if len(text) <= length else text[: length - 1] + "…"


def summarise(result, dataset, resource, *, extra_errors=()):
    """What the preview shows: totals, every bad row (Excel line numbers, header = line 1),
    the text cells that look like formulae (stored as typed), and the first rows as they
    will be imported. ``extra_errors`` are errors found before the import (formula cells)."""
    columns = {f.attribute: str(f.column_name) for f in resource.get_import_fields()}
    errors = list(extra_errors)
    for invalid in result.invalid_rows:
        for field, messages_ in invalid.field_specific_errors.items():
            column = columns.get(field, field)
            for message in messages_:
                errors.append({"line": invalid.number + 1, "column": column, "message": message})
        for message in invalid.non_field_specific_errors:
            errors.append({"line": invalid.number + 1, "column": "", "message": message})
    for number, row_errors in result.row_errors():
        for error in row_errors:
            errors.append(
                {"line": number + 1, "column": "", "message": str(error.error) or repr(error.error)}
            )
    # Errors of the whole file (raised after every row was checked, e.g. by a bulk save in
    # ``after_import``) are shown against the header line.
    for error in result.base_errors:
        errors.append({"line": 1, "column": "", "message": _error_message(error.error)})
    errors.sort(key=lambda e: e["line"])
    bad_lines = sorted({e["line"] for e in errors})
    formula_text = formula_like_text(resource, dataset)
    return {
        "totals": {str(k): v for k, v in result.totals.items()},
        "rows": len(dataset),
        "bad_lines": len(bad_lines),
        "errors": errors[:MAX_REPORTED_ERRORS],
        "more_errors": max(0, len(errors) - MAX_REPORTED_ERRORS),
        "formula_text": formula_text[:MAX_REPORTED_ERRORS],
        "more_formula_text": max(0, len(formula_text) - MAX_REPORTED_ERRORS),
        "headers": list(dataset.headers),
        "preview": [[_cell(v) for v in row] for row in dataset[:PREVIEW_ROWS]],
    }


def _error_message(exc):
    messages_ = getattr(exc, "messages", None)
    return "；".join(str(m) for m in messages_) if messages_ else str(exc) or repr(exc)


def _cell(value):
    return "" if value is None else str(value)


def export_response(resource, queryset, filename_stem):
    """An .xlsx attachment of ``queryset`` (already limited with ``visible_to``)."""
    dataset = resource.export(queryset=queryset)
    content = XLSX().export_data(dataset)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = HttpResponse(content, content_type=XLSX.CONTENT_TYPE)
    filename = f"{filename_stem}-{stamp}.xlsx"
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


class ImportView(LoginRequiredMixin, FormView):
    """Upload page of an import. Subclass with ``resource_class``, ``title`` and
    ``success_url`` (where the user lands after a successful import). ``?template=1`` downloads
    an empty sheet with the expected columns."""

    resource_class = None
    title = ""
    help_text = ""  # what a row means for this import, shown beside the upload form
    template_name = "files/import.html"
    form_class = SpreadsheetUploadForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not self.may_import(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def may_import(self, user):
        return user_can_edit(user)

    def get(self, request, *args, **kwargs):
        if request.GET.get("template"):
            resource = self.resource_class(user=request.user)
            return export_response(resource, resource._meta.model.objects.none(), self.title)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        resource = self.resource_class(user=self.request.user)
        context.update(
            title=self.title,
            help_text=self.help_text,
            columns=[f.column_name for f in resource.get_import_fields()],
            back_url=self.get_success_url(),
            recent_jobs=ImportJob.objects.filter(
                created_by=self.request.user, resource=self.resource_path()
            )[:5],
        )
        return context

    @classmethod
    def resource_path(cls):
        return f"{cls.resource_class.__module__}.{cls.resource_class.__qualname__}"

    def form_valid(self, form):
        from .tasks import run_import

        upload = form.cleaned_data["file"]
        job = ImportJob.objects.create(
            resource=self.resource_path(),
            title=str(self.title),
            file=upload,
            original_name=upload.name[:255],
            success_url=self.get_success_url(),
            created_by=self.request.user,
        )
        run_import.delay_on_commit(job.pk, dry_run=True)
        messages.info(self.request, _("文件已上传，正在检查，请稍候。"))
        return redirect("files:import_job", pk=job.pk)
