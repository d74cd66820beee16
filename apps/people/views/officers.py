"""灾害信息员: officers, their accounts, trainings and the street's coverage."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.db.models import Count, Max
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import DetailView, ListView, TemplateView

from apps.files.spreadsheets import ImportView, export_response
from apps.orgs.mixins import EditorsOnlyMixin, ScopedMixin
from apps.orgs.models import OrgKind, OrgUnit, can_edit_unit
from apps.orgs.views import show_passwords

from .. import selectors, services
from ..forms import OfficerFilterForm, OfficerForm, OfficerTrainingForm
from ..models import InformationOfficer
from ..privacy import can_see_identifiers
from ..resources import OfficerResource
from .base import CreateMixin, FilteredListMixin, PeopleContextMixin, RecordFormView


class OfficerListView(FilteredListMixin, ListView):
    model = InformationOfficer
    template_name = "people/officer_list.html"
    context_object_name = "officers"
    filter_form_class = OfficerFilterForm
    tab = "officers"

    def get_queryset(self):
        self.filter_form = self.get_filter_form()
        return (
            self.filter_form.filter(super().get_queryset())
            .select_related("org_unit", "user")
            .annotate(training_count=Count("trainings"), last_training=Max("trainings__held_on"))
            .order_by("org_unit__path", "name")
        )


class OfficerExportView(ScopedMixin, View):
    def get(self, request):
        form = OfficerFilterForm(request.GET or None, user=request.user)
        officers = (
            form.filter(InformationOfficer.objects.visible_to(request.user))
            .select_related("org_unit")
            .order_by("org_unit__path", "name")
        )
        reveal = bool(request.GET.get("full")) and can_see_identifiers(request.user)
        resource = OfficerResource(user=request.user, reveal=reveal)
        return export_response(resource, officers, _("灾害信息员名册"))


class OfficerAccountsView(EditorsOnlyMixin, View):
    """POST the ticked officers (``officer``): their log-in accounts, the temporary passwords
    shown once (``apps.orgs``' page). An officer outside the user's scope is a 404."""

    def post(self, request):
        ids = [v for v in request.POST.getlist("officer") if v.isdigit()]
        if not ids:
            messages.error(request, _("请先勾选要开通账号的灾害信息员。"))
            return redirect("people:officers")
        officers = list(InformationOfficer.objects.visible_to(request.user).filter(pk__in=ids))
        if len(officers) != len(set(ids)):
            raise Http404
        try:
            created = services.create_officer_accounts(request.user, officers)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
            return redirect("people:officers")
        return show_passwords(request, created, back_url=reverse("people:officers"))


class OfficerImportView(ImportView):
    resource_class = OfficerResource
    title = gettext_lazy("导入灾害信息员")
    success_url = reverse_lazy("people:officers")


class OfficerDetailView(ScopedMixin, PeopleContextMixin, DetailView):
    model = InformationOfficer
    template_name = "people/officer_detail.html"
    context_object_name = "officer"
    tab = "officers"

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("org_unit", "updated_by")
            .prefetch_related("trainings")
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {
            "can_edit": can_edit_unit(self.request.user, self.object.org_unit)
        }


class OfficerCreateView(CreateMixin, RecordFormView):
    model = InformationOfficer
    form_class = OfficerForm
    title = gettext_lazy("登记灾害信息员")
    service = staticmethod(services.save_officer)
    list_url = "people:officers"
    tab = "officers"

    def get_initial(self):
        code = self.request.GET.get("unit")
        unit = OrgUnit.objects.editable_by(self.request.user).filter(code=code).first()
        return {"org_unit": unit.pk} if unit else {}


class OfficerUpdateView(RecordFormView):
    model = InformationOfficer
    form_class = OfficerForm
    service = staticmethod(services.save_officer)
    tab = "officers"

    def get_title(self):
        return _("编辑灾害信息员“%(name)s”") % {"name": self.object.name}


class OfficerTrainingCreateView(RecordFormView):
    form_class = OfficerTrainingForm
    tab = "officers"

    def get_object(self):
        self.officer = get_object_or_404(
            InformationOfficer.objects.visible_to(self.request.user).select_related("org_unit"),
            pk=self.kwargs["pk"],
        )
        return self.officer

    def get_form_kwargs(self):
        return {"data": self.request.POST or None} if self.request.method == "POST" else {}

    def get_title(self):
        return _("登记“%(name)s”的培训") % {"name": self.officer.name}

    def save(self, form):
        services.add_officer_training(self.request.user, self.officer, **form.cleaned_data)
        return self.officer


class StreetPickerMixin:
    """Pages about one street: staff see their own street; reviewers pick one of theirs with
    ``?street=<code>`` (404 outside scope)."""

    def get_street(self):
        user = self.request.user
        streets = OrgUnit.objects.visible_to(user).filter(kind=OrgKind.STREET).order_by("code")
        code = self.request.GET.get("street")
        if code:
            street = streets.filter(code=code).first()
        else:
            street = (user.org_unit and user.org_unit.street()) or streets.first()
        if street is None:
            raise Http404
        self.streets = streets
        return street


class CoverageView(LoginRequiredMixin, StreetPickerMixin, PeopleContextMixin, TemplateView):
    """灾害信息员 coverage of one street: the 小区 without an officer."""

    template_name = "people/coverage.html"
    tab = "coverage"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        street = self.get_street()
        context.update(selectors.officer_coverage(street))
        context["streets"] = list(self.streets) if self.streets.count() > 1 else []
        context["can_edit"] = can_edit_unit(self.request.user, street)
        return context
