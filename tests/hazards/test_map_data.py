"""The bounded risk map: apps.maps.grid and /hazards/map/data.json in point and cluster mode."""

import pytest
from django.template import Context, Template
from django.urls import reverse

from apps.hazards import risk_map
from apps.hazards.models import Hazard, HazardState, RiskPoint, Severity
from apps.maps import grid
from apps.orgs.models import Role
from tests.conftest import make_user
from tests.hazards.factories import HazardFactory, RiskPointFactory

URL = "/hazards/map/data.json"


def test_the_view_a_map_sends():
    view = grid.View.from_params({"bbox": "121.1,31.1,121.3,31.3", "zoom": "14"})
    assert view == grid.View(121.1, 31.1, 121.3, 31.3, 14)
    assert view.bbox == [121.1, 31.1, 121.3, 31.3]
    assert grid.View.from_params({"bbox": "-200,-100,200,100", "zoom": "40"}) == grid.View(
        -180, -90, 180, 90, grid.MAX_ZOOM
    )
    for bad in (
        {},
        {"bbox": "121.1,31.1,121.3,31.3"},  # no zoom
        {"bbox": "121.1,31.1,121.3", "zoom": "3"},
        {"bbox": "121.3,31.1,121.1,31.3", "zoom": "3"},  # west east of east
        {"bbox": "nan,31.1,121.3,31.3", "zoom": "3"},
        {"bbox": "a,b,c,d", "zoom": "3"},
    ):
        assert grid.View.from_params(bad) is None, bad


def test_the_grid_follows_the_zoom_and_stays_small():
    around = grid.View.around((121.1, 31.1, 121.3, 31.3))
    assert around.zoom == 12  # 0.2° shown about 1,000 px wide
    assert around.cell == pytest.approx(90 / 2**12)  # 64 px at zoom 12
    assert grid.View.around((121.1, 31.1, 121.1, 31.1)).zoom == grid.MAX_ZOOM  # one point
    # whatever a client sends, the box holds at most 32 cells across
    greedy = grid.View(-180, -90, 180, 90, grid.MAX_ZOOM)
    assert 360 / greedy.cell <= grid.MAX_CELLS_ACROSS


@pytest.fixture
def places(tree):
    """Risk points and hazards of 甲街道 in two places far apart (A and B), and of 乙街道 in a
    third (C)."""
    a, b, c = ("31.100000", "121.100000"), ("31.300000", "121.300000"), ("31.200000", "121.200000")

    def point(unit, place, level, name):
        lat, lng = place
        return RiskPointFactory(org_unit=unit, level=level, name=name, latitude=lat, longitude=lng)

    point(tree["c1"], a, "blue", "A1")
    point(tree["c1"], ("31.100100", "121.100100"), "red", "A2")
    point(tree["c1"], ("31.100200", "121.100200"), "blue", "A3")
    point(tree["c1"], b, "yellow", "B1")
    point(tree["s1"], ("31.300100", "121.300100"), "orange", "B2")
    for i in range(3):
        point(tree["c2"], c, "red", f"C{i}")
    RiskPointFactory(
        org_unit=tree["c1"], name="停用", is_active=False, latitude=a[0], longitude=a[1]
    )
    RiskPointFactory(org_unit=tree["c1"], name="无坐标", latitude=None, longitude=None)
    HazardFactory(org_unit=tree["c1"], title="HA", latitude=a[0], longitude=a[1])
    HazardFactory(
        org_unit=tree["c1"], title="HB", severity=Severity.MAJOR, latitude=b[0], longitude=b[1]
    )
    HazardFactory(
        org_unit=tree["c1"], title="销号", state=HazardState.CLOSED, latitude=a[0], longitude=a[1]
    )
    HazardFactory(org_unit=tree["c2"], title="HC", latitude=c[0], longitude=c[1])
    return {
        "staff": make_user(tree["s1"]),
        "reviewer": make_user(tree["d1"], role=Role.DISTRICT_REVIEWER),
    }


def _get(client, user, **params):
    client.force_login(user)
    response = client.get(URL, params)
    assert response.status_code == 200
    return response.json()


def _kind(data, kind):
    return [f for f in data["features"] if f["properties"]["kind"] == kind]


def test_few_points_come_one_by_one(client, places):
    data = _get(client, places["staff"])
    points = _kind(data, "risk_point")
    assert {f["properties"]["title"] for f in points} == {"A1", "A2", "A3", "B1", "B2"}
    assert not any(f["properties"].get("cluster") for f in data["features"])
    assert {f["properties"]["title"] for f in _kind(data, "hazard")} == {"HA", "HB"}
    a1 = next(f["properties"] for f in points if f["properties"]["title"] == "A1")
    assert a1["url"] == reverse("hazards:point_detail", args=[RiskPoint.objects.get(name="A1").pk])
    ha = next(f["properties"] for f in data["features"] if f["properties"]["title"] == "HA")
    assert ha["url"] == reverse("hazards:detail", args=[Hazard.objects.get(title="HA").pk])
    assert data["counts"] == {
        "red": 1,
        "orange": 1,
        "yellow": 1,
        "blue": 2,
        "hazard_major": 1,
        "hazard_general": 1,
    }
    # first load: the extent of the user's own data, not of 乙街道's
    assert data["bbox"] == [121.1, 31.1, 121.3001, 31.3001]


