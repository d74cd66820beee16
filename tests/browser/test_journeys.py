import pytest
from selenium.webdriver.common.by import By

from tests.browser.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_huayang_staff_logs_in_and_sees_the_workbench(browser, demo):
    browser.get(browser.base_url + "/")
    assert "/accounts/login/" in browser.current_url
    log_in(browser, "huayang_staff")
    heading = browser.find_element(By.TAG_NAME, "h1")
    assert "华阳路街道" in heading.text
    assert "工作台" in browser.title
    rows = browser.find_elements(By.CSS_SELECTOR, "table tbody tr")
    assert len(rows) == 6
    # in the bar from 1600 pixels, in the user menu below that
    unit = browser.find_element(By.CSS_SELECTOR, ".user-unit").get_attribute("textContent")
    assert "华阳路街道" in unit
