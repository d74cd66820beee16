import datetime

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import CreateView, DetailView, TemplateView, UpdateView

from apps.files.spreadsheets import export_response
from apps.orgs.mixins import (
    EditorsOnlyMixin,
    RecordActionView,
    ScopedEditMixin,
    ScopedMixin,
    ServiceFormMixin,
)
from apps.orgs.models import can_edit_unit, user_can_edit

from . import selectors, services
from .forms import (
    HandoverForm,
    LogEntryForm,
    MonthForm,
    ReinforceForm,
    RosterForm,
    RotationForm,
    ShiftForm,
    SwapForm,
)
from .models import Roster, Shift, SwapRequest, SwapStatus
from .resources import ShiftResource


def _month(request):
    """The month asked for (``?month=YYYY-MM``), this month otherwise."""
    form = MonthForm(request.GET)
    return form.cleaned_data["month"] if form.is_valid() else timezone.localdate().replace(day=1)


def _report_errors(request, errors):
    for message in errors:
        messages.error(request, message)


# --- today's duty ---------------------------------------------------------------------------


class TodayView(LoginRequiredMixin, TemplateView):
    """今日值班: the shifts running now in the user's scope, with the people to call."""

    template_name = "duty/today.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        shifts = list(selectors.shifts_now(user))
        for shift in shifts:
            shift.people = selectors.people_of(shift)
            shift.reveal = selectors.reveals_phones(user, shift.roster)
        rosters = Roster.objects.visible_to(user).select_related("org_unit")
        return super().get_context_data(**kwargs) | {
            "shifts": shifts,
            "rosters": rosters,
            "mine": list(
                selectors.with_people(
                    Shift.objects.visible_to(user)
                    .filter(Q(officers=user) | Q(leader=user), ends_at__gt=timezone.now())
                    .distinct()
                ).order_by("starts_at")[:5]
            ),
            "can_create": user_can_edit(user),
        }


# --- rosters --------------------------------------------------------------------------------


class RosterFormMixin(ServiceFormMixin):
    model = Roster
    form_class = RosterForm
    template_name = "duty/roster_form.html"

    def save(self, form):
        return services.save_roster(self.request.user, form.save(commit=False))


class RosterCreateView(RosterFormMixin, EditorsOnlyMixin, CreateView):
    def success_message(self):
        return _("已建立值班表，请设置轮班人员。")

    def get_success_url(self):
        return reverse("duty:rotation", args=[self.object.pk])


class RosterUpdateView(RosterFormMixin, ScopedEditMixin, UpdateView):
    context_object_name = "roster"

    def success_message(self):
        return _("已保存值班表。")


class RosterDetailView(ScopedMixin, DetailView):
    """A month of the roster, with its pending swaps and, for its street staff, the tools."""

    model = Roster
    template_name = "duty/roster_detail.html"
    context_object_name = "roster"

    def get_queryset(self):
        return super().get_queryset().select_related("org_unit")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, roster = self.request.user, self.object
        first = _month(self.request)
        shifts = list(selectors.month_shifts(roster, first))
        reveal = selectors.reveals_phones(user, roster)
        can_edit = can_edit_unit(user, roster.org_unit)
        previous = (first - datetime.timedelta(days=1)).replace(day=1)
        following = (first + datetime.timedelta(days=32)).replace(day=1)
        context.update(
            month=first,
            month_value=first.strftime("%Y-%m"),
            previous=previous.strftime("%Y-%m"),
            following=following.strftime("%Y-%m"),
            shifts=shifts,
            reveal=reveal,
            rotation=roster.rotation.select_related("user"),
            swaps=SwapRequest.objects.filter(shift__roster=roster, status=SwapStatus.PENDING)
            .select_related("shift", "other_shift", "requester", "replacement")
            .order_by("shift__starts_at"),
            can_edit=can_edit,
        )
        return context


class RosterActionView(RecordActionView):
    model = Roster


class RotationView(RosterActionView):
    form_class = RotationForm
    template_name = "duty/rotation.html"
    title = gettext_lazy("轮班顺序")

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"roster": self.object}

    def get_initial(self):
        members = self.object.rotation.select_related("user")
        return {
            "leaders": "\n".join(m.user.username for m in members if m.is_leader),
            "officers": "\n".join(m.user.username for m in members if not m.is_leader),
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"people": services.unit_people(self.object)}

    def perform(self, data):
        services.set_rotation(
            self.request.user, self.object, leaders=data["leaders"], officers=data["officers"]
        )
        messages.success(self.request, _("已保存轮班顺序。"))


class ReinforceView(RosterActionView):
    form_class = ReinforceForm
    template_name = "duty/reinforce.html"
    title = gettext_lazy("加强值班")

    def perform(self, data):
        count = services.reinforce_shifts(self.request.user, self.object, **data)
        messages.success(self.request, _("已将 %(n)d 个班次设为加强值班。") % {"n": count})


class GenerateView(LoginRequiredMixin, View):
    """POST: generate a month of shifts from the rotation."""

    def post(self, request, pk):
        roster = get_object_or_404(Roster.objects.visible_to(request.user), pk=pk)
        if not can_edit_unit(request.user, roster.org_unit):
            raise PermissionDenied
        form = MonthForm(request.POST)
        if not form.is_valid():
            _report_errors(request, form.errors["month"])
            return redirect(roster)
        first = form.cleaned_data["month"]
        try:
            count = services.generate_month(
                request.user, roster, year=first.year, month=first.month
            )
        except ValidationError as exc:
            _report_errors(request, exc.messages)
        else:
            messages.success(
                request,
                _("已生成 %(month)s 的 %(n)d 个班次（已有的班次保持不变）。")
                % {"month": first.strftime("%Y-%m"), "n": count},
            )
        return redirect(f"{roster.get_absolute_url()}?month={first:%Y-%m}")


