"""The desk pages of the records behind the evidence: residents' questionnaires (with their QR
code and results), 科普/宣传/培训 activities (photos, QR sign-in) and yearly funding and
insurance. Lists show what the user sees (``visible_to``); a record outside it is a 404, a
change by a read-only role a 403 (``apps.orgs.mixins``)."""

import io

import segno
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import DetailView, FormView, ListView

from apps.files.uploads import download_response
from apps.orgs.mixins import EditorsOnlyMixin, ScopedMixin, apply_validation_error
from apps.orgs.models import can_edit_unit, user_can_edit

from .. import census, records
from ..forms import ActivityForm, FundingForm, SurveyForm
from ..models import (
    SATISFIED_CHOICES,
    Activity,
    ActivityPhoto,
    Funding,
    NationalDay,
    Survey,
)


def get_editable_or_404(queryset, user, pk, unit=lambda obj: obj.org_unit):
    """The record of a POST-only action: 404 outside the user's scope, 403 if they may only
    read it."""
    obj = get_object_or_404(queryset.visible_to(user), pk=pk)
    if not can_edit_unit(user, unit(obj)):
        raise PermissionDenied
    return obj


def qr_svg(request, path):
    """The QR code (SVG) of a public link, as an absolute URL."""
    buffer = io.BytesIO()
    segno.make(request.build_absolute_uri(path), error="m").save(
        buffer, kind="svg", scale=6, border=2
    )
    return HttpResponse(buffer.getvalue(), content_type="image/svg+xml")


def _percent(part, whole):
    return round(100 * part / whole, 1) if whole else None


# --- residents' questionnaires ----------------------------------------------------------------


def with_results(queryset):
    return queryset.annotate(
        answers=Count("responses"),
        satisfied=Count("responses", filter=Q(responses__satisfaction__in=SATISFIED_CHOICES)),
    )


class SurveyListView(ScopedMixin, ListView):
    model = Survey
    template_name = "applications/survey_list.html"
    context_object_name = "surveys"
    paginate_by = 50

    def get_queryset(self):
        return with_results(super().get_queryset().select_related("org_unit__parent")).order_by(
            "closed_on", "-opened_on", "org_unit__path"
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        for survey in context["surveys"]:
            survey.satisfaction_rate = _percent(survey.satisfied, survey.answers)
            survey.participation_rate = _percent(survey.answers, survey.households)
        context.update(nav="records", tab="surveys", can_create=user_can_edit(self.request.user))
        return context


class SurveyCreateView(EditorsOnlyMixin, FormView):
    form_class = SurveyForm
    template_name = "applications/record_form.html"

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"user": self.request.user}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            title=_("发起居民问卷"),
            back_url=reverse("applications:surveys"),
            help=_(
                "问卷按居委/村发起。发起后打印或展示二维码，居民用手机扫码作答，无需登录；"
                "每部手机只能答一次，问卷不收集姓名、电话等个人信息。"
            ),
            **kwargs,
        )

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            survey = records.open_survey(self.request.user, **data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("已发起居民问卷，请将二维码发给居民扫码作答。"))
        return redirect(survey)


class SurveyDetailView(ScopedMixin, DetailView):
    model = Survey
    template_name = "applications/survey_detail.html"
    context_object_name = "survey"

    def get_queryset(self):
        return with_results(super().get_queryset().select_related("org_unit__parent"))

    def get_context_data(self, **kwargs):
        survey = self.object
        rows = survey.responses.aggregate(
            knows_shelter=Count("pk", filter=Q(knows_shelter=True)),
            joined_activity=Count("pk", filter=Q(joined_activity=True)),
            has_kit=Count("pk", filter=Q(has_kit=True)),
            got_warning=Count("pk", filter=Q(got_warning=True)),
        )
        by_choice = dict(
            survey.responses.values_list("satisfaction").annotate(n=Count("pk")).order_by()
        )
        labels = {
            "knows_shelter": _("知道最近的应急避难场所"),
            "joined_activity": _("近一年参加过演练、培训或宣传活动"),
            "has_kit": _("家中备有应急包或应急物品"),
            "got_warning": _("收到过社区转发的预警信息"),
        }
        return super().get_context_data(
            satisfaction_rate=_percent(survey.satisfied, survey.answers),
            participation_rate=_percent(survey.answers, survey.households),
            satisfaction_rows=[
                (label, by_choice.get(value, 0), _percent(by_choice.get(value, 0), survey.answers))
                for value, label in survey.responses.model.satisfaction.field.choices
            ],
            other_rows=[(labels[key], n, _percent(n, survey.answers)) for key, n in rows.items()],
            public_url=self.request.build_absolute_uri(survey.public_url()),
            can_edit=can_edit_unit(self.request.user, survey.org_unit),
            nav="records",
            tab="surveys",
            **kwargs,
        )


class SurveyQRView(ScopedMixin, View):
    model = Survey

    def get(self, request, pk):
        survey = get_object_or_404(self.get_queryset(), pk=pk)
        return qr_svg(request, survey.public_url())


class SurveyCloseView(LoginRequiredMixin, View):
    def post(self, request, pk):
        survey = get_editable_or_404(Survey.objects.select_related("org_unit"), request.user, pk)
        try:
            records.close_survey(request.user, survey)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("居民问卷已结束，不再接受作答。"))
        return redirect(survey)


# --- 科普/宣传/培训 activities ------------------------------------------------------------------


class ActivityListView(ScopedMixin, ListView):
    model = Activity
    template_name = "applications/activity_list.html"
    context_object_name = "activities"
    paginate_by = 50

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("org_unit")
            .annotate(participants=Count("sign_ins", distinct=True))
            .order_by("-held_on", "-pk")
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            nav="records",
            tab="activities",
            can_create=user_can_edit(self.request.user),
            national_days=NationalDay,
            **kwargs,
        )


