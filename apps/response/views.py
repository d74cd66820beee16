"""Pages of a response. Desk pages (the card, the event board, shelters, the roster) follow
the scoping rule of apps/orgs/mixins.py; the phone pages (``frontline = True``) let community
staff work on their own community's tasks, transfers and supply requests of a street's event.
Every change goes through ``services``; a ValidationError is shown on the form and nothing
changes."""

import io

import segno
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import Form
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import DetailView, FormView, ListView, TemplateView

from apps.files.spreadsheets import export_response
from apps.orgs.mixins import EditorsOnlyMixin, ScopedMixin, apply_validation_error
from apps.orgs.models import OrgUnit, can_edit_unit
from apps.people.models import AccessLog, VulnerableResident
from apps.people.privacy import can_see_identifiers, can_see_vulnerable
from apps.people.services import record_access, require_vulnerable_access
from apps.plans.models import Plan
from apps.supplies.models import Site

from . import selectors, services
from .forms import (
    CardLevelForm,
    CardSupplyFormSet,
    CardTaskFormSet,
    CheckInForm,
    CloseEventForm,
    CrossStreetForm,
    DecideForm,
    DispatchForm,
    LevelForm,
    OpenEventForm,
    OpenShelterForm,
    ReceiveForm,
    RequestForm,
    TaskForm,
    TransferForm,
)
from .models import (
    CardLevel,
    CheckIn,
    Event,
    EventTask,
    Level,
    RequestStatus,
    ShelterOperation,
    SupplyRequest,
    Transfer,
)
from .resources import CheckInResource


