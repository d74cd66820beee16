from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from apps.orgs.forms import UnitFilterMixin, unit_field
from apps.orgs.models import OrgKind, OrgUnit

from .models import (
    CertificateType,
    EmergencyTeam,
    HelperAssignment,
    InformationOfficer,
    LeadershipGroup,
    LeadershipMember,
    TeamMember,
    Visit,
    VulnerableResident,
)
from .privacy import can_see_identifiers, id_number_for, phone_for

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class MaskedIdentifiersMixin:
    """Edit forms for users without ``view_personal_identifiers``: stored phone and ID numbers
    are shown masked, and submitting the masked value unchanged keeps the stored one. A new
    value replaces it (and is validated)."""

    masked_fields = ()

    def setup_masking(self, user):
        self.reveal = can_see_identifiers(user)
        self.masked_values = {}
        if self.reveal or self.instance.pk is None:
            return
        for name in self.masked_fields:
            stored = getattr(self.instance, name)
            if not stored or name not in self.fields:
                continue
            masker = id_number_for if name == "id_number" else phone_for
            masked = masker(stored, False)
            self.masked_values[name] = (masked, stored)
            self.initial[name] = masked
            self.fields[name].help_text = _("号码已隐藏；不修改则保留原号码。")

    def clean(self):
        data = super().clean()
        for name, (masked, stored) in self.masked_values.items():
            if data.get(name) == masked:
                data[name] = stored
        return data


def units_for(user, kinds):
    return OrgUnit.objects.editable_by(user).filter(kind__in=kinds).order_by("path")


class UnitChoiceMixin:
    unit_kinds = (OrgKind.STREET, OrgKind.COMMUNITY, OrgKind.ESTATE)
    unit_label = _("所属单位")

    def setup_units(self, user):
        field = self.fields["org_unit"]
        field.queryset = units_for(user, self.unit_kinds)
        field.label = self.unit_label
        unit = user.org_unit
        street_user = unit is not None and unit.kind == OrgKind.STREET
        if self.instance.pk is None and street_user and OrgKind.STREET in self.unit_kinds:
            field.initial = unit.pk


# --- 领导小组 ---------------------------------------------------------------------------------


