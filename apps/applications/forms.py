from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.orgs.models import OrgKind, OrgUnit

from . import records, services
from .models import Activity, Application, Funding, Satisfaction, State, Survey, TargetTitle

DATE = {"widget": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}


class ApplicationForm(forms.ModelForm):
    class Meta:
        model = Application
        fields = [
            "org_unit",
            "standard",
            "title",
            "year",
            "contact_name",
            "contact_phone",
            "summary",
            "cultivate_start",
            "cultivate_end",
            "evaluate_start",
            "evaluate_end",
            "accept_start",
            "accept_end",
        ]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 4}),
            **{
                f"{stage}_{end}": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
                for stage in ("cultivate", "evaluate", "accept")
                for end in ("start", "end")
            },
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if self.instance.pk:
            # The applicant and the standard are fixed once the application exists.
            del self.fields["org_unit"]
            del self.fields["standard"]
        else:
            self.fields["org_unit"].queryset = services.applicant_units(user).order_by("path")
            self.fields["org_unit"].label = _("申报单位（街镇或居村）")
            self.fields["standard"].queryset = services.active_standards()
            latest = services.active_standards().first()
            if latest:
                self.fields["standard"].initial = latest.pk
            self.fields["year"].initial = timezone.localdate().year
            if user.org_unit and user.org_unit.kind == OrgKind.STREET:
                self.fields["org_unit"].initial = user.org_unit.pk

    def _post_clean(self):
        super()._post_clean()
        if self.instance.org_unit_id is None:
            return
        try:
            services.check_application(self.instance)
        except ValidationError as exc:
            self._update_errors(exc)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented pattern); checked by the service."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "widget",
            MultipleFileInput(attrs={"accept": ".pdf,.doc,.docx,.xls,.xlsx,.jpg,.jpeg,.png,.webp"}),
        )
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


def points_field(item, label):
    return forms.DecimalField(
        label=label,
        required=False,
        min_value=Decimal("0"),
        max_value=item.max_points,
        decimal_places=1,
        widget=forms.NumberInput(
            attrs={
                "step": "0.5",
                "min": "0",
                "max": str(item.max_points),
                "class": "form-control form-control-sm points-input",
                "data-max": str(item.max_points),
            }
        ),
    )


