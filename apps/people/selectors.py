"""What the people register tells the pages and the other apps (dashboards, the 六有 readiness,
application facts for 应急力量建设): 有队伍 (``team_facts``), 有班子 (``leadership_facts``) and
information-officer coverage (``officer_coverage``). Aggregates only, no personal data; the
caller has checked the unit."""

from django.db.models import Count, Q

from apps.orgs.models import OrgKind, OrgUnit

from .models import EmergencyTeam, InformationOfficer, LeadershipGroup, LeadershipMember


def _subtree(unit):
    return {"org_unit__path__startswith": unit.path}


def team_facts(unit):
    """有队伍 for ``unit`` and everything below it: active teams, members, teams per kind, and
    whether there is at least one active team with members."""
    teams = list(
        EmergencyTeam.objects.filter(is_active=True, **_subtree(unit))
        .values("kind")
        .annotate(n=Count("id", distinct=True), members=Count("members"))
    )
    staffed = (
        EmergencyTeam.objects.filter(is_active=True, **_subtree(unit))
        .filter(members__isnull=False)
        .distinct()
        .count()
    )
    by_kind = {kind: 0 for kind in EmergencyTeam.Kind.values}
    for row in teams:
        by_kind[row["kind"]] += row["n"]
    return {
        "teams": sum(row["n"] for row in teams),
        "members": sum(row["members"] for row in teams),
        "by_kind": by_kind,
        "staffed_teams": staffed,
        "has_team": staffed > 0,
    }


def officer_coverage(street):
    """灾害信息员 coverage of one street: one officer expected per 小区. Returns the estates
    grouped by community with their active officers, the estates without one, and the
    officers at street and community level. Three queries whatever the street's size."""
    estates = list(
        OrgUnit.objects.filter(path__startswith=street.path, kind=OrgKind.ESTATE)
        .select_related("parent")
        .order_by("path")
    )
    communities = list(
        OrgUnit.objects.filter(path__startswith=street.path, kind=OrgKind.COMMUNITY).order_by(
            "path"
        )
    )
    officers = list(
        InformationOfficer.objects.filter(is_active=True, **_subtree(street))
        .select_related("org_unit")
        .order_by("org_unit__path", "name")
    )
    by_unit = {}
    for officer in officers:
        by_unit.setdefault(officer.org_unit_id, []).append(officer)
    groups = {
        c.pk: {"community": c, "officers": by_unit.get(c.pk, []), "estates": []}
        for c in communities
    }
    uncovered = []
    for estate in estates:
        estate.officers = by_unit.get(estate.pk, [])
        if not estate.officers:
            uncovered.append(estate)
        group = groups.get(estate.parent_id)
        if group is not None:
            group["estates"].append(estate)
    covered = len(estates) - len(uncovered)
    return {
        "street": street,
        "street_officers": by_unit.get(street.pk, []),
        "communities": list(groups.values()),
        "estates": len(estates),
        "covered": covered,
        "uncovered": uncovered,
        "rate": round(100 * covered / len(estates)) if estates else None,
        "officers": len(officers),
    }


def leadership_facts(unit):
    """有班子: the unit's leadership group, its members, and whether it has a 组长."""
    group = (
        LeadershipGroup.objects.filter(org_unit=unit)
        .annotate(
            member_count=Count("members"),
            leaders=Count("members", filter=Q(members__post=LeadershipMember.Post.LEADER)),
        )
        .first()
    )
    return {
        "group": group,
        "members": group.member_count if group else 0,
        "present": bool(group and group.leaders),
    }