class RosterExportView(ScopedMixin, DetailView):
    """The month's roster as an .xlsx file (``?month=YYYY-MM``)."""

    model = Roster

    def get(self, request, pk):
        roster = self.get_object()
        first = _month(request)
        shifts = selectors.month_shifts(roster, first)
        reveal = selectors.reveals_phones(request.user, roster)
        title = _("%(unit)s值班表%(month)s") % {
            "unit": roster.org_unit.name,
            "month": first.strftime("%Y-%m"),
        }
        return export_response(ShiftResource(reveal=reveal), shifts, title)


# --- shifts ---------------------------------------------------------------------------------


class ShiftDetailView(ScopedMixin, DetailView):
    """One shift: the people to call, sign-in, the duty log and the handover. The forms are
    shown to the people on the shift (and the acknowledgement to those of the next one)."""

    model = Shift
    template_name = "duty/shift_detail.html"
    context_object_name = "shift"

    def get_queryset(self):
        return selectors.with_people(super().get_queryset()).select_related(
            "signed_in_by", "handed_over_by", "acknowledged_by"
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, shift, now = self.request.user, self.object, timezone.now()
        on_shift = shift.is_on(user)
        context.update(
            people=selectors.people_of(shift),
            reveal=selectors.reveals_phones(user, shift.roster),
            log=shift.log.select_related("created_by"),
            on_shift=on_shift,
            next_shift=services.next_shift(shift),
            can_acknowledge=services.may_acknowledge(user, shift),
            can_edit=can_edit_unit(user, shift.roster.org_unit),
            log_form=LogEntryForm() if on_shift else None,
            handover_form=HandoverForm() if on_shift else None,
            swap_form=SwapForm(shift=shift) if on_shift and shift.starts_at > now else None,
            swaps=shift.swaps.select_related("requester", "replacement", "other_shift"),
        )
        return context


class ShiftUpdateView(RecordActionView):
    model = Shift
    form_class = ShiftForm
    template_name = "duty/shift_form.html"

    def get_owning_unit(self, obj):
        return obj.roster.org_unit

    def get_queryset(self):
        return selectors.with_people(super().get_queryset())

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"shift": self.object}

    def perform(self, data):
        services.update_shift(self.request.user, self.object, **data)
        messages.success(self.request, _("已保存班次。"))


class ShiftActionView(LoginRequiredMixin, View):
    """POST: one action by a person on a shift (sign-in, log entry, handover, acknowledgement,
    swap request). 404 outside scope; 403 unless the user is on the shift (for the
    acknowledgement: on the next one), before the form is read; a bad form or a ValidationError
    is shown on the shift page and nothing changes."""

    form_class = None

    def post(self, request, pk):
        shift = get_object_or_404(
            selectors.with_people(Shift.objects.visible_to(request.user)), pk=pk
        )
        if not self.may_act(shift):
            raise PermissionDenied
        form = self.form_class(request.POST, **self.form_kwargs(shift)) if self.form_class else None
        if form is not None and not form.is_valid():
            _report_errors(request, [e for errors in form.errors.values() for e in errors])
            return redirect(shift)
        try:
            message = self.perform(shift, form.cleaned_data if form else {})
        except ValidationError as exc:
            _report_errors(request, exc.messages)
        else:
            messages.success(request, message)
        return redirect(shift)

    def may_act(self, shift):
        return shift.is_on(self.request.user)

    def form_kwargs(self, shift):
        return {}

    def perform(self, shift, data):
        raise NotImplementedError


class SignInView(ShiftActionView):
    def perform(self, shift, data):
        shift = services.sign_in(self.request.user, shift)
        return _("已签到（%(time)s）。") % {
            "time": timezone.localtime(shift.signed_in_at).strftime("%H:%M")
        }


class AddLogEntryView(ShiftActionView):
    form_class = LogEntryForm

    def perform(self, shift, data):
        services.add_log_entry(self.request.user, shift, **data)
        return _("已记入值班日志。")


class HandOverView(ShiftActionView):
    form_class = HandoverForm

    def perform(self, shift, data):
        services.hand_over(self.request.user, shift, note=data["handover_note"])
        return _("已交班，等待下一班确认接班。")


class AcknowledgeView(ShiftActionView):
    def may_act(self, shift):
        return services.may_acknowledge(self.request.user, shift)

    def perform(self, shift, data):
        services.acknowledge_handover(self.request.user, shift)
        return _("已确认接班。")


class RequestSwapView(ShiftActionView):
    form_class = SwapForm

    def form_kwargs(self, shift):
        return {"shift": shift}

    def perform(self, shift, data):
        services.request_swap(self.request.user, shift, **data)
        return _("已提交换班申请，等待街镇工作人员审批。")


class DecideSwapView(LoginRequiredMixin, View):
    """POST: approve (``approve=1``) or refuse a pending swap; the unit's street staff only."""

    def post(self, request, pk):
        swap = get_object_or_404(
            SwapRequest.objects.visible_to(request.user).select_related("shift__roster__org_unit"),
            pk=pk,
        )
        approve = request.POST.get("approve") == "1"
        try:
            services.decide_swap(request.user, swap, approve=approve)
        except ValidationError as exc:
            _report_errors(request, exc.messages)
        else:
            messages.success(
                request, _("已同意换班，班次已调整。") if approve else _("已不同意换班。")
            )
        return redirect(swap.shift.roster)