def test_many_points_come_as_clusters_of_the_users_scope(client, places, monkeypatch):
    monkeypatch.setattr(risk_map, "MAX_POINTS", 3)
    data = _get(client, places["staff"])
    clusters = _kind(data, "risk_point")
    assert all(f["properties"]["cluster"] for f in clusters)
    by_count = {f["properties"]["count"]: f for f in clusters}
    assert sorted(by_count) == [2, 3]  # A and B; 乙街道's three points at C are not counted
    a, b = by_count[3], by_count[2]
    # coloured by their worst point: A has a red one, B an orange and a yellow one
    assert a["properties"]["level"] == "red" and b["properties"]["level"] == "orange"
    assert a["properties"]["title"] == "3 个风险点"
    lng, lat = a["geometry"]["coordinates"]
    assert lat == pytest.approx(31.1001) and lng == pytest.approx(121.1001)  # their mean
    (south, west), (north, east) = a["properties"]["bounds"]
    assert south <= lat <= north and west <= lng <= east
    assert data["counts"]["red"] == 1 and data["counts"]["blue"] == 2
    # the two hazards are few enough to come one by one
    assert {f["properties"]["title"] for f in _kind(data, "hazard")} == {"HA", "HB"}


def test_hazard_clusters_are_coloured_by_the_worst_severity(client, places, tree, monkeypatch):
    monkeypatch.setattr(risk_map, "MAX_POINTS", 1)
    HazardFactory(org_unit=tree["c1"], severity=Severity.MAJOR, latitude="31.1", longitude="121.1")
    data = _get(client, places["staff"], bbox="121.05,31.05,121.15,31.15", zoom="12")
    (cluster,) = _kind(data, "hazard")
    assert cluster["properties"]["cluster"] and cluster["properties"]["count"] == 2
    assert cluster["properties"]["level"] == "hazard_major"
    assert cluster["properties"]["title"] == "2 个未销号隐患"


def test_a_district_reviewer_sees_every_street_of_the_district(client, places, monkeypatch):
    monkeypatch.setattr(risk_map, "MAX_POINTS", 3)
    data = _get(client, places["reviewer"])
    assert sum(f["properties"]["count"] for f in _kind(data, "risk_point")) == 8
    assert data["counts"]["red"] == 4


@pytest.mark.parametrize("max_points", [1000, 0])
def test_the_box_limits_the_answer_and_never_shows_another_street(
    client, places, monkeypatch, max_points
):
    monkeypatch.setattr(risk_map, "MAX_POINTS", max_points)
    around_a = _get(client, places["staff"], bbox="121.05,31.05,121.15,31.15", zoom="12")
    assert around_a["bbox"] == [121.05, 31.05, 121.15, 31.15]
    assert around_a["counts"]["blue"] == 2 and around_a["counts"]["yellow"] == 0
    if max_points:
        titles = {f["properties"]["title"] for f in around_a["features"]}
        assert titles == {"A1", "A2", "A3", "HA"}
    else:
        assert [f["properties"]["count"] for f in _kind(around_a, "risk_point")] == [3]
    # 乙街道's place, seen from 甲街道: nothing, in either mode
    around_c = _get(client, places["staff"], bbox="121.15,31.15,121.25,31.25", zoom="12")
    assert around_c["features"] == [] and set(around_c["counts"].values()) == {0}


def test_a_bad_box_is_a_first_load(client, places):
    data = _get(client, places["staff"], bbox="121.3,31.1,121.1,31.3", zoom="x")
    assert data["bbox"] == [121.1, 31.1, 121.3001, 31.3001]


def test_no_data_no_box(client, tree):
    data = _get(client, make_user(tree["s3"]))
    assert data["bbox"] is None and data["features"] == []
    assert data["counts"]["red"] == 0


@pytest.mark.parametrize("params", [{}, {"bbox": "121,31,121.5,31.5", "zoom": "11"}])
@pytest.mark.parametrize("max_points", [1000, 3])
def test_query_count_does_not_grow(
    client, places, tree, monkeypatch, django_assert_max_num_queries, params, max_points
):
    monkeypatch.setattr(risk_map, "MAX_POINTS", max_points)
    client.force_login(places["staff"])
    # the scope's unit ids (once), the extent, the clusters, the markers
    with django_assert_max_num_queries(9) as few:
        client.get(URL, params)
    for i in range(20):
        RiskPointFactory(org_unit=tree["c1"], latitude=f"31.2{i:02d}", longitude="121.25")
        HazardFactory(org_unit=tree["c1"], latitude="31.25", longitude=f"121.2{i:02d}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        data = client.get(URL, params).json()
    assert sum(n for level, n in data["counts"].items() if "hazard" not in level) == 25
    if max_points == 3:  # bounded: fewer markers than points
        assert len(_kind(data, "risk_point")) < 25


def test_only_the_risk_map_is_bounded(client, places):
    client.force_login(places["staff"])
    assert 'data-map-bounded="1"' in client.get(reverse("hazards:map")).content.decode()
    plain = Template('{% load maps %}{% map_panel "/d.json" %}').render(Context({}))
    assert "data-map-bounded" not in plain
