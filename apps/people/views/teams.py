"""应急队伍: teams, their members and trainings."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Max, OuterRef, Prefetch, Subquery
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import DetailView, FormView, ListView

from apps.files.spreadsheets import export_response
from apps.orgs.mixins import ScopedMixin
from apps.orgs.models import can_edit_unit

from .. import selectors, services
from ..forms import TeamFilterForm, TeamForm, TeamMemberForm, TeamTrainingForm
from ..models import EmergencyTeam, TeamMember
from ..privacy import can_see_identifiers
from ..resources import TeamMemberExportResource
from .base import CreateMixin, FilteredListMixin, PeopleContextMixin, RecordFormView


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
