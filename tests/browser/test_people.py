import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from apps.people.models import AccessLog, InformationOfficer, Visit
from tests.browser.conftest import click, log_in, submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_fill_a_coverage_gap_and_record_a_visit_before_a_typhoon(browser, demo):
    log_in(browser, "huayang_staff")
    browser.get(browser.base_url + "/people/officers/coverage/")
    uncovered = browser.find_element(By.CSS_SELECTOR, ".uncovered")
    assert "秀水小区" in uncovered.text
    row = next(li for li in uncovered.find_elements(By.TAG_NAME, "li") if "秀水小区" in li.text)
    click(browser, row.find_element(By.LINK_TEXT, "登记信息员"))
    browser.find_element(By.NAME, "name").send_keys("严佳怡")
    browser.find_element(By.NAME, "phone").send_keys("139 0000 8888")
    browser.find_element(By.NAME, "affiliation").send_keys("物业经理")
    submit(browser)
    assert "严佳怡" in browser.find_element(By.TAG_NAME, "h1").text
    assert "13900008888" in browser.page_source  # huayang_staff may see full numbers
    officer = InformationOfficer.objects.get(name="严佳怡")
    assert officer.org_unit.name == "秀水小区" and officer.created_by.username == "huayang_staff"
    browser.get(browser.base_url + "/people/officers/coverage/")
    assert "秀水小区" not in browser.find_element(By.CSS_SELECTOR, ".uncovered").text

    # the vulnerable-resident list, then one record: the read is logged
    click(browser, browser.find_element(By.LINK_TEXT, "脆弱人群"))
    first = browser.find_element(By.CSS_SELECTOR, ".resident-table tbody tr td a")
    name = first.text
    click(browser, first)
    assert name in browser.find_element(By.TAG_NAME, "h1").text
    log = AccessLog.objects.get()
    assert (log.username, log.action, log.resident.name) == ("huayang_staff", "view", name)

    click(browser, browser.find_element(By.LINK_TEXT, "登记走访"))
    Select(browser.find_element(By.NAME, "occasion")).select_by_visible_text("台风预警前")
    browser.find_element(By.NAME, "visitor").send_keys("华一居委")
    browser.find_element(By.NAME, "findings").send_keys("台风预警发布后上门，门窗已加固。")
    submit(browser)
    visits = browser.find_element(By.CSS_SELECTOR, ".visits")
    assert "台风预警发布后上门" in visits.text and "预警前" in visits.text
    assert Visit.objects.filter(resident=log.resident, visitor="华一居委").exists()


def test_staff_without_the_permission_see_masked_numbers_and_no_residents(browser, demo):
    log_in(browser, "xinhua_staff")
    browser.get(browser.base_url + "/people/")
    tabs = browser.find_element(By.CSS_SELECTOR, ".people-tabs").text
    assert "脆弱人群" not in tabs
    click(browser, browser.find_element(By.LINK_TEXT, "新华微型消防站"))
    cells = browser.find_elements(By.CSS_SELECTOR, ".member-table td.font-monospace")
    phones = [td.text for td in cells]
    assert phones and all("****" in p for p in phones)
    assert "号码已脱敏" in browser.page_source
