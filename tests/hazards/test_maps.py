"""apps.maps: the GCJ-02 → WGS-84 conversion and the map partial."""

from decimal import Decimal

import pytest
from django.template import Context, Template

from apps.maps.coords import gcj02_to_wgs84, out_of_china, to_wgs84, wgs84_to_gcj02

# (WGS-84 lat, lng, GCJ-02 lat, lng): published reference pairs of the algorithm
# (googollee/eviltransform's test table).
PAIRS = [
    (31.1774276, 121.5272106, 31.17530398364597, 121.531541859215),  # 上海
    (22.543847, 113.912316, 22.540796131694766, 113.9171764808363),  # 深圳
    (39.911954, 116.377817, 39.91334545536069, 116.38404722455657),  # 北京
]


@pytest.mark.parametrize(("wlat", "wlng", "glat", "glng"), PAIRS)
def test_forward_transform_matches_reference_pairs(wlat, wlng, glat, glng):
    lat, lng = wgs84_to_gcj02(wlat, wlng)
    assert lat == pytest.approx(glat, abs=1e-9)
    assert lng == pytest.approx(glng, abs=1e-9)


@pytest.mark.parametrize(("wlat", "wlng", "glat", "glng"), PAIRS)
def test_gcj02_to_wgs84_recovers_the_reference_point(wlat, wlng, glat, glng):
    lat, lng = gcj02_to_wgs84(glat, glng)
    # 1e-7 degrees is about 1 cm
    assert lat == pytest.approx(wlat, abs=1e-7)
    assert lng == pytest.approx(wlng, abs=1e-7)
    # and the offset really was there (hundreds of metres)
    assert abs(glng - wlng) > 1e-3


def test_points_outside_china_are_unchanged():
    assert out_of_china(51.5074, -0.1278)
    assert gcj02_to_wgs84(51.5074, -0.1278) == (51.5074, -0.1278)
    assert wgs84_to_gcj02(51.5074, -0.1278) == (51.5074, -0.1278)


def test_to_wgs84_gives_six_decimal_places():
    assert to_wgs84("31.2304", "121.4737") == (Decimal("31.230400"), Decimal("121.473700"))
    assert to_wgs84(PAIRS[0][2], PAIRS[0][3], "gcj02") == (
        Decimal("31.177428"),
        Decimal("121.527211"),
    )
    assert to_wgs84(None, "121.4") == (None, None)


def test_map_partial_carries_the_settings(settings):
    settings.MAP_TILE_URL = "https://tiles.example.gov.cn/{z}/{x}/{y}.png"
    settings.MAP_TILE_ATTRIBUTION = "测试底图"
    settings.MAP_CENTER = [31.22, 121.42]
    settings.MAP_ZOOM = 14
    html = Template('{% load maps %}{% map_panel "/data.json" color_property="level" %}').render(
        Context({})
    )
    assert 'data-map-data-url="/data.json"' in html
    assert 'data-map-tile-url="https://tiles.example.gov.cn/{z}/{x}/{y}.png"' in html
    assert 'data-map-attribution="测试底图"' in html
    assert 'data-map-center="[31.22, 121.42]"' in html
    assert 'data-map-zoom="14"' in html
    assert "portal-map-blank" not in html
    assert "<script" not in html


def test_map_partial_without_tiles_draws_the_offline_base_layer(settings):
    settings.MAP_TILE_URL = ""
    html = Template('{% load maps %}{% map_panel "/d.json" %}').render(Context({}))
    assert 'data-map-tile-url=""' in html
    assert "portal-map-blank" in html
    assert 'data-map-base-url="/static/maps/shanghai-districts.geojson"' in html
    # the setting is an admin's business (tests/maps/test_offline_map.py): nobody else is told
    assert "MAP_TILE_URL" not in html and "未配置在线底图" not in html
