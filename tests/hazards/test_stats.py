"""hazard_stats / hazard_stats_by_unit: the figures every dashboard and report will use."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.hazards.models import Hazard, HazardState
from apps.hazards.services import hazard_stats, hazard_stats_below, hazard_stats_by_unit
from apps.orgs.models import OrgUnit, Role
from tests.conftest import make_user
from tests.hazards.factories import HazardFactory, category


@pytest.fixture
def hazards(tree):
    today = timezone.localdate()
    now = timezone.now()
    c1, s1, c2 = tree["c1"], tree["s1"], tree["c2"]
    gas = category("gas")
    return [
        HazardFactory(org_unit=c1),  # open, no deadline
        HazardFactory(
            org_unit=c1, state=HazardState.IN_PROGRESS, deadline=today - timedelta(days=2)
        ),  # overdue
        HazardFactory(
            org_unit=s1, state=HazardState.ASSIGNED, deadline=today, category=gas, severity="major"
        ),  # open, due today
        HazardFactory(
            org_unit=c1, state=HazardState.CLOSED, deadline=today, closed_at=now - timedelta(days=1)
        ),  # closed in time
        HazardFactory(
            org_unit=s1,
            state=HazardState.CLOSED,
            category=gas,
            deadline=today - timedelta(days=10),
            closed_at=now - timedelta(days=5),
        ),  # closed late
        HazardFactory(
            org_unit=c2, state=HazardState.CLOSED, deadline=today, closed_at=now
        ),  # another street
    ]


def test_figures_for_a_street(tree, hazards, django_assert_num_queries):
    qs = Hazard.objects.filter(org_unit__path__startswith=tree["s1"].path)
    with django_assert_num_queries(2):
        stats = hazard_stats(qs)
    assert {k: stats[k] for k in ("total", "open", "overdue", "closed", "closed_in_time")} == {
        "total": 5,
        "open": 3,
        "overdue": 1,
        "closed": 2,
        "closed_in_time": 1,
    }
    assert stats["major_open"] == 1
    assert stats["closure_rate"] == 40.0
    assert stats["in_time_rate"] == 50.0
    by_name = {row["name"]: row for row in stats["by_category"]}
    assert by_name["燃气安全"]["total"] == 2 and by_name["燃气安全"]["closed"] == 1
    assert by_name["楼道堆物"]["overdue"] == 1 and by_name["楼道堆物"]["closure_rate"] == 33.3


def test_no_hazards_means_no_rate(tree):
    stats = hazard_stats(Hazard.objects.none())
    assert stats["total"] == 0 and stats["closure_rate"] is None and stats["by_category"] == []


def test_figures_per_unit_in_one_query(tree, hazards, django_assert_num_queries):
    streets = OrgUnit.objects.filter(code__in=["S1", "S2", "S3"]).order_by("code")
    with django_assert_num_queries(2):  # the units, then the hazards grouped by unit
        rows = hazard_stats_by_unit(Hazard.objects.all(), streets)
    figures = {
        r["unit"].code: (r["total"], r["open"], r["overdue"], r["closed_in_time"]) for r in rows
    }
    assert figures == {"S1": (5, 3, 1, 1), "S2": (1, 0, 0, 1), "S3": (0, 0, 0, 0)}
    assert rows[1]["closure_rate"] == 100.0 and rows[2]["closure_rate"] is None


@pytest.mark.parametrize("parent", ["D1", "S1", None])
def test_the_statistics_page_figures_come_from_one_scan(
    tree, hazards, django_assert_num_queries, parent
):
    parent = OrgUnit.objects.get(code=parent) if parent else None
    children = (
        list(parent.children.order_by("code"))
        if parent
        else list(OrgUnit.objects.filter(parent=None))
    )
    qs = Hazard.objects.all()
    if parent:
        qs = qs.filter(org_unit__path__startswith=parent.path)
    with django_assert_num_queries(2):  # the figures per branch and category, the categories
        stats, rows = hazard_stats_below(qs, parent, children)
    assert (stats, rows) == (hazard_stats(qs), hazard_stats_by_unit(qs, children))


def test_hazards_of_the_parent_itself_count_in_the_totals_only(tree, hazards):
    d1 = tree["d1"]
    HazardFactory(org_unit=d1)  # recorded on the district itself
    qs = Hazard.objects.filter(org_unit__path__startswith=d1.path)
    stats, rows = hazard_stats_below(qs, d1, d1.children.order_by("code"))
    assert stats["total"] == 7
    assert [(r["unit"].code, r["total"]) for r in rows] == [("S1", 5), ("S2", 1)]


def test_the_statistics_page_query_count_does_not_grow(
    client, tree, hazards, django_assert_max_num_queries
):
    client.force_login(make_user(tree["d1"], role=Role.DISTRICT_REVIEWER))
    with django_assert_max_num_queries(10) as few:
        client.get(reverse("hazards:stats"))
    for c in (category("gas"), category("fire-lane")):
        HazardFactory(org_unit=tree["c2"], category=c, state=HazardState.CLOSED)
    with django_assert_max_num_queries(len(few.captured_queries)):
        body = client.get(reverse("hazards:stats")).content.decode()
    assert '<div class="fs-3" id="stat-total">8</div>' in body


def test_the_statistics_page_adds_a_district_up_from_its_streets_kept_figures(
    client, tree, hazards, django_assert_max_num_queries
):
    """A district's page: its streets' figures per category, kept per street (computed once,
    then after a change in that street only), plus the district's own hazards; the same
    figures as one scan of the district's hazards."""
    from apps.dashboards import cache

    d1 = tree["d1"]
    HazardFactory(org_unit=d1)  # recorded on the district itself
    client.force_login(make_user(d1, role=Role.DISTRICT_REVIEWER))
    first = client.get(reverse("hazards:stats")).context
    qs = Hazard.objects.filter(org_unit__path__startswith=d1.path)
    expected = hazard_stats_below(qs, d1, d1.children.order_by("code"))
    assert (first["stats"], first["rows"]) == expected
    assert first["stats"]["total"] == 7
    streets = list(d1.children.order_by("code"))
    with django_assert_max_num_queries(0):  # both streets' figures kept
        cache.hazard_figures(d1, streets)
    HazardFactory(org_unit=tree["c2"], state=HazardState.CLOSED, closed_at=timezone.now())
    again = client.get(reverse("hazards:stats")).context
    assert [(r["unit"].code, r["total"], r["closed"]) for r in again["rows"]] == [
        ("S1", 5, 2),
        ("S2", 2, 2),
    ]
    assert (again["stats"], again["rows"]) == hazard_stats_below(
        qs, d1, d1.children.order_by("code")
    )


def test_a_grid_workers_statistics_are_the_grid_only(client, tree):
    from apps.orgs.models import Grid

    grid = Grid.objects.create(community=tree["c1"], name="第一网格")
    grid.estates.add(tree["e1"])
    worker = make_user(tree["c1"], role=Role.GRID_WORKER, grid=grid)
    HazardFactory(org_unit=tree["e1"])
    HazardFactory(org_unit=tree["c1"])  # the community's own: not the grid's
    client.force_login(worker)
    response = client.get(reverse("hazards:stats"))
    if response.status_code == 200:
        assert response.context["stats"]["total"] == 1


def test_the_warm_task_keeps_every_streets_statistics(tree, hazards, django_assert_num_queries):
    from apps.dashboards import cache

    cache.warm()
    streets = list(tree["d1"].children.order_by("code"))
    with django_assert_num_queries(0):
        figures = cache.hazard_figures(tree["d1"], streets)
    assert sum(row["total"] for row in figures[tree["s1"].pk]) == 5
