"""The risk map's markers for the view on screen (``?bbox=…&zoom=…``, see
apps/maps/grid.py; without one, the extent of the user's data): active risk points
coloured by level and open hazards by severity, as a FeatureCollection (see
apps/maps/templatetags/maps.py) with the view's ``bbox`` and ``counts``, the number of
points in view per legend entry. Each kind comes point by point when the view holds at
most ``MAX_POINTS`` of it, else as grid clusters aggregated in SQL. At most seven queries
(the scope's unit ids first), whatever the count.

``feature_collection(user, params)`` is what ``views.RiskMapDataView`` answers."""

from functools import reduce
from operator import or_

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from apps.maps import grid
from apps.orgs.models import OrgUnit

from .models import (
    LEVEL_COLORS,
    ON_MAP,
    OPEN_ON_MAP,
    Hazard,
    HazardState,
    RiskLevel,
    RiskPoint,
    Severity,
)

# Above this many points of one kind in view, the kind comes as grid clusters.
MAX_POINTS = 1000


HAZARD_MARKERS = {
    Severity.MAJOR: "#7b1fa2",
    Severity.GENERAL: "#37474f",
}


def _point(latitude, longitude, **properties):
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [float(longitude), float(latitude)]},
        "properties": properties,
    }


def _url_for(name):
    """``pk → reverse(name, args=[pk])`` for a URL taking one pk, reversing once: the map sends
    up to two thousand links, and reversing each took a third of the response time."""
    marker = 987654321
    prefix, suffix = reverse(name, args=[marker]).split(str(marker))
    return lambda pk: f"{prefix}{pk}{suffix}"


def _in_scope(user):
    """The user's risk points on the map and open hazards, by the scope's unit ids (read
    once for both): the map's indexes by unit hold the coordinates, so a district's clusters
    come from the index alone instead of joining every row to its unit's path."""
    points = RiskPoint.objects.filter(ON_MAP)
    hazards = Hazard.objects.filter(OPEN_ON_MAP)
    if not (user and user.is_authenticated and user.is_active) or user.sees_whole_city:
        return points.visible_to(user), hazards.visible_to(user)
    ranges = []
    for pk in OrgUnit.objects.visible_to(user).order_by("pk").values_list("pk", flat=True):
        if ranges and ranges[-1][1] == pk - 1:
            ranges[-1][1] = pk
        else:
            ranges.append([pk, pk])
    if not ranges:
        return points.none(), hazards.none()
    scope = reduce(or_, (Q(org_unit__pk__range=tuple(r)) for r in ranges))
    return points.filter(scope), hazards.filter(scope)


def feature_collection(user, params) -> dict:
    points, hazards = _in_scope(user)
    view = grid.View.from_params(params)
    if view is not None:
        points, hazards = view.filter(points), view.filter(hazards)
    else:  # first load: all the user's data, which the view shows whole
        box = grid.extent(points, hazards)
        view = grid.View.around(box) if box else None
    legend = [
        {"value": value, "label": str(label), "color": LEVEL_COLORS[value]}
        for value, label in RiskLevel.choices
    ] + [
        {
            "value": f"hazard_{value}",
            "label": _("未销号%(severity)s") % {"severity": label},
            "color": HAZARD_MARKERS[value],
            "ring": True,
        }
        for value, label in Severity.choices
    ]
    counts = dict.fromkeys((entry["value"] for entry in legend), 0)
    features = []
    if view is not None:
        features += _layer(
            points,
            view,
            counts,
            field="level",
            worst_first=RiskLevel.values,
            title=lambda n: ngettext("%(count)d 个风险点", "%(count)d 个风险点", n),
            one_by_one=_risk_points,
        )
        features += _layer(
            hazards,
            view,
            counts,
            field="severity",
            worst_first=Severity.values,
            title=lambda n: ngettext("%(count)d 个未销号隐患", "%(count)d 个未销号隐患", n),
            one_by_one=_hazards,
            kind="hazard",
            legend_prefix="hazard_",
        )
    return {
        "type": "FeatureCollection",
        "bbox": view.bbox if view else None,
        "legend": legend,
        "counts": counts,
        "features": features,
    }


def _layer(
    queryset,
    view,
    counts,
    *,
    field,
    worst_first,
    title,
    one_by_one,
    kind="risk_point",
    legend_prefix="",
):
    """The markers of one kind (``queryset``, already limited to ``view``): its points one
    by one when there are at most ``MAX_POINTS``, else one per grid cell, coloured as the
    cell's worst point (the first of ``worst_first``) and named by ``title(count)``, whose
    click zooms to the cell. Adds the points in view per legend entry to ``counts``."""
    cells = grid.clusters(queryset, view, field)
    for cell in cells:
        for value, n in cell.counts.items():
            counts[legend_prefix + value] = counts.get(legend_prefix + value, 0) + n
    if sum(cell.count for cell in cells) <= MAX_POINTS:
        return one_by_one(queryset)
    return [
        _point(
            round(cell.latitude, 6),
            round(cell.longitude, 6),
            kind=kind,
            cluster=True,
            count=cell.count,
            level=legend_prefix + min(cell.counts, key=worst_first.index),
            title=title(cell.count) % {"count": cell.count},
            bounds=cell.bounds,
        )
        for cell in cells
    ]


def _risk_points(points):
    level_labels = {value: str(label) for value, label in RiskLevel.choices}
    responsible = _("责任人：%(name)s")
    url = _url_for("hazards:point_detail")
    rows = points.values(
        "pk",
        "name",
        "level",
        "latitude",
        "longitude",
        "address",
        "org_unit__name",
        "category__name",
        "responsible_person",
    ).order_by("pk")
    return [
        _point(
            p["latitude"],
            p["longitude"],
            kind="risk_point",
            level=p["level"],
            title=p["name"],
            url=url(p["pk"]),
            lines=[
                level_labels[p["level"]],
                f"{p['org_unit__name']} · {p['category__name']}",
                p["address"],
                responsible % {"name": p["responsible_person"] or "—"},
            ],
        )
        for p in rows[:MAX_POINTS]
    ]


def _hazards(hazards):
    # translated once, not per hazard
    states = {
        value: _("状态：%(state)s") % {"state": label} for value, label in HazardState.choices
    }
    deadline, overdue = _("整改期限：%(date)s"), _("已逾期")
    url = _url_for("hazards:detail")
    rows = (
        hazards.with_flags()
        .values(
            "pk",
            "title",
            "severity",
            "state",
            "latitude",
            "longitude",
            "deadline",
            "org_unit__name",
            "category__name",
            "overdue_flag",
        )
        .order_by("pk")
    )
    features = []
    for h in rows[:MAX_POINTS]:
        lines = [f"{h['org_unit__name']} · {h['category__name']}", states[h["state"]]]
        if h["deadline"]:
            lines.append(deadline % {"date": h["deadline"].isoformat()})
        if h["overdue_flag"]:
            lines.append(overdue)
        features.append(
            _point(
                h["latitude"],
                h["longitude"],
                kind="hazard",
                level=f"hazard_{h['severity']}",
                title=h["title"],
                url=url(h["pk"]),
                overdue=h["overdue_flag"],
                lines=lines,
            )
        )
    return features
