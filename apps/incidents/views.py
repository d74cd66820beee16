"""Views of 信息报送. Thin: every change goes through ``services``.

The front line reaches only the two phone pages (``frontline = True``): filing a 初报 and the
daily 零报告. The district side (签收, 要求续报) uses ``SupervisorActionView``: the incident
must be visible (else 404) and the user its district's reviewer (else 403).
"""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import DetailView, FormView, ListView, TemplateView
from django.views.generic.detail import SingleObjectMixin

from apps.hazards.models import Hazard
from apps.orgs.mixins import RecordActionView, ScopedMixin, apply_validation_error
from apps.orgs.models import KIND_DEPTH, OrgKind, OrgUnit, can_edit_unit, user_can_edit

from . import selectors, services
from .forms import (
    FollowUpRequestForm,
    IncidentFilterForm,
    InitialReportForm,
    ReportForm,
    ZeroReportForm,
)
from .models import FollowUpRequest, Incident, IncidentReport


class IncidentListView(ScopedMixin, ListView):
    """Every open incident of the user's scope (a district reviewer: all its streets)."""

    model = Incident
    paginate_by = 50
    template_name = "incidents/incident_list.html"
    context_object_name = "incidents"

    def get_queryset(self):
        self.filter_form = IncidentFilterForm(self.request.GET or None, user=self.request.user)
        queryset = super().get_queryset().select_related("org_unit", "incident_type__parent")
        return self.filter_form.filter(queryset).prefetch_related("reports")

    def get_context_data(self, **kwargs):
        user = self.request.user
        return super().get_context_data(**kwargs) | {
            "filter_form": self.filter_form,
            "can_file": services.may_file(user) and user_can_edit(user),
            "now": timezone.now(),
        }


class IncidentCreateView(LoginRequiredMixin, FormView):
    """初报, on the phone page (front line) and for street staff; ``?hazard=<pk>`` turns a
    hazard into an incident (prefilled, linked)."""

    frontline = True
    form_class = InitialReportForm
    template_name = "incidents/incident_form.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not services.may_file(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_hazard(self):
        pk = self.request.GET.get("hazard")
        if not (pk and pk.isdigit()):
            return None
        return get_object_or_404(Hazard.objects.visible_to(self.request.user), pk=pk)

    def get_form_kwargs(self):
        self.hazard = self.get_hazard()
        return super().get_form_kwargs() | {"user": self.request.user, "hazard": self.hazard}

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"hazard": self.hazard}

    def render_to_response(self, context, **kwargs):
        response = super().render_to_response(context, **kwargs)
        # "使用当前位置" asks for the phone's position (the portal's default denies it)
        response["Permissions-Policy"] = "geolocation=(self), camera=(), microphone=()"
        return response

    def form_valid(self, form):
        data = dict(form.cleaned_data)
        try:
            incident = services.file_initial_report(
                self.request.user,
                unit=data.pop("unit"),
                coordinate_system=data.pop("coord_system"),
                hazard=self.hazard,
                **data,
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("已报送初报：%(title)s。") % {"title": incident.title})
        if self.request.user.is_frontline:
            return redirect("mobile:home")
        return redirect(incident)


class IncidentDetailView(ScopedMixin, DetailView):
    model = Incident
    template_name = "incidents/incident_detail.html"
    context_object_name = "incident"

    def get_queryset(self):
        reports = IncidentReport.objects.select_related("submitted_by", "acknowledged_by")
        requests = FollowUpRequest.objects.select_related("requested_by")
        return (
            super()
            .get_queryset()
            .select_related("org_unit", "incident_type__parent", "hazard", "warning", "created_by")
            .prefetch_related(
                Prefetch("reports", queryset=reports),
                Prefetch("requests", queryset=requests),
            )
        )

    def get_context_data(self, **kwargs):
        incident, user = self.object, self.request.user
        can_edit = can_edit_unit(user, incident.org_unit)
        return super().get_context_data(**kwargs) | {
            "deadlines": selectors.incident_deadlines(incident),
            "can_edit": can_edit and not incident.is_closed,
            "can_supervise": services.can_supervise(user, incident),
            # the response events that answer it, each with the shelters it opened
            "response_events": incident.response_events.visible_to(user)
            .select_related("org_unit")
            .prefetch_related("shelters__shelter"),
            # who may open an event (apps.response's create page: EditorsOnlyMixin)
            "can_open_response": user_can_edit(user),
        }


