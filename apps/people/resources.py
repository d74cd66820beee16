"""Excel in and out for the people register (through ``apps.files.spreadsheets``).

Phone and ID numbers are exported masked unless the user holds
``people.view_personal_identifiers`` *and* asks for the full numbers (``reveal=True``): masked
is the default. Exports of vulnerable residents are written to the access log by the view.
Imports read the Chinese labels (男/女, 老/幼/孤/残/其他, 是/否) and validate phone and ID
numbers with the model validators, so a bad check digit is a row error. Phone and ID numbers
must arrive as text: a numeric cell has been changed by Excel and is refused
(``apps.files.cells.IdentifierWidget``)."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import fields, resources, widgets

from apps.files.cells import DateWidget, IdentifierWidget, TextWidget, YesNoWidget
from apps.files.spreadsheets import ScopedResource

from .models import InformationOfficer, TeamMember, VulnerableResident
from .privacy import id_number_for, phone_for
from .validators import normalize_id_number, normalize_phone


class PhoneWidget(IdentifierWidget):
    def clean(self, value, row=None, **kwargs):
        return normalize_phone(super().clean(value, row, **kwargs))


class IdNumberWidget(IdentifierWidget):
    def clean(self, value, row=None, **kwargs):
        return normalize_id_number(super().clean(value, row, **kwargs))


class ChoiceWidget(widgets.Widget):
    """Accepts the Chinese label (老) or the stored value (elderly); exports the label."""

    def __init__(self, choices, blank=False, **kwargs):
        super().__init__(**kwargs)
        self.choices = choices
        self.blank = blank

    def clean(self, value, row=None, **kwargs):
        text = "" if value is None else str(value).strip()
        if not text and self.blank:
            return ""
        for stored, label in self.choices:
            if text in (stored, str(label)):
                return stored
        raise ValueError(
            _("“%(value)s”不是有效选项，可选：%(options)s。")
            % {"value": text, "options": "、".join(str(label) for _v, label in self.choices)}
        )

    def render(self, value, obj=None, **kwargs):
        return str(dict(self.choices).get(value, value or ""))


def active_widget(word):
    """在岗/在册: yes/no (是/否, √/×, …) or the word itself; blank is yes."""
    return YesNoWidget(blank=True, yes=(word,), no=(f"不{word}",))


def text(attribute, column_name):
    return fields.Field(attribute=attribute, column_name=column_name, widget=TextWidget())


class MaskingMixin:
    """``reveal``: full numbers in the export (only for users with the permission who ask)."""

    def __init__(self, *args, reveal=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.reveal = reveal

    def masked_phone(self, value):
        return phone_for(value, self.reveal)


class OfficerResource(MaskingMixin, ScopedResource):
    column_synonyms = {
        "name": ("信息员姓名",),
        "phone": ("手机号", "手机", "联系电话", "联系方式"),
        "affiliation": ("身份", "所在单位", "工作单位"),
        "appointed_on": ("聘任时间", "聘用日期", "任职日期"),
        "is_active": ("是否在岗",),
    }
    org_unit_name = fields.Field(
        attribute="org_unit__name", column_name=gettext_lazy("所属单位"), readonly=True
    )
    name = text("name", gettext_lazy("姓名"))
    phone = fields.Field(
        attribute="phone", column_name=gettext_lazy("手机号码"), widget=PhoneWidget()
    )
    affiliation = text("affiliation", gettext_lazy("身份/所在单位"))
    appointed_on = fields.Field(
        attribute="appointed_on", column_name=gettext_lazy("聘任日期"), widget=DateWidget()
    )
    is_active = fields.Field(
        attribute="is_active", column_name=gettext_lazy("在岗"), widget=active_widget("在岗")
    )
    note = text("note", gettext_lazy("备注"))

    class Meta(ScopedResource.Meta):
        model = InformationOfficer
        fields = (
            "org_unit",
            "org_unit_name",
            "name",
            "phone",
            "affiliation",
            "appointed_on",
            "is_active",
            "note",
        )
        export_order = fields
        import_id_fields = ("org_unit", "name")

    def dehydrate_phone(self, officer):
        return self.masked_phone(officer.phone)


class ResidentResource(MaskingMixin, ScopedResource):
    column_synonyms = {
        "id_number": ("身份证号码", "公民身份号码", "身份证"),
        "phone": ("手机号", "手机", "联系电话", "联系方式"),
        "address": ("地址", "住址", "家庭住址"),
        "emergency_phone": ("紧急联系人电话", "紧急联系电话"),
        "is_active": ("是否在册",),
    }
    org_unit_name = fields.Field(
        attribute="org_unit__name", column_name=gettext_lazy("所属单位"), readonly=True
    )
    name = text("name", gettext_lazy("姓名"))
    gender = fields.Field(
        attribute="gender",
        column_name=gettext_lazy("性别"),
        widget=ChoiceWidget(VulnerableResident.Gender.choices, blank=True),
    )
    category = fields.Field(
        attribute="category",
        column_name=gettext_lazy("类别"),
        widget=ChoiceWidget(VulnerableResident.Category.choices),
    )
    id_number = fields.Field(
        attribute="id_number", column_name=gettext_lazy("身份证号"), widget=IdNumberWidget()
    )
    phone = fields.Field(
        attribute="phone", column_name=gettext_lazy("手机号码"), widget=PhoneWidget()
    )
    address = text("address", gettext_lazy("居住地址"))
    mobility = fields.Field(
        attribute="mobility",
        column_name=gettext_lazy("行动能力"),
        widget=ChoiceWidget(VulnerableResident.Mobility.choices),
    )
    needs = text("needs", gettext_lazy("帮扶需求"))
    emergency_contact = text("emergency_contact", gettext_lazy("紧急联系人"))
    emergency_phone = fields.Field(
        attribute="emergency_phone",
        column_name=gettext_lazy("紧急联系人手机"),
        widget=PhoneWidget(),
    )
    is_active = fields.Field(
        attribute="is_active", column_name=gettext_lazy("在册"), widget=active_widget("在册")
    )

    class Meta(ScopedResource.Meta):
        model = VulnerableResident
        fields = (
            "org_unit",
            "org_unit_name",
            "name",
            "gender",
            "category",
            "id_number",
            "phone",
            "address",
            "mobility",
            "needs",
            "emergency_contact",
            "emergency_phone",
            "is_active",
        )
        export_order = fields
        import_id_fields = ("org_unit", "name", "address")

    def dehydrate_id_number(self, resident):
        return id_number_for(resident.id_number, self.reveal)

    def dehydrate_phone(self, resident):
        return self.masked_phone(resident.phone)

    def dehydrate_emergency_phone(self, resident):
        return self.masked_phone(resident.emergency_phone)


class TeamMemberExportResource(MaskingMixin, resources.ModelResource):
    """队伍花名册: one row per member (export only)."""

    unit_code = fields.Field(
        attribute="team__org_unit__code", column_name=gettext_lazy("所属单位编码")
    )
    unit = fields.Field(attribute="team__org_unit__name", column_name=gettext_lazy("所属单位"))
    team = fields.Field(attribute="team__name", column_name=gettext_lazy("队伍名称"))
    kind = fields.Field(attribute="team__get_kind_display", column_name=gettext_lazy("队伍类型"))
    name = fields.Field(attribute="name", column_name=gettext_lazy("姓名"))
    role = fields.Field(attribute="get_role_display", column_name=gettext_lazy("队内职务"))
    phone = fields.Field(attribute="phone", column_name=gettext_lazy("手机号码"))
    skills = fields.Field(attribute="skills", column_name=gettext_lazy("专业技能"))
    certificates = fields.Field(column_name=gettext_lazy("证书/培训合格"))
    note = fields.Field(attribute="note", column_name=gettext_lazy("备注"))

    class Meta:
        model = TeamMember
        fields = (
            "unit_code",
            "unit",
            "team",
            "kind",
            "name",
            "role",
            "phone",
            "skills",
            "certificates",
            "note",
        )
        export_order = fields

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def dehydrate_phone(self, member):
        return self.masked_phone(member.phone)

    def dehydrate_certificates(self, member):
        return "、".join(c.name for c in member.certificates.all())
