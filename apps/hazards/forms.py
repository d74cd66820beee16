from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.files.uploads import validate_image
from apps.maps.coords import GCJ02, WGS84
from apps.orgs.forms import unit_filter
from apps.orgs.models import OrgKind, OrgUnit

from .models import (
    HazardCategory,
    HazardState,
    InspectionResult,
    RiskLevel,
    RiskPoint,
    Severity,
)

COORDINATE_SYSTEMS = [
    (WGS84, _("WGS-84（GPS、天地图）")),
    (GCJ02, _("GCJ-02（高德、腾讯地图拾取）")),
]
MAX_PHOTOS = 9


class MultipleImageInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Several photos in one input, each checked by ``validate_image``."""

    widget = MultipleImageInput

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", _("照片"))
        kwargs.setdefault("help_text", _("可选多张，JPG/PNG/WebP，最多 9 张。"))
        super().__init__(*args, **kwargs)
        self.widget.attrs.setdefault("accept", "image/jpeg,image/png,image/webp")

    def clean(self, data, initial=None):
        single = super().clean
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        if not files and self.required:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        if len(files) > MAX_PHOTOS:
            raise forms.ValidationError(_("一次最多上传 %(n)d 张照片。") % {"n": MAX_PHOTOS})
        cleaned = []
        for f in files:
            f = single(f, initial)
            validate_image(f)
            cleaned.append(f)
        return cleaned


def unit_choices(user):
    """Units the user may record data for: their street and the communities under it."""
    return (
        OrgUnit.objects.editable_by(user)
        .filter(kind__in=[OrgKind.STREET, OrgKind.COMMUNITY])
        .order_by("path")
    )


def coordinate_system_field():
    return forms.ChoiceField(
        label=_("坐标系"),
        choices=COORDINATE_SYSTEMS,
        initial=WGS84,
        help_text=_("从高德或腾讯地图拾取的坐标请选 GCJ-02，保存时自动转换为 WGS-84。"),
    )


def latitude_field():
    # More decimals than stored are accepted (map pickers give many); the service rounds to 6.
    return forms.DecimalField(
        label=_("纬度"),
        max_digits=22,
        decimal_places=15,
        required=False,
        min_value=-90,
        max_value=90,
    )


def longitude_field():
    return forms.DecimalField(
        label=_("经度"),
        max_digits=22,
        decimal_places=15,
        required=False,
        min_value=-180,
        max_value=180,
    )


class HazardReportForm(forms.Form):
    org_unit = forms.ModelChoiceField(label=_("所属单位"), queryset=OrgUnit.objects.none())
    title = forms.CharField(label=_("隐患名称"), max_length=120)
    category = forms.ModelChoiceField(
        label=_("类别"), queryset=HazardCategory.objects.filter(is_active=True)
    )
    severity = forms.ChoiceField(label=_("隐患等级"), choices=Severity.choices)
    found_on = forms.DateField(
        label=_("发现日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    found_by = forms.CharField(
        label=_("发现人"), max_length=60, required=False, help_text=_("留空则为当前用户。")
    )
    risk_point = forms.ModelChoiceField(
        label=_("所在风险点"), queryset=RiskPoint.objects.none(), required=False
    )
    address = forms.CharField(label=_("地点"), max_length=200, required=False)
    latitude = latitude_field()
    longitude = longitude_field()
    coordinate_system = coordinate_system_field()
    description = forms.CharField(label=_("隐患描述"), widget=forms.Textarea(attrs={"rows": 3}))
    photos = PhotosField(label=_("现场照片"))

    field_order = [
        "org_unit",
        "title",
        "category",
        "severity",
        "found_on",
        "found_by",
        "risk_point",
        "address",
        "latitude",
        "longitude",
        "coordinate_system",
        "description",
        "photos",
    ]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org_unit"].queryset = unit_choices(user)
        self.fields["risk_point"].queryset = (
            RiskPoint.objects.editable_by(user).filter(is_active=True).order_by("name")
        )
        self.fields["found_on"].initial = timezone.localdate()

    def clean_found_on(self):
        day = self.cleaned_data["found_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("发现日期不能晚于今天。"))
        return day


class TransitionForm(forms.Form):
    """The form of one transition; which fields appear comes from ``TRANSITIONS``."""

    responsible_unit = forms.CharField(label=_("整改责任单位"), max_length=120)
    responsible_person = forms.CharField(label=_("整改责任人"), max_length=60, required=False)
    deadline = forms.DateField(
        label=_("整改期限"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    note = forms.CharField(
        label=_("说明"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    photos = PhotosField()

    EXTRA_FIELDS = ("responsible_unit", "responsible_person", "deadline")

    def __init__(self, *args, transition, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.EXTRA_FIELDS:
            if name not in transition.fields:
                del self.fields[name]
        if transition.note_required:
            self.fields["note"].required = True
            self.fields["note"].label = _("退回原因")

    def clean_deadline(self):
        deadline = self.cleaned_data["deadline"]
        if deadline < timezone.localdate():
            raise forms.ValidationError(_("整改期限不能早于今天。"))
        return deadline


class BootstrapFilterMixin:
    """Filter bars render their fields inline: give each widget its Bootstrap class."""

    def style_fields(self):
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = css


class HazardFilterForm(BootstrapFilterMixin, forms.Form):
    q = forms.CharField(label=_("搜索"), required=False)
    state = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部状态"))] + HazardState.choices
    )
    category = forms.ModelChoiceField(
        label=_("类别"),
        required=False,
        queryset=HazardCategory.objects.all(),
        empty_label=_("全部类别"),
    )
    severity = forms.ChoiceField(
        label=_("等级"), required=False, choices=[("", _("全部等级"))] + Severity.choices
    )
    unit = forms.ModelChoiceField(
        label=_("街镇/居委"),
        required=False,
        queryset=OrgUnit.objects.none(),
        empty_label=_("全部单位"),
    )
    overdue = forms.BooleanField(label=_("仅看逾期"), required=False)
    open = forms.BooleanField(label=_("仅看未销号"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        unit_filter(self, user)
        self.style_fields()


class RiskPointForm(forms.ModelForm):
    latitude = latitude_field()
    longitude = longitude_field()
    coordinate_system = coordinate_system_field()

    class Meta:
        model = RiskPoint
        fields = [
            "org_unit",
            "name",
            "category",
            "level",
            "address",
            "latitude",
            "longitude",
            "coordinate_system",
            "responsible_person",
            "responsible_phone",
            "inspection_frequency",
            "next_inspection_date",
            "description",
            "is_active",
        ]
        widgets = {
            "next_inspection_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "description": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org_unit"].queryset = unit_choices(user)
        self.fields["category"].queryset = HazardCategory.objects.filter(is_active=True)

    def _get_validation_exclusions(self):
        # Coordinates are converted and rounded by the service, which validates them then.
        return {*super()._get_validation_exclusions(), "latitude", "longitude"}


class RiskPointFilterForm(BootstrapFilterMixin, forms.Form):
    q = forms.CharField(label=_("搜索"), required=False)
    level = forms.ChoiceField(
        label=_("风险等级"), required=False, choices=[("", _("全部等级"))] + RiskLevel.choices
    )
    category = forms.ModelChoiceField(
        label=_("类别"),
        required=False,
        queryset=HazardCategory.objects.all(),
        empty_label=_("全部类别"),
    )
    unit = forms.ModelChoiceField(
        label=_("街镇/居委"),
        required=False,
        queryset=OrgUnit.objects.none(),
        empty_label=_("全部单位"),
    )
    due = forms.BooleanField(label=_("仅看到期待巡查"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        unit_filter(self, user)
        self.style_fields()


class InspectionForm(forms.Form):
    date = forms.DateField(
        label=_("巡查日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    inspector = forms.CharField(
        label=_("巡查人"), max_length=60, required=False, help_text=_("留空则为当前用户。")
    )
    result = forms.ChoiceField(label=_("巡查结果"), choices=InspectionResult.choices)
    note = forms.CharField(
        label=_("情况说明"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def clean_date(self):
        day = self.cleaned_data["date"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("巡查日期不能晚于今天。"))
        return day
