"""Risk points and hazards as spreadsheets (django-import-export through apps.files).

Column headers are Chinese; choices are read and written by their Chinese labels (a few
short forms are accepted too: 红/橙/黄/蓝, 重大/一般). Coordinates are WGS-84 unless the
optional 坐标系 column says GCJ-02 (points picked on 高德/腾讯 maps), then they are converted.

Imported hazards start the loop at 发现 with a 发现上报 event; later steps go through the
portal's transition pages, never through a spreadsheet (the state columns are export-only).
"""

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import fields, widgets
from import_export.widgets import CachedForeignKeyWidget

from apps.files.cells import DateWidget, DecimalWidget, IdentifierWidget
from apps.files.spreadsheets import ScopedResource
from apps.maps.coords import GCJ02, WGS84, to_wgs84

from .models import (
    Hazard,
    HazardAction,
    HazardCategory,
    HazardEvent,
    HazardState,
    InspectionFrequency,
    RiskLevel,
    RiskPoint,
    Severity,
)


class LabelChoiceWidget(widgets.Widget):
    """A choice column read and written by its Chinese label."""

    def __init__(self, choices, aliases=None, **kwargs):
        super().__init__(**kwargs)
        self.choices = choices
        self.aliases = aliases or {}

    def clean(self, value, row=None, **kwargs):
        if value in (None, ""):
            return None
        text = str(value).strip()
        for key, label in self.choices:
            if text in (key, str(label)):
                return key
        if text in self.aliases:
            return self.aliases[text]
        raise ValueError(
            _("“%(value)s”不是有效的选项，可选：%(options)s。")
            % {"value": text, "options": "、".join(str(label) for _k, label in self.choices)}
        )

    def render(self, value, obj=None, **kwargs):
        return str(dict(self.choices).get(value, value or ""))


class CategoryWidget(CachedForeignKeyWidget):
    def clean(self, value, row=None, **kwargs):
        if value in (None, ""):
            return None
        try:
            return super().clean(str(value).strip(), row, **kwargs)
        except HazardCategory.DoesNotExist as exc:
            raise ValueError(_("没有名为“%(name)s”的隐患类别。") % {"name": value}) from exc


LEVEL_ALIASES = {
    "红": RiskLevel.RED,
    "红色": RiskLevel.RED,
    "重大": RiskLevel.RED,
    "重大风险": RiskLevel.RED,
    "橙": RiskLevel.ORANGE,
    "橙色": RiskLevel.ORANGE,
    "较大": RiskLevel.ORANGE,
    "较大风险": RiskLevel.ORANGE,
    "黄": RiskLevel.YELLOW,
    "黄色": RiskLevel.YELLOW,
    "一般": RiskLevel.YELLOW,
    "一般风险": RiskLevel.YELLOW,
    "蓝": RiskLevel.BLUE,
    "蓝色": RiskLevel.BLUE,
    "低": RiskLevel.BLUE,
    "低风险": RiskLevel.BLUE,
}
SEVERITY_ALIASES = {"重大": Severity.MAJOR, "一般": Severity.GENERAL}
COORDINATE_COLUMN = "坐标系"


def _convert_row_coordinates(row, lat_col, lng_col):
    """Apply the optional 坐标系 column: GCJ-02 values become WGS-84 before the import."""
    system = str(row.get(COORDINATE_COLUMN) or "").strip().upper().replace("－", "-")
    if system in ("", "WGS84", "WGS-84"):
        return
    if system not in ("GCJ02", "GCJ-02", "高德", "腾讯"):
        raise ValidationError(_("坐标系只能填 WGS-84 或 GCJ-02。"))
    lat, lng = row.get(lat_col), row.get(lng_col)
    if lat in (None, "") or lng in (None, ""):
        return
    try:
        lat, lng = to_wgs84(lat, lng, GCJ02)
    except (TypeError, ValueError) as exc:
        raise ValidationError(_("经纬度必须是数字。")) from exc
    row[lat_col], row[lng_col] = lat, lng
    row[COORDINATE_COLUMN] = WGS84


