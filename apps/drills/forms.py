from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.orgs.forms import UnitFilterMixin, unit_field
from apps.orgs.models import OrgKind, OrgUnit
from apps.plans.models import Plan

from .models import Drill, DrillFile, DrillForm, DrillPlan, DrillStatus, DrillTheme


def editable_units(user):
    return OrgUnit.objects.editable_by(user).filter(kind__in=[OrgKind.STREET, OrgKind.COMMUNITY])


def _default_unit(form, user):
    if form.instance.pk is None and user.org_unit and user.org_unit.kind == OrgKind.STREET:
        form.fields["org_unit"].initial = user.org_unit.pk


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class DrillPlanForm(forms.ModelForm):
    class Meta:
        model = DrillPlan
        fields = ["org_unit", "year", "title", "department", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org_unit"].queryset = editable_units(user)
        self.fields["org_unit"].label = _("所属单位（街道或居委）")
        if self.instance.pk is None:
            self.fields["year"].initial = timezone.localdate().year
        _default_unit(self, user)


class DrillEditForm(forms.ModelForm):
    class Meta:
        model = Drill
        fields = [
            "org_unit",
            "annual_plan",
            "title",
            "form",
            "theme",
            "plans",
            "date",
            "place",
            "organiser",
            "participants",
            "status",
            "summary",
            "cancel_reason",
        ]
        widgets = {
            "date": DateInput(),
            "summary": forms.Textarea(attrs={"rows": 4}),
            "plans": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["org_unit"].queryset = editable_units(user)
        self.fields["org_unit"].label = _("所属单位（街道或居委）")
        self.fields["annual_plan"].queryset = (
            DrillPlan.objects.visible_to(user).select_related("org_unit").order_by("-year", "title")
        )
        # Only plans the user can see, and not retired ones (unless already linked).
        linked = Q(pk__in=self.instance.plans.all()) if self.instance.pk else Q(pk__in=[])
        self.fields["plans"].queryset = (
            Plan.objects.visible_to(user)
            .filter(~Q(status=Plan.Status.RETIRED) | linked)
            .order_by("org_unit__path", "kind", "title")
        )
        self.fields["plans"].required = False
        _default_unit(self, user)


class FollowUpActionForm(forms.Form):
    problem = forms.CharField(label=_("发现的问题"), max_length=300)
    action = forms.CharField(label=_("整改措施"), max_length=300, required=False)
    owner = forms.CharField(label=_("责任人/责任部门"), max_length=100)
    due_date = forms.DateField(label=_("整改期限"), widget=DateInput())


class DrillFileForm(forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=DrillFile.Kind.choices)
    file = forms.FileField(
        label=_("文件"),
        help_text=_("照片：JPG、PNG 或 WebP；附件：PDF、Word 或 Excel。"),
    )

    def clean(self):
        data = super().clean()
        kind, upload = data.get("kind"), data.get("file")
        if kind and upload:
            try:
                DrillFile.VALIDATORS[kind](upload)
            except ValidationError as exc:
                self.add_error("file", exc)
        return data


class DrillFilterForm(UnitFilterMixin, forms.Form):
    q = forms.CharField(label=_("搜索"), required=False)
    status = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部状态")), *DrillStatus.choices]
    )
    form = forms.ChoiceField(
        label=_("演练形式"), required=False, choices=[("", _("全部形式")), *DrillForm.choices]
    )
    theme = forms.ChoiceField(
        label=_("演练主题"), required=False, choices=[("", _("全部主题")), *DrillTheme.choices]
    )
    unit = unit_field()
    year = forms.IntegerField(label=_("年度"), required=False, min_value=2000, max_value=2100)
    # one day of the calendar ("另有 N 场"); not on the filter bar
    day = forms.DateField(label=_("日期"), required=False, widget=forms.HiddenInput)

    def filter(self, queryset):
        if not self.is_valid():
            return queryset
        data = self.cleaned_data
        if data["q"]:
            q = data["q"]
            queryset = queryset.filter(
                Q(title__icontains=q) | Q(place__icontains=q) | Q(organiser__icontains=q)
            )
        for name in ("status", "form", "theme"):
            if data[name]:
                queryset = queryset.filter(**{name: data[name]})
        if data["unit"]:
            queryset = queryset.filter(org_unit__path__startswith=data["unit"].path)
        if data["year"]:
            queryset = queryset.filter(date__year=data["year"])
        if data["day"]:
            queryset = queryset.filter(date=data["day"])
        return queryset


class ActionFilterForm(forms.Form):
    SHOW = [
        ("open", _("未完成")),
        ("overdue", _("已逾期")),
        ("done", _("已完成")),
        ("all", _("全部")),
    ]
    show = forms.ChoiceField(label=_("显示"), required=False, choices=SHOW)
    q = forms.CharField(label=_("搜索"), required=False)
