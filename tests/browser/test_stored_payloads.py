"""Names that users store reach maps and charts as text, never as HTML.

The rule: every string that comes from the server (a risk point's name, a hazard's title, a
shelter's name, a street's or community's name) is put into Leaflet tooltips and popups and
ECharts tooltips as text (``textContent``), so a name such as
``<img src=x onerror="window.__xss=1"><b>粗体</b>`` shows literally and creates no element;
and the charts run under the strict Content-Security-Policy without a single violation in the
browser console (no ``style=`` attributes, no inline handlers).

Each test stores the payload where a map or chart shows it, opens the page as the demo user who
sees it, opens the tooltip and popup through Leaflet's and ECharts' own API (the same calls a
hover and a click make) and reads what the browser drew.
"""

from decimal import Decimal

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from apps.orgs.models import OrgUnit, User
from tests.browser.conftest import log_in
from tests.hazards.factories import HazardFactory, RiskPointFactory
from tests.shelters.factories import ShelterFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAYLOAD = '<img src=x onerror="window.__xss=1"><b>粗体</b>'
HUAYANG = "310105001"  # 华阳路街道 (huayang_staff's street, in changning_reviewer's district)
HUAYI = "310105001001"  # 华一居民区, a community of it

# Opens the tooltip (or popup) of the marker at (lat, lng) on the map in arguments[0] and, in the
# same turn of the event loop (a bounded map redraws after it settles), reads what Leaflet drew:
# its text, and the elements the map container holds that a payload would have created.
OPEN_MARKER = """
var container = arguments[0], lat = arguments[1], lng = arguments[2], what = arguments[3];
var map = container.portalMap, marker = null;
if (!map) return null;
map.eachLayer(function (layer) {
  if (marker || !layer.getLatLng || !layer.getTooltip || !layer.getTooltip()) return;
  var at = layer.getLatLng();
  if (Math.abs(at.lat - lat) < 1e-6 && Math.abs(at.lng - lng) < 1e-6) marker = layer;
});
if (!marker) return null;
var overlay = what === "popup" ? marker.openPopup().getPopup() : marker.openTooltip().getTooltip();
return {
  text: overlay.getElement().textContent,
  injected: container.querySelectorAll("img:not(.leaflet-tile), b").length,
};
"""

# Shows the axis tooltip of the category named arguments[1] (null: the last one) on the chart in
# arguments[0] (as a hover does) and reads the tooltip: the child of the chart that is not its
# drawing. "styled": a series marker (a coloured dot) has a size and a colour, which it has not
# when the CSP refused its style.
SHOW_CHART_TIP = """
var element = arguments[0], name = arguments[1];
var chart = window.echarts && echarts.getInstanceByDom(element);
if (!chart || !chart.getOption().series.length) return null;
var option = chart.getOption();
var axis = option.yAxis[0].type === "category" ? option.yAxis[0] : option.xAxis[0];
var index = name === null ? axis.data.length - 1 : axis.data.indexOf(name);
if (index < 0) return null;
chart.dispatchAction({ type: "showTip", seriesIndex: 0, dataIndex: index });
var tip = Array.prototype.find.call(element.children, function (child) {
  return !child.querySelector("svg, canvas") && child.textContent;
});
if (!tip || tip.style.display === "none") return null;
return {
  text: tip.textContent,
  injected: element.querySelectorAll("img, b").length,
  styled: Array.prototype.some.call(tip.querySelectorAll("span"), function (span) {
    var box = span.getBoundingClientRect();
    var colour = getComputedStyle(span).backgroundColor;
    return box.width > 0 && box.height > 0 && colour !== "rgba(0, 0, 0, 0)";
  }),
};
"""


def _drain_console(browser):
    browser.get_log("browser")


def _csp_violations(browser):
    return [
        entry["message"]
        for entry in browser.get_log("browser")
        if "Content Security Policy" in entry["message"]
    ]


def _map(browser, index=0):
    containers = browser.find_elements(By.CSS_SELECTOR, "[data-map-data-url]")
    assert containers, browser.find_element(By.TAG_NAME, "main").text
    container = containers[index]
    WebDriverWait(browser, 10).until(
        lambda _: container.get_attribute("data-map-points") not in (None, "", "0")
    )
    assert container.get_attribute("data-map-points") != "error"
    return container


def _open_marker(browser, container, latitude, longitude, what):
    return WebDriverWait(browser, 10).until(
        lambda b: b.execute_script(OPEN_MARKER, container, float(latitude), float(longitude), what)
    )


