from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import DetailView, ListView

from apps.files.uploads import download_response
from apps.orgs.mixins import ScopedMixin

from . import services
from .forms import StreetReportForm
from .kinds import KINDS
from .models import ReportRequest


class ReportListView(LoginRequiredMixin, ListView):
    """The user's own report requests, and the form for a street report."""

    template_name = "reports/report_list.html"
    context_object_name = "reports"
    paginate_by = 30

    def get_queryset(self):
        return ReportRequest.objects.visible_to(self.request.user).filter(
            requested_by=self.request.user
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["street_form"] = StreetReportForm(user=self.request.user)
        return context


class StreetReportCreateView(LoginRequiredMixin, View):
    def post(self, request):
        form = StreetReportForm(request.POST, user=request.user)
        if not form.is_valid():
            for error in form.errors.values():
                messages.error(request, error.as_text())
            return redirect("reports:list")
        report = services.request_report(request.user, "street_summary", form.params())
        return redirect(report)


class ObjectReportCreateView(LoginRequiredMixin, View):
    """POST from a record's page (a hazard, a drill, an application): ``kind`` and the record's
    id; the kind checks the record is in the user's scope (404 otherwise)."""

    object_kinds = {
        "hazard_notice": "hazard",
        "drill_summary": "drill",
        "application": "app",
        "incident_sheet": "incident",
        "duty_roster": "roster",
        "response_review": "event",
    }
    # text parameters a kind takes besides the record (checked by the kind's ``subject``)
    extra_params = {"duty_roster": ["month"]}

    def post(self, request, kind):
        field = self.object_kinds.get(kind)
        if field is None or kind not in KINDS or not request.POST.get(field, "").isdigit():
            raise Http404
        params = {field: int(request.POST[field])}
        params |= {name: request.POST.get(name, "") for name in self.extra_params.get(kind, [])}
        report = services.request_report(request.user, kind, params)
        return redirect(report)


class ReportDetailView(ScopedMixin, DetailView):
    model = ReportRequest
    context_object_name = "report"

    def get_template_names(self):
        if self.request.headers.get("HX-Request"):
            return ["reports/_status.html"]
        return ["reports/report_detail.html"]


class ReportDownloadView(LoginRequiredMixin, View):
    def get(self, request, pk):
        report = get_object_or_404(
            ReportRequest.objects.visible_to(request.user),
            pk=pk,
            state=ReportRequest.State.DONE,
        )
        return download_response(report.file, f"{report.title}.pdf")


class ReportRetryView(LoginRequiredMixin, View):
    def post(self, request, pk):
        report = get_object_or_404(ReportRequest.objects.visible_to(request.user), pk=pk)
        try:
            retried = services.retry_report(report)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect(report)
        if not retried:
            messages.error(request, _("只有失败的报表可以重新生成。"))
        return redirect(report)
