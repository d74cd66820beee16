"""One definition per indicator. Dashboards, reports and the demonstration-community
applications all read the figures from here, so a number means the same everywhere.

Every indicator is computed for a *list* of units at once (each unit counting its whole
subtree), one SQL query per indicator group whatever the number of units: the street
dashboard asks for one unit, the district dashboard for all its streets.

``facts_for_units(units)`` → ``{unit.pk: facts}``; ``unit_facts(unit)`` for one unit. Facts are
JSON-serialisable (dates as ISO strings) so an application can freeze them at submission.
The 六有 readiness is derived from the facts, never typed in (``readiness``)."""

import datetime

from django.db.models import Count, Exists, Max, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.drills.models import Drill, DrillStatus
from apps.hazards.models import Hazard, HazardState
from apps.hazards.services import hazard_stats_by_unit
from apps.incidents.selectors import incident_figures
from apps.orgs.models import OrgKind, OrgUnit, rollup
from apps.orgs.selectors import grid_figures
from apps.people.models import EmergencyTeam, InformationOfficer, LeadershipGroup, LeadershipMember
from apps.plans.models import Plan
from apps.shelters.services import TARGET_AREA_PER_RESIDENT, area_per_resident
from apps.supplies.models import Lot, Site
from apps.supplies.services import shortfalls
from apps.warnings.selectors import call_figures

WINDOW_DAYS = 365


def _units_below(units, today):
    """Per unit, one query over the units below it: its communities, those covered by an
    in-force community plan and those without a drill held in the last 12 months; its 小区
    and those with an active information officer."""
    community, estate = Q(kind=OrgKind.COMMUNITY), Q(kind=OrgKind.ESTATE)
    covered = Exists(
        Plan.objects.filter(
            org_unit=OuterRef("pk"), kind=Plan.Kind.COMMUNITY, status=Plan.Status.IN_FORCE
        )
    )
    since = today - datetime.timedelta(days=WINDOW_DAYS)
    held = Drill.objects.filter(status=DrillStatus.COMPLETED, date__gte=since, date__lte=today)
    # a community's subtree is itself and its 小区 (a unit is always deeper than its parent and
    # 小区 is the deepest kind): two indexed look-ups instead of a prefix match per community
    drilled = Exists(held.filter(org_unit=OuterRef("pk"))) | Exists(
        held.filter(org_unit__parent=OuterRef("pk"))
    )
    officer = Exists(InformationOfficer.objects.filter(is_active=True, org_unit=OuterRef("pk")))
    return rollup(
        OrgUnit.objects.filter(community | estate),
        units,
        path="path",
        communities=Count("pk", filter=community),
        covered=Count("pk", filter=community & Q(covered)),
        without_drill=Count("pk", filter=community & ~Q(drilled)),
        estates=Count("pk", filter=estate),
        estates_covered=Count("pk", filter=estate & Q(officer)),
    )


def _plans(units, today, below):
    in_force = Q(status=Plan.Status.IN_FORCE)
    plans = rollup(
        Plan.objects.all(),
        units,
        overall=Count("pk", filter=in_force & Q(kind=Plan.Kind.OVERALL)),
        in_force=Count("pk", filter=in_force),
        overdue=Count("pk", filter=Q(pk__in=Plan.objects.review_overdue(today))),
    )
    return {
        unit.pk: {
            "overall_in_force": plans[unit.pk]["overall"] > 0,
            "in_force": plans[unit.pk]["in_force"],
            "review_overdue": plans[unit.pk]["overdue"],
            "communities": below[unit.pk]["communities"],
            "communities_covered": below[unit.pk]["covered"],
        }
        for unit in units
    }


def _hazards(units, today):
    since = today - datetime.timedelta(days=WINDOW_DAYS)
    rows = hazard_stats_by_unit(
        Hazard.objects.all(),
        units,
        today=today,
        found_since=since,
    )
    return {
        row["unit"].pk: {
            "total": row["recent"]["total"],
            "closed": row["recent"]["closed"],
            "closure_rate": row["recent"]["closure_rate"],
            "open": row["open"],
            "overdue": row["overdue"],
        }
        for row in rows
    }


