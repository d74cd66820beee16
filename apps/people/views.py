"""Pages of the people register. Views stay thin: scope through ``visible_to`` (404 outside),
changes through ``services`` (403 for read-only roles), personal data through ``privacy``."""

import datetime

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Exists, Max, OuterRef, Prefetch, Q, Subquery
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import DetailView, FormView, ListView, TemplateView

from apps.files.spreadsheets import ImportView, export_response
from apps.orgs.mixins import EditorsOnlyMixin, ScopedMixin, apply_validation_error
from apps.orgs.models import OrgKind, OrgUnit, can_edit_unit, user_can_edit
from apps.orgs.views import show_passwords

from . import selectors, services
from .forms import (
    HelperForm,
    LeadershipGroupForm,
    LeadershipMemberForm,
    OfficerFilterForm,
    OfficerForm,
    OfficerTrainingForm,
    ResidentFilterForm,
    ResidentForm,
    TeamFilterForm,
    TeamForm,
    TeamMemberForm,
    TeamTrainingForm,
    VisitForm,
)
from .models import (
    AccessLog,
    EmergencyTeam,
    HelperAssignment,
    InformationOfficer,
    LeadershipGroup,
    LeadershipMember,
    TeamMember,
    Visit,
    VulnerableResident,
)
from .privacy import can_see_identifiers, can_see_vulnerable
from .resources import OfficerResource, ResidentResource, TeamMemberExportResource

NOT_VISITED_DAYS = 30


class PeopleContextMixin:
    """What every page of the app needs: the tab, whether identifiers are shown in full and
    whether the vulnerable-resident tab is visible."""

    tab = ""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context.update(
            tab=self.tab,
            show_identifiers=can_see_identifiers(user),
            show_vulnerable=can_see_vulnerable(user),
            can_create=user_can_edit(user),
        )
        return context