class ReportCreateView(RecordActionView):
    """续报 or 终报 (street staff). After the 终报 the page says so and files nothing."""

    model = Incident
    form_class = ReportForm
    template_name = "incidents/report_form.html"
    context_object_name = "incident"

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {
            "user": self.request.user,
            "incident": self.object,
            "last": self.object.reports.order_by("sequence").last(),
        }

    def perform(self, data):
        report = services.add_report(self.request.user, self.object, **data)
        messages.success(self.request, _("已报送%(label)s。") % {"label": report.label})


class PhoneReportView(ScopedMixin, SingleObjectMixin, View):
    """POST: the street reported the incident by phone (now)."""

    model = Incident

    def post(self, request, pk):
        incident = self.get_object()
        if not can_edit_unit(request.user, incident.org_unit):
            raise PermissionDenied
        try:
            services.record_phone_report(request.user, incident)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("已登记电话报告。"))
        return redirect(incident)


class SupervisorActionView(RecordActionView):
    """An action of the district side: 404 outside scope, 403 unless the district's
    reviewer (street staff may not sign for their own reports)."""

    model = Incident

    def get_object(self, queryset=None):
        incident = SingleObjectMixin.get_object(self, queryset)
        if not services.can_supervise(self.request.user, incident):
            raise PermissionDenied
        return incident


class FollowUpRequestView(SupervisorActionView):
    form_class = FollowUpRequestForm
    template_name = "incidents/request_form.html"
    context_object_name = "incident"

    def perform(self, data):
        services.request_follow_up(self.request.user, self.object, **data)
        messages.success(self.request, _("已要求续报。"))


class AcknowledgeView(ScopedMixin, SingleObjectMixin, View):
    """POST: the district signs for one report."""

    model = IncidentReport

    def post(self, request, pk):
        report = self.get_object()
        if not services.can_supervise(request.user, report.incident):
            raise PermissionDenied
        try:
            services.acknowledge_report(request.user, report)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("已签收%(label)s。") % {"label": report.label})
        return redirect(report.incident)


# --- 零报告 ---------------------------------------------------------------------------------


class ZeroReportStatusView(LoginRequiredMixin, TemplateView):
    """Today's 零报告: a street sees its communities (who has not reported, after the
    deadline in red); a district or the city sees the roll-up per street."""

    template_name = "incidents/zero_status.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        day, due = selectors.zero_report_day()
        unit = user.org_unit
        context = {"day": day, "due": due, "past_due": timezone.now() >= due}
        if unit is not None and KIND_DEPTH[unit.kind] >= KIND_DEPTH[OrgKind.STREET]:
            street = unit.street()
            context["street"] = street
            context["communities"] = selectors.zero_report_status(street, day)
        else:
            streets = OrgUnit.objects.visible_to(user).filter(kind=OrgKind.STREET)
            context["rollup"] = selectors.zero_report_rollup(streets.order_by("path"), day)
        return super().get_context_data(**kwargs) | context


class ZeroReportCreateView(LoginRequiredMixin, FormView):
    """The daily 零报告, on the phone page."""

    frontline = True
    form_class = ZeroReportForm
    template_name = "incidents/zero_form.html"
    title = gettext_lazy("零报告")

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if user.is_authenticated and not services.zero_report_communities(user).exists():
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"user": self.request.user}

    def get_context_data(self, **kwargs):
        day, due = selectors.zero_report_day()
        return super().get_context_data(**kwargs) | {"day": day, "due": due}

    def form_valid(self, form):
        try:
            report = services.file_zero_report(self.request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("已报送 %(name)s %(day)s 的零报告。") % {"name": report.org_unit, "day": report.date},
        )
        if self.request.user.is_frontline:
            return redirect("mobile:home")
        return redirect("incidents:zero")
