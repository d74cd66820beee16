import datetime

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, F, Prefetch, Q, Window
from django.db.models.functions import RowNumber
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import (
    CreateView,
    DetailView,
    ListView,
    TemplateView,
    UpdateView,
)

from apps.files.spreadsheets import export_response
from apps.files.uploads import download_response
from apps.orgs.mixins import (
    EditorsOnlyMixin,
    RecordActionView,
    ScopedEditMixin,
    ScopedMixin,
    ServiceFormMixin,
)
from apps.orgs.models import OrgKind, OrgUnit, can_edit_unit, user_can_edit
from apps.plans.models import Plan

from . import services
from .forms import (
    ActionFilterForm,
    DrillEditForm,
    DrillFileForm,
    DrillFilterForm,
    DrillPlanForm,
    FollowUpActionForm,
)
from .models import Drill, DrillFile, DrillPlan, DrillStatus, FollowUpAction
from .resources import DrillResource

# --- drills ---------------------------------------------------------------------------------


class FilteredDrillsMixin(ScopedMixin):
    model = Drill

    def get_queryset(self):
        self.filter_form = DrillFilterForm(self.request.GET or None, user=self.request.user)
        queryset = super().get_queryset().select_related("org_unit", "annual_plan")
        return self.filter_form.filter(queryset)


class DrillListView(FilteredDrillsMixin, ListView):
    paginate_by = 50
    template_name = "drills/drill_list.html"
    context_object_name = "drills"

    def get_queryset(self):
        return super().get_queryset().with_action_counts().order_by("-date", "-pk")

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {
            "filter_form": self.filter_form,
            "can_create": user_can_edit(self.request.user),
        }


class DrillExportView(FilteredDrillsMixin, View):
    def get(self, request):
        queryset = self.get_queryset().with_action_counts().prefetch_related("plans")
        return export_response(DrillResource(user=request.user), queryset, _("应急演练台账"))


class DrillDetailView(ScopedMixin, DetailView):
    model = Drill
    template_name = "drills/drill_detail.html"
    context_object_name = "drill"

    def get_queryset(self):
        user = self.request.user
        return (
            super()
            .get_queryset()
            .select_related("org_unit", "annual_plan", "created_by", "updated_by")
            .prefetch_related(
                Prefetch(
                    "plans",
                    queryset=Plan.objects.visible_to(user).select_related("org_unit"),
                ),
                "files",
                "actions",
            )
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        drill = self.object
        can_edit = can_edit_unit(self.request.user, drill.org_unit)
        files = list(drill.files.all())
        context.update(
            can_edit=can_edit,
            photos=[f for f in files if f.kind == DrillFile.Kind.PHOTO],
            documents=[f for f in files if f.kind == DrillFile.Kind.DOCUMENT],
            action_form=FollowUpActionForm() if can_edit and drill.is_held else None,
            file_form=DrillFileForm() if can_edit else None,
        )
        return context


class DrillFormMixin(ServiceFormMixin):
    model = Drill
    form_class = DrillEditForm
    template_name = "drills/drill_form.html"

    def save(self, form):
        return services.save_drill(
            self.request.user, form.save(commit=False), plans=form.cleaned_data["plans"]
        )

    def success_message(self):
        return _("已保存演练“%(title)s”。") % {"title": self.object.title}


class DrillCreateView(DrillFormMixin, EditorsOnlyMixin, CreateView):
    def get_initial(self):
        initial = {k: self.request.GET[k] for k in ("annual_plan", "date") if k in self.request.GET}
        code = self.request.GET.get("unit")
        if code:
            unit = OrgUnit.objects.editable_by(self.request.user).filter(code=code).first()
            if unit:
                initial["org_unit"] = unit.pk
        return initial


class DrillUpdateView(DrillFormMixin, ScopedEditMixin, UpdateView):
    context_object_name = "drill"


class DrillActionView(RecordActionView):
    """Base of the actions on one drill: 404 outside scope, 403 read-only. GET shows the form
    on its own page (used when a POST from the detail page has errors)."""

    model = Drill
    template_name = "drills/drill_action.html"


class AddActionView(DrillActionView):
    form_class = FollowUpActionForm
    title = gettext_lazy("登记发现的问题")

    def perform(self, data):
        services.add_action(self.request.user, self.object, **data)
        messages.success(self.request, _("已登记问题，并生成整改事项。"))


class AddFileView(DrillActionView):
    form_class = DrillFileForm
    title = gettext_lazy("上传照片或附件")

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"multipart": True}

    def perform(self, data):
        services.add_file(self.request.user, self.object, kind=data["kind"], upload=data["file"])
        messages.success(self.request, _("已上传“%(name)s”。") % {"name": data["file"].name})


