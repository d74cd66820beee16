"""The shelter register (避难场所台账) as a spreadsheet, for export and import. Choice columns
and reference data are written and read by their Chinese names; coordinates are WGS-84."""

import re

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import fields, widgets

from apps.files.cells import DateWidget, DecimalWidget, IdentifierWidget, IntegerWidget
from apps.files.spreadsheets import ScopedResource

from .models import Facility, Setting, Shelter, ShelterClass, ShelterStatus, ShelterType


class ChoiceLabelWidget(widgets.Widget):
    """A choice column by its label (室内, 可用 …); the stored value is the choice's key."""

    def __init__(self, choices, allowed=None, **kwargs):
        super().__init__(**kwargs)
        self.choices = choices
        self.allowed = allowed

    def clean(self, value, row=None, **kwargs):
        text = "" if value is None else str(value).strip()
        if not text:
            return None
        allowed = self.allowed or [key for key, _label in self.choices]
        for key, label in self.choices:
            if key in allowed and text in (str(label), key):
                return key
        raise ValueError(
            _("“%(value)s”不是有效的选项，可选：%(options)s。")
            % {
                "value": text,
                "options": "、".join(str(label) for key, label in self.choices if key in allowed),
            }
        )

    def render(self, value, obj=None, **kwargs):
        return str(dict(self.choices).get(value, value or ""))


class NamedForeignKeyWidget(widgets.CachedForeignKeyWidget):
    """Reference data by name, with a Chinese message for an unknown name."""

    def clean(self, value, row=None, **kwargs):
        text = "" if value is None else str(value).strip()
        if not text:
            return None
        try:
            return super().clean(text, row, **kwargs)
        except Exception as exc:
            raise ValueError(
                _("“%(value)s”不在%(what)s中，请使用管理后台维护的名称。")
                % {"value": text, "what": self.model._meta.verbose_name}
            ) from exc


class FacilitiesWidget(widgets.ManyToManyWidget):
    """Facilities as names separated by 、 , ， ; or spaces (供水、供电、厕所)."""

    SEPARATORS = re.compile(r"[、,，;；\s]+")

    def __init__(self, **kwargs):
        super().__init__(Facility, separator="、", field="name", **kwargs)
        self._by_name = None

    def __deepcopy__(self, memo):  # each resource (each import) reads the facilities afresh
        return type(self)()

    def clean(self, value, row=None, **kwargs):
        names = [n for n in self.SEPARATORS.split(str(value or "").strip()) if n]
        if self._by_name is None:  # a short reference list: read once per import, not per row
            self._by_name = {f.name: f for f in Facility.objects.all()}
        unknown = [n for n in names if n not in self._by_name]
        if unknown:
            raise ValueError(
                _("未知的设施：%(names)s。可选：%(options)s。")
                % {"names": "、".join(unknown), "options": "、".join(self._by_name)}
            )
        return [self._by_name[n] for n in dict.fromkeys(names)]


class ShelterResource(ScopedResource):
    column_notes = {"name": {"example": "秀水学校操场"}, "managing_unit": {"example": "区教育局"}}
    column_synonyms = {
        "name": ("避难场所名称", "场所"),
        "setting": ("室内外", "室内或室外"),
        "shelter_class": ("等级", "场所级别"),
        "latitude": ("纬度",),
        "longitude": ("经度",),
        "total_area": ("总面积", "占地面积（平方米）", "占地面积"),
        "effective_area": ("有效避难面积", "有效面积（平方米）", "有效面积"),
        "capacity": ("容纳人数", "可容纳人数（人）"),
        "contact_name": ("联系人姓名",),
        "contact_phone": ("联系方式", "电话"),
    }
    org_unit_name = fields.Field(
        attribute="org_unit__name", column_name=gettext_lazy("所属单位"), readonly=True
    )
    name = fields.Field(attribute="name", column_name=gettext_lazy("场所名称"))
    setting = fields.Field(
        attribute="setting",
        column_name=gettext_lazy("室内/室外"),
        widget=ChoiceLabelWidget(Setting.choices),
    )
    shelter_type = fields.Field(
        attribute="shelter_type",
        column_name=gettext_lazy("场所类型"),
        widget=NamedForeignKeyWidget(ShelterType, field="name"),
    )
    shelter_class = fields.Field(
        attribute="shelter_class",
        column_name=gettext_lazy("场所等级"),
        widget=NamedForeignKeyWidget(ShelterClass, field="name"),
    )
    address = fields.Field(attribute="address", column_name=gettext_lazy("地址"))
    latitude = fields.Field(
        attribute="latitude",
        column_name=gettext_lazy("纬度（WGS-84）"),
        widget=DecimalWidget(),
    )
    longitude = fields.Field(
        attribute="longitude",
        column_name=gettext_lazy("经度（WGS-84）"),
        widget=DecimalWidget(),
    )
    total_area = fields.Field(
        attribute="total_area",
        column_name=gettext_lazy("总面积（平方米）"),
        widget=DecimalWidget(),
    )
    effective_area = fields.Field(
        attribute="effective_area",
        column_name=gettext_lazy("有效避难面积（平方米）"),
        widget=DecimalWidget(),
    )
    capacity = fields.Field(
        attribute="capacity",
        column_name=gettext_lazy("可容纳人数"),
        widget=IntegerWidget(min_value=0),
    )
    facilities = fields.Field(
        attribute="facilities", column_name=gettext_lazy("配套设施"), widget=FacilitiesWidget()
    )
    managing_unit = fields.Field(attribute="managing_unit", column_name=gettext_lazy("管理单位"))
    contact_name = fields.Field(attribute="contact_name", column_name=gettext_lazy("联系人"))
    contact_phone = fields.Field(
        attribute="contact_phone", column_name=gettext_lazy("联系电话"), widget=IdentifierWidget()
    )
    status = fields.Field(
        attribute="status",
        column_name=gettext_lazy("状态"),
        widget=ChoiceLabelWidget(ShelterStatus.choices),
    )
    next_inspection_date = fields.Field(
        attribute="next_inspection_date",
        column_name=gettext_lazy("下次检查日期"),
        readonly=True,
        widget=DateWidget(),
    )

    class Meta:
        model = Shelter
        fields = (
            "org_unit",
            "org_unit_name",
            "name",
            "setting",
            "shelter_type",
            "shelter_class",
            "address",
            "latitude",
            "longitude",
            "total_area",
            "effective_area",
            "capacity",
            "facilities",
            "managing_unit",
            "contact_name",
            "contact_phone",
            "status",
            "next_inspection_date",
        )
        export_order = fields
        import_id_fields = ("org_unit", "name")

    def get_import_fields(self):
        return [f for f in super().get_import_fields() if not f.readonly]

    def before_import_row(self, row, **kwargs):
        # A blank status means 可用, as in the form.
        column = str(self.fields["status"].column_name)
        if column in row and not str(row[column] or "").strip():
            row[column] = str(ShelterStatus.AVAILABLE.label)
        super().before_import_row(row, **kwargs)

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        """Activation and closing go through the 启用/关闭 actions (they record the opening
        history), never through a spreadsheet."""
        errors = dict(import_validation_errors or {})
        if "status" not in errors and instance.status:
            stored = (
                Shelter.objects.filter(pk=instance.pk).values_list("status", flat=True).first()
                if instance.pk
                else None
            )
            activated = ShelterStatus.ACTIVATED
            if stored != instance.status and activated in (stored, instance.status):
                errors["status"] = [
                    _("“已启用”状态只能通过系统中的“启用”“关闭”操作改变，不能通过导入修改。")
                ]
        super().validate_instance(instance, errors, validate_unique)