class ActivityFormMixin:
    form_class = ActivityForm
    template_name = "applications/record_form.html"

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"user": self.request.user}

    def form_valid(self, form):
        data = dict(form.cleaned_data)
        photos = data.pop("photos", [])
        try:
            activity = records.save_activity(
                self.request.user, self.get_activity(), photos=photos, **data
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("已保存宣传教育活动“%(title)s”。") % {"title": activity})
        return redirect(activity)


class ActivityCreateView(EditorsOnlyMixin, ActivityFormMixin, FormView):
    def get_activity(self):
        return Activity()

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            title=_("登记宣传教育活动"),
            back_url=reverse("applications:activities"),
            help=_(
                "活动当天展示签到二维码，参加的居民用手机扫码签到（无需登录，不收集个人信息），"
                "签到人次即参加人数。"
            ),
            multipart=True,
            **kwargs,
        )


class ActivityEditView(LoginRequiredMixin, ActivityFormMixin, FormView):
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.activity = get_editable_or_404(
                Activity.objects.select_related("org_unit"), request.user, kwargs["pk"]
            )
        return super().dispatch(request, *args, **kwargs)

    def get_activity(self):
        return self.activity

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"instance": self.activity}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            title=_("修改宣传教育活动"),
            back_url=self.activity.get_absolute_url(),
            multipart=True,
            **kwargs,
        )


class ActivityDetailView(ScopedMixin, DetailView):
    model = Activity
    template_name = "applications/activity_detail.html"
    context_object_name = "activity"

    def get_queryset(self):
        return super().get_queryset().select_related("org_unit", "created_by")

    def get_context_data(self, **kwargs):
        activity = self.object
        return super().get_context_data(
            participants=activity.sign_ins.count(),
            photos=activity.photos.all(),
            public_url=self.request.build_absolute_uri(activity.public_url()),
            can_edit=can_edit_unit(self.request.user, activity.org_unit),
            nav="records",
            tab="activities",
            **kwargs,
        )


class ActivityQRView(ScopedMixin, View):
    model = Activity

    def get(self, request, pk):
        activity = get_object_or_404(self.get_queryset(), pk=pk)
        return qr_svg(request, activity.public_url())


class ActivitySignInSwitchView(LoginRequiredMixin, View):
    """POST ``open=1`` or ``open=0``: open or close the QR sign-in."""

    def post(self, request, pk):
        activity = get_editable_or_404(
            Activity.objects.select_related("org_unit"), request.user, pk
        )
        open_ = request.POST.get("open") == "1"
        records.set_sign_in(request.user, activity, open_=open_)
        messages.success(request, _("已开放扫码签到。") if open_ else _("已结束扫码签到。"))
        return redirect(activity)


class ActivityPhotoView(LoginRequiredMixin, View):
    def get(self, request, pk):
        photo = get_object_or_404(ActivityPhoto.objects.visible_to(request.user), pk=pk)
        return download_response(photo.image, photo.original_name)


class ActivityPhotoDeleteView(LoginRequiredMixin, View):
    def post(self, request, pk):
        photo = get_editable_or_404(
            ActivityPhoto.objects.select_related("activity__org_unit"),
            request.user,
            pk,
            unit=lambda p: p.activity.org_unit,
        )
        records.delete_photo(request.user, photo)
        messages.success(request, _("已删除照片“%(name)s”。") % {"name": photo})
        return redirect(photo.activity)


# --- funding and insurance --------------------------------------------------------------------


class FundingListView(ScopedMixin, ListView):
    model = Funding
    template_name = "applications/funding_list.html"
    context_object_name = "fundings"
    paginate_by = 50

    def get_queryset(self):
        return super().get_queryset().select_related("org_unit").order_by("-year", "org_unit__path")

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            nav="records",
            tab="funding",
            can_create=user_can_edit(self.request.user),
            this_year=timezone.localdate().year,
            **kwargs,
        )


class FundingFormView(FormView):
    form_class = FundingForm
    template_name = "applications/record_form.html"
    funding = None

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs() | {"user": self.request.user}
        if self.funding is not None:
            kwargs["instance"] = self.funding
        return kwargs

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            title=_("修改经费投入与灾害保险") if self.funding else _("登记经费投入与灾害保险"),
            back_url=reverse("applications:funding"),
            help=_(
                "按年度登记防灾减灾救灾、安全生产方面的经费投入（全国标准要求每年不少于 10 万元）"
                "和居民参加灾害保险的情况。"
            ),
            **kwargs,
        )

    def form_valid(self, form):
        try:
            records.save_funding(self.request.user, self.funding or Funding(), **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("已保存经费投入与灾害保险。"))
        return redirect("applications:funding")


class FundingCreateView(EditorsOnlyMixin, FundingFormView):
    pass


class FundingEditView(LoginRequiredMixin, FundingFormView):
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.funding = get_editable_or_404(
                Funding.objects.select_related("org_unit"), request.user, kwargs["pk"]
            )
        return super().dispatch(request, *args, **kwargs)


# --- 普查 export ----------------------------------------------------------------------------------


class CensusExportView(LoginRequiredMixin, View):
    """社区减灾能力 of the communities the user sees, as .xlsx (``apps.applications.census``)."""

    def get(self, request):
        communities = census.communities_for(request.user)
        title = _("社区减灾能力调查表（%(date)s）") % {"date": timezone.localdate().isoformat()}
        content = census.census_workbook(census.census_rows(communities), title=title)
        response = HttpResponse(
            content,
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = content_disposition_header(True, f"{title}.xlsx")
        return response