class ActionView(LoginRequiredMixin, FormView):
    """A form acting on one record through a service: 404 when the record is not visible,
    403 when the user may not act on it (``may_act``)."""

    model = None
    success_message = None

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if request.method.lower() not in self.http_method_names:
            return self.http_method_not_allowed(request, *args, **kwargs)
        self.object = get_object_or_404(self.get_queryset(), pk=kwargs["pk"])
        if not self.may_act(self.object):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        return self.model.objects.visible_to(self.request.user)

    def may_act(self, obj):
        return can_edit_unit(self.request.user, obj.org_unit)

    def get_context_data(self, **kwargs):
        return super().get_context_data(object=self.object, title=self.title, **kwargs)

    def form_valid(self, form):
        try:
            self.perform(form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
            return self.form_invalid(form)
        if self.success_message:
            messages.success(self.request, self.success_message)
        return redirect(self.get_success_url())

    def perform(self, data):
        raise NotImplementedError


def reachable_events(user):
    """Events a user works on: those they see, and for the front line the events whose area
    holds their community (a street's event reaches its communities)."""
    if user.is_frontline:
        if user.org_unit_id is None:
            return Event.objects.none()
        codes = [c for c in user.org_unit.path.split("/") if c]
        return Event.objects.filter(org_unit__code__in=codes)
    return Event.objects.visible_to(user)


# --- 响应卡 ----------------------------------------------------------------------------------


class CardView(ScopedMixin, DetailView):
    model = Plan
    pk_url_kwarg = "plan_pk"
    template_name = "response/card.html"
    context_object_name = "plan"

    def get_context_data(self, **kwargs):
        plan = self.object
        levels = {
            c.level: c
            for c in CardLevel.objects.filter(plan=plan).prefetch_related(
                "tasks__unit", "supplies__item", "shelters", "teams"
            )
        }
        return super().get_context_data(
            levels=[(value, label, levels.get(value)) for value, label in Level.choices],
            can_edit=can_edit_unit(self.request.user, plan.org_unit),
            can_open=can_edit_unit(self.request.user, plan.org_unit) and bool(levels),
            **kwargs,
        )


class CardLevelEditView(LoginRequiredMixin, TemplateView):
    """One level of the card: trigger, shelters, teams, and the tasks and supplies as rows."""

    template_name = "response/card_level_form.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.plan = get_object_or_404(Plan.objects.visible_to(request.user), pk=kwargs["plan_pk"])
        if not can_edit_unit(request.user, self.plan.org_unit):
            raise PermissionDenied
        if kwargs["level"] not in Level.values:
            raise Http404
        self.level = kwargs["level"]
        self.card_level = CardLevel.objects.filter(plan=self.plan, level=self.level).first()
        return super().dispatch(request, *args, **kwargs)

    def forms(self, data=None):
        card_level = self.card_level or CardLevel(plan=self.plan, level=self.level)
        initial = {}
        if self.card_level:
            initial = {
                "trigger": card_level.trigger,
                "shelters": list(card_level.shelters.all()),
                "teams": list(card_level.teams.all()),
            }
        kwargs = {"instance": card_level, "form_kwargs": {"plan": self.plan}}
        return (
            CardLevelForm(data, plan=self.plan, initial=initial),
            CardTaskFormSet(data, prefix="tasks", **kwargs),
            CardSupplyFormSet(data, prefix="supplies", **kwargs),
        )

    def get_context_data(self, **kwargs):
        form, tasks, supplies = kwargs.pop("forms", None) or self.forms()
        return super().get_context_data(
            plan=self.plan,
            level_label=Level(self.level).label,
            form=form,
            tasks=tasks,
            supplies=supplies,
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        form, tasks, supplies = forms = self.forms(request.POST)
        if form.is_valid() and tasks.is_valid() and supplies.is_valid():
            try:
                card_level = services.save_card_level(
                    request.user,
                    self.plan,
                    self.level,
                    trigger=form.cleaned_data["trigger"],
                    shelters=form.cleaned_data["shelters"],
                    teams=form.cleaned_data["teams"],
                )
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                tasks.instance = supplies.instance = card_level
                tasks.save()
                supplies.save()
                messages.success(request, _("响应卡已保存。"))
                return redirect("response:card", plan_pk=self.plan.pk)
        return self.render_to_response(self.get_context_data(forms=forms))


# --- events -----------------------------------------------------------------------------------


class EventListView(ScopedMixin, ListView):
    model = Event
    template_name = "response/event_list.html"
    context_object_name = "events"
    paginate_by = 30

    def get_queryset(self):
        return super().get_queryset().select_related("org_unit", "plan")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["events"] = selectors.events_with_progress(context["events"])
        context["can_create"] = self.request.user.can_edit
        return context


class EventCreateView(EditorsOnlyMixin, FormView):
    form_class = OpenEventForm
    template_name = "response/event_form.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_initial(self):
        initial = super().get_initial()
        if self.request.GET.get("plan", "").isdigit():
            initial["plan"] = int(self.request.GET["plan"])
        return initial

    def get_form(self, form_class=None):
        """``?warning=<pk>`` or ``?incident=<pk>`` (the 启动应急响应 buttons of a warning and
        an incident) prefill the link and the origin, when the user may name that record."""
        form = super().get_form(form_class)
        if not form.is_bound:
            for name in ("warning", "incident"):
                form.prefill(name, self.request.GET.get(name, ""))
        return form

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            event = services.open_event(
                self.request.user,
                data["plan"],
                level=data["level"],
                title=data["title"],
                is_exercise=data["is_exercise"],
                origin=data["origin"],
                warning=data["warning"],
                incident=data["incident"],
                drill=data["drill"],
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("已启动应急响应，任务已下达。"))
        return redirect(event)


class EventDetailView(ScopedMixin, DetailView):
    """The event board (指挥看板): refreshed by static/response/board.js from ``board_data``."""

    model = Event
    template_name = "response/event_detail.html"
    context_object_name = "event"

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("org_unit", "plan", "drill", "warning", "incident")
        )

    def get_context_data(self, **kwargs):
        event = self.object
        user = self.request.user
        return super().get_context_data(
            board=selectors.event_board(event),
            can_edit=can_edit_unit(user, event.org_unit),
            can_see_roster=can_see_vulnerable(user),
            **kwargs,
        )


class BoardDataView(ScopedMixin, View):
    model = Event

    def get(self, request, pk):
        event = get_object_or_404(self.get_queryset(), pk=pk)
        return JsonResponse(selectors.board_data(event), json_dumps_params={"ensure_ascii": False})


class ChangeLevelView(ActionView):
    model = Event
    form_class = LevelForm
    template_name = "response/action_form.html"
    title = _("调整响应级别")

    def perform(self, data):
        services.change_level(self.request.user, self.object, **data)

    def get_success_url(self):
        return self.object.get_absolute_url()


class CloseEventView(ActionView):
    model = Event
    form_class = CloseEventForm
    template_name = "response/action_form.html"
    title = _("结束响应")
    success_message = _("响应已结束，可生成事后评估报告。")

    def perform(self, data):
        services.close_event(self.request.user, self.object, **data)

    def get_success_url(self):
        return self.object.get_absolute_url()


# --- tasks ------------------------------------------------------------------------------------


class TaskUpdateView(ActionView):
    """A task's owner (the community's staff, or the street) updates its state: a phone page."""

    frontline = True
    model = EventTask
    form_class = TaskForm
    template_name = "response/mobile_form.html"
    title = _("更新任务")

    def may_act(self, obj):
        return services.can_act_for(self.request.user, obj.unit)

    def get_initial(self):
        return {"status": self.object.status, "note": self.object.note}

    def perform(self, data):
        services.update_task(self.request.user, self.object, **data)

    def get_success_url(self):
        return reverse("response:mobile", args=[self.object.event_id])


# --- shelters ---------------------------------------------------------------------------------


class OpenShelterView(ActionView):
    model = Event
    form_class = OpenShelterForm
    template_name = "response/action_form.html"
    title = _("启用避难场所")

    def get_form_kwargs(self):
        shelters = services.shelters_for_event(self.request.user, self.object)
        return {**super().get_form_kwargs(), "shelters": shelters}

    def perform(self, data):
        self.operation = services.open_shelter(
            self.request.user,
            self.object,
            data["shelter"],
            capacity=data["capacity"],
            hard_limit=data["hard_limit"],
        )

    def get_success_url(self):
        return self.operation.get_absolute_url()


class OperationDetailView(ScopedMixin, DetailView):
    model = ShelterOperation
    template_name = "response/operation_detail.html"
    context_object_name = "operation"

    def get_queryset(self):
        return super().get_queryset().select_related("shelter", "event__org_unit")

    def get_context_data(self, **kwargs):
        operation = self.object
        user = self.request.user
        [operation] = selectors.operations_with_people(
            ShelterOperation.objects.filter(pk=operation.pk)
        )
        return super().get_context_data(
            operation=operation,
            event=operation.event,
            entries=operation.check_ins.select_related("resident").order_by(
                "checked_out_at", "-checked_in_at", "-pk"
            )[:200],
            can_edit=can_edit_unit(user, operation.event.org_unit) and operation.is_open,
            reveal=can_see_identifiers(user),
            show_residents=can_see_vulnerable(user),
            check_in_url=self.request.build_absolute_uri(
                reverse("public:check_in", args=[services.check_in_token(operation)])
            ),
            **kwargs,
        )


class OperationQRView(ScopedMixin, View):
    """The QR code (SVG) of an open shelter's self check-in link."""

    model = ShelterOperation

    def get(self, request, pk):
        operation = get_object_or_404(self.get_queryset(), pk=pk, closed_at__isnull=True)
        url = request.build_absolute_uri(
            reverse("public:check_in", args=[services.check_in_token(operation)])
        )
        buffer = io.BytesIO()
        segno.make(url, error="m").save(buffer, kind="svg", scale=6, border=2)
        return HttpResponse(buffer.getvalue(), content_type="image/svg+xml")


class OperationExportView(ScopedMixin, View):
    """入住登记台账 of one opened shelter, as .xlsx (identifiers masked as on the page)."""

    model = ShelterOperation

    def get(self, request, pk):
        operation = get_object_or_404(self.get_queryset().select_related("shelter"), pk=pk)
        entries = operation.check_ins.select_related("operation__shelter").order_by(
            "checked_in_at", "pk"
        )
        title = _("%(shelter)s入住登记") % {"shelter": operation.shelter.name}
        return export_response(CheckInResource(request.user), entries, title)


class CheckInView(ActionView):
    model = ShelterOperation
    form_class = CheckInForm
    template_name = "response/check_in_form.html"
    title = _("入住登记")

    def may_act(self, obj):
        return can_edit_unit(self.request.user, obj.event.org_unit) and obj.is_open

    def get_form_kwargs(self):
        residents = None
        if can_see_vulnerable(self.request.user):
            residents = VulnerableResident.objects.visible_to(self.request.user).filter(
                org_unit__path__startswith=self.object.event.org_unit.path, is_active=True
            )
        return {**super().get_form_kwargs(), "residents": residents}

    def perform(self, data):
        counts = {f: data[f] for f in services.COUNT_FIELDS}
        entry = services.check_in(
            self.request.user,
            self.object,
            name=data["name"],
            phone=data["phone"],
            id_number=data["id_number"],
            household_size=data["household_size"],
            resident=data.get("resident"),
            counts=counts,
        )
        messages.success(self.request, _("已登记：%(name)s") % {"name": entry.name})

    def get_success_url(self):
        return reverse("response:check_in", args=[self.object.pk])


class CloseOperationView(ActionView):
    model = ShelterOperation
    http_method_names = ["post"]

    def may_act(self, obj):
        return can_edit_unit(self.request.user, obj.event.org_unit)

    def post(self, request, pk):
        try:
            services.close_operation(request.user, self.object)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect(self.object.event)


class CheckOutView(ActionView):
    model = CheckIn
    http_method_names = ["post"]

    def may_act(self, obj):
        return can_edit_unit(self.request.user, obj.operation.event.org_unit)

    def post(self, request, pk):
        try:
            services.check_out(request.user, self.object)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect(self.object.operation)


# --- transfer roster --------------------------------------------------------------------------


def _roster(request, event):
    """The roster rows the user sees (their subtree); each read goes to the access log."""
    rows = list(
        Transfer.objects.visible_to(request.user)
        .filter(event=event)
        .select_related("resident", "unit", "helper", "operation__shelter")
    )
    record_access(
        request.user, [r.resident for r in rows], action=AccessLog.Action.VIEW, request=request
    )
    return rows


class RosterView(LoginRequiredMixin, DetailView):
    """转移名单 of an event (desk): the vulnerable-resident permission, then scope."""

    model = Event
    template_name = "response/roster.html"
    context_object_name = "event"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        require_vulnerable_access(request.user)
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        return Event.objects.visible_to(self.request.user)

    def get_context_data(self, **kwargs):
        rows = _roster(self.request, self.object)
        return super().get_context_data(
            rows=rows,
            counts=selectors.transfer_counts(Transfer.objects.filter(event=self.object)),
            reveal=can_see_identifiers(self.request.user),
            **kwargs,
        )


class TransferUpdateView(ActionView):
    """A helper updates one resident's transfer status from the phone page."""

    frontline = True
    model = Transfer
    form_class = TransferForm
    template_name = "response/mobile_form.html"
    title = _("更新转移状态")

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            require_vulnerable_access(request.user)
        return super().dispatch(request, *args, **kwargs)

    def may_act(self, obj):
        return services.can_act_for(self.request.user, obj.unit)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "event": self.object.event}

    def get_initial(self):
        return {"status": self.object.status, "operation": self.object.operation}

    def perform(self, data):
        services.set_transfer_status(self.request.user, self.object, **data)

    def get_success_url(self):
        return reverse("response:mobile", args=[self.object.event_id])


