"""Without a tile server the maps draw Shanghai's district outlines under the records, name the
streets, keep the legend off the points and list the points in a table for keyboards and screen
readers; clerks are not shown the setting's name."""

import pytest
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from tests.browser.conftest import log_in, wait_for_text

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MAP = "[data-map-data-url]"


def _drawn(browser, points):
    """Wait until the map has drawn its base layer and ``points`` points (it may draw twice)."""
    wait = WebDriverWait(browser, 15, ignored_exceptions=(StaleElementReferenceException,))
    wait.until(lambda b: b.find_element(By.CSS_SELECTOR, MAP).get_attribute("data-map-base"))
    wait.until(
        lambda b: (
            b.find_element(By.CSS_SELECTOR, MAP).get_attribute("data-map-points") == str(points)
        )
    )
    wait.until(lambda b: len(b.find_elements(By.CSS_SELECTOR, "[data-map-list] tr")) == points)
    return browser.find_element(By.CSS_SELECTOR, MAP)


def _rect(browser, element):
    return browser.execute_script(
        "var r = arguments[0].getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom];",
        element,
    )


def _overlap(a, b):
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def test_offline_maps_draw_the_districts_name_the_streets_and_list_the_points(
    browser, demo, settings
):
    settings.MAP_TILE_URL = ""
    log_in(browser, "huayang_staff")
    browser.get(browser.base_url + "/hazards/map/")
    container = _drawn(browser, 10)  # 华阳路's 5 risk points and 5 open hazards
    assert container.get_attribute("data-map-base") == "16"
    # the 16 outlines are SVG paths in the base pane, under the records' pane
    outlines = browser.find_elements(By.CSS_SELECTOR, ".leaflet-portalBase-pane path")
    assert len(outlines) == 16
    assert not browser.find_elements(By.CSS_SELECTOR, ".leaflet-tile")
    wait_for_text(browser, ".portal-map-base-label.street", "华阳路街道")
    assert "MAP_TILE_URL" not in browser.page_source
    assert "未配置在线底图" not in browser.page_source
    # the list alternative: one row per point, reachable by keyboard (summary, then links)
    summary = browser.find_element(By.CSS_SELECTOR, ".portal-map-list summary")
    browser.execute_script("arguments[0].focus()", summary)
    summary.send_keys("\n")
    wait_for_text(browser, "[data-map-list]", "华一小区非机动车集中充电棚")
    links = browser.find_elements(By.CSS_SELECTOR, "[data-map-list] a[href]")
    assert len(links) == 10 and links[0].is_displayed()
    wait_for_text(browser, "[data-map-list]", "红色·重大风险")

    browser.delete_all_cookies()
    log_in(browser, "changning_reviewer")
    browser.get(browser.base_url + "/")
    container = _drawn(browser, 10)  # the ten streets of 长宁区
    assert len(browser.find_elements(By.CSS_SELECTOR, ".leaflet-portalBase-pane path")) == 16
    wait = WebDriverWait(browser, 10, ignored_exceptions=(StaleElementReferenceException,))
    wait.until(lambda b: len(b.find_elements(By.CSS_SELECTOR, ".portal-map-name")) == 10)
    names = browser.find_elements(By.CSS_SELECTOR, ".portal-map-name")
    assert "华阳路街道" in {n.text for n in names}
    # the names do not cover one another, and the legend is below the map, off every dot
    boxes = [_rect(browser, n) for n in names]
    crossing = [(i, j) for i in range(10) for j in range(i) if _overlap(boxes[i], boxes[j])]
    assert not crossing
    legend = browser.find_element(By.CSS_SELECTOR, ".portal-map-legend")
    assert not browser.execute_script("return !!arguments[0].closest('.leaflet-container')", legend)
    assert _rect(browser, legend)[1] >= _rect(browser, container)[3]
    wait_for_text(browser, ".portal-map-legend", "0/6 项达标")