class LeadershipGroupForm(UnitChoiceMixin, forms.ModelForm):
    unit_kinds = (OrgKind.STREET, OrgKind.COMMUNITY)
    unit_label = _("所属单位（街道或居委）")

    class Meta:
        model = LeadershipGroup
        fields = [
            "org_unit",
            "name",
            "established_on",
            "document_no",
            "office_department",
            "office_phone",
            "duties",
        ]
        widgets = {"established_on": DATE, "duties": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.setup_units(user)


class LeadershipMemberForm(MaskedIdentifiersMixin, forms.ModelForm):
    masked_fields = ("phone",)

    class Meta:
        model = LeadershipMember
        fields = ["post", "name", "title", "phone", "sort_order"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.setup_masking(user)


# --- 应急队伍 ---------------------------------------------------------------------------------


class TeamForm(UnitChoiceMixin, forms.ModelForm):
    class Meta:
        model = EmergencyTeam
        fields = ["org_unit", "name", "kind", "founded_on", "duties", "equipment", "is_active"]
        widgets = {
            "founded_on": DATE,
            "duties": forms.Textarea(attrs={"rows": 2}),
            "equipment": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.setup_units(user)


class TeamMemberForm(MaskedIdentifiersMixin, forms.ModelForm):
    masked_fields = ("phone",)

    class Meta:
        model = TeamMember
        fields = ["name", "role", "phone", "skills", "certificates", "note"]
        widgets = {"certificates": forms.CheckboxSelectMultiple}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["certificates"].queryset = CertificateType.objects.all()
        self.setup_masking(user)


class TeamTrainingForm(forms.Form):
    held_on = forms.DateField(label=_("培训日期"), widget=DATE)
    topic = forms.CharField(label=_("培训内容"), max_length=200)
    hours = forms.DecimalField(
        label=_("学时"), max_digits=4, decimal_places=1, min_value=0.5, initial=2
    )
    participants = forms.IntegerField(label=_("参训人数"), min_value=1, max_value=10000)
    trainer = forms.CharField(label=_("授课/组织单位"), max_length=100, required=False)


class TeamFilterForm(UnitFilterMixin, forms.Form):
    q = forms.CharField(label=_("搜索"), required=False)
    kind = forms.ChoiceField(
        label=_("队伍类型"),
        required=False,
        choices=[("", _("全部类型")), *EmergencyTeam.Kind.choices],
    )
    unit = unit_field()

    def filter(self, queryset):
        if not self.is_valid():
            return queryset
        data = self.cleaned_data
        if data["q"]:
            q = data["q"]
            queryset = queryset.filter(
                Q(name__icontains=q) | Q(members__name__icontains=q) | Q(equipment__icontains=q)
            ).distinct()
        if data["kind"]:
            queryset = queryset.filter(kind=data["kind"])
        if data["unit"]:
            queryset = queryset.filter(org_unit__path__startswith=data["unit"].path)
        return queryset


# --- 灾害信息员 -------------------------------------------------------------------------------


class OfficerForm(UnitChoiceMixin, MaskedIdentifiersMixin, forms.ModelForm):
    masked_fields = ("phone",)
    unit_label = _("负责区域（街道、居委或小区）")

    class Meta:
        model = InformationOfficer
        fields = ["org_unit", "name", "phone", "affiliation", "appointed_on", "is_active", "note"]
        widgets = {"appointed_on": DATE}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.setup_units(user)
        self.setup_masking(user)


class OfficerTrainingForm(forms.Form):
    held_on = forms.DateField(label=_("培训日期"), widget=DATE)
    topic = forms.CharField(label=_("培训内容"), max_length=200)
    organizer = forms.CharField(label=_("组织单位"), max_length=100, required=False)
    hours = forms.DecimalField(
        label=_("学时"), max_digits=4, decimal_places=1, min_value=0.5, initial=2
    )


class OfficerFilterForm(UnitFilterMixin, forms.Form):
    q = forms.CharField(label=_("搜索"), required=False)
    unit = unit_field()
    status = forms.ChoiceField(
        label=_("状态"),
        required=False,
        choices=[("", _("全部")), ("active", _("在岗")), ("inactive", _("不在岗"))],
    )

    def filter(self, queryset):
        if not self.is_valid():
            return queryset
        data = self.cleaned_data
        if data["q"]:
            q = data["q"]
            queryset = queryset.filter(
                Q(name__icontains=q) | Q(affiliation__icontains=q) | Q(org_unit__name__icontains=q)
            )
        if data["unit"]:
            queryset = queryset.filter(org_unit__path__startswith=data["unit"].path)
        if data["status"]:
            queryset = queryset.filter(is_active=data["status"] == "active")
        return queryset


# --- 脆弱人群 ---------------------------------------------------------------------------------


class ResidentForm(UnitChoiceMixin, MaskedIdentifiersMixin, forms.ModelForm):
    masked_fields = ("id_number", "phone", "emergency_phone")
    unit_kinds = (OrgKind.COMMUNITY, OrgKind.ESTATE)
    unit_label = _("所属居委/小区")

    class Meta:
        model = VulnerableResident
        fields = [
            "org_unit",
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
        ]
        widgets = {"needs": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.setup_units(user)
        self.setup_masking(user)


class HelperForm(forms.ModelForm):
    class Meta:
        model = HelperAssignment
        fields = ["helper_name", "helper_phone", "relation", "started_on", "note"]
        widgets = {"started_on": DATE}


class VisitForm(forms.ModelForm):
    class Meta:
        model = Visit
        fields = ["visited_on", "occasion", "visitor", "findings", "follow_up"]
        widgets = {"visited_on": DATE, "findings": forms.Textarea(attrs={"rows": 3})}


class ResidentFilterForm(UnitFilterMixin, forms.Form):
    q = forms.CharField(label=_("搜索"), required=False)
    category = forms.ChoiceField(
        label=_("类别"),
        required=False,
        choices=[("", _("全部类别")), *VulnerableResident.Category.choices],
    )
    unit = unit_field()
    no_helper = forms.BooleanField(label=_("无结对帮扶"), required=False)
    not_visited = forms.BooleanField(label=_("30 天未走访"), required=False)
