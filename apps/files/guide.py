"""The import template a user downloads: an empty sheet with the columns to fill, and a 说明
sheet that lists every column — its format, the values it allows, whether it is required,
what a blank cell means and an example — read from the resource's fields and widgets, so that
it says what the import does (``apps.files.cells``), for every import alike.

A resource may add to what its widgets say with ``column_notes`` (field name → any of
``format``, ``allowed``, ``blank``, ``example``): what a blank cell means when a hook fills it
in (a blank 状态 is 可用), an example that the widget cannot know.
"""

import io

from django.http import HttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from import_export import widgets
from import_export.fields import NOT_PROVIDED
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from . import cells
from .reading import HEADER_SEARCH_ROWS

# Examples by attribute, where the widget alone cannot give one.
EXAMPLES = {
    "name": "张三",
    "title": "某小区地下车库积水",
    "address": "华阳路街道安西路1号",
    "note": "",
    "affiliation": "楼组长",
    "phone": "13912345678",
    "mobile": "13912345678",
    "emergency_phone": "13812345678",
    "id_number": "11010519491231002X",
    "latitude": "31.2194",
    "longitude": "121.4243",
}


def _choices(widget):
    choices = getattr(widget, "choices", None)
    if choices:
        allowed = getattr(widget, "allowed", None)
        return [str(label) for key, label in choices if not allowed or key in allowed]
    return []


def _related_names(widget, limit=30):
    model = getattr(widget, "model", None)
    field = getattr(widget, "field", "name")
    if model is None or field != "name":
        return []
    names = list(model.objects.values_list("name", flat=True)[: limit + 1])
    return names if len(names) <= limit else []


def _required(resource, field):
    if field.attribute is None:
        return False
    if field.attribute in {resource.fields[n].attribute for n in resource.get_import_id_fields()}:
        return True
    try:
        model_field = resource._meta.model._meta.get_field(field.attribute)
    except Exception:  # a related path: never required on its own
        return False
    return not (model_field.blank or model_field.null or model_field.has_default())


def _model_default(resource, field):
    """The model field's default as the user reads it (a choice by its label)."""
    try:
        model_field = resource._meta.model._meta.get_field(field.attribute)
    except Exception:
        return None
    if not model_field.has_default() or callable(model_field.default):
        return None
    return dict(model_field.flatchoices).get(model_field.default, model_field.default)


def _first_code(widget):
    """An existing code the user may use, as the example of a code column."""
    try:
        queryset = widget.get_queryset(None, None)
        return str(getattr(queryset.order_by("pk").first(), widget.field, "") or "")
    except Exception:  # an example is a help, never a reason to fail the download
        return ""


