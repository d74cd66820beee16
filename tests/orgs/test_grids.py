"""Grids: street staff keep the grids of their communities (a name, the community's 小区), other
streets' grids are a 404 and reviewers read only. The two grid indicators — 网格化覆盖率 (小区
in a grid with an active grid worker) and 网格员发现隐患处理率 (closed of the hazards grid
workers found in the last 12 months) — are computed for any list of units in two queries and
shown on the street and community pages and in the indicators."""

import datetime

import pytest
from django.urls import reverse

from apps.dashboards.indicators import unit_facts
from apps.hazards.models import Hazard, HazardCategory, HazardState
from apps.orgs.models import Grid, OrgKind, Role
from apps.orgs.selectors import grid_figures
from tests.conftest import make_user
from tests.factories import child

TODAY = datetime.date(2026, 6, 1)


@pytest.fixture
def world(tree):
    e2 = child(tree["c1"], OrgKind.ESTATE, code="S1C1E2", name="甲一苑")
    c1b = child(tree["s1"], OrgKind.COMMUNITY, code="S1C2", name="甲二居委")
    e3 = child(c1b, OrgKind.ESTATE, code="S1C2E1", name="甲二小区")
    e4 = child(tree["c2"], OrgKind.ESTATE, code="S2C1E1", name="乙一小区")
    return {
        **tree,
        "e2": e2,
        "c1b": c1b,
        "e3": e3,
        "e4": e4,
        "staff": make_user(tree["s1"], username="s1_staff"),
        "other_staff": make_user(tree["s2"], username="s2_staff"),
        "reviewer": make_user(tree["d1"], Role.DISTRICT_REVIEWER, username="d1_reviewer"),
    }


def _grid(community, name, estates):
    grid = Grid.objects.create(community=community, name=name)
    grid.estates.set(estates)
    return grid


# --- Keeping grids ----------------------------------------------------------------------------


def test_street_staff_create_a_grid_of_their_community_with_its_estates(client, world):
    client.force_login(world["staff"])
    data = {"community": world["c1"].pk, "name": "第一网格", "estates": [world["e1"].pk]}
    response = client.post(reverse("orgs:grid_create"), data)
    grid = Grid.objects.get()
    assert response["Location"] == reverse("orgs:grid_detail", args=[grid.pk])
    assert list(grid.estates.all()) == [world["e1"]]
    from auditlog.models import LogEntry

    assert LogEntry.objects.get_for_object(grid).filter(actor=world["staff"]).exists()


@pytest.mark.parametrize(
    "data, field, message",
    [
        ({"estates": ["e3"]}, "estates", "小区须属于甲一居委：甲二小区 不是"),
        ({"estates": ["e4"]}, "estates", "选择一个有效的选项"),  # another street's
        ({"community": "c2"}, "community", "选择一个有效的选项"),
        ({"community": "s1"}, "community", "选择一个有效的选项"),
        ({"name": ""}, "name", "这个字段是必填项"),
        ({"name": "已有网格"}, "__all__", "该居委/村已有同名网格"),
    ],
)
def test_bad_grid_data_is_refused_with_a_message_and_saves_nothing(
    client, world, data, field, message
):
    _grid(world["c1"], "已有网格", [])
    values = {"community": "c1", "name": "新网格", "estates": ["e1"]} | data
    post = {
        "community": world[values["community"]].pk,
        "name": values["name"],
        "estates": [world[e].pk for e in values["estates"]],
    }
    client.force_login(world["staff"])
    response = client.post(reverse("orgs:grid_create"), post)
    assert response.status_code == 200
    assert message in str(response.context["form"].errors.get(field)), response.context[
        "form"
    ].errors
    assert Grid.objects.count() == 1


def test_editing_a_grid_keeps_its_community(client, world):
    grid = _grid(world["c1"], "第一网格", [world["e1"]])
    client.force_login(world["staff"])
    data = {
        "community": world["c1b"].pk,
        "name": "一网格",
        "estates": [world["e1"].pk, world["e2"].pk],
    }
    response = client.post(reverse("orgs:grid_edit", args=[grid.pk]), data)
    assert response.status_code == 302
    grid.refresh_from_db()
    assert grid.community == world["c1"] and grid.name == "一网格"
    assert set(grid.estates.all()) == {world["e1"], world["e2"]}