class FilteredListMixin(ScopedMixin, PeopleContextMixin):
    paginate_by = 50
    filter_form_class = None

    def get_filter_form(self):
        return self.filter_form_class(self.request.GET or None, user=self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(filter_form=self.filter_form)
        return context


class CreateMixin(EditorsOnlyMixin, PeopleContextMixin):
    """Create pages: street staff only (403 for reviewers)."""


class RecordFormView(LoginRequiredMixin, PeopleContextMixin, FormView):
    """Create or edit one record through a service. Subclasses set ``model``, ``form_class``,
    ``service`` and, for edits, fetch the object through ``visible_to`` (404) and check the
    unit (403)."""

    template_name = "people/form.html"
    model = None
    title = ""
    service = None

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.check_access()
        self.object = self.get_object()
        if self.object is None:
            if not user_can_edit(request.user):
                raise PermissionDenied
        elif not can_edit_unit(request.user, self.owning_unit(self.object)):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def check_access(self):
        pass

    def get_object(self):
        pk = self.kwargs.get("pk")
        if pk is None:
            return None
        return get_object_or_404(self.model.objects.visible_to(self.request.user), pk=pk)

    def owning_unit(self, obj):
        return obj.org_unit

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs() | {"user": self.request.user}
        if self.object is not None:
            kwargs["instance"] = self.object
        return kwargs

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {
            "title": self.get_title(),
            "cancel_url": self.get_cancel_url(),
            "object": self.object,
        }

    def get_title(self):
        return self.title

    def get_cancel_url(self):
        return self.object.get_absolute_url() if self.object else reverse(self.list_url)

    def form_valid(self, form):
        try:
            with_m2m = self.save(form)
        except ValidationError as exc:
            apply_validation_error(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("已保存。"))
        return redirect(self.get_success_url(with_m2m))

    def save(self, form):
        obj = self.service(self.request.user, form.save(commit=False))
        form.save_m2m()
        return obj

    def get_success_url(self, obj=None):
        return obj.get_absolute_url()


# --- 应急队伍 ---------------------------------------------------------------------------------


class TeamListView(FilteredListMixin, ListView):
    model = EmergencyTeam
    template_name = "people/team_list.html"
    context_object_name = "teams"
    filter_form_class = TeamFilterForm
    tab = "teams"

    def get_queryset(self):
        self.filter_form = self.get_filter_form()
        leader = TeamMember.objects.filter(team=OuterRef("pk"), role=TeamMember.Role.LEADER)
        queryset = self.filter_form.filter(super().get_queryset())
        return (
            queryset.select_related("org_unit")
            .annotate(
                member_count=Count("members", distinct=True),
                training_count=Count("trainings", distinct=True),
                last_training=Max("trainings__held_on"),
                leader_name=Subquery(leader.values("name")[:1]),
                leader_phone=Subquery(leader.values("phone")[:1]),
            )
            .order_by("org_unit__path", "kind", "name")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        unit = self.request.user.org_unit
        if unit is not None:
            context["facts"] = selectors.team_facts(unit)
        return context


class TeamExportView(ScopedMixin, View):
    """队伍花名册 (one row per member); masked unless the user may and asks (``full=1``)."""

    def get(self, request):
        form = TeamFilterForm(request.GET or None, user=request.user)
        teams = form.filter(EmergencyTeam.objects.visible_to(request.user))
        members = (
            TeamMember.objects.visible_to(request.user)
            .filter(team__in=teams.values("pk"))
            .select_related("team__org_unit")
            .prefetch_related("certificates")
            .order_by("team__org_unit__path", "team__name", "role", "name")
        )
        reveal = bool(request.GET.get("full")) and can_see_identifiers(request.user)
        resource = TeamMemberExportResource(user=request.user, reveal=reveal)
        return export_response(resource, members, _("应急队伍花名册"))


class TeamDetailView(ScopedMixin, PeopleContextMixin, DetailView):
    model = EmergencyTeam
    template_name = "people/team_detail.html"
    context_object_name = "team"
    tab = "teams"

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("org_unit", "updated_by")
            .prefetch_related(
                Prefetch(
                    "members",
                    queryset=TeamMember.objects.prefetch_related("certificates").order_by(
                        "role", "name"
                    ),
                ),
                "trainings",
            )
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {
            "can_edit": can_edit_unit(self.request.user, self.object.org_unit)
        }


class TeamCreateView(CreateMixin, RecordFormView):
    model = EmergencyTeam
    form_class = TeamForm
    title = gettext_lazy("新建应急队伍")
    service = staticmethod(services.save_team)
    list_url = "people:list"
    tab = "teams"


class TeamUpdateView(RecordFormView):
    model = EmergencyTeam
    form_class = TeamForm
    service = staticmethod(services.save_team)
    tab = "teams"

    def get_title(self):
        return _("编辑“%(name)s”") % {"name": self.object.name}


class TeamChildFormView(RecordFormView):
    """Forms on a team (a new member, a training): the team is the scoped parent."""

    tab = "teams"

    def get_object(self):
        self.team = get_object_or_404(
            EmergencyTeam.objects.visible_to(self.request.user).select_related("org_unit"),
            pk=self.kwargs["team_pk"],
        )
        return None

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.object = self.get_object()
        if not can_edit_unit(request.user, self.team.org_unit):
            raise PermissionDenied
        return FormView.dispatch(self, request, *args, **kwargs)

    def get_cancel_url(self):
        return self.team.get_absolute_url()

    def get_success_url(self, obj=None):
        return self.team.get_absolute_url()


class MemberCreateView(TeamChildFormView):
    form_class = TeamMemberForm

    def get_title(self):
        return _("为“%(team)s”添加队员") % {"team": self.team.name}

    def save(self, form):
        member = form.save(commit=False)
        member.team = self.team
        return services.save_member(
            self.request.user, member, certificates=form.cleaned_data["certificates"]
        )


class MemberUpdateView(RecordFormView):
    model = TeamMember
    form_class = TeamMemberForm
    tab = "teams"

    def owning_unit(self, obj):
        return obj.team.org_unit

    def get_title(self):
        return _("编辑队员“%(name)s”") % {"name": self.object.name}

    def get_cancel_url(self):
        return self.object.team.get_absolute_url()

    def save(self, form):
        return services.save_member(
            self.request.user,
            form.save(commit=False),
            certificates=form.cleaned_data["certificates"],
        )

    def get_success_url(self, obj=None):
        return obj.team.get_absolute_url()


class MemberDeleteView(LoginRequiredMixin, View):
    def post(self, request, pk):
        member = get_object_or_404(
            TeamMember.objects.visible_to(request.user).select_related("team__org_unit"), pk=pk
        )
        services.delete_member(request.user, member)
        messages.success(request, _("已移除队员“%(name)s”。") % {"name": member.name})
        return redirect(member.team)


class TeamTrainingCreateView(TeamChildFormView):
    form_class = TeamTrainingForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs.pop("user")
        return kwargs

    def get_title(self):
        return _("登记“%(team)s”的培训") % {"team": self.team.name}

    def save(self, form):
        return services.add_team_training(self.request.user, self.team, **form.cleaned_data)


# --- 灾害信息员 -------------------------------------------------------------------------------


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


# --- 脆弱人群 ---------------------------------------------------------------------------------


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


# --- 领导小组 ---------------------------------------------------------------------------------


class LeadershipView(LoginRequiredMixin, PeopleContextMixin, TemplateView):
    """The unit's 应急工作领导小组 and its office. ``?unit=<code>`` picks a street or
    community in scope; the default is the user's street."""

    template_name = "people/leadership.html"
    tab = "leadership"

    def get_unit(self):
        user = self.request.user
        units = OrgUnit.objects.visible_to(user).filter(
            kind__in=[OrgKind.STREET, OrgKind.COMMUNITY]
        )
        code = self.request.GET.get("unit")
        if code:
            unit = units.filter(code=code).first()
        else:
            unit = (user.org_unit and user.org_unit.street()) or units.filter(
                kind=OrgKind.STREET
            ).order_by("code").first()
        if unit is None:
            raise Http404
        return unit

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        unit = self.get_unit()
        street = unit.street() or unit
        group = (
            LeadershipGroup.objects.visible_to(self.request.user)
            .filter(org_unit=unit)
            .select_related("org_unit", "updated_by")
            .first()
        )
        members = list(group.members.order_by("sort_order", "pk")) if group else []
        members.sort(key=lambda m: (m.in_office, LeadershipMember.POST_ORDER[m.post], m.sort_order))
        context.update(
            unit=unit,
            group=group,
            leaders=[m for m in members if not m.in_office],
            office=[m for m in members if m.in_office],
            can_edit=can_edit_unit(self.request.user, unit),
            streets=OrgUnit.objects.visible_to(self.request.user)
            .filter(kind=OrgKind.STREET)
            .order_by("code"),
            other_groups=LeadershipGroup.objects.visible_to(self.request.user)
            .filter(org_unit__path__startswith=street.path)
            .exclude(org_unit=unit)
            .select_related("org_unit")
            .annotate(member_count=Count("members")),
            facts=selectors.leadership_facts(unit),
        )
        return context


class LeadershipGroupCreateView(CreateMixin, RecordFormView):
    model = LeadershipGroup
    form_class = LeadershipGroupForm
    title = gettext_lazy("建立应急工作领导小组")
    service = staticmethod(services.save_leadership_group)
    list_url = "people:leadership"
    tab = "leadership"

    def get_initial(self):
        user = self.request.user
        code = self.request.GET.get("unit")
        unit = OrgUnit.objects.editable_by(user).filter(code=code).first() if code else None
        unit = unit or (user.org_unit if user.org_unit else None)
        if unit is None:
            return {}
        return {
            "org_unit": unit.pk,
            "name": _("%(unit)s应急管理工作领导小组") % {"unit": unit.name},
            "office_department": _("街道应急办") if unit.kind == OrgKind.STREET else "",
        }


class LeadershipGroupUpdateView(RecordFormView):
    model = LeadershipGroup
    form_class = LeadershipGroupForm
    service = staticmethod(services.save_leadership_group)
    tab = "leadership"

    def get_title(self):
        return _("编辑“%(name)s”") % {"name": self.object.name}


class LeadershipMemberCreateView(RecordFormView):
    form_class = LeadershipMemberForm
    tab = "leadership"

    def get_object(self):
        self.group = get_object_or_404(
            LeadershipGroup.objects.visible_to(self.request.user).select_related("org_unit"),
            pk=self.kwargs["group_pk"],
        )
        return None

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.object = self.get_object()
        if not can_edit_unit(request.user, self.group.org_unit):
            raise PermissionDenied
        return FormView.dispatch(self, request, *args, **kwargs)

    def get_title(self):
        return _("为“%(name)s”添加成员") % {"name": self.group.name}

    def get_cancel_url(self):
        return self.group.get_absolute_url()

    def save(self, form):
        member = form.save(commit=False)
        member.group = self.group
        services.save_leadership_member(self.request.user, member)
        return self.group


class LeadershipMemberUpdateView(RecordFormView):
    model = LeadershipMember
    form_class = LeadershipMemberForm
    service = staticmethod(services.save_leadership_member)
    tab = "leadership"

    def owning_unit(self, obj):
        return obj.group.org_unit

    def get_title(self):
        return _("编辑成员“%(name)s”") % {"name": self.object.name}

    def get_cancel_url(self):
        return self.object.group.get_absolute_url()

    def get_success_url(self, obj=None):
        return obj.group.get_absolute_url()


class LeadershipMemberDeleteView(LoginRequiredMixin, View):
    def post(self, request, pk):
        member = get_object_or_404(
            LeadershipMember.objects.visible_to(request.user).select_related("group__org_unit"),
            pk=pk,
        )
        services.delete_leadership_member(request.user, member)
        messages.success(request, _("已移除成员“%(name)s”。") % {"name": member.name})
        return redirect(member.group.get_absolute_url())
