import datetime

import pytest
from django.apps import apps
from django.contrib.auth.models import Permission

from apps.orgs.models import OrgKind, Role
from apps.people.models import HelperAssignment, VulnerableResident
from apps.plans.models import Plan
from apps.response.models import CardLevel, CardTask
from apps.shelters.reference import ensure_reference_data
from apps.warnings.models import Status
from tests.conftest import make_user
from tests.factories import child
from tests.incidents.factories import make_incident
from tests.shelters.factories import ShelterFactory
from tests.supplies.factories import ItemFactory, SiteFactory, stock
from tests.warnings.factories import make_warning


def grant_vulnerable(*users):
    perm = Permission.objects.get(
        content_type__app_label="people", codename="view_vulnerable_resident"
    )
    for user in users:
        user.user_permissions.add(perm)


@pytest.fixture
def world(tree):
    """甲街道 (S1) with its community 甲一居委 (and a second one), a 防台 plan in force with a
    card for Ⅱ and Ⅰ级, a shelter for 5 people, two vulnerable residents (one with a helper)
    and a site holding 50 sandbags; the people of the permission matrix around it."""
    s1, c1 = tree["s1"], tree["c1"]
    c3 = child(s1, OrgKind.COMMUNITY, code="S1C2", name="甲二居委")
    staff = make_user(s1, username="staff")
    other_staff = make_user(tree["s2"], username="other_staff")
    reviewer = make_user(tree["d1"], Role.DISTRICT_REVIEWER, username="reviewer")
    community = make_user(c1, Role.COMMUNITY_STAFF, username="community", mobile="13900000001")
    other_community = make_user(
        c3, Role.COMMUNITY_STAFF, username="other_community", mobile="13900000002"
    )
    grant_vulnerable(staff, community, other_community)
    plan = Plan.objects.create(
        org_unit=s1,
        kind=Plan.Kind.SPECIAL,
        title="甲街道防汛防台专项应急预案",
        department="街道应急办",
        status=Plan.Status.IN_FORCE,
        effective_date=datetime.date(2025, 1, 1),
    )
    level2 = CardLevel.objects.create(plan=plan, level=2, trigger="台风橙色预警")
    CardTask.objects.create(
        card_level=level2, title="会商", role="街道应急办", unit=s1, due_hours=1
    )
    CardTask.objects.create(
        card_level=level2, title="转移居民", role="居委会", unit=c1, due_hours=2
    )
    level1 = CardLevel.objects.create(plan=plan, level=1, trigger="台风红色预警")
    CardTask.objects.create(
        card_level=level1, title="全部转移", role="居委会", unit=c1, due_hours=1
    )
    ensure_reference_data(lambda name: apps.get_model("shelters", name))
    shelter = ShelterFactory(org_unit=s1, name="甲街道避难点", capacity=5)
    old = VulnerableResident.objects.create(
        org_unit=c1, name="张老伯", category="elderly", address="甲路1号", phone="13800000001"
    )
    HelperAssignment.objects.create(
        resident=old,
        helper_name="李帮扶",
        helper_phone="13700000001",
        relation="cadre",
        started_on=datetime.date(2025, 1, 1),
    )
    disabled = VulnerableResident.objects.create(
        org_unit=c3, name="王阿姨", category="disabled", address="甲路2号"
    )
    # 防汛沙袋 of the catalogue (made again when a transactional test flushed the fixtures)
    sandbags = ItemFactory(code="FX001", name="防汛沙袋", category="flood", unit="只")
    site = SiteFactory(org_unit=s1, name="甲街道储备库")
    stock(staff, site, sandbags, 50, lot_no="A")
    return {
        **tree,
        "c3": c3,
        "staff": staff,
        "other_staff": other_staff,
        "reviewer": reviewer,
        "community": community,
        "other_community": other_community,
        "plan": plan,
        "shelter": shelter,
        "old": old,
        "disabled": disabled,
        "sandbags": sandbags,
        "site": site,
    }


@pytest.fixture
def links(world):
    """What an event of 甲街道's plan may name and what it may not: 一区's published warning
    (covers 甲街道), 二区's (not seen from 甲街道), 甲街道's own for 甲一居委 only (seen, but not
    covering the street), a draft and a cancelled one; an incident of 甲一居委 and one of
    乙街道; and an admin, who sees everything, so only the area and subtree rules stop them."""
    w = world
    return {
        "admin": make_user(w["sh"], Role.ADMIN, username="root", is_superuser=True),
        "warning": make_warning(w["d1"], headline="一区暴雨黄色预警"),
        "other_district_warning": make_warning(w["d2"], headline="二区暴雨黄色预警"),
        "community_warning": make_warning(w["s1"], [w["c1"]], headline="甲一居委积水预警"),
        "draft_warning": make_warning(w["s1"], status=Status.DRAFT),
        "cancelled_warning": make_warning(w["d1"], status=Status.CANCELLED),
        "incident": make_incident(w["c1"], "甲一居委地下车库进水"),
        "other_incident": make_incident(w["s2"], "乙街道下立交积水"),
    }
