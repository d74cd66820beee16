"""Asking for a report shows a sign of life at once — the button disables itself and says it
is working — and a double click makes one report, not two."""

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By

from apps.reports.models import ReportRequest
from tests.browser.conftest import check_accessibility, log_in, wait_for_text

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WAIT = 60  # seconds: the report is generated in-process (tasks_in_process, also in CI)
BUTTON = "form[data-report-request] button[type=submit]"

# Counts the submits that would reach the server, and keeps the page (no navigation), so the
# button can be read after the clicks.
HOLD_SUBMITS = """
window.sentSubmits = 0;
window.addEventListener('submit', function (event) {
  if (!event.defaultPrevented) { window.sentSubmits += 1; }
  event.preventDefault();
});
"""


def double_click(browser):
    button = browser.find_element(By.CSS_SELECTOR, BUTTON)
    browser.execute_script(
        "arguments[0].scrollIntoView({block: 'center', behavior: 'instant'});", button
    )
    ActionChains(browser).double_click(button).perform()
    return button


def test_the_button_disables_itself_and_says_it_is_working(browser, demo):
    log_in(browser, "huayang_staff")
    browser.get(browser.base_url + "/reports/")
    browser.execute_script(HOLD_SUBMITS)
    button = double_click(browser)
    assert browser.execute_script("return window.sentSubmits;") == 1
    assert not button.is_enabled() and "正在提交" in button.text
    assert (
        browser.find_element(By.CSS_SELECTOR, "form[data-report-request]").get_attribute(
            "aria-busy"
        )
        == "true"
    )


def test_a_double_click_on_generate_makes_one_report(browser, demo, tasks_in_process):
    log_in(browser, "huayang_staff")
    browser.get(browser.base_url + "/reports/")
    double_click(browser)
    wait_for_text(browser, "#report-status", "报表已生成", timeout=WAIT)
    check_accessibility(browser)
    assert ReportRequest.objects.count() == 1
