"""信息报送 end to end: the 灾害信息员 files a 初报 on the phone (375×812, with the phone's
position); the street adds 续报一 (the form prefilled from the 初报; the deadlines count down);
the district signs for the 初报 and asks for more by a deadline; the street files the 终报 and
the incident is closed, with nothing more to file."""

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from apps.incidents.models import FollowUpRequest, Incident, IncidentState
from tests.browser.conftest import click, log_in, submit, wait_for_text

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "华一小区 7 号楼厨房起火"
POSITION = {"latitude": 31.2215, "longitude": 121.426, "accuracy": 20}
FORM = "form button[type=submit].btn-primary"


def switch_user(browser, username):
    browser.delete_all_cookies()
    log_in(browser, username)


def open_incident(browser):
    browser.get(browser.base_url + "/incidents/")
    click(browser, browser.find_element(By.LINK_TEXT, TITLE))
    wait_for_text(browser, "h1", TITLE)


def test_initial_follow_up_acknowledgement_request_and_final(browser, demo):
    browser.set_window_size(375, 812)
    browser.execute_cdp_cmd(
        "Browser.grantPermissions", {"origin": browser.base_url, "permissions": ["geolocation"]}
    )
    browser.execute_cdp_cmd("Emulation.setGeolocationOverride", POSITION)
    wait = WebDriverWait(browser, 20)

    # the information officer of 华一小区 files the 初报 from the phone
    log_in(browser, "huayi_officer")
    browser.get(browser.base_url + "/incidents/new/")
    wait_for_text(browser, "h1", "报送初报")
    assert Select(browser.find_element(By.NAME, "unit")).first_selected_option.text == "华一小区"
    browser.find_element(By.NAME, "title").send_keys(TITLE)
    Select(browser.find_element(By.NAME, "incident_type")).select_by_visible_text("火灾 · 住宅火灾")
    browser.find_element(By.NAME, "address").send_keys("华一小区 7 号楼 302 室")
    browser.find_element(By.NAME, "source").send_keys("信息员现场发现")
    locate = browser.find_element(By.CSS_SELECTOR, "[data-locate]")
    browser.execute_script(
        "arguments[0].scrollIntoView({block: 'center', behavior: 'instant'});", locate
    )
    locate.click()
    wait.until(lambda b: b.find_element(By.NAME, "latitude").get_attribute("value"))
    for name, text in {
        "nature": "厨房油锅起火，一般火灾",
        "impact": "7 号楼 3 层",
        "casualties": "无人员伤亡",
        "trend": "明火已扑灭",
        "measures": "疏散同楼居民 12 人",
    }.items():
        browser.find_element(By.NAME, name).send_keys(text)
    submit(browser, FORM)
    assert browser.current_url.endswith("/m/")
    incident = Incident.objects.get(title=TITLE)
    assert incident.org_unit.code == "31010500100101"
    assert float(incident.latitude) == pytest.approx(31.2215)

    # the street adds 续报一, prefilled from the 初报; the deadlines count down
    browser.set_window_size(1400, 900)
    switch_user(browser, "huayang_staff")
    open_incident(browser)
    wait.until(
        lambda b: b.find_element(By.CSS_SELECTOR, ".deadlines [data-deadline]").text.startswith(
            ("剩余", "已超时")
        )
    )
    click(browser, browser.find_element(By.LINK_TEXT, "续报 / 终报"))
    assert (
        browser.find_element(By.NAME, "nature").get_attribute("value") == "厨房油锅起火，一般火灾"
    )
    trend = browser.find_element(By.NAME, "trend")
    trend.clear()
    trend.send_keys("现场排烟完毕，居民已返回")
    submit(browser, FORM)
    wait_for_text(browser, "[data-sequence='1'] .report-label", "续报一")

    # the district signs for the 初报 and asks for more
    switch_user(browser, "changning_reviewer")
    open_incident(browser)
    click(browser, browser.find_element(By.CSS_SELECTOR, "[data-sequence='0'] [data-ack]"))
    wait_for_text(browser, "[data-sequence='0'] .acknowledgement", "区已签收")
    click(browser, browser.find_element(By.LINK_TEXT, "要求续报"))
    browser.find_element(By.NAME, "note").send_keys("请核实受损住户数")
    submit(browser, FORM)
    wait_for_text(browser, ".follow-up-request", "请核实受损住户数")
    assert FollowUpRequest.objects.get(incident=incident).answered_by is None

    # the street files the 终报: the incident is closed and nothing more can be filed
    switch_user(browser, "huayang_staff")
    open_incident(browser)
    click(browser, browser.find_element(By.LINK_TEXT, "续报 / 终报"))
    final = browser.find_element(By.CSS_SELECTOR, "input[name=kind][value=final]")
    browser.execute_script(
        "arguments[0].scrollIntoView({block: 'center', behavior: 'instant'});", final
    )
    final.click()
    submit(browser, FORM)
    wait_for_text(browser, ".incident-state", "已终报")
    assert not browser.find_elements(By.LINK_TEXT, "续报 / 终报")
    incident.refresh_from_db()
    assert incident.state == IncidentState.CLOSED
    labels = [r.label for r in incident.reports.all()]
    assert [str(label) for label in labels] == ["初报", "续报一", "终报"]
    assert FollowUpRequest.objects.get(incident=incident).answered_by.kind == "final"
    browser.get(browser.base_url + f"/incidents/{incident.pk}/report/")
    wait_for_text(browser, ".alert-warning", "该事件已终报，不能再报送。")