class SelfAssessmentForm(forms.Form):
    """One aspect of the self-assessment: claimed points, explanation and evidence per item."""

    def __init__(self, *args, rows, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = rows
        for row in rows:
            item, assessment = row["item"], row["assessment"]
            self.fields[f"points_{item.pk}"] = points_field(item, _("自评分"))
            self.fields[f"explanation_{item.pk}"] = forms.CharField(
                label=_("自评说明"),
                required=False,
                max_length=4000,
                widget=forms.Textarea(attrs={"rows": 2, "class": "form-control form-control-sm"}),
            )
            self.fields[f"evidence_{item.pk}"] = MultipleFileField(label=_("上传佐证材料"))
            if assessment is not None:
                self.initial.setdefault(f"points_{item.pk}", assessment.claimed_points)
                self.initial.setdefault(f"explanation_{item.pk}", assessment.explanation)
            row["points_field"] = self[f"points_{item.pk}"]
            row["explanation_field"] = self[f"explanation_{item.pk}"]
            row["evidence_field"] = self[f"evidence_{item.pk}"]

    def entries(self):
        return {
            row["item"].pk: (
                self.cleaned_data.get(f"points_{row['item'].pk}"),
                self.cleaned_data.get(f"explanation_{row['item'].pk}", ""),
            )
            for row in self.rows
        }

    def uploads(self):
        result = {}
        for row in self.rows:
            files = self.cleaned_data.get(f"evidence_{row['item'].pk}") or []
            if files:
                result[row["item"].pk] = files
        return result


class ReviewForm(forms.Form):
    """The reviewer's score per item and comment per aspect, for the whole scorecard."""

    def __init__(self, *args, card, **kwargs):
        super().__init__(*args, **kwargs)
        self.card = card
        for block in card["aspects"]:
            aspect = block["aspect"]
            for row in block["rows"]:
                item, assessment = row["item"], row["assessment"]
                name = f"score_{item.pk}"
                self.fields[name] = points_field(item, _("评审得分"))
                if assessment is not None:
                    self.initial.setdefault(name, assessment.score)
                row["score_field"] = self[name]
            name = f"comment_{aspect.pk}"
            self.fields[name] = forms.CharField(
                label=_("评审意见"),
                required=False,
                max_length=4000,
                widget=forms.Textarea(attrs={"rows": 2, "class": "form-control form-control-sm"}),
            )
            self.initial.setdefault(name, block["comment"])
            block["comment_field"] = self[name]

    def scores(self):
        return {
            row["item"].pk: self.cleaned_data.get(f"score_{row['item'].pk}")
            for block in self.card["aspects"]
            for row in block["rows"]
        }

    def comments(self):
        return {
            block["aspect"].pk: self.cleaned_data.get(f"comment_{block['aspect'].pk}", "")
            for block in self.card["aspects"]
        }


class TransitionForm(forms.Form):
    """The form of one transition; which fields appear comes from ``TRANSITIONS``."""

    award_date = forms.DateField(label=_("授牌日期"), **DATE)
    validity_years = forms.IntegerField(
        label=_("有效期（年）"), min_value=1, max_value=10, initial=services.DEFAULT_VALIDITY_YEARS
    )
    rereview_date = forms.DateField(
        label=_("复审日期"), required=False, help_text=_("留空则为有效期届满日。"), **DATE
    )
    comment = forms.CharField(
        label=_("意见"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=4000
    )

    EXTRA_FIELDS = ("award_date", "validity_years", "rereview_date")

    def __init__(self, *args, transition, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.EXTRA_FIELDS:
            if name not in transition.fields:
                del self.fields[name]
        if transition.reason_required:
            self.fields["comment"].required = True
            self.fields["comment"].label = _("原因")
        if "award_date" in self.fields:
            self.fields["award_date"].initial = timezone.localdate()


class FilterForm(forms.Form):
    WAITING = "waiting"

    q = forms.CharField(label=_("搜索"), required=False)
    state = forms.ChoiceField(
        label=_("状态"),
        required=False,
        choices=[("", _("全部状态")), (WAITING, _("待区级审核")), *State.choices],
    )
    year = forms.IntegerField(label=_("年度"), required=False, min_value=2000, max_value=2100)
    title = forms.ChoiceField(
        label=_("申报称号"), required=False, choices=[("", _("全部称号")), *TargetTitle.choices]
    )
    street = forms.ModelChoiceField(
        label=_("街道/镇"),
        required=False,
        queryset=OrgUnit.objects.none(),
        to_field_name="code",
        empty_label=_("全部街镇"),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["street"].queryset = (
            OrgUnit.objects.visible_to(user).filter(kind=OrgKind.STREET).order_by("code")
        )
        for name, field in self.fields.items():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs["class"] = f"{css} form-select-sm form-control-sm"
            field.widget.attrs["id"] = f"id_{name}"

    def filter(self, queryset):
        if not self.is_valid():
            return queryset
        data = self.cleaned_data
        if data["q"]:
            q = data["q"].strip()
            queryset = queryset.filter(
                Q(org_unit__name__icontains=q) | Q(contact_name__icontains=q) | Q(org_unit__code=q)
            )
        if data["state"] == self.WAITING:
            queryset = queryset.waiting()
        elif data["state"]:
            queryset = queryset.filter(state=data["state"])
        if data["year"]:
            queryset = queryset.filter(year=data["year"])
        if data["title"]:
            queryset = queryset.filter(title=data["title"])
        if data["street"]:
            queryset = queryset.filter(org_unit__path__startswith=data["street"].path)
        return queryset


# --- the records behind the evidence ---------------------------------------------------------


class SurveyForm(forms.ModelForm):
    class Meta:
        model = Survey
        fields = ["org_unit", "households", "opened_on"]
        widgets = {"opened_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org_unit"].label = _("居委/村")
        self.fields["org_unit"].queryset = (
            OrgUnit.objects.editable_by(user)
            .filter(kind__in=records.SURVEY_UNIT_KINDS)
            .order_by("path")
        )
        self.fields["opened_on"].initial = timezone.localdate()


def yes_no(label, yes, no):
    """A question answered yes or no with the question's own words, as a boolean."""
    return forms.TypedChoiceField(
        label=label,
        choices=[("1", yes), ("0", no)],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )


class SurveyAnswerForm(forms.Form):
    """The resident's questionnaire: five questions, nothing about who answers."""

    satisfaction = forms.ChoiceField(
        label=_("您对本社区的综合减灾（防灾减灾、应急管理）工作总体是否满意？"),
        choices=Satisfaction.choices,
        widget=forms.RadioSelect,
    )
    knows_shelter = yes_no(_("您知道离家最近的应急避难场所在哪里吗？"), _("知道"), _("不知道"))
    joined_activity = yes_no(
        _("近一年您参加过社区组织的应急演练、培训或防灾减灾宣传活动吗？"),
        _("参加过"),
        _("没有"),
    )
    has_kit = yes_no(
        _("您家中备有应急包或应急物品（手电、饮用水、常用药等）吗？"), _("有"), _("没有")
    )
    got_warning = yes_no(_("您收到过社区转发的台风、暴雨等预警信息吗？"), _("收到过"), _("没有"))


class ActivityForm(forms.ModelForm):
    photos = MultipleFileField(
        label=_("活动照片"),
        widget=MultipleFileInput(attrs={"accept": ".jpg,.jpeg,.png,.webp"}),
        help_text=_("JPG、PNG 或 WebP，可多选；上传时去除照片中的位置等信息。"),
    )

    class Meta:
        model = Activity
        fields = ["org_unit", "title", "kind", "national_day", "held_on", "place", "summary"]
        widgets = {
            "held_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "summary": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["org_unit"]
        else:
            self.fields["org_unit"].queryset = (
                OrgUnit.objects.editable_by(user)
                .filter(kind__in=records.ACTIVITY_UNIT_KINDS)
                .order_by("path")
            )
            if user.org_unit and user.org_unit.kind == OrgKind.STREET:
                self.fields["org_unit"].initial = user.org_unit.pk
        self.fields["national_day"].help_text = _("留空则按活动日期自动判断。")


class FundingForm(forms.ModelForm):
    class Meta:
        model = Funding
        fields = ["org_unit", "year", "amount", "purpose", "insured_households", "insurance"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["org_unit"]
        else:
            self.fields["org_unit"].queryset = (
                OrgUnit.objects.editable_by(user)
                .filter(kind__in=records.ACTIVITY_UNIT_KINDS)
                .order_by("path")
            )
            if user.org_unit and user.org_unit.kind == OrgKind.STREET:
                self.fields["org_unit"].initial = user.org_unit.pk
            self.fields["year"].initial = timezone.localdate().year


class InspectionForm(forms.Form):
    """现场核查 / 动态管理抽查 on a tablet: date, who, findings, photos, and a score and what was
    seen for each item of the standard."""

    checked_on = forms.DateField(label=_("核查日期"), **DATE)
    checkers = forms.CharField(
        label=_("核查人员"), max_length=200, help_text=_("如：区灾防办 张伟、李娜")
    )
    findings = forms.CharField(
        label=_("核查意见"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    photos = MultipleFileField(
        label=_("现场照片"),
        widget=MultipleFileInput(attrs={"accept": "image/*", "capture": "environment"}),
        help_text=_("可直接用平板拍照，可多选；上传时去除照片中的位置等信息。"),
    )

    def __init__(self, *args, card, **kwargs):
        super().__init__(*args, **kwargs)
        self.card = card
        self.fields["checked_on"].initial = timezone.localdate()
        for block in card["aspects"]:
            for row in block["rows"]:
                item = row["item"]
                score = points_field(item, _("核查得分"))
                score.widget.attrs["placeholder"] = _("核查得分")
                self.fields[f"score_{item.pk}"] = score
                self.fields[f"note_{item.pk}"] = forms.CharField(
                    label=_("现场情况"),
                    required=False,
                    max_length=300,
                    widget=forms.TextInput(
                        attrs={
                            "class": "form-control form-control-sm",
                            "placeholder": _("现场情况"),
                        }
                    ),
                )
                row["inspect_score"] = self[f"score_{item.pk}"]
                row["inspect_note"] = self[f"note_{item.pk}"]

    def scores(self):
        return {
            row["item"].pk: (
                self.cleaned_data.get(f"score_{row['item'].pk}"),
                self.cleaned_data.get(f"note_{row['item'].pk}", ""),
            )
            for block in self.card["aspects"]
            for row in block["rows"]
        }