# --- supply requests --------------------------------------------------------------------------


def request_units(user, event):
    """The units the user may ask for: the event's area within what they act for."""
    units = OrgUnit.objects.filter(path__startswith=event.org_unit.path).visible_to(user)
    allowed = [u.pk for u in units if services.can_act_for(user, u)]
    return OrgUnit.objects.filter(pk__in=allowed).order_by("path")


class RequestCreateView(LoginRequiredMixin, FormView):
    frontline = True
    form_class = RequestForm
    template_name = "response/mobile_form.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.event = get_object_or_404(
            reachable_events(request.user).select_related("org_unit"), pk=kwargs["pk"]
        )
        self.units = request_units(request.user, self.event)
        if not self.units.exists():
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "units": self.units}

    def get_context_data(self, **kwargs):
        return super().get_context_data(title=_("申请物资"), object=self.event, **kwargs)

    def form_valid(self, form):
        try:
            supply_request = services.request_supplies(
                self.request.user, self.event, **form.cleaned_data
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("物资申请已提交，等待街道审批。"))
        return redirect(supply_request)


def requests_reachable(user):
    """The requests a user sees, and those a cross-street dispatch the district approved asks
    of a site the user may change (the owning street sees the request it serves)."""
    serving = SupplyRequest.objects.filter(
        district_approved_at__isnull=False,
        source_site__in=Site.objects.editable_by(user).values("pk"),
    )
    return SupplyRequest.objects.visible_to(user) | serving


