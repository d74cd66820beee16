import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.orgs.models import OrgKind, OrgUnit

from .models import LogKind, ReinforcedReason, Roster
from .services import unit_people


class RosterForm(forms.ModelForm):
    class Meta:
        model = Roster
        fields = [
            "org_unit",
            "name",
            "shift_start",
            "shift_hours",
            "officers_per_shift",
            "duty_phone",
        ]
        widgets = {"shift_start": forms.TimeInput(attrs={"type": "time"}, format="%H:%M")}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org_unit"].queryset = OrgUnit.objects.editable_by(user).filter(
            kind__in=[OrgKind.STREET, OrgKind.DISTRICT]
        )
        self.fields["org_unit"].help_text = _("街道/镇或区：每个单位一张值班表。")
        if self.instance.pk:
            self.fields["org_unit"].disabled = True


def _people_lines(value, people, label):
    """Each non-empty line is a 用户名 or 手机号 of one of ``people``; the users, in order."""
    by_key = {}
    for person in people:
        by_key[person.username] = person
        if person.mobile:
            by_key[person.mobile] = person
    found, unknown = [], []
    for number, line in enumerate(value.splitlines(), start=1):
        key = line.strip()
        if not key:
            continue
        if key in by_key:
            found.append(by_key[key])
        else:
            unknown.append(_("第 %(n)d 行“%(key)s”") % {"n": number, "key": key})
    if unknown:
        raise ValidationError(
            _("%(label)s：%(lines)s不是本单位人员的用户名或手机号。")
            % {"label": label, "lines": "、".join(str(u) for u in unknown)}
        )
    return found


class RotationForm(forms.Form):
    """The rotation as two lists, one person a line (用户名 or 手机号), in rotation order."""

    leaders = forms.CharField(
        label=_("带班领导轮班顺序"),
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        help_text=_("每行一人，填写用户名或手机号；按此顺序轮流带班。可不填。"),
    )
    officers = forms.CharField(
        label=_("值班员轮班顺序"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("每行一人，填写用户名或手机号；按此顺序轮流值班。"),
        error_messages={"required": _("请至少填写一名值班员。")},
    )

    def __init__(self, *args, roster, **kwargs):
        super().__init__(*args, **kwargs)
        self.people = list(unit_people(roster))

    def clean_leaders(self):
        return _people_lines(self.cleaned_data["leaders"], self.people, _("带班领导"))

    def clean_officers(self):
        return _people_lines(self.cleaned_data["officers"], self.people, _("值班员"))


class MonthForm(forms.Form):
    month = forms.CharField(
        label=_("月份"),
        widget=forms.TextInput(attrs={"type": "month"}),
        error_messages={"required": _("请选择月份。")},
    )

    def clean_month(self):
        try:
            year, month = (int(p) for p in self.cleaned_data["month"].split("-"))
            first = datetime.date(year, month, 1)
        except ValueError:
            raise ValidationError(_("月份格式应为 YYYY-MM，如 2026-07。")) from None
        if not 2000 <= first.year <= 2100:
            raise ValidationError(_("月份须在 2000 年至 2100 年之间。"))
        return first


class ReinforceForm(forms.Form):
    start = forms.DateField(label=_("开始日期"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("结束日期"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.ChoiceField(label=_("加强值班原因"), choices=ReinforcedReason.choices)


class ShiftForm(forms.Form):
    leader = forms.ModelChoiceField(label=_("带班领导"), queryset=None, required=False)
    officers = forms.ModelMultipleChoiceField(
        label=_("值班员"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("每个班次至少安排一名值班员。")},
    )
    reinforced = forms.BooleanField(label=_("加强值班"), required=False)
    reinforced_reason = forms.ChoiceField(
        label=_("加强值班原因"),
        choices=[("", "—")] + ReinforcedReason.choices,
        required=False,
    )

    def __init__(self, *args, shift, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "leader": shift.leader_id,
                "officers": [u.pk for u in shift.officers.all()],
                "reinforced": shift.reinforced,
                "reinforced_reason": shift.reinforced_reason,
            },
        )
        super().__init__(*args, **kwargs)
        people = unit_people(shift.roster)
        self.fields["leader"].queryset = people
        self.fields["officers"].queryset = people
        for name in ("leader", "officers"):
            self.fields[name].label_from_instance = lambda u: u.display_name


class LogEntryForm(forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=LogKind.choices, initial=LogKind.CALL)
    at = forms.DateTimeField(
        label=_("时间"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("不填为现在。"),
    )
    caller = forms.CharField(label=_("来电人/单位"), max_length=100, required=False)
    content = forms.CharField(
        label=_("内容"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("请填写内容。")},
    )
    action = forms.CharField(
        label=_("处置情况"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class HandoverForm(forms.Form):
    handover_note = forms.CharField(
        label=_("交班事项"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("请填写交班事项（没有事项请填写“无”）。")},
        help_text=_("未办结事项、需下一班跟进的来电和处置。"),
    )


class SwapForm(forms.Form):
    replacement = forms.ModelChoiceField(
        label=_("替班人"), queryset=None, error_messages={"required": _("请选择替班人。")}
    )
    other_shift = forms.ModelChoiceField(
        label=_("对调班次"),
        queryset=None,
        required=False,
        help_text=_("替班人原来的班次，由您接替；不选则为单向替班。"),
    )
    reason = forms.CharField(
        label=_("换班原因"), max_length=200, error_messages={"required": _("请填写换班原因。")}
    )

    def __init__(self, *args, shift, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["replacement"].queryset = unit_people(shift.roster).exclude(
            Q(pk=shift.leader_id) | Q(pk__in=[u.pk for u in shift.officers.all()])
        )
        self.fields["replacement"].label_from_instance = lambda u: u.display_name
        self.fields["other_shift"].queryset = (
            shift.roster.shifts.filter(
                starts_at__gt=timezone.now(),
                starts_at__lt=shift.starts_at + datetime.timedelta(days=62),
            )
            .exclude(pk=shift.pk)
            .select_related("roster__org_unit")
            .order_by("starts_at")
        )
        self.fields["other_shift"].label_from_instance = lambda s: timezone.localtime(
            s.starts_at
        ).strftime("%Y-%m-%d %H:%M")
