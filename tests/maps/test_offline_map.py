"""Maps without a tile server draw the offline base layer: Shanghai's 16 district outlines
(WGS-84, static/maps/shanghai-districts.geojson) with their names and the names of the streets
the user can see. Only admins are told that no online base map is configured; every map has a
list of its points beside it."""

import json

import pytest
from django.template import Context, Template
from django.test import RequestFactory

from apps.maps.outlines import OUTLINES, contains, district_outlines, random_point
from apps.orgs.models import Role, User
from tests.conftest import make_user

PANEL = Template('{% load maps %}{% map_panel "/d.json" %}')
STREETLESS = Template('{% load maps %}{% map_panel "/d.json" street_labels=False %}')


def _render(template, user):
    request = RequestFactory().get("/")
    request.user = user
    return template.render(Context({"request": request}))


def _streets(html):
    marker = 'data-map-streets="'
    if marker not in html:
        return []
    raw = html.split(marker, 1)[1].split('"', 1)[0].replace("&quot;", '"')
    return json.loads(raw)


def test_the_base_layer_holds_the_16_districts_with_their_codes_and_names():
    data = json.loads(OUTLINES.read_text(encoding="utf-8"))
    features = {f["properties"]["code"]: f for f in data["features"]}
    assert len(features) == 16
    assert features["310101"]["properties"]["name"] == "黄浦区"
    assert features["310151"]["properties"]["name"] == "崇明区"
    assert all(f["geometry"]["type"] == "MultiPolygon" for f in features.values())
    assert OUTLINES.stat().st_size < 100_000  # simplified: a page can afford it
    # every name is placed inside its own district
    for code, district in district_outlines().items():
        assert contains(code, *district["label"]), code


@pytest.mark.parametrize(
    ("point", "district"),
    [
        ((31.2304, 121.4737), "310101"),  # 人民广场, the default map centre
        ((31.2215, 121.4260), "310105"),  # 华阳路街道 (seed_demo)
        ((31.2050, 121.4280), "310105"),  # 新华路街道
        ((31.2340, 121.5060), "310115"),  # 陆家嘴街道, across the river
        ((31.2405, 121.4962), "310115"),  # a 陆家嘴 demo shelter by the river
        ((31.6233, 121.3976), "310151"),  # 崇明岛
    ],
)
def test_the_demo_records_wgs84_points_fall_in_their_districts(point, district):
    assert [code for code in district_outlines() if contains(code, *point)] == [district]


def test_random_points_stay_inside_the_district():
    import random

    rng = random.Random(3)
    for code in ("310101", "310115", "310151"):
        for _ in range(20):
            assert contains(code, *random_point(code, rng))


@pytest.mark.django_db
def test_clerks_see_the_outlines_and_their_streets_names_but_not_the_setting(demo, settings):
    settings.MAP_TILE_URL = ""
    staff = User.objects.get(username="huayang_staff")
    html = _render(PANEL, staff)
    assert "data-map-base-url=" in html
    assert _streets(html) == [["华阳路街道", 31.2215, 121.426]]
    assert "未配置在线底图" not in html and "MAP_TILE_URL" not in html
    reviewer = User.objects.get(username="changning_reviewer")
    names = [s[0] for s in _streets(_render(PANEL, reviewer))]
    assert "华阳路街道" in names and "新华路街道" in names and "陆家嘴街道" not in names
    assert "未配置在线底图" not in _render(PANEL, reviewer)


@pytest.mark.django_db
def test_only_admins_are_told_no_online_base_map_is_configured(tree, settings):
    settings.MAP_TILE_URL = ""
    admin = make_user(tree["sh"], role=Role.ADMIN)
    assert "未配置在线底图" in _render(PANEL, admin)
    superuser = make_user(tree["s1"], is_superuser=True)
    assert "未配置在线底图" in _render(PANEL, superuser)
    settings.MAP_TILE_URL = "https://tiles.example.gov.cn/{z}/{x}/{y}.png"
    html = _render(PANEL, admin)
    assert "未配置在线底图" not in html and "data-map-base-url" not in html


@pytest.mark.django_db
def test_where_the_points_are_streets_their_dots_carry_the_names(tree, settings):
    settings.MAP_TILE_URL = ""
    tree["s1"].latitude, tree["s1"].longitude = 31.22, 121.42
    tree["s1"].save()
    staff = make_user(tree["s1"])
    assert _streets(_render(PANEL, staff)) == [["甲街道", 31.22, 121.42]]
    assert "data-map-streets" not in _render(STREETLESS, staff)
    html = Template(
        '{% load maps %}{% map_panel "/d.json" street_labels=False point_labels=True %}'
    ).render(Context({}))
    assert 'data-map-point-labels="1"' in html


def test_every_map_has_a_list_of_its_points():
    html = Template('{% load maps %}{% map_panel "/d.json" label="风险地图" %}').render(Context({}))
    assert '<details class="portal-map-list' in html
    assert "<summary>" in html and "data-map-list" in html
    assert "风险地图：当前地图范围内的点位" in html
    # the legend is drawn below the map, outside it
    assert html.index("data-map-legend") > html.index("data-map-data-url")


@pytest.mark.django_db
def test_the_district_dashboard_map_names_its_streets(login, demo, settings):
    settings.MAP_TILE_URL = ""
    html = login("changning_reviewer").get("/").content.decode()
    assert 'data-map-point-labels="1"' in html
    assert "data-map-streets" not in html  # the dots are the streets themselves
