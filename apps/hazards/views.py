from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, OuterRef, Prefetch, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import DetailView, FormView, ListView, TemplateView, UpdateView
from django.views.generic.detail import SingleObjectMixin

from apps.dashboards import cache as dashboards_cache
from apps.files.spreadsheets import ImportView, export_response
from apps.files.uploads import download_response
from apps.orgs.mixins import ScopedEditMixin, ScopedMixin, apply_validation_error
from apps.orgs.models import OrgKind, OrgUnit, can_edit_unit, in_scope, user_can_edit
from apps.orgs.pagination import IdsFirstPaginator
from apps.orgs.search import search

from . import risk_map, services
from .forms import (
    HazardFilterForm,
    HazardReportForm,
    InspectionForm,
    RiskPointFilterForm,
    RiskPointForm,
    TransitionForm,
    unit_choices,
)
from .models import (
    LEVEL_COLORS,
    POINT_SEARCH_FIELDS,
    POINT_SEARCH_INDEX,
    SEARCH_FIELDS,
    SEARCH_INDEX,
    TRANSITIONS,
    Hazard,
    HazardEvent,
    HazardPhoto,
    HazardState,
    RiskLevel,
    RiskPoint,
)
from .resources import HazardResource, RiskPointResource


class CreatorMixin(LoginRequiredMixin):
    """Create pages: only roles that edit, with at least one unit they may record data for."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not (
            user_can_edit(request.user) and unit_choices(request.user).exists()
        ):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


# --- hazards -------------------------------------------------------------------------------


def filtered_hazards(user, params):
    """The hazards list's queryset and filter form, shared by the list and the export."""
    form = HazardFilterForm(params or None, user=user)
    qs = Hazard.objects.visible_by_units(user).with_flags()
    if form.is_valid():
        data = form.cleaned_data
        qs = search(qs, data["q"], SEARCH_FIELDS, SEARCH_INDEX)
        if data["state"]:
            qs = qs.filter(state=data["state"])
        if data["category"]:
            qs = qs.filter(category=data["category"])
        if data["severity"]:
            qs = qs.filter(severity=data["severity"])
        if data["unit"]:
            qs = qs.filter(org_unit__path__startswith=data["unit"].path)
        if data["overdue"]:
            qs = qs.overdue()
        if data["open"]:
            qs = qs.open()
    return qs, form


class HazardListView(ScopedMixin, ListView):
    model = Hazard
    paginate_by = 50
    template_name = "hazards/hazard_list.html"
    context_object_name = "hazards"

    def get_queryset(self):
        qs, self.filter_form = filtered_hazards(self.request.user, self.request.GET)
        return qs.select_related("org_unit", "category", "risk_point")

    def get_paginator(self, queryset, per_page, **kwargs):
        # a scope's pages by its own rows; the whole city's by the date index (the default)
        if self.request.user.sees_whole_city:
            return Paginator(queryset, per_page, **kwargs)
        # a large scope's pages by the date index, unless searching: a search's rows come by
        # the character index, and testing the text of every row walked reads the rows
        searching = bool(self.filter_form.is_valid() and self.filter_form.cleaned_data["q"])
        return IdsFirstPaginator(queryset, per_page, walk=not searching, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            filter_form=self.filter_form,
            can_create=user_can_edit(self.request.user),
        )
        return context