def describe(resource, user=None):
    """One dict per imported column: name, format, allowed, required, blank, example."""
    notes = getattr(resource, "column_notes", {})
    rows = []
    for name, field in resource.fields.items():
        if field not in resource.get_import_fields() or field.readonly:
            continue
        widget = field.widget
        allowed = _choices(widget)
        example = EXAMPLES.get(field.attribute or "", "")
        if isinstance(widget, cells.DateWidget):
            format_ = _("日期：2026-03-01，也可写 2026/3/1、2026.3.1、2026年3月1日或 20260301")
            example = "2026-03-01"
        elif isinstance(widget, cells.IntegerWidget):
            format_ = _("整数（不能有小数）")
            if widget.min_value is not None:
                format_ = _("不小于 %(min)s 的整数（不能有小数）") % {"min": widget.min_value}
            example = "100"
        elif isinstance(widget, cells.DecimalWidget | widgets.DecimalWidget):
            format_ = _("数字，可有小数和千分位（1,200.5）")
            example = example or "1200"
        elif isinstance(widget, cells.YesNoWidget):
            format_ = _("是/否，也可填 √/×、Y/N、TRUE/FALSE、1/0")
            allowed = [_("是"), _("否")]
            example = _("是")
        elif isinstance(widget, cells.IdentifierWidget):
            format_ = _(
                "号码，单元格须设为文本格式；导出文件中隐藏了中间位的号码"
                "（如 157****1838）导入时保留原号码"
            )
            example = example or "13912345678"
        elif isinstance(widget, cells.OrgUnitWidget):
            format_ = _("单位编码，或本辖区内单位的全称（“居委会”与“居民区”通用）")
            example = user.org_unit.code if user is not None and user.org_unit_id else "310105001"
        elif isinstance(widget, widgets.ManyToManyWidget):
            format_ = _("名称，多个用“、”分隔")
            allowed = allowed or _related_names(widget)
            example = "、".join(allowed[:2])
        elif isinstance(widget, widgets.ForeignKeyWidget):
            if getattr(widget, "field", "") == "name":
                format_ = _("名称，须与系统中的名称一致")
                allowed = allowed or _related_names(widget)
                example = allowed[0] if allowed else ""
            else:
                format_ = _("编码，须是系统中已有的编码")
                example = example or _first_code(widget)
        elif allowed:
            format_ = _("从可选值中选填一个")
        else:
            format_ = _("文本")
        if allowed and not example:
            example = allowed[0]
        required = _required(resource, field)
        if required:
            blank = _("不能留空")
        elif isinstance(widget, cells.YesNoWidget):
            blank = _("视为“是”") if widget.blank else _("视为“否”")
        elif field.default not in (None, NOT_PROVIDED):
            blank = _("默认为 %(value)s") % {"value": field.default}
        elif (default := _model_default(resource, field)) not in (None, ""):
            blank = _("默认为 %(value)s") % {"value": default}
        else:
            blank = _("留空即不填写")
        row = {
            "name": str(field.column_name),
            "format": format_,
            "allowed": "、".join(str(a) for a in allowed),
            "required": _("必填") if required else _("选填"),
            "blank": blank,
            "example": str(example),
        }
        row.update({k: str(v) for k, v in notes.get(name, {}).items()})
        rows.append(row)
    return rows


def template_response(resource, title, user=None):
    """The .xlsx template: the columns to fill on the first sheet, the 说明 sheet beside it."""
    columns = describe(resource, user)
    book = Workbook()
    sheet = book.active
    sheet.title = _("导入数据")
    sheet.append([c["name"] for c in columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for index, column in enumerate(columns, 1):
        sheet.column_dimensions[sheet.cell(1, index).column_letter].width = max(
            12, 2 * len(column["name"]) + 4
        )
        if column["format"].startswith(_("号码")):
            for row in range(2, 1002):  # phone and ID columns as text, so Excel keeps them
                sheet.cell(row, index).number_format = "@"
    guide = book.create_sheet(_("说明"))
    headings = [_("列名"), _("格式"), _("可选值"), _("是否必填"), _("留空表示"), _("示例")]
    guide.append(headings)
    for cell in guide[1]:
        cell.font = Font(bold=True)
    for column in columns:
        guide.append(
            [
                column["name"],
                column["format"],
                column["allowed"],
                column["required"],
                column["blank"],
                column["example"],
            ]
        )
    # The example row, below the rows where an upload's header is looked for
    # (``HEADER_SEARCH_ROWS``): a filled-in template never imports it.
    line = max(guide.max_row + 2, HEADER_SEARCH_ROWS + 2)
    guide.cell(line, 1, _("示例行（仅供参考，请在“导入数据”表中填写）"))
    for index, column in enumerate(columns, 1):
        guide.cell(line + 1, index, column["name"]).font = Font(bold=True)
        guide.cell(line + 2, index, column["example"])
    for letter, width in zip("ABCDEF", (22, 48, 36, 10, 18, 24), strict=True):
        guide.column_dimensions[letter].width = width
    for row in guide.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    book.active = 0
    buffer = io.BytesIO()
    book.save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    filename = f"{title}-{_('模板')}.xlsx"
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response
