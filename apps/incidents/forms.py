from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.maps.coords import GCJ02, WGS84
from apps.orgs.models import OrgKind, OrgUnit
from apps.warnings import links as warning_links
from apps.warnings.models import Warning

from .models import DISASTER_FIGURES, IncidentLevel, IncidentReport, IncidentState, IncidentType
from .services import REPORT_TEXTS, filing_units, zero_report_communities


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


def _now():
    return timezone.localtime().replace(second=0, microsecond=0)


def warning_field():
    return forms.ModelChoiceField(
        label=_("关联预警"),
        queryset=Warning.objects.none(),
        required=False,
        help_text=_("事件因预警所述灾害引发时选择（已发布、预警范围覆盖事发单位的预警）。"),
    )


class ElementsForm(forms.Form):
    """The required elements every report has, and the 灾情 figures (natural disasters)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in (*REPORT_TEXTS, *DISASTER_FIGURES):
            field = IncidentReport._meta.get_field(name)
            self.fields[name] = field.formfield(required=name in REPORT_TEXTS)
            if name in REPORT_TEXTS:
                self.fields[name].widget = forms.Textarea(attrs={"rows": 2})
        for name in DISASTER_FIGURES:
            self.fields[name].widget.attrs["min"] = 0
            self.fields[name].help_text = _("自然灾害必填，无则填 0。")


class InitialReportForm(ElementsForm):
    """初报: the incident and its first report."""

    unit = forms.ModelChoiceField(label=_("事发单位"), queryset=OrgUnit.objects.none())
    title = forms.CharField(label=_("事件名称"), max_length=120)
    incident_type = forms.ModelChoiceField(
        label=_("事件类别"), queryset=IncidentType.objects.filter(is_active=True)
    )
    level = forms.ChoiceField(
        label=_("事件等级"), choices=IncidentLevel.choices, initial=IncidentLevel.IV
    )
    occurred_at = forms.DateTimeField(label=_("发生时间"), widget=DateTimeInput())
    address = forms.CharField(label=_("发生地点"), max_length=200)
    source = forms.CharField(
        label=_("信息来源"), max_length=120, help_text=_("如：群众报告、网格员巡查、110 转报。")
    )
    warning = warning_field()
    coord_system = forms.ChoiceField(
        label=_("坐标系"),
        choices=[
            (WGS84, _("WGS-84（手机定位、天地图）")),
            (GCJ02, _("GCJ-02（高德、腾讯地图拾取）")),
        ],
        initial=WGS84,
    )
    latitude = forms.DecimalField(
        label=_("纬度"), required=False, max_digits=9, decimal_places=6, min_value=-90, max_value=90
    )
    longitude = forms.DecimalField(
        label=_("经度"),
        required=False,
        max_digits=9,
        decimal_places=6,
        min_value=-180,
        max_value=180,
    )

    def __init__(self, *args, user, hazard=None, **kwargs):
        super().__init__(*args, **kwargs)
        units = filing_units(user).order_by("path")
        self.fields["unit"].queryset = units
        # the unit is picked on this form: whether the warning covers it is the service's check
        self.fields["warning"].queryset = warning_links.linkable(user)
        self.fields["warning"].label_from_instance = warning_links.choice_label
        self.fields["occurred_at"].initial = _now()
        own = user.org_unit
        if own is not None and units.filter(pk=own.pk).exists():
            self.fields["unit"].initial = own.pk
        if hazard is not None:
            self.fields["unit"].initial = hazard.org_unit_id
            self.fields["title"].initial = hazard.title
            self.fields["address"].initial = hazard.address
            self.fields["latitude"].initial = hazard.latitude
            self.fields["longitude"].initial = hazard.longitude
            self.fields["source"].initial = _("隐患排查：%(name)s") % {"name": hazard.found_by}


class ReportForm(ElementsForm):
    """续报 or 终报, prefilled from the last report."""

    kind = forms.ChoiceField(
        label=_("报告类型"),
        choices=[("follow_up", _("续报")), ("final", _("终报（报送后事件结束）"))],
        initial="follow_up",
        widget=forms.RadioSelect,
    )
    event_time = forms.DateTimeField(label=_("时间"), widget=DateTimeInput())
    place = forms.CharField(label=_("地点"), max_length=200)
    source = forms.CharField(label=_("信息来源"), max_length=120)
    warning = warning_field()

    def __init__(self, *args, user, incident, last=None, **kwargs):
        super().__init__(*args, **kwargs)
        current = incident.warning
        self.fields["warning"].queryset = warning_links.linkable(
            user, incident.org_unit, keep=current
        )
        self.fields["warning"].label_from_instance = warning_links.choice_label
        self.fields["warning"].initial = current.pk if current else None
        if last is not None:
            for name in ("event_time", "place", "source", *REPORT_TEXTS, *DISASTER_FIGURES):
                self.fields[name].initial = getattr(last, name)
            self.fields["event_time"].initial = timezone.localtime(last.event_time)
        self.fields["warning"] = self.fields.pop("warning")  # last, after the report's elements


class FollowUpRequestForm(forms.Form):
    note = forms.CharField(
        label=_("需要续报的内容"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("如：核实伤亡人数、转移安置情况。"),
    )
    due = forms.DateTimeField(label=_("续报时限"), widget=DateTimeInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["due"].initial = _now() + timezone.timedelta(hours=1)


class ZeroReportForm(forms.Form):
    community = forms.ModelChoiceField(label=_("居委/村"), queryset=OrgUnit.objects.none())
    has_disaster = forms.TypedChoiceField(
        label=_("今日灾情"),
        choices=[("0", _("无灾情")), ("1", _("有灾情"))],
        coerce=lambda value: value == "1",
        initial="0",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("情况说明"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("有灾情时请简要说明，并另行报送初报。"),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        communities = zero_report_communities(user).order_by("path")
        self.fields["community"].queryset = communities
        if len(communities[:2]) == 1:
            self.fields["community"].initial = communities[0].pk


class IncidentFilterForm(forms.Form):
    state = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部状态")), *IncidentState.choices]
    )
    category = forms.ModelChoiceField(
        label=_("事件类别"),
        required=False,
        queryset=IncidentType.objects.filter(parent__isnull=True),
        to_field_name="code",
        empty_label=_("全部类别"),
    )
    street = forms.ModelChoiceField(
        label=_("街道/镇"),
        required=False,
        queryset=OrgUnit.objects.none(),
        to_field_name="code",
        empty_label=_("全部街道"),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["street"].queryset = OrgUnit.objects.visible_to(user).filter(
            kind=OrgKind.STREET
        )

    def filter(self, queryset):
        if not self.is_valid():
            return queryset
        data = self.cleaned_data
        if data["state"]:
            queryset = queryset.filter(state=data["state"])
        if data["category"]:
            category = data["category"]
            queryset = queryset.filter(
                Q(incident_type=category) | Q(incident_type__parent=category)
            )
        if data["street"]:
            queryset = queryset.filter(org_unit__path__startswith=data["street"].path)
        return queryset
