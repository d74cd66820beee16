"""Read side of the front line's accounts and of grids: which accounts and grids a user sees,
and the two grid indicators, for a list of units in a constant number of queries (``rollup``):

- 网格化覆盖率: the 小区 in a grid that has an active grid worker, of all 小区;
- 网格员发现隐患处理率: of the hazards grid workers found in the last 12 months, those closed
  (销号). The finder is the account that reported the hazard (``Hazard.reported_by``).
"""

import datetime

from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.utils import timezone

from apps.hazards.models import Hazard, HazardState

from .models import FRONTLINE_ROLES, Grid, OrgKind, OrgUnit, Role, User, rollup

WINDOW_DAYS = 365


def accounts_visible_to(user: User):
    """Front-line accounts of the units the user sees (street staff: their street's)."""
    return User.objects.filter(
        role__in=FRONTLINE_ROLES, org_unit__in=OrgUnit.objects.visible_to(user)
    ).select_related("org_unit", "grid")


def grids_visible_to(user: User):
    """Grids of the communities the user sees, with their 小区 and grid workers."""
    return (
        Grid.objects.visible_to(user)
        .select_related("community")
        .prefetch_related(
            Prefetch("estates", queryset=OrgUnit.objects.order_by("code")),
            Prefetch(
                "workers",
                queryset=User.objects.filter(role=Role.GRID_WORKER).order_by("username"),
            ),
        )
    )


def _percent(part, whole):
    return round(100 * part / whole, 1) if whole else None


def grid_figures(units, *, today: datetime.date | None = None) -> dict[int, dict]:
    """``{unit.pk: figures}``, each unit counting its subtree: ``estates``,
    ``estates_covered``, ``coverage_rate`` (%, None without 小区), ``hazards_found``,
    ``hazards_closed``, ``handling_rate`` (%, None without hazards). Two queries."""
    today = today or timezone.localdate()
    since = today - datetime.timedelta(days=WINDOW_DAYS)
    worker = User.objects.filter(
        role=Role.GRID_WORKER, is_active=True, grid__estates=OuterRef("pk")
    )
    estates = rollup(
        OrgUnit.objects.filter(kind=OrgKind.ESTATE),
        units,
        path="path",
        all=Count("pk"),
        covered=Count("pk", filter=Q(Exists(worker))),
    )
    hazards = rollup(
        Hazard.objects.filter(
            reported_by__role=Role.GRID_WORKER, found_on__gte=since, found_on__lte=today
        ),
        units,
        found=Count("pk"),
        closed=Count("pk", filter=Q(state=HazardState.CLOSED)),
    )
    return {
        unit.pk: {
            "estates": estates[unit.pk]["all"],
            "estates_covered": estates[unit.pk]["covered"],
            "coverage_rate": _percent(estates[unit.pk]["covered"], estates[unit.pk]["all"]),
            "hazards_found": hazards[unit.pk]["found"],
            "hazards_closed": hazards[unit.pk]["closed"],
            "handling_rate": _percent(hazards[unit.pk]["closed"], hazards[unit.pk]["found"]),
        }
        for unit in units
    }