def serves_cross_street(user, supply_request):
    """Whether ``user`` may dispatch the district-approved cross-street site of the request."""
    site = supply_request.source_site
    return bool(site and supply_request.district_approved_at and can_edit_unit(user, site.org_unit))


def dispatchable(user, supply_request, proposals):
    """The proposals ``user`` may dispatch from now: the event street's own, and the
    cross-street site once the district approved it (for its street or the district)."""
    return [
        p
        for p in proposals
        if (not p.across and can_edit_unit(user, supply_request.event.org_unit))
        or (
            p.across
            and p.site.pk == supply_request.source_site_id
            and serves_cross_street(user, supply_request)
        )
    ]


class RequestDetailView(LoginRequiredMixin, DetailView):
    """One request: its steps and times, and the next action for whoever may take it."""

    frontline = True
    model = SupplyRequest
    template_name = "response/request_detail.html"
    context_object_name = "supply_request"

    def get_queryset(self):
        return requests_reachable(self.request.user).select_related(
            "event__org_unit",
            "unit",
            "item",
            "site",
            "source_site__org_unit",
            "requested_by",
            "decided_by",
            "district_approved_by",
            "received_by",
        )

    def get_context_data(self, **kwargs):
        supply_request = self.object
        user = self.request.user
        commands = can_edit_unit(user, supply_request.event.org_unit)
        context = {"commands": commands}
        if commands and supply_request.status == RequestStatus.REQUESTED:
            context["decide_form"] = DecideForm(initial={"quantity": supply_request.quantity})
        if supply_request.status == RequestStatus.APPROVED and (
            commands or serves_cross_street(user, supply_request)
        ):
            proposals = services.dispatch_proposals(user, supply_request)
            context["proposals"] = proposals
            context["dispatch_form"] = DispatchForm(
                proposals=dispatchable(user, supply_request, proposals)
            )
            if commands and supply_request.district_approved_at is None:
                context["cross_street_form"] = CrossStreetForm(
                    proposals=[p for p in proposals if p.across],
                    initial={"site": supply_request.source_site_id},
                )
            context["can_approve_cross_street"] = bool(
                supply_request.source_site_id
                and supply_request.district_approved_at is None
                and services.can_approve_cross_street(user, supply_request.event)
            )
        if supply_request.status == RequestStatus.DISPATCHED and services.can_act_for(
            user, supply_request.unit
        ):
            context["receive_form"] = ReceiveForm(
                initial={"quantity": supply_request.approved_quantity}
            )
        return super().get_context_data(**context, **kwargs)