class CancelDrillView(LoginRequiredMixin, View):
    """POST: cancel a planned drill with a reason."""

    def post(self, request, pk):
        drill = get_object_or_404(Drill.objects.visible_to(request.user), pk=pk)
        if not can_edit_unit(request.user, drill.org_unit):
            raise PermissionDenied
        try:
            services.cancel_drill(request.user, drill, reason=request.POST.get("reason", ""))
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("演练已取消。"))
        return redirect(drill)


class ActionDoneView(LoginRequiredMixin, View):
    """POST: mark a follow-up action done (``done=1``) or open again (``done=0``)."""

    def post(self, request, pk):
        action = get_object_or_404(
            FollowUpAction.objects.visible_to(request.user).select_related("drill__org_unit"),
            pk=pk,
        )
        if not can_edit_unit(request.user, action.drill.org_unit):
            raise PermissionDenied
        done = request.POST.get("done", "1") == "1"
        services.set_action_done(request.user, action, done=done)
        messages.success(
            request,
            _("整改事项已标记为完成。") if done else _("整改事项已重新打开。"),
        )
        target = request.POST.get("next")
        if target == "actions":
            return redirect("drills:actions")
        return redirect(action.drill)


class FileDownloadView(LoginRequiredMixin, View):
    def get(self, request, pk):
        drill_file = get_object_or_404(DrillFile.objects.visible_to(request.user), pk=pk)
        return download_response(drill_file.file, drill_file.original_name)


class ActionListView(ScopedMixin, ListView):
    """整改事项: every follow-up action the user can see, overdue ones flagged."""

    model = FollowUpAction
    paginate_by = 50
    template_name = "drills/action_list.html"
    context_object_name = "actions"

    def get_queryset(self):
        self.filter_form = ActionFilterForm(self.request.GET or None)
        queryset = super().get_queryset().select_related("drill__org_unit")
        show, q = "open", ""
        if self.filter_form.is_valid():
            show = self.filter_form.cleaned_data["show"] or "open"
            q = self.filter_form.cleaned_data["q"]
        if show == "open":
            queryset = queryset.open()
        elif show == "overdue":
            queryset = queryset.overdue()
        elif show == "done":
            queryset = queryset.filter(done=True)
        if q:
            queryset = queryset.filter(
                Q(problem__icontains=q) | Q(owner__icontains=q) | Q(drill__title__icontains=q)
            )
        self.show = show
        return queryset.order_by("done", "due_date", "pk")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context.update(
            filter_form=self.filter_form,
            show=self.show,
            overdue_count=FollowUpAction.objects.visible_to(user).overdue().count(),
        )
        for action in context["actions"]:
            action.can_edit = can_edit_unit(user, action.drill.org_unit)
        return context


# --- annual plans ---------------------------------------------------------------------------


class DrillPlanListView(ScopedMixin, ListView):
    model = DrillPlan
    paginate_by = 50
    template_name = "drills/plan_list.html"
    context_object_name = "annual_plans"

    def get_queryset(self):
        queryset = (
            super()
            .get_queryset()
            .select_related("org_unit")
            .annotate(
                planned=Count("drills"),
                held=Count("drills", filter=Q(drills__status=DrillStatus.COMPLETED)),
                cancelled=Count("drills", filter=Q(drills__status=DrillStatus.CANCELLED)),
            )
        )
        year = self.request.GET.get("year")
        if year and year.isdigit():
            queryset = queryset.filter(year=int(year))
        return queryset.order_by("-year", "org_unit__path", "title")

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {
            "can_create": user_can_edit(self.request.user),
        }