class ImportableResource(ScopedResource):
    """Export-only (read-only) columns are left out of the import template and preview."""

    def get_import_fields(self):
        return [f for f in super().get_import_fields() if not f.readonly]


class RiskPointResource(ImportableResource):
    column_synonyms = {
        "name": ("风险点",),
        "level": ("等级",),
        "responsible_phone": ("责任人电话", "联系方式"),
        "next_inspection_date": ("下次巡查时间",),
        "description": ("风险描述", "管控措施"),
    }
    name = fields.Field(attribute="name", column_name=gettext_lazy("风险点名称"))
    org_unit_name = fields.Field(
        attribute="org_unit__name", column_name=gettext_lazy("所属单位"), readonly=True
    )
    category = fields.Field(
        attribute="category",
        column_name=gettext_lazy("类别"),
        widget=CategoryWidget(HazardCategory, field="name"),
    )
    level = fields.Field(
        attribute="level",
        column_name=gettext_lazy("风险等级"),
        widget=LabelChoiceWidget(RiskLevel.choices, LEVEL_ALIASES),
    )
    address = fields.Field(attribute="address", column_name=gettext_lazy("地址"))
    latitude = fields.Field(
        attribute="latitude", column_name=gettext_lazy("纬度"), widget=DecimalWidget()
    )
    longitude = fields.Field(
        attribute="longitude", column_name=gettext_lazy("经度"), widget=DecimalWidget()
    )
    responsible_person = fields.Field(
        attribute="responsible_person", column_name=gettext_lazy("责任人")
    )
    responsible_phone = fields.Field(
        attribute="responsible_phone",
        column_name=gettext_lazy("联系电话"),
        widget=IdentifierWidget(),
    )
    inspection_frequency = fields.Field(
        attribute="inspection_frequency",
        column_name=gettext_lazy("巡查频次"),
        widget=LabelChoiceWidget(InspectionFrequency.choices),
    )
    next_inspection_date = fields.Field(
        attribute="next_inspection_date",
        column_name=gettext_lazy("下次巡查日期"),
        widget=DateWidget(),
    )
    description = fields.Field(
        attribute="description", column_name=gettext_lazy("风险描述与管控措施")
    )

    class Meta:
        model = RiskPoint
        fields = (
            "org_unit",
            "org_unit_name",
            "name",
            "category",
            "level",
            "address",
            "latitude",
            "longitude",
            "responsible_person",
            "responsible_phone",
            "inspection_frequency",
            "next_inspection_date",
            "description",
        )
        export_order = fields
        import_id_fields = ("org_unit", "name")
        skip_unchanged = True
        clean_model_instances = True

    def before_import_row(self, row, **kwargs):
        _convert_row_coordinates(
            row, str(self.fields["latitude"].column_name), str(self.fields["longitude"].column_name)
        )
        super().before_import_row(row, **kwargs)

    def before_save_instance(self, instance, row, **kwargs):
        if not instance.inspection_frequency:
            instance.inspection_frequency = InspectionFrequency.MONTHLY
        if instance.next_inspection_date is None:
            instance.next_inspection_date = instance.next_date_after(timezone.localdate())
        super().before_save_instance(instance, row, **kwargs)


