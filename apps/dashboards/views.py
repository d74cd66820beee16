"""工作台: the street dashboard (street and community staff) and the district dashboard
(reviewers, city viewers), plus the JSON endpoints their charts and map read. Every figure
comes from ``apps.dashboards.indicators``; every endpoint answers 404 outside the user's scope."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from apps.applications.models import Application, State
from apps.drills.services import plan_vs_held
from apps.duty.selectors import duty_card
from apps.notifications.models import Notification
from apps.orgs.models import KIND_DEPTH, OrgKind, OrgUnit, can_edit_unit
from apps.orgs.views import unit_context

from . import cache, indicators

SORT_KEYS = {
    "name": lambda row: row["unit"].code,
    "readiness": lambda row: row["score"],
    "closure_rate": lambda row: row["facts"]["hazards"]["closure_rate"] or 0,
    "overdue": lambda row: row["facts"]["hazards"]["overdue"],
    "per_resident": lambda row: row["facts"]["shelters"]["per_resident"] or 0,
    "below_standard": lambda row: row["facts"]["supplies"]["items_below_standard"],
    "drills": lambda row: row["facts"]["drills"]["held_12m"],
}


def is_district_view(unit):
    return KIND_DEPTH[unit.kind] < KIND_DEPTH[OrgKind.STREET]


def streets_under(user, unit):
    return (
        OrgUnit.objects.visible_to(user)
        .filter(path__startswith=unit.path, kind=OrgKind.STREET)
        .order_by("code")
    )


class HomeView(LoginRequiredMixin, TemplateView):
    """工作台: the dashboard of the user's own unit."""

    def get_unit(self):
        return self.request.user.org_unit

    def get_template_names(self):
        unit = self.get_unit()
        if unit is None:
            return ["dashboards/no_unit.html"]
        if is_district_view(unit):
            return ["dashboards/district.html"]
        return ["dashboards/street.html"]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, unit = self.request.user, self.get_unit()
        if unit is None:
            context["roots"] = OrgUnit.objects.filter(parent=None)
        elif is_district_view(unit):
            context.update(district_context(user, unit, self.request.GET.get("sort", "")))
        else:
            context.update(street_context(user, unit))
        context["own_unit"] = unit == user.org_unit
        return context


class UnitDashboardView(HomeView):
    """The same dashboard for any unit in scope: a reviewer opens a street of the district."""

    def get_unit(self):
        return _visible_unit(self.request, self.kwargs["code"])


def street_context(user, unit):
    today = timezone.localdate()
    facts = cache.cached_unit_facts(unit, today=today)
    editable = can_edit_unit(user, unit)
    for item in facts["readiness"]:
        item["url"] = indicators.fix_url(item["code"]) if editable and not item["ok"] else ""
    drills_year = plan_vs_held(unit, today.year, today=today)
    return {
        **unit_context(user, unit),
        "facts": facts,
        "score": indicators.readiness_score(facts),
        "drills_year": drills_year,
        "tasks": Notification.objects.for_user(user)
        .unread()
        .filter(unit_path__startswith=unit.path)[:6],
        "trend_url": reverse("dashboards:trend", args=[unit.code]),
        "year": today.year,
        "duty": duty_card(user, unit),
    }


def district_context(user, unit, sort):
    streets = list(streets_under(user, unit))
    facts = cache.cached_facts_for_units(streets)
    rows = [
        {"unit": s, "facts": facts[s.pk], "score": indicators.readiness_score(facts[s.pk])}
        for s in streets
    ]
    key, _sep, direction = sort.partition(":")
    if key in SORT_KEYS:
        rows.sort(key=SORT_KEYS[key], reverse=direction == "desc")
    return {
        "unit": unit,
        "rows": rows,
        "sort": sort,
        "map_url": reverse("dashboards:map", args=[unit.code]),
        "chart_url": reverse("dashboards:streets", args=[unit.code]),
        "duty": duty_card(user, unit),
        "applications_waiting": Application.objects.visible_to(user)
        .filter(
            org_unit__path__startswith=unit.path,
            state__in=[State.SUBMITTED, State.IN_REVIEW],
        )
        .count(),
    }


def _visible_unit(request, code):
    return get_object_or_404(OrgUnit.objects.visible_to(request.user), code=code)


class FactsView(LoginRequiredMixin, View):
    """The facts of one unit (any level in scope)."""

    def get(self, request, code):
        unit = _visible_unit(request, code)
        return JsonResponse(
            {"unit": {"code": unit.code, "name": unit.name}, "facts": cache.cached_unit_facts(unit)}
        )


class StreetsView(LoginRequiredMixin, View):
    """Every street under a district (or the city) with its facts, for comparison charts."""

    def get(self, request, code):
        unit = _visible_unit(request, code)
        if not is_district_view(unit):
            raise Http404
        streets = list(streets_under(request.user, unit))
        facts = cache.cached_facts_for_units(streets)
        return JsonResponse(
            {
                "streets": [
                    {
                        "code": s.code,
                        "name": s.name,
                        "score": indicators.readiness_score(facts[s.pk]),
                        "closure_rate": facts[s.pk]["hazards"]["closure_rate"],
                        "per_resident": facts[s.pk]["shelters"]["per_resident"],
                    }
                    for s in streets
                ]
            }
        )


class TrendView(LoginRequiredMixin, View):
    def get(self, request, code):
        unit = _visible_unit(request, code)
        return JsonResponse({"months": cache.hazard_trend(unit)})


READINESS_LEGEND = [
    ("6", "#2e7d32"),
    ("5", "#7cb342"),
    ("4", "#fbc02d"),
    ("3", "#fb8c00"),
    ("2", "#e53935"),
    ("1", "#c62828"),
    ("0", "#8e0000"),
]


class MapView(LoginRequiredMixin, View):
    """The streets under a district as points coloured by 六有 readiness (0–6 met)."""

    def get(self, request, code):
        unit = _visible_unit(request, code)
        if not is_district_view(unit):
            raise Http404
        streets = [s for s in streets_under(request.user, unit) if s.latitude is not None]
        facts = cache.cached_facts_for_units(streets)
        features = []
        for street in streets:
            f = facts[street.pk]
            score = indicators.readiness_score(f)
            missing = _("、").join(i["label"] for i in f["readiness"] if not i["ok"]) or _("无")
            features.append(
                {
                    "type": "Feature",
                    "geometry": {
                        "type": "Point",
                        "coordinates": [float(street.longitude), float(street.latitude)],
                    },
                    "properties": {
                        "score": str(score),
                        "title": street.name,
                        "url": reverse("orgs:detail", args=[street.code]),
                        "lines": [
                            _("六有达标 %(n)d/6") % {"n": score},
                            _("未达标：%(items)s") % {"items": missing},
                        ],
                    },
                }
            )
        legend = [
            {"value": v, "label": _("%(n)s/6 项达标") % {"n": v}, "color": c}
            for v, c in READINESS_LEGEND
        ]
        return JsonResponse({"type": "FeatureCollection", "legend": legend, "features": features})
