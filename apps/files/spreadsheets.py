"""Excel in and out, the same way in every app.

- ``ScopedResource``: base for every django-import-export resource. It takes the acting user,
  refuses rows for org units the user may not edit, only updates rows the user can see, keys
  the org unit by its code, and records who created/changed each row.
- ``ImportView``: upload → background check (validates every row, writes nothing) → preview
  listing every bad row → confirm → background import of the rows the check parsed, all or
  nothing, written in bulk (``ImportJob`` + ``apps.files.tasks.run_import``,
  ``apps.files.bulk``); the template carries a 说明 sheet (``apps.files.guide``).
- ``export_response``: an .xlsx download of a queryset the caller has already scoped, with
  formulae escaped.

Reading a file (``read_dataset``, ``SpreadsheetError``, ``ImportDeadline``) lives in
``apps.files.reading``: where the table is, its header, its lines, the limits. How a cell is
read (dates, numbers, yes/no, codes, phone and ID numbers) lives in ``apps.files.cells``;
``ScopedResource`` puts those widgets on the columns that name none of their own.

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

import copy
import decimal
import hashlib
import re

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView
from import_export import fields, resources, widgets
from import_export.formats.base_formats import XLSX

from apps.orgs.models import OrgUnit, can_edit_unit, user_can_edit

from . import bulk, cells
from .forms import SpreadsheetUploadForm
from .guide import template_response
from .models import ImportJob
from .reading import (  # noqa: F401 (the names imports have always used)
    ImportDeadline,
    SheetDataset,
    SpreadsheetError,
    line_of,
    read_dataset,
)

PROGRESS_EVERY = 200


class ScopedResource(resources.ModelResource):
    org_unit = fields.Field(
        attribute="org_unit",
        column_name=gettext_lazy("所属单位编码"),
        widget=cells.OrgUnitWidget(OrgUnit, field="code"),
    )
    # Other names a column goes by in the ledgers people keep (field name → names); each
    # resource adds its own, ``apps.files.reading.Columns`` reads them all.
    column_synonyms = {
        "org_unit": ("单位编码", "所属单位代码", "单位代码", "所属单位编号"),
    }

    class Meta:
        clean_model_instances = True  # model validation (required fields, choices) per row
        skip_unchanged = True
        report_skipped = True
        # The preview lists errors, not a diff of every row: unchanged rows are found by
        # ``skip_row`` below without a deep copy of each record.
        skip_diff = True
        skip_html_diff = True
        # No savepoint per row: rows are written together at the end (``apps.files.bulk``).
        use_bulk = True
        instance_loader_class = bulk.KeyedInstanceLoader

    def __init__(self, user=None, **kwargs):
        super().__init__(**kwargs)
        self.user = user
        self.on_progress = None
        self.deadline = None  # an ImportDeadline, checked after each row
        self.dry_run = True
        self.dataset = None
        self._created, self._updated, self._m2m_rows = [], [], []
        self._originals = {}
        self._keys = {}  # key of a row → its row number, to report duplicates in the file
        # Column names are looked up in every row: translate them once, not on each lookup.
        for field in self.fields.values():
            if isinstance(field.column_name, Promise):
                field.column_name = str(field.column_name)
            field.widget = self._shared_widget(field)
            if isinstance(field.widget, cells.OrgUnitWidget):
                field.widget = cells.OrgUnitWidget(OrgUnit, field="code", user=user)

    # import-export's own widgets, and the bare one, replaced by the shared ones of
    # ``apps.files.cells`` (exported the same way): one reading of a date or a number everywhere.
    _LIBRARY_WIDGETS = {
        widgets.DateWidget: cells.DateWidget,
        widgets.DecimalWidget: cells.DecimalWidget,
        widgets.IntegerWidget: cells.IntegerWidget,
        widgets.CharWidget: cells.TextWidget,
    }
    _BY_MODEL_FIELD = {
        "DateField": cells.DateWidget,
        "CharField": cells.TextWidget,
        "TextField": cells.TextWidget,
    }

    def _shared_widget(self, field):
        widget = field.widget
        shared = self._LIBRARY_WIDGETS.get(type(widget))
        if shared is None and type(widget) is widgets.Widget and field.attribute:
            try:
                model_field = self._meta.model._meta.get_field(field.attribute)
            except Exception:  # a related path or a method: left as it is
                return widget
            shared = self._BY_MODEL_FIELD.get(model_field.get_internal_type())
        if shared is None:
            return widget
        return shared(coerce_to_string=getattr(widget, "coerce_to_string", True))

    def get_queryset(self):
        # Rows are matched for update only among those the user can see.
        return super().get_queryset().visible_to(self.user)

    # --- keys, duplicates and masked numbers ---------------------------------------------------

    def row_key(self, row):
        """The values of the key columns of a row (raises ValueError for an unreadable one)."""
        return tuple(
            bulk.key_value(self.fields[name].clean(row)) for name in self.get_import_id_fields()
        )

    def instance_key(self, instance):
        """The same values, read from a record."""
        model = self._meta.model
        values = []
        for name in self.get_import_id_fields():
            attribute = self.fields[name].attribute
            values.append(getattr(instance, model._meta.get_field(attribute).attname))
        return tuple(values)

    def import_data(self, dataset, dry_run=False, **kwargs):
        self.dry_run = dry_run
        self.dataset = dataset
        return super().import_data(dataset, dry_run=dry_run, **kwargs)

    def import_instance(self, instance, row, **kwargs):
        if instance.pk is not None:
            self._originals[id(instance)] = copy.copy(instance)
        super().import_instance(instance, row, **kwargs)
        self._check_duplicate(instance, kwargs.get("row_number"))

    def _check_duplicate(self, instance, number):
        """Two rows of one file naming the same record: the second is refused, its message
        naming the line of the first (both as Excel numbers them)."""
        if number is None:
            return
        names = list(self.get_import_id_fields())
        key = self.instance_key(instance)
        first = self._keys.setdefault(key, number)
        if first == number:
            return
        columns = "、".join(str(self.fields[n].column_name) for n in names)
        raise ValidationError(
            {
                self.fields[names[0]].attribute: _(
                    "与第 %(first)s 行重复（%(columns)s 相同）：同一文件中每条记录只能出现一次，"
                    "请删除或合并第 %(first)s 行和第 %(line)s 行中的一行。"
                )
                % {
                    "first": line_of(self.dataset, first - 1),
                    "line": line_of(self.dataset, number - 1),
                    "columns": columns,
                }
            }
        )

    def get_instance(self, instance_loader, row):
        """The existing row, found by the key columns: a key cell that cannot be read (an
        unknown unit code) is reported on its column, not as an error of the whole row."""
        try:
            return super().get_instance(instance_loader, row)
        except ValueError as exc:
            errors = {}
            for name in self.get_import_id_fields():
                field = self.fields[name]
                try:
                    field.clean(row)
                except ValueError as error:
                    errors[field.attribute] = [str(error)]
            raise ValidationError(errors or str(exc)) from exc

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
        if isinstance(field.widget, cells.IdentifierWidget):
            masked = cells.masked_value(row.get(field.column_name))
            if masked:
                # A number hidden by the portal's own export: the stored one is kept.
                stored = getattr(instance, field.attribute, "") if instance.pk else ""
                if not stored:
                    raise ValueError(
                        _(
                            "“%(value)s”是导出时隐藏了部分数字的号码，只能用于已有记录（保留原号码）；"
                            "新增记录请填写完整号码。"
                        )
                        % {"value": masked}
                    )
                if not cells.mask_matches(masked, stored):
                    raise ValueError(
                        _("“%(value)s”与该记录已登记的号码不符，请填写完整号码。")
                        % {"value": masked}
                    )
                return
        try:
            super().import_field(field, instance, row, is_m2m, **kwargs)
        except decimal.InvalidOperation as exc:
            # DecimalWidget lets "三千" through as decimal.InvalidOperation, whose text is
            # "[<class 'decimal.ConversionSyntax'>]": a ValueError becomes a clear cell error.
            raise ValueError(
                _("“%(value)s”不是有效的数字。") % {"value": row.get(field.column_name)}
            ) from exc

    def skip_row(self, instance, original, row, import_validation_errors=None):
        """An existing record whose imported columns all hold what it stores is skipped
        (reported as unchanged, not written)."""
        before = self._originals.get(id(instance))
        if import_validation_errors or not self._meta.skip_unchanged or before is None:
            return False
        model_fields = {f.name: f for f in self._meta.model._meta.concrete_fields}
        for field in self.get_import_fields():
            if field.column_name not in row or field.readonly or not field.attribute:
                continue
            if self.is_m2m(field):
                return False
            model_field = model_fields.get(field.attribute)
            if model_field is None:
                return False
            name = model_field.attname
            if getattr(before, name) != getattr(instance, name):
                return False
        return True

    def full_clean(self, instance, errors, validate_unique=True):
        """The model's validation, without one query per row for each related record the
        widgets have already read from the database (所属单位, 储备点, 类别 …)."""
        exclude = set(errors)
        for field in self._meta.model._meta.concrete_fields:
            if field.is_relation and field.is_cached(instance):
                related = field.get_cached_value(instance)
                if related is not None and related.pk is not None:
                    exclude.add(field.name)
        try:
            if self._meta.clean_model_instances:
                instance.full_clean(exclude=exclude, validate_unique=validate_unique)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors = dict(import_validation_errors or {})
        unit = getattr(instance, "org_unit", None) if instance.org_unit_id else None
        if "org_unit" not in errors and unit is None and "org_unit" in self.fields:
            errors["org_unit"] = [required_message(self.fields["org_unit"].column_name)]
        if "org_unit" not in errors and not can_edit_unit(self.user, unit):
            errors["org_unit"] = [
                _("所属单位“%(unit)s”不在您可维护的范围内。") % {"unit": unit.code if unit else "—"}
            ]
        self.full_clean(instance, errors, validate_unique)

    def before_save_instance(self, instance, row, **kwargs):
        if instance.pk is None:
            instance.created_by = self.user
        instance.updated_by = self.user
        super().before_save_instance(instance, row, **kwargs)

    # --- writing: nothing at the check, everything at once at the import ---------------------

    def save_instance(self, instance, is_create, row, **kwargs):
        """The check validates and writes nothing; the import collects the record, written
        with the others once every row has passed (``apps.files.bulk.flush``)."""
        self.before_save_instance(instance, row, **kwargs)
        if self.dry_run:
            return
        if is_create:
            self._created.append(instance)
        else:
            self._updated.append((instance, self._originals.pop(id(instance), None)))

    def save_m2m(self, instance, row, **kwargs):
        """Many-to-many cells are checked with their row and written after the records."""
        m2m = [f for f in self.get_import_fields() if self.is_m2m(f) and f.column_name in row]
        for field in m2m:
            try:
                field.clean(row)
            except ValueError as exc:
                raise ValidationError({field.attribute: [str(exc)]}) from exc
        if m2m and not self.dry_run:
            self._m2m_rows.append((instance, row))

    def handle_import_error(self, result, error, raise_errors=False):
        # Out of time while writing: the whole import stops and is rolled back.
        if isinstance(error, SpreadsheetError):
            raise error
        super().handle_import_error(result, error, raise_errors)

    @staticmethod
    def is_m2m(field):
        return isinstance(field.widget, widgets.ManyToManyWidget)

    def after_bulk_save(self, created, updated):
        """Hook: what a resource writes for its new and changed records once they exist."""

    def after_import(self, dataset, result, **kwargs):
        created, updated, m2m_rows = self._created, self._updated, self._m2m_rows
        self._created, self._updated, self._m2m_rows = [], [], []
        self._originals, self._keys = {}, {}
        failed = result.has_errors() or result.has_validation_errors()
        if not self.dry_run and not failed and (created or updated):
            bulk.flush(self, created, updated, m2m_rows)
            if self.deadline is not None:
                self.deadline.check()
        super().after_import(dataset, result, **kwargs)


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
    module's docstring: formula cells are refused), on their Excel lines."""
    names = {h for _i, h in _imported_columns(resource, dataset)}
    return [
        {
            "line": line_of(dataset, index),
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
                found.append(
                    {"line": line_of(dataset, index), "column": column, "value": _shorten(text)}
                )
    return found


def _shorten(text, length=60):
    return text if len(text) <= length else text[: length - 1] + "…"


def summarise(result, dataset, resource, *, extra_errors=()):
    """What the preview shows: totals, every bad row (on its Excel line), the text cells that
    look like formulae (stored as typed), where the table was found (header line, sheet), the
    file's columns that were not imported, the footer lines skipped, and the first rows as
    they will be imported. ``extra_errors`` are errors found before the import (formula
    cells)."""
    columns = {f.attribute: str(f.column_name) for f in resource.get_import_fields()}
    blank = _blank_messages()
    errors = list(extra_errors)
    for invalid in result.invalid_rows:
        line = line_of(dataset, invalid.number - 1)
        for field, messages_ in invalid.field_specific_errors.items():
            column = columns.get(field, field)
            for message in messages_:
                if str(message) in blank:
                    message = required_message(column)
                errors.append({"line": line, "column": column, "message": message})
        for message in invalid.non_field_specific_errors:
            errors.append({"line": line, "column": "", "message": message})
    for number, row_errors in result.row_errors():
        for error in row_errors:
            errors.append(
                {
                    "line": line_of(dataset, number - 1),
                    "column": "",
                    "message": _in_chinese(str(error.error) or repr(error.error)),
                }
            )
    # Errors of the whole file (raised after every row was checked, e.g. by a bulk save in
    # ``after_import``) are shown against the header line.
    header_line = getattr(dataset, "header_line", 1)
    for error in result.base_errors:
        errors.append({"line": header_line, "column": "", "message": _error_message(error.error)})
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
        "header_line": header_line,
        "sheet": getattr(dataset, "sheet_name", ""),
        "unmatched_columns": list(getattr(dataset, "unmatched_columns", ())),
        "footer_lines": list(getattr(dataset, "footer_lines", ()))[:MAX_REPORTED_ERRORS],
        **preview(resource, dataset),
    }


def preview(resource, dataset):
    """The first rows as they will be saved: each imported column read by its widget and
    written back the way the export writes it (2026年3月1日 → 2026-03-01, √ → 是, a unit
    name → its code); a masked number says that the stored one is kept; a cell that cannot
    be read is shown as typed (its error is listed above)."""
    imported = [f for f in resource.get_import_fields() if f.column_name in dataset.headers]
    rows = []
    for values in dataset[:PREVIEW_ROWS]:
        row = dict(zip(dataset.headers, values, strict=False))
        shown = []
        for field in imported:
            raw = row.get(field.column_name)
            masked = cells.masked_value(raw)
            if masked and isinstance(field.widget, cells.IdentifierWidget):
                shown.append(_("%(value)s（保留已登记的号码）") % {"value": masked})
                continue
            try:
                shown.append(_cell(field.widget.render(field.clean(row))))
            except Exception:  # listed among the errors; shown as typed
                shown.append(_cell(raw))
        rows.append(shown)
    return {"headers": [str(f.column_name) for f in imported], "preview": rows}


def required_message(column):
    return _("“%(column)s”是必填列，该单元格不能为空。") % {"column": column}


def _blank_messages():
    """Django's messages for a blank required field ("这个字段不能为空。"), in the active
    language: replaced in the preview by one that names the column."""
    from django.db.models import Field

    return {str(Field.default_error_messages[key]) for key in ("blank", "null")}


def _in_chinese(message):
    """An unexpected error's text (a library's, in English) inside a Chinese sentence."""
    if any("\u4e00" <= ch <= "\u9fff" for ch in message):
        return message
    return _("该行无法导入（%(detail)s），请检查本行的内容。") % {"detail": _shorten(message, 200)}


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
            return template_response(resource, self.title, request.user)
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
        """Start the check of the uploaded file, unless the same user already runs a job of
        this kind for the same bytes (a double click, a second tab): then that job's page.
        Writing the user's row first makes two such requests wait for each other (a row lock
        on PostgreSQL, the write lock on SQLite), so the second one finds the first job."""
        from .tasks import run_import

        upload = form.cleaned_data["file"]
        user = self.request.user
        digest = hashlib.sha256()
        for chunk in upload.chunks():
            digest.update(chunk)
        digest = digest.hexdigest()
        path = self.resource_path()
        with transaction.atomic():
            get_user_model().objects.filter(pk=user.pk).update(last_login=F("last_login"))
            running = ImportJob.objects.filter(
                created_by=user, resource=path, digest=digest, state__in=ImportJob.RUNNING_STATES
            ).first()
            if running is not None:
                messages.info(
                    self.request, _("该文件正在检查或导入，不会重复开始。请等待当前任务完成。")
                )
                return redirect("files:import_job", pk=running.pk)
            job = ImportJob.objects.create(
                resource=path,
                title=str(self.title),
                file=upload,
                original_name=upload.name[:255],
                digest=digest,
                success_url=self.get_success_url(),
                created_by=user,
            )
            run_import.delay_on_commit(job.pk, dry_run=True)
        messages.info(self.request, _("文件已上传，正在检查，请稍候。"))
        return redirect("files:import_job", pk=job.pk)
