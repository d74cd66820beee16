from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404, JsonResponse
from django.urls import reverse, reverse_lazy
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

from apps.files.spreadsheets import ImportView, export_response
from apps.orgs.mixins import (
    EditorsOnlyMixin,
    RecordActionView,
    ScopedEditMixin,
    ScopedMixin,
    ServiceFormMixin,
)
from apps.orgs.models import OrgKind, OrgUnit, can_edit_unit, user_can_edit

from . import services
from .forms import ActivateForm, CloseForm, InspectionForm, ShelterFilterForm, ShelterForm
from .models import Facility, Shelter, ShelterStatus
from .resources import ShelterResource

STATUS_COLORS = {
    ShelterStatus.AVAILABLE: "#198754",
    ShelterStatus.MAINTENANCE: "#fd7e14",
    ShelterStatus.ACTIVATED: "#d7263d",
}


def _home_unit(user, streets):
    """The unit a page is about by default: the user's street, else their own unit (a
    district for reviewers), else the first visible street."""
    unit = user.org_unit
    if unit is not None:
        street = unit.street()
        if street is not None:
            return street
        return unit
    return streets.first()


class FilteredSheltersMixin(ScopedMixin):
    model = Shelter

    def get_queryset(self):
        self.filter_form = ShelterFilterForm(self.request.GET or None, user=self.request.user)
        queryset = (
            super().get_queryset().select_related("org_unit", "shelter_type", "shelter_class")
        )
        return self.filter_form.filter(queryset)


class ShelterListView(FilteredSheltersMixin, ListView):
    paginate_by = 50
    template_name = "shelters/shelter_list.html"
    context_object_name = "shelters"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        unit = None
        if self.filter_form.is_valid():
            unit = self.filter_form.cleaned_data["unit"]
        if unit is None:
            streets = OrgUnit.objects.visible_to(user).filter(kind=OrgKind.STREET)
            unit = _home_unit(user, streets)
        indicator, children = services.unit_overview(unit) if unit else (None, [])
        context.update(
            filter_form=self.filter_form,
            can_create=user_can_edit(user),
            indicator=indicator,
            child_indicators=children,
        )
        return context


class ShelterExportView(FilteredSheltersMixin, View):
    def get(self, request):
        queryset = self.get_queryset().prefetch_related("facilities")
        return export_response(ShelterResource(user=request.user), queryset, _("避难场所台账"))


class ShelterImportView(ImportView):
    resource_class = ShelterResource
    title = gettext_lazy("导入避难场所台账")
    success_url = reverse_lazy("shelters:list")


class ShelterDetailView(ScopedMixin, DetailView):
    model = Shelter
    template_name = "shelters/shelter_detail.html"
    context_object_name = "shelter"

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("org_unit", "shelter_type", "shelter_class", "created_by", "updated_by")
            .prefetch_related("facilities", "openings", "inspections")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        shelter = self.object
        present = {f.pk for f in shelter.facilities.all()}
        context.update(
            can_edit=can_edit_unit(self.request.user, shelter.org_unit),
            checklist=[(f, f.pk in present) for f in Facility.objects.all()],
            data_url=reverse("shelters:map_data") + f"?shelter={shelter.pk}",
            has_point=shelter.latitude is not None,
        )
        return context


class ShelterFormMixin(ServiceFormMixin):
    model = Shelter
    form_class = ShelterForm
    template_name = "shelters/shelter_form.html"

    def save(self, form):
        return services.save_shelter(
            self.request.user, form.save(commit=False), facilities=form.cleaned_data["facilities"]
        )

    def success_message(self):
        return _("已保存避难场所“%(name)s”。") % {"name": self.object}


class ShelterCreateView(ShelterFormMixin, EditorsOnlyMixin, CreateView):
    pass


class ShelterUpdateView(ShelterFormMixin, ScopedEditMixin, UpdateView):
    context_object_name = "shelter"