def _supplies(units, today):
    sites = rollup(Site.objects.all(), units, n=Count("pk"))
    short = rollup(shortfalls(today=today), units, path="site__org_unit__path", n=Count("pk"))
    expiring = rollup(
        Lot.objects.filter(
            quantity__gt=0,
            expiry_date__gte=today,  # an expired lot is not "expiring" (it awaits 报损)
            expiry_date__lte=today + datetime.timedelta(days=30),
        ),
        units,
        path="site__org_unit__path",
        n=Count("pk"),
    )
    return {
        unit.pk: {
            "sites": sites[unit.pk]["n"],
            "items_below_standard": short[unit.pk]["n"],
            "lots_expiring_30d": expiring[unit.pk]["n"],
        }
        for unit in units
    }


def _shelters(units):
    result = {}
    for pk, area in area_per_resident(units).items():
        per_resident = area.per_resident
        result[pk] = {
            "effective_area": float(area.effective_area),
            "population": area.population,
            "per_resident": float(per_resident) if per_resident is not None else None,
            "target": float(TARGET_AREA_PER_RESIDENT),
            "meets_target": area.meets_target,
        }
    return result


def _drills(units, today, below):
    since = today - datetime.timedelta(days=WINDOW_DAYS)
    drills = rollup(
        Drill.objects.filter(status=DrillStatus.COMPLETED, date__lte=today),
        units,
        held=Count("pk", filter=Q(date__gte=since)),
        last=Max("date"),
    )
    return {
        unit.pk: {
            "held_12m": drills[unit.pk]["held"],
            "last_held": drills[unit.pk]["last"].isoformat() if drills[unit.pk]["last"] else None,
            "communities_without_drill": below[unit.pk]["without_drill"],
        }
        for unit in units
    }


def _people(units, below):
    teams = rollup(
        EmergencyTeam.objects.filter(is_active=True),
        units,
        with_members=Count("pk", distinct=True, filter=Q(members__isnull=False)),
        members=Count("members"),
    )
    return {
        unit.pk: {
            "leadership_group": unit.has_group,
            "mechanism": unit.has_mechanism,
            "teams_with_members": teams[unit.pk]["with_members"],
            "team_members": teams[unit.pk]["members"],
            "estates": below[unit.pk]["estates"],
            "estates_with_officer": below[unit.pk]["estates_covered"],
        }
        for unit in units
    }


def figures_for_units(units, *, today=None):
    """The facts of every unit in ``units`` (each counting its subtree) without the 六有
    readiness: plain data the dashboards cache (``apps.dashboards.cache``). The caller has
    checked the units are within the user's scope. A constant number of queries."""
    today = today or timezone.localdate()
    leader = LeadershipMember.objects.filter(
        group=OuterRef("pk"), post=LeadershipMember.Post.LEADER
    )
    group = LeadershipGroup.objects.filter(org_unit=OuterRef("pk"))
    # the units read afresh (population, 班子 and 机制); evaluated once, by the test below
    units = OrgUnit.objects.filter(pk__in=[u.pk for u in units]).annotate(
        has_group=Exists(group.filter(Exists(leader))),
        has_mechanism=Exists(group.exclude(document_no="").exclude(office_department="")),
    )
    if not units:
        return {}
    below = _units_below(units, today)
    groups = {
        "plans": _plans(units, today, below),
        "hazards": _hazards(units, today),
        "supplies": _supplies(units, today),
        "shelters": _shelters(units),
        "drills": _drills(units, today, below),
        "people": _people(units, below),
        "grids": grid_figures(units, today=today),  # 网格化覆盖率, 网格员发现隐患处理率
        "incidents": incident_figures(units, today=today),  # 近3年无因灾较大事故
        "warnings": call_figures(units, today=today),  # 今年的叫应率, 及时叫应率
    }
    return {unit.pk: {name: values[unit.pk] for name, values in groups.items()} for unit in units}


def with_readiness(figures):
    """The facts: the figures and the 六有 readiness derived from them."""
    return {**figures, "readiness": readiness(figures)}


