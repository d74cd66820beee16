"""脆弱人群: the register of vulnerable residents, behind the permission
(``VulnerableAccessMixin``); every read is logged (``services.record_access``)."""

import datetime

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.db.models import Exists, Max, OuterRef, Q, Subquery
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import DetailView, ListView

from apps.files.spreadsheets import ImportView, export_response
from apps.orgs.mixins import ScopedMixin
from apps.orgs.models import can_edit_unit, user_can_edit

from .. import services
from ..forms import HelperForm, ResidentFilterForm, ResidentForm, VisitForm
from ..models import AccessLog, HelperAssignment, Visit, VulnerableResident
from ..privacy import can_see_identifiers, can_see_vulnerable
from ..resources import ResidentResource
from .base import PeopleContextMixin, RecordFormView

NOT_VISITED_DAYS = 30


class VulnerableAccessMixin:
    """Login (redirect), then the permission (403), then scope (404)."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        services.require_vulnerable_access(request.user)
        return super().dispatch(request, *args, **kwargs)


def filtered_residents(request):
    form = ResidentFilterForm(request.GET or None, user=request.user)
    queryset = VulnerableResident.objects.visible_to(request.user)
    if form.is_valid():
        data = form.cleaned_data
        if data["q"]:
            queryset = queryset.filter(
                Q(name__icontains=data["q"]) | Q(address__icontains=data["q"])
            )
        if data["category"]:
            queryset = queryset.filter(category=data["category"])
        if data["unit"]:
            queryset = queryset.filter(org_unit__path__startswith=data["unit"].path)
        if data["no_helper"]:
            current = HelperAssignment.objects.filter(resident=OuterRef("pk"), ended_on=None)
            queryset = queryset.filter(~Exists(current))
        if data["not_visited"]:
            since = timezone.localdate() - datetime.timedelta(days=NOT_VISITED_DAYS)
            recent = Visit.objects.filter(resident=OuterRef("pk"), visited_on__gte=since)
            queryset = queryset.filter(~Exists(recent))
    return queryset, form


class ResidentListView(VulnerableAccessMixin, LoginRequiredMixin, PeopleContextMixin, ListView):
    template_name = "people/resident_list.html"
    context_object_name = "residents"
    paginate_by = 50
    tab = "residents"

    def get_queryset(self):
        queryset, self.filter_form = filtered_residents(self.request)
        helper = HelperAssignment.objects.filter(resident=OuterRef("pk"), ended_on=None)
        return (
            queryset.select_related("org_unit")
            .annotate(
                helper_name=Subquery(helper.order_by("-started_on").values("helper_name")[:1]),
                last_visit=Max("visits__visited_on"),
            )
            .order_by("org_unit__path", "name")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            filter_form=self.filter_form,
            visit_due=timezone.localdate() - datetime.timedelta(days=NOT_VISITED_DAYS),
        )
        return context


class ResidentExportView(VulnerableAccessMixin, LoginRequiredMixin, View):
    """Every exported record is written to the access log."""

    def get(self, request):
        queryset, _form = filtered_residents(request)
        residents = list(queryset.select_related("org_unit").order_by("org_unit__path", "name"))
        reveal = bool(request.GET.get("full")) and can_see_identifiers(request.user)
        response = export_response(
            ResidentResource(user=request.user, reveal=reveal), residents, _("脆弱人群清单")
        )
        services.record_access(
            request.user, residents, action=AccessLog.Action.EXPORT, request=request
        )
        return response


class ResidentImportView(ImportView):
    resource_class = ResidentResource
    title = gettext_lazy("导入脆弱人群清单")
    success_url = reverse_lazy("people:residents")

    def may_import(self, user):
        return user_can_edit(user) and can_see_vulnerable(user)


class ResidentDetailView(VulnerableAccessMixin, ScopedMixin, PeopleContextMixin, DetailView):
    model = VulnerableResident
    template_name = "people/resident_detail.html"
    context_object_name = "resident"
    tab = "residents"

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("org_unit", "updated_by")
            .prefetch_related("helpers", "visits")
        )

    def get_object(self, queryset=None):
        resident = super().get_object(queryset)
        services.record_access(
            self.request.user, [resident], action=AccessLog.Action.VIEW, request=self.request
        )
        return resident

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {
            "can_edit": can_edit_unit(self.request.user, self.object.org_unit),
            "warning_occasions": Visit.WARNING_OCCASIONS,
        }


class ResidentFormMixin(VulnerableAccessMixin):
    model = VulnerableResident
    form_class = ResidentForm
    service = staticmethod(services.save_resident)
    list_url = "people:residents"
    tab = "residents"


class ResidentCreateView(ResidentFormMixin, RecordFormView):
    title = gettext_lazy("登记脆弱人群")


class ResidentUpdateView(ResidentFormMixin, RecordFormView):
    def get(self, request, *args, **kwargs):
        services.record_access(
            request.user, [self.object], action=AccessLog.Action.EDIT, request=request
        )
        return super().get(request, *args, **kwargs)

    def get_title(self):
        return _("编辑“%(name)s”") % {"name": self.object.name}


class ResidentChildFormView(VulnerableAccessMixin, RecordFormView):
    """Forms on a resident (a helper, a visit)."""

    tab = "residents"

    def get_object(self):
        self.resident = get_object_or_404(
            VulnerableResident.objects.visible_to(self.request.user).select_related("org_unit"),
            pk=self.kwargs["pk"],
        )
        return self.resident

    def get_form_kwargs(self):
        kwargs = {"initial": self.get_initial()}
        if self.request.method == "POST":
            kwargs["data"] = self.request.POST
        return kwargs

    def get_cancel_url(self):
        return self.resident.get_absolute_url()


class HelperCreateView(ResidentChildFormView):
    form_class = HelperForm

    def get_initial(self):
        return {"started_on": timezone.localdate()}

    def get_title(self):
        return _("为“%(name)s”安排结对帮扶") % {"name": self.resident.name}

    def save(self, form):
        services.assign_helper(self.request.user, self.resident, **form.cleaned_data)
        return self.resident


class VisitCreateView(ResidentChildFormView):
    form_class = VisitForm

    def get_initial(self):
        return {"visited_on": timezone.localdate(), "occasion": self.request.GET.get("occasion")}

    def get_title(self):
        return _("登记对“%(name)s”的走访") % {"name": self.resident.name}

    def save(self, form):
        services.record_visit(self.request.user, self.resident, **form.cleaned_data)
        return self.resident


class HelperEndView(VulnerableAccessMixin, LoginRequiredMixin, View):
    def post(self, request, pk):
        assignment = get_object_or_404(
            HelperAssignment.objects.visible_to(request.user).select_related("resident__org_unit"),
            pk=pk,
        )
        try:
            services.end_helper(request.user, assignment)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("已结束结对。"))
        return redirect(assignment.resident)
