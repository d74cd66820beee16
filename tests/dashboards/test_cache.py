"""The dashboards' cache: figures are read back without queries and recomputed as soon as a
record behind them changes, for the unit that owns the record and every unit above it."""

import datetime

from django.utils import translation

from apps.dashboards import cache
from apps.people.models import LeadershipMember
from tests.conftest import make_user
from tests.hazards.factories import HazardFactory
from tests.people.factories import LeadershipGroupFactory, LeadershipMemberFactory
from tests.supplies.factories import ItemFactory, SiteFactory, stock

TODAY = datetime.date.today()


def test_cached_figures_need_no_query(tree, django_assert_num_queries):
    HazardFactory(org_unit=tree["c1"], state="assigned")
    first = cache.cached_facts_for_units([tree["s1"], tree["s2"]])
    with django_assert_num_queries(0):
        again = cache.cached_facts_for_units([tree["s1"], tree["s2"]])
    assert again == first
    assert again[tree["s1"].pk]["hazards"]["open"] == 1


def test_the_warm_task_computes_every_street_and_district_ahead(tree, django_assert_num_queries):
    from apps.dashboards.tasks import warm_dashboards

    HazardFactory(org_unit=tree["c1"], state="assigned")
    assert warm_dashboards() == 5  # 3 streets, 2 districts
    with django_assert_num_queries(0):
        facts = cache.cached_facts_for_units([tree["s1"], tree["s2"], tree["s3"]])
        assert cache.cached_unit_facts(tree["d1"])["hazards"]["open"] == 1
    assert facts[tree["s1"].pk]["hazards"]["open"] == 1
    # figures it stored stay true: a change is computed again by its first reader
    HazardFactory(org_unit=tree["c1"], state="assigned")
    assert cache.cached_unit_facts(tree["s1"])["hazards"]["open"] == 2
    with django_assert_num_queries(0):  # the other streets are still the warmed ones
        cache.cached_facts_for_units([tree["s2"], tree["s3"]])


def test_the_warm_task_refreshes_figures_a_change_left_alone(tree):
    """A write that bypassed the signals (fixed by the next warm, not only by expiry)."""
    from apps.hazards.models import Hazard

    hazard = HazardFactory(org_unit=tree["c1"], state="assigned")
    assert cache.cached_unit_facts(tree["s1"])["hazards"]["open"] == 1
    Hazard.objects.filter(pk=hazard.pk).update(state="closed")  # no signal
    assert cache.cached_unit_facts(tree["s1"])["hazards"]["open"] == 1
    cache.warm()
    assert cache.cached_unit_facts(tree["s1"])["hazards"]["open"] == 0


def test_a_new_record_refreshes_its_unit_and_every_ancestor(tree):
    for unit in ("c1", "s1", "d1", "sh"):
        assert cache.cached_unit_facts(tree[unit])["hazards"]["open"] == 0
    hazard = HazardFactory(org_unit=tree["e1"], state="assigned")
    for unit in ("c1", "s1", "d1", "sh"):
        assert cache.cached_unit_facts(tree[unit])["hazards"]["open"] == 1, unit
    hazard.state = "closed"
    hazard.save()
    assert cache.cached_unit_facts(tree["s1"])["hazards"]["open"] == 0
    hazard.delete()
    assert cache.cached_unit_facts(tree["s1"])["hazards"]["closed"] == 0


def test_moving_a_unit_refreshes_its_old_ancestors_and_its_new_ones(tree):
    HazardFactory(org_unit=tree["e1"], state="assigned")
    assert cache.cached_unit_facts(tree["s1"])["hazards"]["open"] == 1
    assert cache.cached_unit_facts(tree["s2"])["hazards"]["open"] == 0
    community = tree["c1"]
    community.parent = tree["s2"]
    community.save()
    assert cache.cached_unit_facts(tree["s1"])["hazards"]["open"] == 0
    assert cache.cached_unit_facts(tree["s2"])["hazards"]["open"] == 1
    assert cache.cached_unit_facts(tree["d1"])["hazards"]["open"] == 1