def facts_for_units(units, *, today=None):
    """``{unit.pk: facts}`` for every unit in ``units``, computed now."""
    return {
        pk: with_readiness(figures) for pk, figures in figures_for_units(units, today=today).items()
    }


def unit_facts(unit, *, today=None):
    return facts_for_units([unit], today=today)[unit.pk]


def hazard_trend(unit, *, months=12, today=None):
    """Hazards found per month in the unit's subtree over the last ``months`` months, with how
    many of them are closed and the closure rate — one query."""
    from django.db.models.functions import TruncMonth

    today = today or timezone.localdate()
    first = (today.replace(day=1) - datetime.timedelta(days=31 * (months - 1))).replace(day=1)
    rows = (
        Hazard.objects.filter(org_unit__path__startswith=unit.path, found_on__gte=first)
        .annotate(month=TruncMonth("found_on"))
        .order_by()
        .values("month")
        .annotate(found=Count("pk"), closed=Count("pk", filter=Q(state=HazardState.CLOSED)))
    )
    by_month = {row["month"].strftime("%Y-%m"): row for row in rows}
    result, month = [], first
    while month <= today:
        key = month.strftime("%Y-%m")
        row = by_month.get(key, {"found": 0, "closed": 0})
        rate = round(100 * row["closed"] / row["found"], 1) if row["found"] else None
        result.append(
            {"month": key, "found": row["found"], "closed": row["closed"], "closure_rate": rate}
        )
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    return result


READINESS = [
    ("banzi", gettext_lazy("有班子")),
    ("jizhi", gettext_lazy("有机制")),
    ("yuan", gettext_lazy("有预案")),
    ("duiwu", gettext_lazy("有队伍")),
    ("wuzi", gettext_lazy("有物资")),
    ("yanlian", gettext_lazy("有演练")),
]


def readiness(facts):
    """六有 from the facts: each item with ``ok`` and the reason (what is missing)."""
    plans, people, supplies, drills = (
        facts["plans"],
        facts["people"],
        facts["supplies"],
        facts["drills"],
    )
    items = {
        "banzi": (
            people["leadership_group"],
            _("已成立应急工作领导小组并明确组长。")
            if people["leadership_group"]
            else _("尚未登记应急工作领导小组或未明确组长。"),
        ),
        "jizhi": (
            people["mechanism"],
            _("领导小组已发文成立并设办公室。")
            if people["mechanism"]
            else _("领导小组缺少成立文号或办公室，工作机制不完整。"),
        ),
        "yuan": (
            plans["overall_in_force"] and plans["communities_covered"] >= plans["communities"],
            _("总体预案生效，%(c)d/%(n)d 个居委/村有生效预案。")
            % {"c": plans["communities_covered"], "n": plans["communities"]}
            if plans["overall_in_force"]
            else _("没有生效的总体预案。"),
        ),
        "duiwu": (
            people["teams_with_members"] > 0,
            _("%(n)d 支应急队伍，共 %(m)d 名队员。")
            % {"n": people["teams_with_members"], "m": people["team_members"]},
        ),
        "wuzi": (
            supplies["sites"] > 0 and supplies["items_below_standard"] == 0,
            _("%(s)d 个储备库/点，%(b)d 项物资低于配置标准。")
            % {"s": supplies["sites"], "b": supplies["items_below_standard"]},
        ),
        "yanlian": (
            drills["held_12m"] > 0,
            _("近 12 个月举行演练 %(n)d 次。") % {"n": drills["held_12m"]}
            if drills["held_12m"]
            else _("近 12 个月没有举行演练。"),
        ),
    }
    return [
        {
            "code": code,
            "label": str(label),
            "ok": bool(items[code][0]),
            "reason": str(items[code][1]),
        }
        for code, label in READINESS
    ]


FIX_URLS = {
    "banzi": "people:leadership",
    "jizhi": "people:leadership",
    "yuan": "plans:system",
    "duiwu": "people:list",
    "wuzi": "supplies:overview",
    "yanlian": "drills:list",
}


def readiness_score(facts):
    """How many of the six are met (0–6)."""
    return sum(item["ok"] for item in facts["readiness"])


def fix_url(code):
    """Where a street fixes a missing readiness item."""
    return reverse(FIX_URLS[code])