@pytest.mark.parametrize(
    "actor, detail, edit", [("staff", 200, 200), ("other_staff", 404, 404), ("reviewer", 200, 403)]
)
def test_another_streets_grid_is_not_found_and_reviewers_only_read(
    client, world, actor, detail, edit
):
    grid = _grid(world["c1"], "第一网格", [world["e1"]])
    client.force_login(world[actor])
    assert client.get(reverse("orgs:grid_detail", args=[grid.pk])).status_code == detail
    assert client.get(reverse("orgs:grid_edit", args=[grid.pk])).status_code == edit
    response = client.post(reverse("orgs:grid_edit", args=[grid.pk]), {"name": "改名"})
    assert response.status_code in (edit, 302)
    grid.refresh_from_db()
    assert grid.name == "第一网格" or actor == "staff"


def test_the_grid_list_query_count_does_not_grow_with_grids(
    client, world, django_assert_max_num_queries
):
    client.force_login(world["staff"])
    _grid(world["c1"], "网格0", [world["e1"]])
    client.get(reverse("orgs:grids"))
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("orgs:grids"))
    for i in range(1, 15):
        grid = _grid(world["c1"], f"网格{i}", [world["e1"], world["e2"]])
        make_user(world["c1"], Role.GRID_WORKER, username=f"g{i}", grid=grid)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("orgs:grids"))
    assert len(response.context["grids"]) == 15
    assert "g14" in response.content.decode() or "网格14" in response.content.decode()


# --- Coverage figures -------------------------------------------------------------------------


def _hazard(unit, finder, *, closed=False, days_ago=10):
    category = HazardCategory.objects.get_or_create(
        name="楼道堆物", defaults={"code": "t-clutter"}
    )[0]
    return Hazard.objects.create(
        org_unit=unit,
        title="楼道堆物",
        category=category,
        found_by=finder.display_name,
        found_on=TODAY - datetime.timedelta(days=days_ago),
        state=HazardState.CLOSED if closed else HazardState.REPORTED,
        reported_by=finder,
        created_by=finder,
    )


@pytest.fixture
def figures_world(world):
    g1 = _grid(world["c1"], "第一网格", [world["e1"]])
    g2 = _grid(world["c1"], "第二网格", [world["e2"]])
    _grid(world["c1b"], "第一网格", [world["e3"]])  # no worker
    active = make_user(world["c1"], Role.GRID_WORKER, username="g1", grid=g1)
    make_user(world["c1"], Role.GRID_WORKER, username="g2", grid=g2, is_active=False)
    staff = world["staff"]
    _hazard(world["e1"], active, closed=True)
    _hazard(world["e1"], active)
    _hazard(world["e1"], active, closed=True, days_ago=400)  # older than 12 months
    _hazard(world["e2"], staff, closed=True)  # found by street staff: not counted
    return world


def test_coverage_counts_estates_in_a_grid_with_an_active_worker(
    figures_world, django_assert_num_queries
):
    w = figures_world
    units = [w["s1"], w["c1"], w["c1b"], w["s2"], w["d1"]]
    with django_assert_num_queries(2):
        figures = grid_figures(units, today=TODAY)
    assert figures[w["c1"].pk] == {
        "estates": 2,
        "estates_covered": 1,
        "coverage_rate": 50.0,
        "hazards_found": 2,
        "hazards_closed": 1,
        "handling_rate": 50.0,
    }
    assert figures[w["s1"].pk]["estates"] == 3 and figures[w["s1"].pk]["coverage_rate"] == 33.3
    assert figures[w["c1b"].pk]["coverage_rate"] == 0.0
    assert figures[w["c1b"].pk]["handling_rate"] is None  # nothing found: no rate
    assert figures[w["s2"].pk]["estates"] == 1 and figures[w["s2"].pk]["estates_covered"] == 0
    assert figures[w["d1"].pk]["hazards_found"] == 2


def test_the_query_count_does_not_grow_with_units(figures_world, django_assert_num_queries):
    from apps.orgs.models import OrgUnit

    units = list(OrgUnit.objects.all())
    with django_assert_num_queries(2):
        grid_figures(units, today=TODAY)


def test_street_and_community_pages_and_the_indicators_show_the_figures(
    client, figures_world, settings
):
    w = figures_world
    client.force_login(w["staff"])
    page = client.get(reverse("orgs:detail", args=[w["c1"].code])).content.decode()
    assert "网格化覆盖率" in page and "（1/2 个小区有在岗网格员）" in page
    assert "网格员发现隐患处理率" in page
    page = client.get(reverse("orgs:detail", args=[w["e1"].code])).content.decode()
    assert "网格化覆盖率" not in page  # a 小区 has no grids of its own
    facts = unit_facts(w["c1"], today=TODAY)
    assert facts["grids"]["coverage_rate"] == 50.0
    assert facts["grids"]["estates_covered"] == 1
