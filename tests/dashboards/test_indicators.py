"""Each indicator on hand-made data with known answers, including empty units."""

import datetime

import pytest

from apps.dashboards.indicators import facts_for_units, unit_facts
from apps.orgs.models import OrgKind
from apps.people.models import LeadershipMember
from apps.plans.models import Plan
from apps.supplies import services as supplies
from tests.conftest import make_user
from tests.drills.factories import DrillFactory, HeldDrillFactory
from tests.factories import child
from tests.hazards.factories import HazardFactory
from tests.people.factories import (
    LeadershipGroupFactory,
    LeadershipMemberFactory,
    OfficerFactory,
    TeamMemberFactory,
)
from tests.plans.factories import PlanFactory
from tests.shelters.factories import ShelterFactory
from tests.supplies.factories import ItemFactory, SiteFactory, stock

TODAY = datetime.date.today()


def ago(days):
    return TODAY - datetime.timedelta(days=days)


def ready(facts):
    return {r["code"]: r["ok"] for r in facts["readiness"]}


def test_an_empty_street_has_zeros_and_nothing_ready(tree):
    facts = unit_facts(tree["s2"])
    assert facts["plans"] == {
        "overall_in_force": False,
        "in_force": 0,
        "review_overdue": 0,
        "communities": 1,
        "communities_covered": 0,
    }
    assert facts["hazards"] == {
        "total": 0,
        "closed": 0,
        "closure_rate": None,
        "open": 0,
        "overdue": 0,
    }
    assert facts["supplies"] == {"sites": 0, "items_below_standard": 0, "lots_expiring_30d": 0}
    assert facts["shelters"]["effective_area"] == 0 and facts["shelters"]["target"] == 1.2
    assert facts["drills"] == {"held_12m": 0, "last_held": None, "communities_without_drill": 1}
    assert facts["people"]["teams_with_members"] == 0 and not facts["people"]["leadership_group"]
    assert set(ready(facts).values()) == {False}
    assert all(r["reason"] for r in facts["readiness"])


def test_a_unit_without_population_has_no_per_resident_figure(tree):
    tree["s2"].population = None
    tree["s2"].save()
    assert unit_facts(tree["s2"])["shelters"]["per_resident"] is None


@pytest.fixture
def s1_world(tree):
    s1, c1 = tree["s1"], tree["c1"]
    s1.population = 1000
    s1.save()
    staff = make_user(s1)
    overall = PlanFactory(org_unit=s1, kind=Plan.Kind.OVERALL, effective_date=ago(10))
    PlanFactory(org_unit=c1, kind=Plan.Kind.COMMUNITY, parent=overall, effective_date=ago(10))
    PlanFactory(org_unit=s1, kind=Plan.Kind.SPECIAL, effective_date=ago(4 * 365))  # overdue
    PlanFactory(org_unit=s1, kind=Plan.Kind.SPECIAL, status=Plan.Status.DRAFT)
    HazardFactory(org_unit=c1, state="closed", found_on=ago(20), deadline=ago(5))
    HazardFactory(org_unit=c1, state="assigned", found_on=ago(20), deadline=ago(1))
    HazardFactory(org_unit=s1, state="reported", found_on=ago(3))
    HazardFactory(org_unit=c1, state="assigned", found_on=ago(400), deadline=ago(300))
    site = SiteFactory(org_unit=s1)
    water = ItemFactory(code="W1", name="瓶装饮用水", unit="箱", expires=True)
    supplies.set_standard(staff, site, water, 10)
    stock(staff, site, water, 4, expiry_in=10)
    ShelterFactory(org_unit=c1, effective_area=1200)
    HeldDrillFactory(org_unit=c1, date=ago(30))
    DrillFactory(org_unit=s1, date=TODAY + datetime.timedelta(days=5))  # planned: not held
    group = LeadershipGroupFactory(
        org_unit=s1, document_no="华办〔2026〕1号", office_department="街道应急办"
    )
    LeadershipMemberFactory(group=group, post=LeadershipMember.Post.LEADER)
    TeamMemberFactory(team__org_unit=s1)
    TeamMemberFactory(team=TeamMemberFactory(team__org_unit=c1).team)
    OfficerFactory(org_unit=tree["e1"])
    return tree


def test_known_answers(s1_world):
    facts = unit_facts(s1_world["s1"])
    assert facts["plans"] == {
        "overall_in_force": True,
        "in_force": 3,
        "review_overdue": 1,
        "communities": 1,
        "communities_covered": 1,
    }
    assert facts["hazards"] == {
        "total": 3,
        "closed": 1,
        "closure_rate": 33.3,
        "open": 3,
        "overdue": 2,
    }
    assert facts["supplies"] == {"sites": 1, "items_below_standard": 1, "lots_expiring_30d": 1}
    assert facts["shelters"]["effective_area"] == 1200.0
    assert facts["shelters"]["per_resident"] == 1.2 and facts["shelters"]["meets_target"]
    assert facts["drills"] == {
        "held_12m": 1,
        "last_held": ago(30).isoformat(),
        "communities_without_drill": 0,
    }
    assert facts["people"] == {
        "leadership_group": True,
        "mechanism": True,
        "teams_with_members": 2,
        "team_members": 3,
        "estates": 1,
        "estates_with_officer": 1,
    }
    assert ready(facts) == {
        "banzi": True,
        "jizhi": True,
        "yuan": True,
        "duiwu": True,
        "wuzi": False,
        "yanlian": True,
    }


def test_a_community_counts_only_its_own_subtree(s1_world):
    facts = unit_facts(s1_world["c1"])
    assert facts["hazards"]["total"] == 2
    assert facts["people"]["teams_with_members"] == 1
    assert facts["people"]["leadership_group"] is False  # the group belongs to the street
    assert facts["supplies"]["sites"] == 0


def test_siblings_share_nothing(s1_world):
    facts = unit_facts(s1_world["s2"])
    assert facts["hazards"]["total"] == 0 and facts["plans"]["in_force"] == 0
    assert facts["drills"]["held_12m"] == 0


def test_query_count_does_not_grow_with_the_number_of_units(
    s1_world, django_assert_max_num_queries
):
    with django_assert_max_num_queries(14) as one:  # a constant few per fact group
        facts_for_units([s1_world["s1"]])
    streets = [s1_world["s1"], s1_world["s2"], s1_world["s3"]]
    for i in range(12):
        streets.append(child(s1_world["d2"], OrgKind.STREET, code=f"X{i}", name=f"街道{i}"))
    with django_assert_max_num_queries(len(one.captured_queries)):
        result = facts_for_units(streets)
    assert len(result) == 15
