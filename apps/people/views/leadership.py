"""领导小组: the unit's leadership group and its members (有班子)."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import FormView, TemplateView

from apps.orgs.models import OrgKind, OrgUnit, can_edit_unit

from .. import selectors, services
from ..forms import LeadershipGroupForm, LeadershipMemberForm
from ..models import LeadershipGroup, LeadershipMember
from .base import CreateMixin, PeopleContextMixin, RecordFormView


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
