from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.maps.coords import GCJ02, WGS84, to_wgs84
from apps.orgs.forms import UnitFilterMixin, unit_field
from apps.orgs.models import OrgKind, OrgUnit

from . import services
from .models import (
    Facility,
    Setting,
    Shelter,
    ShelterClass,
    ShelterInspection,
    ShelterStatus,
    ShelterType,
)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class ShelterForm(forms.ModelForm):
    coord_system = forms.ChoiceField(
        label=_("坐标系"),
        choices=[
            (WGS84, _("WGS-84（GPS、天地图）")),
            (GCJ02, _("GCJ-02（高德、腾讯地图拾取）")),
        ],
        initial=WGS84,
        help_text=_("在高德或腾讯地图上拾取的坐标请选 GCJ-02，保存时自动换算为 WGS-84。"),
    )

    class Meta:
        model = Shelter
        fields = [
            "org_unit",
            "name",
            "setting",
            "shelter_type",
            "shelter_class",
            "address",
            "coord_system",
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
            "notes",
        ]
        widgets = {
            "facilities": forms.CheckboxSelectMultiple,
            "notes": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org_unit"].queryset = OrgUnit.objects.editable_by(user).filter(
            kind__in=[OrgKind.STREET, OrgKind.COMMUNITY]
        )
        self.fields["org_unit"].label = _("所属单位（街道或居委）")
        self.fields["shelter_type"].queryset = ShelterType.objects.all()
        self.fields["shelter_class"].queryset = ShelterClass.objects.all()
        self.fields["facilities"].queryset = Facility.objects.all()
        if self.instance.status == ShelterStatus.ACTIVATED:
            self.fields["status"].disabled = True
            self.fields["status"].help_text = _("启用中：请在详情页使用“关闭”操作。")
        else:
            self.fields["status"].choices = [
                c for c in ShelterStatus.choices if c[0] != ShelterStatus.ACTIVATED
            ]
            self.fields["status"].help_text = _("启用避难场所请在详情页使用“启用”操作。")
        if self.instance.pk is None and user.org_unit and user.org_unit.kind == OrgKind.STREET:
            self.fields["org_unit"].initial = user.org_unit.pk

    def clean(self):
        data = super().clean()
        lat, lng = data.get("latitude"), data.get("longitude")
        if (lat is None) != (lng is None):
            raise ValidationError(_("纬度和经度需同时填写或同时留空。"))
        if lat is not None:
            if not (-90 <= lat <= 90 and -180 <= lng <= 180):
                raise ValidationError(
                    _("坐标超出范围：纬度在 -90～90 之间，经度在 -180～180 之间。")
                )
            data["latitude"], data["longitude"] = to_wgs84(
                lat, lng, data.get("coord_system") or WGS84
            )
            self.instance.latitude, self.instance.longitude = data["latitude"], data["longitude"]
        return data

    def _post_clean(self):
        super()._post_clean()
        if self.instance.org_unit_id is None:
            return
        try:
            services.check_shelter(self.instance)
        except ValidationError as exc:
            self._update_errors(exc)


class InspectionForm(forms.Form):
    inspected_on = forms.DateField(label=_("检查日期"), widget=DateInput())
    inspector = forms.CharField(label=_("检查人"), max_length=100)
    result = forms.ChoiceField(label=_("检查结论"), choices=ShelterInspection.Result.choices)
    findings = forms.CharField(
        label=_("检查发现"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    next_inspection_date = forms.DateField(label=_("下次检查日期"), widget=DateInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["inspected_on"].initial = timezone.localdate()


class ActivateForm(forms.Form):
    opened_at = forms.DateTimeField(label=_("启用时间"), widget=DateTimeInput())
    reason = forms.CharField(label=_("启用原因"), max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["opened_at"].initial = timezone.localtime().replace(second=0, microsecond=0)


class CloseForm(forms.Form):
    closed_at = forms.DateTimeField(label=_("关闭时间"), widget=DateTimeInput())
    people_sheltered = forms.IntegerField(label=_("累计安置人数"), required=False, min_value=0)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["closed_at"].initial = timezone.localtime().replace(second=0, microsecond=0)


class ShelterFilterForm(UnitFilterMixin, forms.Form):
    q = forms.CharField(label=_("搜索"), required=False)
    status = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部状态")), *ShelterStatus.choices]
    )
    setting = forms.ChoiceField(
        label=_("室内/室外"), required=False, choices=[("", _("全部")), *Setting.choices]
    )
    shelter_type = forms.ModelChoiceField(
        label=_("场所类型"),
        required=False,
        queryset=ShelterType.objects.all(),
        empty_label=_("全部类型"),
    )
    shelter_class = forms.ModelChoiceField(
        label=_("场所等级"),
        required=False,
        queryset=ShelterClass.objects.all(),
        empty_label=_("全部等级"),
    )
    unit = unit_field()
    overdue = forms.BooleanField(label=_("检查逾期"), required=False)

    def filter(self, queryset):
        if not self.is_valid():
            return queryset
        data = self.cleaned_data
        if data["q"]:
            q = data["q"]
            queryset = queryset.filter(
                Q(name__icontains=q) | Q(address__icontains=q) | Q(managing_unit__icontains=q)
            )
        for name in ("status", "setting", "shelter_type", "shelter_class"):
            if data[name]:
                queryset = queryset.filter(**{name: data[name]})
        if data["unit"]:
            queryset = queryset.filter(org_unit__path__startswith=data["unit"].path)
        if data["overdue"]:
            queryset = queryset.inspection_overdue()
        return queryset
