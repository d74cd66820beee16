"""One definition per indicator. Dashboards, reports and the demonstration-community
applications all read the figures from here, so a number means the same everywhere.

Every indicator is computed for a *list* of units at once (each unit counting its whole
subtree), one SQL query per indicator group whatever the number of units: the street
dashboard asks for one unit, the district dashboard for all its streets.

``facts_for_units(units)`` → ``{unit.pk: facts}``; ``unit_facts(unit)`` for one unit. Facts are
JSON-serialisable (dates as ISO strings) so an application can freeze them at submission.
The 六有 readiness is derived from the facts, never typed in (``readiness``)."""

import datetime
import os
from functools import partial

from django.db.models import Count, DateField, Exists, Max, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.drills.models import Drill, DrillStatus
from apps.hazards.models import Hazard, HazardState
from apps.hazards.services import hazard_stats_by_unit
from apps.orgs.models import PATH_SEPARATOR, OrgKind, OrgUnit, subtree_aggregate
from apps.people.models import EmergencyTeam, InformationOfficer, LeadershipGroup, LeadershipMember
from apps.plans.models import Plan
from apps.shelters.services import TARGET_AREA_PER_RESIDENT, area_per_resident
from apps.supplies.models import Lot, Site
from apps.supplies.services import shortfalls

WINDOW_DAYS = 365


def _units(units):
    units = list(units)
    return units, OrgUnit.objects.filter(pk__in=[u.pk for u in units])


def common_path(units):
    """The path of the deepest unit every one of ``units`` lies under (or is)."""
    prefix = os.path.commonprefix([u.path for u in units])
    return prefix[: prefix.rfind(PATH_SEPARATOR) + 1]


def _rows(queryset, **annotations):
    return {u.pk: u for u in queryset.annotate(**annotations)}


def _plans(qs, within):
    _agg = partial(subtree_aggregate, within=within)
    in_force = Plan.objects.filter(status=Plan.Status.IN_FORCE)
    covered_community = Exists(
        Plan.objects.filter(
            org_unit=OuterRef("pk"), kind=Plan.Kind.COMMUNITY, status=Plan.Status.IN_FORCE
        )
    )
    communities = OrgUnit.objects.filter(kind=OrgKind.COMMUNITY)
    rows = _rows(
        qs,
        p_overall=_agg(in_force.filter(kind=Plan.Kind.OVERALL), Count("pk")),
        p_in_force=_agg(in_force, Count("pk")),
        p_overdue=_agg(Plan.objects.review_overdue(), Count("pk")),
        p_communities=_agg(communities, Count("pk"), path="path"),
        p_covered=_agg(communities.filter(covered_community), Count("pk"), path="path"),
    )
    return {
        pk: {
            "overall_in_force": u.p_overall > 0,
            "in_force": u.p_in_force,
            "review_overdue": u.p_overdue,
            "communities": u.p_communities,
            "communities_covered": u.p_covered,
        }
        for pk, u in rows.items()
    }


def _hazards(qs, today, within):
    since = today - datetime.timedelta(days=WINDOW_DAYS)
    hazards = Hazard.objects.filter(org_unit__path__startswith=within)
    recent = {
        r["unit"].pk: r
        for r in hazard_stats_by_unit(hazards.filter(found_on__gte=since), qs, today=today)
    }
    every = {r["unit"].pk: r for r in hazard_stats_by_unit(hazards, qs, today=today)}
    return {
        pk: {
            "total": recent[pk]["total"],
            "closed": recent[pk]["closed"],
            "closure_rate": recent[pk]["closure_rate"],
            "open": every[pk]["open"],
            "overdue": every[pk]["overdue"],
        }
        for pk in recent
    }


def _supplies(qs, today, within):
    _agg = partial(subtree_aggregate, within=within)
    expiring = Lot.objects.filter(
        quantity__gt=0,
        expiry_date__isnull=False,
        expiry_date__lte=today + datetime.timedelta(days=30),
    )
    rows = _rows(
        qs,
        s_sites=_agg(Site.objects.all(), Count("pk")),
        s_short=_agg(shortfalls(), Count("pk"), path="site__org_unit__path"),
        s_expiring=_agg(expiring, Count("pk"), path="site__org_unit__path"),
    )
    return {
        pk: {
            "sites": u.s_sites,
            "items_below_standard": u.s_short,
            "lots_expiring_30d": u.s_expiring,
        }
        for pk, u in rows.items()
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


def _drills(qs, today, within):
    _agg = partial(subtree_aggregate, within=within)
    since = today - datetime.timedelta(days=WINDOW_DAYS)
    held = Drill.objects.filter(
        status=DrillStatus.COMPLETED,
        date__gte=since,
        date__lte=today,
        org_unit__path__startswith=within,
    )
    drilled = Exists(held.filter(org_unit__path__startswith=OuterRef("path")))
    rows = _rows(
        qs,
        d_held=_agg(held, Count("pk")),
        d_last=_agg(
            Drill.objects.filter(status=DrillStatus.COMPLETED, date__lte=today),
            Max("date"),
            output_field=DateField(),
            default=None,
        ),
        d_without=_agg(
            OrgUnit.objects.filter(kind=OrgKind.COMMUNITY).exclude(drilled),
            Count("pk"),
            path="path",
        ),
    )
    return {
        pk: {
            "held_12m": u.d_held,
            "last_held": u.d_last.isoformat() if u.d_last else None,
            "communities_without_drill": u.d_without,
        }
        for pk, u in rows.items()
    }


def _people(qs, within):
    _agg = partial(subtree_aggregate, within=within)
    leader = LeadershipMember.objects.filter(
        group=OuterRef("pk"), post=LeadershipMember.Post.LEADER
    )
    group = LeadershipGroup.objects.filter(org_unit=OuterRef("pk"))
    officer = InformationOfficer.objects.filter(is_active=True, org_unit=OuterRef("pk"))
    estates = OrgUnit.objects.filter(kind=OrgKind.ESTATE)
    rows = _rows(
        qs,
        h_group=Exists(group.filter(Exists(leader))),
        h_mechanism=Exists(group.exclude(document_no="").exclude(office_department="")),
        h_teams=_agg(
            EmergencyTeam.objects.filter(is_active=True, members__isnull=False),
            Count("pk", distinct=True),
        ),
        h_members=_agg(EmergencyTeam.objects.filter(is_active=True), Count("members")),
        h_estates=_agg(estates, Count("pk"), path="path"),
        h_estates_covered=_agg(estates.filter(Exists(officer)), Count("pk"), path="path"),
    )
    return {
        pk: {
            "leadership_group": u.h_group,
            "mechanism": u.h_mechanism,
            "teams_with_members": u.h_teams,
            "team_members": u.h_members,
            "estates": u.h_estates,
            "estates_with_officer": u.h_estates_covered,
        }
        for pk, u in rows.items()
    }


def facts_for_units(units, *, today=None):
    """Facts for every unit in ``units`` (each counting its subtree). The caller has checked
    the units are within the user's scope. A constant number of queries."""
    today = today or timezone.localdate()
    units, qs = _units(units)
    if not units:
        return {}
    within = common_path(units)
    groups = {
        "plans": _plans(qs, within),
        "hazards": _hazards(qs, today, within),
        "supplies": _supplies(qs, today, within),
        "shelters": _shelters(units),
        "drills": _drills(qs, today, within),
        "people": _people(qs, within),
    }
    result = {}
    for unit in units:
        facts = {name: values[unit.pk] for name, values in groups.items()}
        facts["readiness"] = readiness(facts)
        result[unit.pk] = facts
    return result


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
