from django.contrib import messages
from django.db.models import Count, Q, Sum
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import DetailView, UpdateView

from .forms import OrgUnitForm
from .mixins import ScopedEditMixin, ScopedMixin
from .models import OrgKind, OrgUnit, can_edit_unit, rollup


def children_with_figures(unit):
    """The unit's direct children with the number of communities and 小区 below each."""
    children = list(unit.children.order_by("code"))
    figures = rollup(
        OrgUnit.objects.filter(kind__in=[OrgKind.COMMUNITY, OrgKind.ESTATE]),
        children,
        path="path",
        community_count=Count("pk", filter=Q(kind=OrgKind.COMMUNITY)),
        estate_count=Count("pk", filter=Q(kind=OrgKind.ESTATE)),
        community_population=Sum("population", filter=Q(kind=OrgKind.COMMUNITY)),
    )
    for child in children:
        for name, value in figures[child.pk].items():
            setattr(child, name, value)
    return children


def unit_context(user, unit):
    """Context shared by the home page and the org unit page."""
    top = user.org_unit
    breadcrumbs = []
    if top is not None:
        breadcrumbs = [a for a in unit.ancestors() if a.path.startswith(top.path)]
    return {
        "unit": unit,
        "breadcrumbs": breadcrumbs,
        "children": children_with_figures(unit),
        "can_edit": can_edit_unit(user, unit),
    }


class OrgUnitDetailView(ScopedMixin, DetailView):
    model = OrgUnit
    slug_field = "code"
    slug_url_kwarg = "code"
    context_object_name = "unit"
    template_name = "orgs/orgunit_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(unit_context(self.request.user, self.object))
        return context


class OrgUnitUpdateView(ScopedEditMixin, UpdateView):
    """Street staff keep the resident population of their units up to date; the name is an
    admin's (``OrgUnitForm``)."""

    model = OrgUnit
    form_class = OrgUnitForm
    slug_field = "code"
    slug_url_kwarg = "code"
    context_object_name = "unit"
    template_name = "orgs/orgunit_form.html"

    def get_owning_unit(self, obj):
        return obj

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def form_valid(self, form):
        messages.success(self.request, _("已保存“%(name)s”。") % {"name": form.instance.name})
        return super().form_valid(form)

    def get_success_url(self):
        return reverse("orgs:detail", args=[self.object.code])