class HazardDetailView(ScopedMixin, DetailView):
    model = Hazard
    template_name = "hazards/hazard_detail.html"
    context_object_name = "hazard"

    def get_queryset(self):
        events = HazardEvent.objects.select_related("actor").prefetch_related("photos")
        return (
            super()
            .get_queryset()
            .with_flags()
            .select_related("org_unit", "category", "risk_point", "inspection", "created_by")
            .prefetch_related(Prefetch("events", queryset=events))
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        hazard = self.object
        states = HazardState.choices
        reached = {e.to_state for e in hazard.events.all()}
        context.update(
            actions=services.allowed_actions(self.request.user, hazard),
            steps=[
                {
                    "value": value,
                    "label": label,
                    "current": value == hazard.state,
                    "done": value in reached,
                }
                for value, label in states
            ],
        )
        return context


class HazardCreateView(CreatorMixin, FormView):
    form_class = HazardReportForm
    template_name = "hazards/hazard_form.html"

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["user"] = self.request.user
        risk_point = self.request.GET.get("risk_point")
        if risk_point and risk_point.isdigit():
            point = RiskPoint.objects.editable_by(self.request.user).filter(pk=risk_point).first()
            if point:
                kwargs.setdefault("initial", {}).update(
                    risk_point=point,
                    org_unit=point.org_unit,
                    category=point.category,
                    address=point.address,
                )
        return kwargs

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            self.hazard = services.report_hazard(
                self.request.user,
                org_unit=data["org_unit"],
                title=data["title"],
                category=data["category"],
                severity=data["severity"],
                found_on=data["found_on"],
                found_by=data["found_by"],
                description=data["description"],
                address=data["address"],
                latitude=data["latitude"],
                longitude=data["longitude"],
                coordinate_system=data["coordinate_system"],
                risk_point=data["risk_point"],
                photos=data["photos"],
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("隐患已上报。"))
        return redirect(self.hazard)


class HazardTransitionView(ScopedEditMixin, SingleObjectMixin, FormView):
    """One step of the loop; the form's fields come from ``TRANSITIONS``."""

    model = Hazard
    form_class = TransitionForm
    template_name = "hazards/hazard_transition.html"
    context_object_name = "hazard"

    def dispatch(self, request, *args, **kwargs):
        self.transition = TRANSITIONS.get(kwargs["action"])
        if self.transition is None:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        return super().get_queryset().select_related("org_unit", "category")

    def _load(self):
        self.object = self.get_object()
        try:
            services.check_transition(self.request.user, self.object, self.transition.action)
        except ValidationError as exc:
            messages.error(self.request, " ".join(exc.messages))
            return redirect(self.object)
        return None

    def get(self, request, *args, **kwargs):
        return self._load() or super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        return self._load() or super().post(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["transition"] = self.transition
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["transition"] = self.transition
        context["target_label"] = HazardState(self.transition.target).label
        return context

    def form_valid(self, form):
        data = dict(form.cleaned_data)
        try:
            services.transition_hazard(
                self.request.user,
                self.object,
                self.transition.action,
                note=data.pop("note", ""),
                photos=data.pop("photos", []),
                **data,
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("已完成“%(action)s”，隐患状态为“%(state)s”。")
            % {
                "action": self.transition.action.label,
                "state": HazardState(self.transition.target).label,
            },
        )
        return redirect(self.object)


class HazardPhotoView(LoginRequiredMixin, View):
    # shown on the phone pages too; the scope decides which photos a user gets
    frontline = True

    def get(self, request, pk):
        photo = get_object_or_404(HazardPhoto.objects.visible_to(request.user), pk=pk)
        return download_response(photo.image, photo.original_name or None)


# --- risk points ---------------------------------------------------------------------------


def _open_hazards():
    """Each risk point's open hazards, as a subquery: PostgreSQL evaluates it for the rows of
    the page only, and the paginator's count leaves it out (a join and GROUP BY made both
    aggregate every risk point in scope)."""
    hazards = (
        Hazard.objects.open()
        .filter(risk_point=OuterRef("pk"))
        .order_by()
        .values("risk_point")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(hazards), 0)


class RiskPointListView(ScopedMixin, ListView):
    model = RiskPoint
    paginate_by = 50
    template_name = "hazards/riskpoint_list.html"
    context_object_name = "points"

    def get_queryset(self):
        user = self.request.user
        self.filter_form = RiskPointFilterForm(self.request.GET or None, user=user)
        qs = (
            RiskPoint.objects.visible_by_units(user)
            .with_flags()
            .select_related("org_unit", "category")
            .annotate(open_hazards=_open_hazards())
        )
        if self.filter_form.is_valid():
            data = self.filter_form.cleaned_data
            qs = search(qs, data["q"], POINT_SEARCH_FIELDS, POINT_SEARCH_INDEX)
            if data["level"]:
                qs = qs.filter(level=data["level"])
            if data["category"]:
                qs = qs.filter(category=data["category"])
            if data["unit"]:
                qs = qs.filter(org_unit__path__startswith=data["unit"].path)
            if data["due"]:
                qs = qs.filter(next_inspection_date__lte=timezone.localdate())
        return qs.order_by("org_unit__path", "name")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            filter_form=self.filter_form,
            can_create=user_can_edit(self.request.user),
        )
        return context


class RiskPointDetailView(ScopedMixin, DetailView):
    model = RiskPoint
    template_name = "hazards/riskpoint_detail.html"
    context_object_name = "point"

    def get_queryset(self):
        return super().get_queryset().with_flags().select_related("org_unit", "category")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        point = self.object
        context.update(
            can_edit=can_edit_unit(self.request.user, point.org_unit),
            inspections=point.inspections.select_related("created_by")[:20],
            hazards=point.hazards.with_flags().select_related("category")[:50],
        )
        return context


class RiskPointFormMixin:
    model = RiskPoint
    form_class = RiskPointForm
    template_name = "hazards/riskpoint_form.html"
    context_object_name = "point"

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["user"] = self.request.user
        return kwargs

    def form_valid(self, form):
        try:
            self.object = services.save_risk_point(
                self.request.user,
                form.instance,
                coordinate_system=form.cleaned_data["coordinate_system"],
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("已保存风险点“%(name)s”。") % {"name": self.object.name})
        return redirect(self.object)


class RiskPointCreateView(CreatorMixin, RiskPointFormMixin, FormView):
    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = RiskPoint()
        return kwargs


class RiskPointUpdateView(ScopedEditMixin, RiskPointFormMixin, UpdateView):
    pass


class RiskPointInspectView(ScopedEditMixin, SingleObjectMixin, FormView):
    model = RiskPoint
    form_class = InspectionForm
    template_name = "hazards/inspection_form.html"
    context_object_name = "point"

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        return super().post(request, *args, **kwargs)

    def get_initial(self):
        return {"date": timezone.localdate()}

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            inspection = services.record_inspection(
                self.request.user,
                self.object,
                date=data["date"],
                inspector=data["inspector"],
                result=data["result"],
                note=data["note"],
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("已记录巡查，下次巡查日期为 %(date)s。")
            % {"date": self.object.next_inspection_date.isoformat()},
        )
        if inspection.result == "hazard_found":
            return redirect(reverse("hazards:create") + f"?risk_point={self.object.pk}")
        return redirect(self.object)


# --- map -----------------------------------------------------------------------------------


class RiskMapView(LoginRequiredMixin, TemplateView):
    template_name = "hazards/map.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["data_url"] = reverse("hazards:map_data")
        context["levels"] = [
            (value, label, LEVEL_COLORS[value]) for value, label in RiskLevel.choices
        ]
        return context


class RiskMapDataView(LoginRequiredMixin, View):
    """The risk map's markers for the view on screen (``?bbox=…&zoom=…``): see
    ``apps.hazards.risk_map``."""

    def get(self, request):
        return JsonResponse(
            risk_map.feature_collection(request.user, request.GET),
            json_dumps_params={"ensure_ascii": False},
        )


# --- statistics ----------------------------------------------------------------------------


class StatsView(LoginRequiredMixin, TemplateView):
    """统计: the figures of the user's unit (or a unit below it, ``?unit=<code>``), with one row
    per unit directly below."""

    template_name = "hazards/stats.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        visible_units = OrgUnit.objects.visible_to(user)
        code = self.request.GET.get("unit")
        unit = get_object_or_404(visible_units, code=code) if code else user.org_unit
        if unit is not None:
            children = unit.children.filter(
                kind__in=[OrgKind.DISTRICT, OrgKind.STREET, OrgKind.COMMUNITY]
            ).order_by("code")
        else:
            children = OrgUnit.objects.filter(parent=None)
        if unit is not None and in_scope(user, unit):
            # the whole subtree is in scope: added up from each unit below's figures, kept
            # per unit with the dashboards' (a district: its streets', not 240,000 hazards)
            today = timezone.localdate()
            children = list(children)
            figures = dashboards_cache.hazard_figures(unit, children, today=today)
            stats, rows = services.hazard_stats_composed(unit, children, figures, today=today)
        else:  # a grid worker (some 小区), or everything (an admin without a unit)
            hazards = Hazard.objects.visible_to(user)
            if unit is not None:
                hazards = hazards.filter(org_unit__path__startswith=unit.path)
            stats, rows = services.hazard_stats_below(hazards, unit, children)
        context.update(unit=unit, stats=stats, rows=rows, today=timezone.localdate())
        return context


# --- spreadsheets --------------------------------------------------------------------------


class HazardExportView(LoginRequiredMixin, View):
    def get(self, request):
        qs, _form = filtered_hazards(request.user, request.GET)
        qs = qs.select_related("org_unit", "category", "risk_point").order_by("pk")
        return export_response(HazardResource(user=request.user), qs, _("隐患台账"))


class RiskPointExportView(LoginRequiredMixin, View):
    def get(self, request):
        qs = (
            RiskPoint.objects.visible_to(request.user)
            .select_related("org_unit", "category")
            .order_by("org_unit__path", "name")
        )
        return export_response(RiskPointResource(user=request.user), qs, _("风险点台账"))


class HazardImportView(ImportView):
    resource_class = HazardResource
    title = gettext_lazy("导入隐患")
    success_url = reverse_lazy("hazards:list")


class RiskPointImportView(ImportView):
    resource_class = RiskPointResource
    title = gettext_lazy("导入风险点")
    success_url = reverse_lazy("hazards:points")