class ShelterActionView(RecordActionView):
    """Base of the actions on one shelter: 404 outside scope, 403 read-only."""

    model = Shelter
    template_name = "shelters/shelter_action.html"


class InspectionCreateView(ShelterActionView):
    form_class = InspectionForm
    title = gettext_lazy("登记检查")

    def perform(self, data):
        services.add_inspection(self.request.user, self.object, **data)
        messages.success(self.request, _("已登记检查。"))


class ActivateView(ShelterActionView):
    form_class = ActivateForm
    title = gettext_lazy("启用避难场所")

    def perform(self, data):
        services.activate_shelter(self.request.user, self.object, **data)
        messages.success(self.request, _("避难场所已启用。"))


class CloseView(ShelterActionView):
    form_class = CloseForm
    title = gettext_lazy("关闭避难场所")

    def perform(self, data):
        services.close_shelter(self.request.user, self.object, **data)
        messages.success(self.request, _("避难场所已关闭，恢复为可用。"))


class OverviewView(LoginRequiredMixin, TemplateView):
    """人均有效避难面积: the street and each of its communities against the 1.2 m² target;
    reviewers also see every street of their district side by side."""

    template_name = "shelters/overview.html"

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
        indicator, communities = services.unit_overview(street)
        street_rows = (
            list(services.area_per_resident(streets).values()) if streets.count() > 1 else []
        )
        context.update(
            street=street,
            indicator=indicator,
            communities=communities,
            street_rows=street_rows,
            target=services.TARGET_AREA_PER_RESIDENT,
        )
        return context


class ShelterMapView(LoginRequiredMixin, TemplateView):
    template_name = "shelters/map.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.urlencode()
        context["data_url"] = reverse("shelters:map_data") + (f"?{query}" if query else "")
        context["filter_form"] = ShelterFilterForm(self.request.GET or None, user=self.request.user)
        context["statuses"] = [
            (value, label, STATUS_COLORS[value]) for value, label in ShelterStatus.choices
        ]
        return context


def _num(value):
    return float(value) if value is not None else None


class ShelterMapDataView(FilteredSheltersMixin, View):
    """The shelter map's points, coloured by status, as a FeatureCollection (see
    apps/maps/templatetags/maps.py). One query, whatever the count; takes the list's filters
    and ``shelter=<pk>`` for one shelter."""

    def get(self, request):
        queryset = self.get_queryset().filter(latitude__isnull=False, longitude__isnull=False)
        one = request.GET.get("shelter", "")
        if one.isdigit():
            queryset = queryset.filter(pk=int(one))
        labels = dict(ShelterStatus.choices)
        legend = [
            {"value": value, "label": str(label), "color": STATUS_COLORS[value]}
            for value, label in ShelterStatus.choices
        ]
        features = []
        rows = queryset.values(
            "pk",
            "name",
            "status",
            "latitude",
            "longitude",
            "address",
            "effective_area",
            "capacity",
            "org_unit__name",
            "shelter_type__name",
            "shelter_class__name",
        ).order_by("pk")
        for s in rows:
            features.append(
                {
                    "type": "Feature",
                    "geometry": {
                        "type": "Point",
                        "coordinates": [_num(s["longitude"]), _num(s["latitude"])],
                    },
                    "properties": {
                        "status": s["status"],
                        "title": s["name"],
                        "url": reverse("shelters:detail", args=[s["pk"]]),
                        "lines": [
                            f"{labels[s['status']]} · {s['shelter_type__name']} · "
                            f"{s['shelter_class__name']}",
                            s["org_unit__name"],
                            s["address"],
                            _("有效避难面积 %(area)s m²，可容纳 %(capacity)s 人")
                            % {"area": f"{s['effective_area']:,.0f}", "capacity": s["capacity"]},
                        ],
                    },
                }
            )
        return JsonResponse(
            {"type": "FeatureCollection", "legend": legend, "features": features},
            json_dumps_params={"ensure_ascii": False},
        )
