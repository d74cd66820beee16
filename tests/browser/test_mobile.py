"""The front line's journey on a phone (375×812): a grid worker goes offline, reports a hazard
with a photo and the phone's position, comes back online, and the report — queued in the
browser with its idempotency key — arrives exactly once; street staff assign it; the community
marks it rectified with an after-photo from the phone page; another person verifies and closes
it (the one who marked 整改完成 may not).

Offline is Chromium's network emulation (DevTools protocol): the page then sees
``navigator.onLine`` false and its requests fail, while the service worker serves the phone
pages it keeps."""

from datetime import timedelta

import pytest
from django.utils import timezone
from PIL import Image
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from apps.hazards.models import Hazard, HazardState
from apps.mobile.models import Submission
from apps.orgs.models import OrgUnit
from tests.browser.conftest import click, log_in, submit, wait_for_text

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "5 号楼消防通道堆放杂物"
POSITION = {"latitude": 31.2215, "longitude": 121.426, "accuracy": 20}


def network(browser, *, offline):
    browser.execute_cdp_cmd("Network.enable", {})
    browser.execute_cdp_cmd(
        "Network.emulateNetworkConditions",
        {"offline": offline, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
    )


def tap(browser, element):
    """Click a control of the page (not a navigation), clear of the fixed bottom bar."""
    browser.execute_script(
        "arguments[0].scrollIntoView({block: 'center', behavior: 'instant'});", element
    )
    element.click()


def switch_user(browser, username):
    browser.delete_all_cookies()
    log_in(browser, username)


def test_offline_report_arrives_once_and_goes_round_the_loop(browser, demo, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    photo = tmp_path / "现场.jpg"
    Image.new("RGB", (640, 480), "orange").save(photo, format="JPEG")
    after = tmp_path / "整改后.jpg"
    Image.new("RGB", (640, 480), "green").save(after, format="JPEG")
    browser.set_window_size(375, 812)
    browser.execute_cdp_cmd(
        "Browser.grantPermissions", {"origin": browser.base_url, "permissions": ["geolocation"]}
    )
    browser.execute_cdp_cmd("Emulation.setGeolocationOverride", POSITION)
    wait = WebDriverWait(browser, 20)

    # the grid worker lands on 我的任务; the service worker installs and keeps the shell
    log_in(browser, "huayi_grid")
    assert browser.current_url.endswith("/m/")
    browser.set_script_timeout(20)
    scope = browser.execute_async_script(
        "var done = arguments[arguments.length - 1];"
        "navigator.serviceWorker.ready.then(function (r) { return caches.keys().then("
        "function (keys) { done([r.scope, keys]); }); });"
    )
    assert scope[0] == browser.base_url + "/m/" and scope[1][0].startswith("m-shell-")

    # offline: the report page still opens (from the service worker), the report is queued
    network(browser, offline=True)
    browser.get(browser.base_url + "/m/report/")
    wait.until(lambda b: b.execute_script("return navigator.onLine") is False)
    assert browser.find_element(By.CSS_SELECTOR, "[data-offline-banner]").is_displayed()
    tap(browser, browser.find_element(By.XPATH, "//label[text()='消防通道堵塞']"))
    browser.find_element(By.NAME, "title").send_keys(TITLE)
    click_step = "section:not([hidden]) [data-next]"
    tap(browser, browser.find_element(By.CSS_SELECTOR, click_step))
    Select(browser.find_element(By.NAME, "org_unit")).select_by_visible_text("华一苑")
    browser.find_element(By.NAME, "address").send_keys("5 号楼东侧")
    wait.until(lambda b: b.find_element(By.NAME, "latitude").get_attribute("value"))
    tap(browser, browser.find_element(By.CSS_SELECTOR, click_step))
    browser.find_element(By.NAME, "photos").send_keys(str(photo))
    tap(browser, browser.find_element(By.CSS_SELECTOR, "main button[type=submit]"))
    wait_for_text(browser, "[data-done]", "已保存在手机上")
    wait.until(
        lambda b: (
            b.find_element(By.CSS_SELECTOR, "[data-outbox]").get_attribute("data-pending") == "1"
        )
    )
    assert not Hazard.objects.filter(title=TITLE).exists()

    # back online: the outbox sends it, once
    network(browser, offline=False)
    wait.until(lambda b: Hazard.objects.filter(title=TITLE).exists())
    wait_for_text(browser, "[data-outbox]", "离线上报已发送")
    browser.get(browser.base_url + "/m/")  # a reload flushes again: nothing is left to send
    wait.until(
        lambda b: (
            b.find_element(By.CSS_SELECTOR, "[data-outbox]").get_attribute("data-pending")
            in (None, "0")
        )
    )
    hazard = Hazard.objects.get(title=TITLE)
    assert Submission.objects.filter(hazard=hazard).count() == 1
    assert hazard.org_unit == OrgUnit.objects.get(name="华一苑")
    assert hazard.reported_by.username == "huayi_grid"
    assert (float(hazard.latitude), float(hazard.longitude)) == (31.2215, 121.426)
    assert hazard.photos.count() == 1 and hazard.state == HazardState.REPORTED

    # street staff assign it (desk page)
    switch_user(browser, "huayang_staff")
    browser.get(f"{browser.base_url}/hazards/{hazard.pk}/assign/")
    browser.find_element(By.NAME, "responsible_unit").send_keys("华一居民区")
    browser.execute_script(
        "arguments[0].value = arguments[1]",
        browser.find_element(By.NAME, "deadline"),
        (timezone.localdate() + timedelta(days=7)).isoformat(),
    )
    submit(browser)
    wait_for_text(browser, ".hz-current-state", "交办")

    # the community rectifies it from the phone page, with an after-photo
    switch_user(browser, "huayi_community")
    browser.get(browser.base_url + "/m/")
    click(browser, browser.find_element(By.PARTIAL_LINK_TEXT, TITLE))
    submit(browser, "form[data-action=start] button[type=submit]")
    wait_for_text(browser, ".m-state", "整改中")
    browser.find_element(By.ID, "photos-complete").send_keys(str(after))
    browser.find_element(By.ID, "note-complete").send_keys("杂物已清运")
    submit(browser, "form[data-action=complete] button[type=submit]")
    wait_for_text(browser, ".m-state", "整改完成待核查")
    assert len(browser.find_elements(By.CSS_SELECTOR, ".m-event[data-action=complete] img")) == 1

    # another person (street staff) verifies and closes it
    switch_user(browser, "huayang_staff")
    browser.get(f"{browser.base_url}/hazards/{hazard.pk}/verify/")
    browser.find_element(By.NAME, "note").send_keys("现场核查通过")
    submit(browser)
    wait_for_text(browser, ".hz-current-state", "销号")
    hazard.refresh_from_db()
    assert hazard.state == HazardState.CLOSED
    assert list(hazard.events.values_list("action", "actor__username")) == [
        ("report", "huayi_grid"),
        ("assign", "huayang_staff"),
        ("start", "huayi_community"),
        ("complete", "huayi_community"),
        ("verify", "huayang_staff"),
    ]
