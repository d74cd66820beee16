import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from apps.shelters.models import Shelter
from tests.browser.conftest import click, log_in, submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def per_resident(browser, code):
    row = browser.find_element(By.CSS_SELECTOR, f".unit-indicators tr[data-unit='{code}']")
    return row.find_element(By.CSS_SELECTOR, ".per-resident").get_attribute("data-value")


def test_staff_add_a_shelter_and_see_the_indicator_change(browser, demo):
    log_in(browser, "huayang_staff")
    browser.get(browser.base_url + "/shelters/overview/")
    assert per_resident(browser, "310105001006") == "0.00"  # 秀水居民区 has no shelter
    street_before = per_resident(browser, "310105001")

    browser.get(browser.base_url + "/shelters/")
    click(browser, browser.find_element(By.LINK_TEXT, "新增避难场所"))
    Select(browser.find_element(By.NAME, "org_unit")).select_by_visible_text("秀水居民区")
    browser.find_element(By.NAME, "name").send_keys("秀水小区中心绿地避难点")
    Select(browser.find_element(By.NAME, "setting")).select_by_visible_text("室外")
    Select(browser.find_element(By.NAME, "shelter_type")).select_by_visible_text("公园绿地")
    Select(browser.find_element(By.NAME, "shelter_class")).select_by_visible_text("紧急避难点")
    browser.find_element(By.NAME, "address").send_keys("秀水路10号")
    browser.find_element(By.NAME, "total_area").send_keys("16000")
    browser.find_element(By.NAME, "effective_area").send_keys("13600")
    browser.find_element(By.NAME, "capacity").send_keys("6800")
    browser.find_element(By.NAME, "managing_unit").send_keys("秀水居委会")
    submit(browser)

    assert "秀水小区中心绿地避难点" in browser.find_element(By.TAG_NAME, "h1").text
    assert Shelter.objects.get(name="秀水小区中心绿地避难点").created_by.username == (
        "huayang_staff"
    )
    click(browser, browser.find_element(By.LINK_TEXT, "应急避难场所"))
    click(browser, browser.find_element(By.LINK_TEXT, "人均避难面积"))
    assert per_resident(browser, "310105001006") == "1.20"  # 13600 m² / 11333 residents
    assert float(per_resident(browser, "310105001")) > float(street_before)
    row = browser.find_element(By.CSS_SELECTOR, ".unit-indicators tr[data-unit='310105001006']")
    assert "达标" in row.text and "未达标" not in row.text