class RequestStepView(ActionView):
    """The POST of one step; a refused step goes back to the request page with the message."""

    model = SupplyRequest
    http_method_names = ["post"]

    def may_act(self, obj):
        return can_edit_unit(self.request.user, obj.event.org_unit)

    def form_invalid(self, form):
        for errors in form.errors.values():
            messages.error(self.request, " ".join(errors))
        return redirect(self.object)

    def form_valid(self, form):
        try:
            self.perform(form.cleaned_data)
        except ValidationError as exc:
            messages.error(self.request, " ".join(exc.messages))
        return redirect(self.object)


class DecideRequestView(RequestStepView):
    form_class = DecideForm

    def perform(self, data):
        services.decide_request(
            self.request.user,
            self.object,
            approve=data["decision"] == "approve",
            quantity=data["quantity"],
            note=data["note"],
        )


class DispatchRequestView(RequestStepView):
    form_class = DispatchForm

    def get_queryset(self):
        return requests_reachable(self.request.user)

    def may_act(self, obj):
        return super().may_act(obj) or serves_cross_street(self.request.user, obj)

    def get_form_kwargs(self):
        proposals = services.dispatch_proposals(self.request.user, self.object)
        return {
            **super().get_form_kwargs(),
            "proposals": dispatchable(self.request.user, self.object, proposals),
        }

    def perform(self, data):
        services.dispatch_request(self.request.user, self.object, site=data["site"])


class CrossStreetView(RequestStepView):
    """跨街道调拨申请: the street asks for a site of another street of the district."""

    form_class = CrossStreetForm

    def get_form_kwargs(self):
        proposals = services.dispatch_proposals(self.request.user, self.object)
        return {**super().get_form_kwargs(), "proposals": [p for p in proposals if p.across]}

    def perform(self, data):
        services.request_cross_street(self.request.user, self.object, site=data["site"])


class ApproveCrossStreetView(RequestStepView):
    """区级审批跨街道调拨: district staff and admins (``services.can_approve_cross_street``)."""

    form_class = Form

    def may_act(self, obj):
        return services.can_approve_cross_street(self.request.user, obj.event)

    def perform(self, data):
        services.approve_cross_street(self.request.user, self.object)


class ReceiveRequestView(RequestStepView):
    frontline = True
    form_class = ReceiveForm

    def may_act(self, obj):
        return services.can_act_for(self.request.user, obj.unit)

    def perform(self, data):
        services.receive_request(self.request.user, self.object, **data)


# --- the phone page ---------------------------------------------------------------------------


class MobileEventView(LoginRequiredMixin, DetailView):
    """The event on the phone: my unit's tasks, my transfer roster, my requests."""

    frontline = True
    template_name = "response/mobile_event.html"
    context_object_name = "event"

    def get_queryset(self):
        return reachable_events(self.request.user).select_related("org_unit", "plan")

    def get_context_data(self, **kwargs):
        user = self.request.user
        event = self.object
        transfers = _roster(self.request, event) if can_see_vulnerable(user) else []
        return super().get_context_data(
            tasks=EventTask.objects.visible_to(user)
            .filter(event=event)
            .select_related("unit")
            .order_by("status", "due_at"),
            transfers=transfers,
            requests=SupplyRequest.objects.visible_to(user)
            .filter(event=event)
            .select_related("item", "unit"),
            can_request=event.is_open and request_units(user, event).exists(),
            **kwargs,
        )
