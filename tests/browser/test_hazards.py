import io
from datetime import timedelta

import pytest
from django.utils import timezone
from PIL import Image
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from apps.hazards.models import Hazard, HazardState
from tests.browser.conftest import click, log_in, submit, wait_for_text
from tests.conftest import make_user
from tests.hazards.factories import HazardFactory, RiskPointFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _figure(browser, name):
    return browser.find_element(By.ID, f"stat-{name}").text


def _act(browser, action, note, photo=None):
    click(browser, browser.find_element(By.CSS_SELECTOR, f".hz-actions a[data-action={action}]"))
    browser.find_element(By.NAME, "note").send_keys(note)
    if photo:
        browser.find_element(By.NAME, "photos").send_keys(photo)
    submit(browser)
    assert browser.find_element(By.CSS_SELECTOR, ".alert-success")


def test_report_assign_complete_verify_and_see_the_closure_rate(browser, demo, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    photo = tmp_path / "现场.png"
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), "orange").save(buffer, format="PNG")
    photo.write_bytes(buffer.getvalue())

    log_in(browser, "huayang_staff")
    browser.get(browser.base_url + "/hazards/stats/")
    total_before = int(_figure(browser, "total"))
    closed_before = int(_figure(browser, "closed"))
    rate_before = _figure(browser, "closure-rate")

    # report a hazard with a photo
    browser.get(browser.base_url + "/hazards/")
    click(browser, browser.find_element(By.LINK_TEXT, "上报隐患"))
    Select(browser.find_element(By.NAME, "org_unit")).select_by_visible_text("华一居民区")
    browser.find_element(By.NAME, "title").send_keys("3 号楼楼道飞线充电")
    Select(browser.find_element(By.NAME, "category")).select_by_visible_text(
        "电动自行车飞线充电/进楼入户"
    )
    Select(browser.find_element(By.NAME, "severity")).select_by_visible_text("重大隐患")
    browser.find_element(By.NAME, "address").send_keys("华一小区 3 号楼")
    browser.find_element(By.NAME, "description").send_keys("一楼窗口拉线给电动自行车充电。")
    browser.find_element(By.NAME, "photos").send_keys(str(photo))
    submit(browser)
    errors = browser.find_elements(By.CSS_SELECTOR, ".invalid-feedback, .alert-danger")
    assert not errors, [e.text for e in errors]
    assert browser.find_element(By.TAG_NAME, "h1").text == "3 号楼楼道飞线充电"
    assert browser.find_element(By.CSS_SELECTOR, ".hz-current-state").text.startswith("发现")
    hazard = Hazard.objects.get(title="3 号楼楼道飞线充电")
    assert hazard.photos.count() == 1

    # assign: responsible unit and deadline
    click(browser, browser.find_element(By.CSS_SELECTOR, ".hz-actions a[data-action=assign]"))
    browser.find_element(By.NAME, "responsible_unit").send_keys("物业公司")
    deadline = browser.find_element(By.NAME, "deadline")
    browser.execute_script(
        "arguments[0].value = arguments[1]",
        deadline,
        (timezone.localdate() + timedelta(days=7)).isoformat(),
    )
    browser.find_element(By.NAME, "note").send_keys("请三日内整改")
    submit(browser)
    assert "交办" in browser.find_element(By.CSS_SELECTOR, ".hz-current-state").text

    _act(browser, "start", "已接收")
    _act(browser, "complete", "已拆除飞线，设置集中充电点", photo=str(photo))
    assert "整改完成待核查" in browser.find_element(By.CSS_SELECTOR, ".hz-current-state").text
    # 核查销号 by another person than the one who marked 整改完成
    make_user(hazard.org_unit.parent, username="huayang_checker")
    browser.delete_all_cookies()
    log_in(browser, "huayang_checker")
    browser.get(browser.base_url + hazard.get_absolute_url())
    _act(browser, "verify", "现场核查通过")

    assert browser.find_element(By.CSS_SELECTOR, ".hz-current-state").text.startswith("销号")
    events = browser.find_elements(By.CSS_SELECTOR, ".hz-timeline .hz-event")
    assert [e.get_attribute("data-action") for e in events] == [
        "report",
        "assign",
        "start",
        "complete",
        "verify",
    ]
    images = browser.find_elements(By.CSS_SELECTOR, ".hz-timeline img.hz-photo")
    assert len(images) == 2
    assert all(
        browser.execute_script("return arguments[0].complete && arguments[0].naturalWidth", i)
        for i in images
    )
    assert not browser.find_elements(By.CSS_SELECTOR, ".hz-actions a[data-action]")
    hazard.refresh_from_db()
    assert hazard.state == HazardState.CLOSED

    # the closure rate moved
    browser.get(browser.base_url + "/hazards/stats/")
    assert int(_figure(browser, "total")) == total_before + 1
    assert int(_figure(browser, "closed")) == closed_before + 1
    expected = f"{round(100 * (closed_before + 1) / (total_before + 1), 1)}%"
    assert _figure(browser, "closure-rate") == expected != rate_before


def test_the_risk_map_draws_points_without_tiles(browser, tree, settings):
    settings.MAP_TILE_URL = ""
    staff = make_user(tree["s1"], username="map_staff")
    for level in ("red", "orange", "yellow", "blue"):
        RiskPointFactory(org_unit=tree["c1"], level=level, name=f"{level} 风险点")
    RiskPointFactory(org_unit=tree["c2"], level="red", name="别的街道")
    HazardFactory(org_unit=tree["c1"], title="未销号隐患", created_by=staff)
    log_in(browser, staff.username)
    browser.get(browser.base_url + "/hazards/map/")
    # The map may load twice (once more for the view it settles on), redrawing its layers and
    # legend: wait for the drawn state rather than read elements that may be replaced.
    wait = WebDriverWait(browser, 10, ignored_exceptions=(StaleElementReferenceException,))
    wait.until(
        lambda b: (
            b.find_element(By.CSS_SELECTOR, "[data-map-data-url]").get_attribute("data-map-points")
            == "5"
        )
    )
    wait.until(
        lambda b: (
            len(b.find_elements(By.CSS_SELECTOR, "path.map-point-red")) == 1
            and len(b.find_elements(By.CSS_SELECTOR, "path.map-point-hazard_general")) == 1
        )
    )
    wait_for_text(browser, ".portal-map-legend", "红色·重大风险(1)")
    wait_for_text(browser, ".portal-map-legend", "蓝色·低风险(1)")
    assert not browser.find_elements(By.CSS_SELECTOR, ".leaflet-tile")