def _show_chart_tip(browser, element_id, name=None):
    element = browser.find_element(By.ID, element_id)
    return WebDriverWait(browser, 10).until(
        lambda b: b.execute_script(SHOW_CHART_TIP, element, name)
    )


def _assert_shown_as_text(browser, drawn, text):
    assert text in drawn["text"], drawn["text"]
    assert drawn["injected"] == 0, "the name was inserted as HTML"
    assert not browser.find_elements(By.CSS_SELECTOR, 'img[src="x"]')
    assert browser.execute_script("return typeof window.__xss") == "undefined"


def test_risk_point_and_hazard_names_show_as_text_on_the_reviewers_risk_map(browser, demo):
    community = OrgUnit.objects.get(code=HUAYI)
    community.name = f"{PAYLOAD}居民区"
    community.save()
    point = RiskPointFactory(
        org_unit=community,
        name=f"{PAYLOAD}风险点",
        latitude=Decimal("31.224100"),
        longitude=Decimal("121.427300"),
    )
    hazard = HazardFactory(
        org_unit=community,
        title=f"{PAYLOAD}隐患",
        latitude=Decimal("31.225100"),
        longitude=Decimal("121.428300"),
        created_by=User.objects.get(username="huayang_staff"),
    )
    log_in(browser, "changning_reviewer")
    _drain_console(browser)
    browser.get(browser.base_url + "/hazards/map/")
    container = _map(browser)

    for record, name in ((point, point.name), (hazard, hazard.title)):
        tooltip = _open_marker(browser, container, record.latitude, record.longitude, "tooltip")
        _assert_shown_as_text(browser, tooltip, name)
        popup = _open_marker(browser, container, record.latitude, record.longitude, "popup")
        _assert_shown_as_text(browser, popup, name)
        _assert_shown_as_text(browser, popup, community.name)
    assert _csp_violations(browser) == []


def test_a_shelter_name_shows_as_text_on_the_shelter_map_and_its_detail_page(browser, demo):
    staff = User.objects.get(username="huayang_staff")
    shelter = ShelterFactory(
        org_unit=OrgUnit.objects.get(code=HUAYI),
        name=f"{PAYLOAD}避难点",
        latitude=Decimal("31.223300"),
        longitude=Decimal("121.425500"),
        created_by=staff,
        updated_by=staff,
    )
    log_in(browser, "huayang_staff")
    for page in ("/shelters/map/", f"/shelters/{shelter.pk}/"):
        _drain_console(browser)
        browser.get(browser.base_url + page)
        container = _map(browser)
        tooltip = _open_marker(browser, container, shelter.latitude, shelter.longitude, "tooltip")
        _assert_shown_as_text(browser, tooltip, shelter.name)
        popup = _open_marker(browser, container, shelter.latitude, shelter.longitude, "popup")
        _assert_shown_as_text(browser, popup, shelter.name)
        assert _csp_violations(browser) == [], page


def test_a_street_name_shows_as_text_on_the_district_dashboards_map_and_chart(browser, demo):
    street = OrgUnit.objects.get(code=HUAYANG)
    street.name = PAYLOAD
    street.save()
    log_in(browser, "changning_reviewer")
    _drain_console(browser)
    browser.get(browser.base_url + "/")
    container = _map(browser)

    tooltip = _open_marker(browser, container, street.latitude, street.longitude, "tooltip")
    _assert_shown_as_text(browser, tooltip, PAYLOAD)
    popup = _open_marker(browser, container, street.latitude, street.longitude, "popup")
    _assert_shown_as_text(browser, popup, PAYLOAD)

    tip = _show_chart_tip(browser, "streets-chart", PAYLOAD)
    _assert_shown_as_text(browser, tip, PAYLOAD)
    assert tip["styled"], "the tooltip's styles were refused"
    assert _csp_violations(browser) == []


def test_the_street_dashboards_trend_tooltip_shows_without_csp_violations(browser, demo):
    log_in(browser, "huayang_staff")
    _drain_console(browser)
    browser.get(browser.base_url + "/")
    tip = _show_chart_tip(browser, "trend-chart")
    assert "发现隐患" in tip["text"] and "销号率" in tip["text"], tip["text"]
    assert tip["injected"] == 0
    assert tip["styled"], "the tooltip's styles were refused"
    assert _csp_violations(browser) == []
