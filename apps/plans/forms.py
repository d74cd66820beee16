from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from apps.files.uploads import validate_word_or_pdf
from apps.orgs.forms import UnitFilterMixin, unit_field
from apps.orgs.models import OrgKind, OrgUnit

from . import services
from .models import HazardType, Plan


class PlanForm(forms.ModelForm):
    class Meta:
        model = Plan
        fields = [
            "org_unit",
            "kind",
            "title",
            "parent",
            "department",
            "hazard_types",
            "status",
            "effective_date",
            "review_cycle_months",
        ]
        widgets = {
            "effective_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "hazard_types": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        units = OrgUnit.objects.editable_by(user).filter(
            kind__in=[OrgKind.STREET, OrgKind.COMMUNITY]
        )
        self.fields["org_unit"].queryset = units
        self.fields["org_unit"].label = _("所属单位（街道或居委）")
        self.fields["parent"].queryset = (
            Plan.objects.visible_to(user)
            .filter(kind=Plan.Kind.OVERALL)
            .exclude(status=Plan.Status.RETIRED)
            .select_related("org_unit")
        )
        self.fields["hazard_types"].queryset = HazardType.objects.all()
        self.fields["status"].choices = [
            c for c in Plan.Status.choices if c[0] != Plan.Status.RETIRED
        ]
        if self.instance.pk is None and user.org_unit and user.org_unit.kind == OrgKind.STREET:
            self.fields["org_unit"].initial = user.org_unit.pk

    def _post_clean(self):
        super()._post_clean()
        if self.instance.org_unit_id is None:
            return
        try:
            services.check_plan(self.instance)
        except ValidationError as exc:
            self._update_errors(exc)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented pattern)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".pdf,.doc,.docx"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data]
        return [single(data, initial)] if data else []


class PlanVersionForm(forms.Form):
    version_date = forms.DateField(
        label=_("修订日期"), widget=forms.DateInput(attrs={"type": "date"})
    )
    change_summary = forms.CharField(
        label=_("修订说明"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )
    files = MultipleFileField(
        label=_("预案文件"),
        help_text=_("PDF 或 Word（DOC/DOCX），可多选；单个文件不超过上限。"),
    )

    def clean_files(self):
        files = self.cleaned_data["files"]
        errors = []
        for upload in files:
            try:
                validate_word_or_pdf(upload)
            except ValidationError as exc:
                errors.extend(f"{upload.name}：{m}" for m in exc.messages)
        if errors:
            raise ValidationError(errors)
        return files


class RetireForm(forms.Form):
    reason = forms.CharField(label=_("废止原因"), max_length=200)


class PlanFilterForm(UnitFilterMixin, forms.Form):
    q = forms.CharField(label=_("搜索"), required=False)
    kind = forms.ChoiceField(
        label=_("预案类别"), required=False, choices=[("", _("全部类别")), *Plan.Kind.choices]
    )
    status = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部状态")), *Plan.Status.choices]
    )
    unit = unit_field()
    overdue = forms.BooleanField(label=_("评估逾期"), required=False)

    def filter(self, queryset):
        if not self.is_valid():
            return queryset
        data = self.cleaned_data
        if data["q"]:
            q = data["q"]
            queryset = queryset.filter(Q(title__icontains=q) | Q(department__icontains=q))
        if data["kind"]:
            queryset = queryset.filter(kind=data["kind"])
        if data["status"]:
            queryset = queryset.filter(status=data["status"])
        if data["unit"]:
            queryset = queryset.filter(org_unit__path__startswith=data["unit"].path)
        if data["overdue"]:
            queryset = queryset.review_overdue()
        return queryset
