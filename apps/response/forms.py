"""Forms of the response pages. Choices are limited to what the user may see in the event's
(or the plan's) area; the rules themselves are checked again by the services."""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.drills.models import Drill
from apps.incidents.models import Incident
from apps.orgs.models import OrgUnit
from apps.people.models import EmergencyTeam, VulnerableResident
from apps.plans.models import Plan
from apps.shelters.models import Shelter
from apps.supplies.models import Item
from apps.warnings import links as warning_links
from apps.warnings.models import Warning

from .models import (
    CardLevel,
    CardSupply,
    CardTask,
    Level,
    Origin,
    ShelterOperation,
    TaskStatus,
    TransferStatus,
)
from .services import MAX_HOUSEHOLD


class CardLevelForm(forms.Form):
    trigger = forms.CharField(label=_("启动条件"), max_length=300, required=False)
    shelters = forms.ModelMultipleChoiceField(
        label=_("预置避难场所"),
        queryset=Shelter.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    teams = forms.ModelMultipleChoiceField(
        label=_("调用队伍"),
        queryset=EmergencyTeam.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        area = {"org_unit__path__startswith": plan.org_unit.path}
        self.fields["shelters"].queryset = Shelter.objects.filter(**area)
        self.fields["teams"].queryset = EmergencyTeam.objects.filter(is_active=True, **area)


class CardTaskForm(forms.ModelForm):
    class Meta:
        model = CardTask
        fields = ["title", "role", "unit", "due_hours"]

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = OrgUnit.objects.filter(path__startswith=plan.org_unit.path)


class CardSupplyForm(forms.ModelForm):
    class Meta:
        model = CardSupply
        fields = ["item", "quantity"]

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = Item.objects.filter(is_active=True)

    def clean_quantity(self):
        quantity = self.cleaned_data["quantity"]
        if quantity < 1:
            raise ValidationError(_("数量须大于 0。"))
        return quantity


CardTaskFormSet = forms.inlineformset_factory(
    CardLevel,
    CardTask,
    form=CardTaskForm,
    extra=2,
    can_delete=True,
)
CardSupplyFormSet = forms.inlineformset_factory(
    CardLevel,
    CardSupply,
    form=CardSupplyForm,
    extra=2,
    can_delete=True,
)


class OpenEventForm(forms.Form):
    plan = forms.ModelChoiceField(label=_("启动预案"), queryset=Plan.objects.none())
    level = forms.TypedChoiceField(label=_("响应级别"), choices=Level.choices, coerce=int)
    title = forms.CharField(
        label=_("事件名称"), max_length=200, help_text=_("如：台风“贝碧嘉”防御响应。")
    )
    origin = forms.ChoiceField(label=_("启动来源"), choices=Origin.choices, initial=Origin.MANUAL)
    warning = forms.ModelChoiceField(
        label=_("关联预警"),
        queryset=Warning.objects.none(),
        required=False,
        help_text=_("启动来源为预警时必选：已发布、预警范围覆盖预案所属单位的预警。"),
    )
    incident = forms.ModelChoiceField(
        label=_("关联突发事件"),
        queryset=Incident.objects.none(),
        required=False,
        help_text=_("启动来源为突发事件报告时必选：预案所属单位辖区内的突发事件。"),
    )
    drill = forms.ModelChoiceField(label=_("演练"), queryset=Drill.objects.none(), required=False)
    is_exercise = forms.BooleanField(label=_("演练（不是真实事件）"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plan"].queryset = (
            Plan.objects.editable_by(user)
            .filter(status__in=[Plan.Status.IN_FORCE, Plan.Status.REVISING])
            .filter(card_levels__isnull=False)
            .distinct()
            .select_related("org_unit")
        )
        # What the user may name; whether it concerns the chosen plan's unit is the service's
        # check (the plan is picked on the same form).
        self.fields["warning"].queryset = warning_links.linkable(user)
        self.fields["warning"].label_from_instance = warning_links.choice_label
        self.fields["incident"].queryset = Incident.objects.editable_by(user).select_related(
            "org_unit"
        )
        self.fields["incident"].label_from_instance = incident_label
        self.fields["drill"].queryset = Drill.objects.editable_by(user).order_by("-date")

    def prefill(self, name, pk):
        """``?warning=<pk>`` / ``?incident=<pk>``: start from that record when the user may
        name it (anything else is ignored)."""
        if pk.isdigit() and self.fields[name].queryset.filter(pk=pk).exists():
            self.initial[name] = int(pk)
            self.initial["origin"] = name  # the Origin values are the field names


def incident_label(incident):
    return _("%(title)s（%(unit)s %(at)s）") % {
        "title": incident.title,
        "unit": incident.org_unit.name,
        "at": timezone.localtime(incident.occurred_at).strftime("%m-%d %H:%M"),
    }


class LevelForm(forms.Form):
    level = forms.TypedChoiceField(label=_("调整为"), choices=Level.choices, coerce=int)
    reason = forms.CharField(label=_("调整原因"), max_length=200)


class TaskForm(forms.Form):
    status = forms.ChoiceField(label=_("状态"), choices=TaskStatus.choices)
    note = forms.CharField(label=_("处置情况"), max_length=300, required=False)


class CloseEventForm(forms.Form):
    people_evacuated = forms.IntegerField(label=_("转移人数"), min_value=0)
    casualties = forms.IntegerField(label=_("伤亡人数"), min_value=0, initial=0)
    direct_loss = forms.DecimalField(
        label=_("直接经济损失（万元）"),
        min_value=0,
        max_digits=12,
        decimal_places=2,
        required=False,
    )
    summary = forms.CharField(label=_("处置总结"), widget=forms.Textarea(attrs={"rows": 4}))
    problems = forms.CharField(
        label=_("发现的问题"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("每行一项：问题；责任人/部门；整改期限（如 2026-12-31）。"),
    )
    plan_needs_revision = forms.BooleanField(label=_("预案需修订"), required=False)
    revision_reason = forms.CharField(label=_("修订原因"), max_length=300, required=False)

    def clean_problems(self):
        rows = []
        for number, line in enumerate(self.cleaned_data["problems"].splitlines(), start=1):
            if not line.strip():
                continue
            parts = [p.strip() for p in line.replace(";", "；").split("；")]
            if len(parts) != 3:
                raise ValidationError(
                    _("第 %(n)s 行应为“问题；责任人/部门；整改期限”三项。") % {"n": number}
                )
            try:
                due = datetime.date.fromisoformat(parts[2])
            except ValueError:
                raise ValidationError(
                    _("第 %(n)s 行的整改期限不是有效日期（如 2026-12-31）。") % {"n": number}
                ) from None
            rows.append((parts[0], parts[1], due))
        return rows


class OpenShelterForm(forms.Form):
    shelter = forms.ModelChoiceField(label=_("避难场所"), queryset=Shelter.objects.none())
    capacity = forms.IntegerField(
        label=_("容纳上限（人）"),
        min_value=1,
        required=False,
        help_text=_("留空为场所可容纳人数。"),
    )
    hard_limit = forms.BooleanField(
        label=_("严格限额（满员不再登记）"), required=False, initial=True
    )

    def __init__(self, *args, shelters, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["shelter"].queryset = shelters


class PersonForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=50)
    phone = forms.CharField(label=_("手机号码"), max_length=20)
    household_size = forms.IntegerField(
        label=_("同行人数（含本人）"), min_value=1, max_value=MAX_HOUSEHOLD, initial=1
    )


class CheckInForm(PersonForm):
    resident = forms.ModelChoiceField(
        label=_("脆弱人群（从名册选择）"),
        queryset=VulnerableResident.objects.none(),
        required=False,
        help_text=_("选择名册中的居民时，姓名和手机号取自名册。"),
    )
    id_number = forms.CharField(label=_("身份证号（选填）"), max_length=20, required=False)
    elderly = forms.IntegerField(label=_("老人"), min_value=0, initial=0)
    children = forms.IntegerField(label=_("儿童"), min_value=0, initial=0)
    alone = forms.IntegerField(label=_("孤寡"), min_value=0, initial=0)
    disabled = forms.IntegerField(label=_("残疾人"), min_value=0, initial=0)
    pregnant = forms.IntegerField(label=_("孕妇"), min_value=0, initial=0)

    field_order = ["resident", "name", "phone", "id_number", "household_size"]

    def __init__(self, *args, residents, **kwargs):
        super().__init__(*args, **kwargs)
        if residents is None:
            del self.fields["resident"]
        else:
            self.fields["resident"].queryset = residents
        self.fields["name"].required = False
        self.fields["phone"].required = False

    def clean(self):
        data = super().clean()
        if not data.get("resident") and not (data.get("name") and data.get("phone")):
            raise ValidationError(_("请从名册选择居民，或填写姓名和手机号码。"))
        return data


class TransferForm(forms.Form):
    status = forms.ChoiceField(label=_("状态"), choices=TransferStatus.choices)
    operation = forms.ModelChoiceField(
        label=_("安置场所"), queryset=ShelterOperation.objects.none(), required=False
    )
    note = forms.CharField(label=_("备注"), max_length=200, required=False)

    def __init__(self, *args, event, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["operation"].queryset = event.shelters.filter(
            closed_at__isnull=True
        ).select_related("shelter")


class RequestForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("申请单位"), queryset=OrgUnit.objects.none())
    item = forms.ModelChoiceField(label=_("物资"), queryset=Item.objects.none())
    quantity = forms.IntegerField(label=_("数量"), min_value=1)
    reason = forms.CharField(label=_("用途"), max_length=200)

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["item"].queryset = Item.objects.filter(is_active=True)
        self.fields["unit"].initial = units.first()  # the highest: the user's own unit


class DecideForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("审批"), choices=[("approve", _("批准")), ("reject", _("不予批准"))]
    )
    quantity = forms.IntegerField(label=_("批准数量"), min_value=1, required=False)
    note = forms.CharField(label=_("审批意见"), max_length=200, required=False)


class DispatchForm(forms.Form):
    """The site to dispatch from, among the proposals (``services.dispatch_proposals``) the
    user may dispatch from now; each label says what it holds or has agreed."""

    site = forms.ChoiceField(label=_("出库储备点"))

    def __init__(self, *args, proposals, **kwargs):
        super().__init__(*args, **kwargs)
        self.sites = {str(p.site.pk): p.site for p in proposals}
        self.fields["site"].choices = [(str(p.site.pk), p.label) for p in proposals]

    def clean_site(self):
        return self.sites[self.cleaned_data["site"]]


class CrossStreetForm(DispatchForm):
    """A site of another street of the district, asked for through the district."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].label = _("跨街道调拨储备点")


class ReceiveForm(forms.Form):
    quantity = forms.IntegerField(label=_("实收数量"), min_value=0)
    discrepancy = forms.CharField(label=_("差异说明"), max_length=200, required=False)