class HazardResource(ImportableResource):
    # What a blank cell means here (filled in by ``import_instance``), for the template's 说明.
    column_notes = {
        "found_by": {"required": gettext_lazy("选填"), "blank": gettext_lazy("视为导入人")},
        "found_on": {"required": gettext_lazy("选填"), "blank": gettext_lazy("视为导入当天")},
    }
    column_synonyms = {
        "title": ("隐患",),
        "severity": ("等级",),
        "found_on": ("发现时间",),
        "address": ("地址", "隐患地点"),
        "description": ("情况描述",),
    }
    number = fields.Field(attribute="pk", column_name=gettext_lazy("编号"), readonly=True)
    org_unit_name = fields.Field(
        attribute="org_unit__name", column_name=gettext_lazy("所属单位"), readonly=True
    )
    title = fields.Field(attribute="title", column_name=gettext_lazy("隐患名称"))
    category = fields.Field(
        attribute="category",
        column_name=gettext_lazy("类别"),
        widget=CategoryWidget(HazardCategory, field="name"),
    )
    severity = fields.Field(
        attribute="severity",
        column_name=gettext_lazy("隐患等级"),
        widget=LabelChoiceWidget(Severity.choices, SEVERITY_ALIASES),
    )
    found_on = fields.Field(
        attribute="found_on", column_name=gettext_lazy("发现日期"), widget=DateWidget()
    )
    found_by = fields.Field(attribute="found_by", column_name=gettext_lazy("发现人"))
    address = fields.Field(attribute="address", column_name=gettext_lazy("地点"))
    latitude = fields.Field(
        attribute="latitude", column_name=gettext_lazy("纬度"), widget=DecimalWidget()
    )
    longitude = fields.Field(
        attribute="longitude", column_name=gettext_lazy("经度"), widget=DecimalWidget()
    )
    description = fields.Field(attribute="description", column_name=gettext_lazy("隐患描述"))
    risk_point = fields.Field(
        attribute="risk_point__name", column_name=gettext_lazy("所在风险点"), readonly=True
    )
    state = fields.Field(column_name=gettext_lazy("状态"), readonly=True)
    responsible_unit = fields.Field(
        attribute="responsible_unit", column_name=gettext_lazy("整改责任单位"), readonly=True
    )
    deadline = fields.Field(
        attribute="deadline",
        column_name=gettext_lazy("整改期限"),
        readonly=True,
        widget=DateWidget(),
    )
    overdue = fields.Field(column_name=gettext_lazy("是否逾期"), readonly=True)
    closed_at = fields.Field(column_name=gettext_lazy("销号时间"), readonly=True)

    class Meta:
        model = Hazard
        fields = (
            "number",
            "org_unit",
            "org_unit_name",
            "title",
            "category",
            "severity",
            "found_on",
            "found_by",
            "address",
            "latitude",
            "longitude",
            "description",
            "risk_point",
            "state",
            "responsible_unit",
            "deadline",
            "overdue",
            "closed_at",
        )
        export_order = fields
        # Re-importing the same sheet updates the rows it created instead of duplicating them.
        import_id_fields = ("org_unit", "title", "found_on")
        skip_unchanged = True
        clean_model_instances = True

    def before_import_row(self, row, **kwargs):
        _convert_row_coordinates(
            row, str(self.fields["latitude"].column_name), str(self.fields["longitude"].column_name)
        )
        super().before_import_row(row, **kwargs)

    def import_instance(self, instance, row, **kwargs):
        try:
            super().import_instance(instance, row, **kwargs)
        finally:  # also when a cell was refused: the defaults are not errors of their own
            if instance.pk is None:
                instance.state = HazardState.REPORTED
                if not instance.found_by and self.user is not None:
                    instance.found_by = self.user.get_full_name() or self.user.username
                if instance.found_on is None:
                    instance.found_on = timezone.localdate()

    def after_bulk_save(self, created, updated):
        """Each new hazard starts its loop with a 发现上报 event (the rows are written in bulk,
        ``apps.files.bulk``)."""
        HazardEvent.objects.bulk_create(
            [
                HazardEvent(
                    hazard=hazard,
                    action=HazardAction.REPORT,
                    from_state="",
                    to_state=HazardState.REPORTED,
                    note=_("由表格导入"),
                    actor=self.user,
                )
                for hazard in created
            ],
            batch_size=500,
        )

    def dehydrate_state(self, hazard):
        return hazard.get_state_display()

    def dehydrate_overdue(self, hazard):
        return _("是") if hazard.is_overdue else _("否")

    def dehydrate_closed_at(self, hazard):
        if not hazard.closed_at:
            return ""
        return timezone.localtime(hazard.closed_at).strftime("%Y-%m-%d %H:%M")