def test_another_streets_record_leaves_the_cached_figures(tree, django_assert_num_queries):
    cache.cached_facts_for_units([tree["s1"]])
    HazardFactory(org_unit=tree["s2"], state="assigned")
    with django_assert_num_queries(0):
        assert cache.cached_unit_facts(tree["s1"])["hazards"]["open"] == 0
    assert cache.cached_unit_facts(tree["s2"])["hazards"]["open"] == 1


def test_records_owned_through_another_model_refresh_too(tree):
    staff = make_user(tree["s1"])
    site = SiteFactory(org_unit=tree["c1"])
    assert cache.cached_unit_facts(tree["s1"])["supplies"]["lots_expiring_30d"] == 0
    stock(staff, site, ItemFactory(), 5, expiry_in=10)  # a Lot: owned through its site
    assert cache.cached_unit_facts(tree["s1"])["supplies"]["lots_expiring_30d"] == 1

    group = LeadershipGroupFactory(org_unit=tree["s1"])
    assert not cache.cached_unit_facts(tree["s1"])["people"]["leadership_group"]
    LeadershipMemberFactory(group=group, post=LeadershipMember.Post.LEADER)
    assert cache.cached_unit_facts(tree["s1"])["people"]["leadership_group"]


def test_the_trend_is_cached_and_refreshed(tree, django_assert_num_queries):
    assert sum(m["found"] for m in cache.hazard_trend(tree["s1"])) == 0
    HazardFactory(org_unit=tree["c1"], found_on=TODAY)
    with django_assert_num_queries(1):
        assert sum(m["found"] for m in cache.hazard_trend(tree["s1"])) == 1


def test_readiness_texts_follow_the_language_of_each_request(tree):
    with translation.override("zh-hans"):
        chinese = cache.cached_unit_facts(tree["s1"])["readiness"][0]["label"]
    with translation.override("en"):
        english = cache.cached_unit_facts(tree["s1"])["readiness"][0]["label"]
    assert chinese == "有班子"
    assert english != chinese


def test_a_bulk_stock_import_refreshes_the_figures(tree):
    from apps.supplies.services import set_lot_balances

    staff = make_user(tree["s1"])
    site, item = SiteFactory(org_unit=tree["c1"]), ItemFactory(expires=True)
    assert cache.cached_unit_facts(tree["d1"])["supplies"]["lots_expiring_30d"] == 0
    set_lot_balances(staff, [(site, item, 7, "B1", TODAY + datetime.timedelta(days=5))])
    assert cache.cached_unit_facts(tree["d1"])["supplies"]["lots_expiring_30d"] == 1


# Tables the figures read that need no signal: the org tree's own (moving a unit sends
# records_changed), reference data, and how the figures reach a record's unit.
NOT_RECORDS = {
    "orgs_orgunit",
    "hazards_hazardcategory",
    "supplies_item",
    "incidents_incidenttype",
    "warnings_warning",  # a warning's calls are its figures (warnings.Call)
    "plans_plan_hazard_types",
    # a grid's 小区 and its workers' accounts change through apps.orgs.services, which sends
    # records_changed (users have no unit of their own to refresh)
    "orgs_grid",
    "orgs_grid_estates",
    "orgs_user",
}


def test_every_model_the_figures_read_refreshes_the_cache(tree):
    """A model read by ``indicators`` but missing from FACT_MODELS would leave the dashboards
    stale: every table in the figures' SQL is a model of that list (or named above, why)."""
    import re

    from django.apps import apps
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from apps.dashboards import indicators

    with CaptureQueriesContext(connection) as queries:
        indicators.facts_for_units([tree["s1"], tree["c1"]])
    read = set()
    for query in queries.captured_queries:
        read |= set(re.findall(r'(?:FROM|JOIN) "(\w+)"', query["sql"]))
    tables = {apps.get_model(label)._meta.db_table for label in cache.FACT_MODELS}
    through = {
        field.remote_field.through._meta.db_table: field.model._meta.db_table
        for model in apps.get_models()
        for field in model._meta.local_many_to_many
    }
    missing = {
        table
        for table in read - tables - NOT_RECORDS
        if through.get(table) not in tables  # an M2M of a listed model changes with it
    }
    assert not missing, missing
