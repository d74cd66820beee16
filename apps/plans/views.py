from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import OuterRef, Prefetch, Subquery
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
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

from . import services
from .forms import PlanFilterForm, PlanForm, PlanVersionForm, RetireForm
from .models import Plan, PlanAttachment, PlanVersion
from .resources import PlanRegisterResource


def with_current_version(queryset):
    current = PlanVersion.objects.filter(plan=OuterRef("pk"), is_current=True).values("number")
    return queryset.annotate(current_version=Subquery(current[:1]))


class FilteredPlansMixin(ScopedMixin):
    model = Plan

    def get_filter_form(self):
        return PlanFilterForm(self.request.GET or None, user=self.request.user)

    def get_queryset(self):
        self.filter_form = self.get_filter_form()
        queryset = super().get_queryset().select_related("org_unit", "parent")
        return with_current_version(self.filter_form.filter(queryset))


class PlanListView(FilteredPlansMixin, ListView):
    paginate_by = 50
    template_name = "plans/plan_list.html"
    context_object_name = "plans"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            filter_form=self.filter_form,
            can_create=user_can_edit(self.request.user),
        )
        return context


class PlanExportView(FilteredPlansMixin, View):
    def get(self, request):
        queryset = self.get_queryset().prefetch_related("hazard_types")
        return export_response(PlanRegisterResource(user=request.user), queryset, _("预案台账"))


class PlanDetailView(ScopedMixin, DetailView):
    model = Plan
    template_name = "plans/plan_detail.html"
    context_object_name = "plan"

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("org_unit", "parent", "created_by", "updated_by")
            .prefetch_related(
                "hazard_types",
                Prefetch(
                    "versions",
                    queryset=PlanVersion.objects.select_related("created_by").prefetch_related(
                        "attachments"
                    ),
                ),
            )
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        plan = self.object
        context.update(
            can_edit=can_edit_unit(self.request.user, plan.org_unit),
            children=plan.children.visible_to(self.request.user).select_related("org_unit"),
        )
        return context


class PlanCreateView(ServiceFormMixin, EditorsOnlyMixin, CreateView):
    model = Plan
    form_class = PlanForm
    template_name = "plans/plan_form.html"

    def get_initial(self):
        # Links such as "new plan for this community" prefill the unit and kind.
        return {k: self.request.GET[k] for k in ("org_unit", "kind") if k in self.request.GET}

    def save(self, form):
        plan = services.save_plan(self.request.user, form.save(commit=False))
        form.save_m2m()
        return plan

    def success_message(self):
        return _("已创建预案“%(title)s”。请上传预案文件。") % {"title": self.object.title}

    def get_success_url(self):
        return reverse("plans:add_version", args=[self.object.pk])


class PlanUpdateView(ServiceFormMixin, ScopedEditMixin, UpdateView):
    model = Plan
    form_class = PlanForm
    template_name = "plans/plan_form.html"
    context_object_name = "plan"

    def save(self, form):
        plan = services.save_plan(self.request.user, form.save(commit=False))
        form.save_m2m()
        return plan

    def success_message(self):
        return _("已保存预案“%(title)s”。") % {"title": self.object.title}


class PlanActionView(RecordActionView):
    """Base of the actions on one plan (new version, retire)."""

    model = Plan


class PlanVersionCreateView(PlanActionView):
    form_class = PlanVersionForm
    template_name = "plans/version_form.html"

    def perform(self, data):
        version = services.add_version(
            self.request.user,
            self.object,
            version_date=data["version_date"],
            change_summary=data["change_summary"],
            files=data["files"],
        )
        messages.success(
            self.request, _("已上传第 %(number)s 版，现为现行版本。") % {"number": version.number}
        )


class PlanRetireView(PlanActionView):
    form_class = RetireForm
    template_name = "plans/retire_form.html"

    def perform(self, data):
        services.retire_plan(self.request.user, self.object, reason=data["reason"])
        messages.success(self.request, _("预案已废止。"))


class AttachmentDownloadView(LoginRequiredMixin, View):
    def get(self, request, pk):
        attachment = get_object_or_404(
            PlanAttachment.objects.visible_to(request.user).select_related("version"), pk=pk
        )
        return download_response(attachment.file, attachment.original_name)


class PlanSystemView(LoginRequiredMixin, TemplateView):
    """The 1+N+M plan system of one street, as a tree, with the communities lacking a plan in
    force. Street staff see their own street; reviewers pick one of their district's streets."""

    template_name = "plans/plan_system.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
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
        context.update(services.plan_system(street))
        context["streets"] = streets if streets.count() > 1 else []
        context["can_edit"] = can_edit_unit(user, street)
        return context