class DrillPlanDetailView(ScopedMixin, DetailView):
    model = DrillPlan
    template_name = "drills/plan_detail.html"
    context_object_name = "annual_plan"

    def get_queryset(self):
        return super().get_queryset().select_related("org_unit", "created_by", "updated_by")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        drills = list(
            self.object.drills.visible_to(self.request.user)
            .select_related("org_unit")
            .with_action_counts()
            .order_by("date", "pk")
        )
        held = sum(d.status == DrillStatus.COMPLETED for d in drills)
        context.update(
            drills=drills,
            held=held,
            rate=round(100 * held / len(drills)) if drills else None,
            can_edit=can_edit_unit(self.request.user, self.object.org_unit),
        )
        return context


class DrillPlanCreateView(EditorsOnlyMixin, CreateView):
    model = DrillPlan
    form_class = DrillPlanForm
    template_name = "drills/plan_form.html"

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"user": self.request.user}

    def form_valid(self, form):
        self.object = services.save_drill_plan(self.request.user, form.save(commit=False))
        messages.success(self.request, _("已保存年度演练计划。请添加计划内的演练。"))
        return redirect(self.object)


class DrillPlanUpdateView(ScopedEditMixin, UpdateView):
    model = DrillPlan
    form_class = DrillPlanForm
    template_name = "drills/plan_form.html"
    context_object_name = "annual_plan"

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"user": self.request.user}

    def form_valid(self, form):
        self.object = services.save_drill_plan(self.request.user, form.save(commit=False))
        messages.success(self.request, _("已保存年度演练计划。"))
        return redirect(self.object)


# --- calendar and coverage ------------------------------------------------------------------


def _month_param(value, today):
    try:
        year, month = (int(p) for p in (value or "").split("-"))
        return datetime.date(year, month, 1)
    except (TypeError, ValueError):
        return today.replace(day=1)


class CalendarView(LoginRequiredMixin, TemplateView):
    """A month of planned and held drills, with the national days marked."""

    template_name = "drills/calendar.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        first = _month_param(self.request.GET.get("month"), today)
        start, end = services.grid_range(first.year, first.month)
        # the first few drills of each day and the day's count, by the scope's unit ids: a
        # district's month is a thousand drills, of which the grid shows a hundred or so
        by_day = {"partition_by": [F("date")]}
        drills = list(
            Drill.objects.visible_by_units(self.request.user)
            .filter(date__range=(start, end))
            .annotate(
                day_rank=Window(RowNumber(), order_by=[F("pk").asc()], **by_day),
                day_count=Window(Count("pk"), **by_day),
            )
            .filter(day_rank__lte=services.DRILLS_PER_DAY)
            .select_related("org_unit")
            .order_by("date", "pk")
        )
        weeks = services.month_grid(first.year, first.month, drills, today=today)
        counts = {drill.date: drill.day_count for drill in drills}
        for day in (day for week in weeks for day in week):
            day.more = counts.get(day.date, 0) - len(day.drills)
        previous = (first - datetime.timedelta(days=1)).replace(day=1)
        following = (first + datetime.timedelta(days=32)).replace(day=1)
        context.update(
            month=first,
            weeks=weeks,
            month_observances=services.month_observances(first.year, first.month),
            previous=previous.strftime("%Y-%m"),
            following=following.strftime("%Y-%m"),
            this_month=today.strftime("%Y-%m"),
            can_create=user_can_edit(self.request.user),
        )
        return context


class CoverageView(LoginRequiredMixin, TemplateView):
    """演练覆盖: communities with no drill held in the last 12 months, and planned against held
    drills of the year. Street staff see their street; reviewers pick one of their streets."""

    template_name = "drills/coverage.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        today = timezone.localdate()
        streets = OrgUnit.objects.visible_to(user).filter(kind=OrgKind.STREET).order_by("code")
        code = self.request.GET.get("street")
        if code:
            street = streets.filter(code=code).first()
            if street is None:
                raise Http404
        else:
            street = (user.org_unit and user.org_unit.street()) or streets.first()
        if street is None:
            raise Http404
        year = self.request.GET.get("year", "")
        year = int(year) if year.isdigit() and 2000 <= int(year) <= 2100 else today.year
        context.update(
            street=street,
            streets=streets if streets.count() > 1 else [],
            year=year,
            years=list(range(today.year + 1, today.year - 5, -1)),
            uncovered=services.communities_without_recent_drill(street, today=today),
            comparison=services.plan_vs_held(street, year, today=today),
            can_edit=can_edit_unit(user, street),
        )
        return context
