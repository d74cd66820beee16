"""A reviewer returns an application and the street staff's bell shows it at once, with the
reason: the notice is sent after the transition commits, not by the daily sweep."""

import pytest
from django.utils import timezone
from selenium.webdriver.common.by import By

from apps.applications.models import Application, State
from apps.notifications.models import Notification
from tests.browser.conftest import click, log_in, wait_for_text

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REASON = "请补充应急演练现场照片和签到表后重新提交。"
WAIT = 30  # seconds: the CI machine is shared; every wait is for something on the new page


def test_a_returned_application_shows_in_the_staff_bell_with_the_reason(browser, demo):
    app = Application.objects.get(org_unit__code="310105001", state=State.IN_REVIEW)
    # what the demo left unread is read: the one unread line will be the new notice
    Notification.objects.filter(recipient__username="huayang_staff").update(read_at=timezone.now())

    log_in(browser, "changning_reviewer")
    browser.get(browser.base_url + app.get_absolute_url())
    click(
        browser,
        browser.find_element(By.CSS_SELECTOR, ".app-actions [data-action='return']"),
        timeout=WAIT,
    )
    browser.find_element(By.NAME, "comment").send_keys(REASON)
    click(browser, browser.find_element(By.CSS_SELECTOR, "main form button[type=submit]"), WAIT)
    wait_for_text(browser, ".app-current-state", "退回修改", timeout=WAIT)
    logout = browser.find_element(By.CSS_SELECTOR, "form[action$='/logout/'] button")
    click(browser, logout, timeout=WAIT)

    log_in(browser, "huayang_staff")
    wait_for_text(browser, ".notification-bell .badge", "1", timeout=WAIT)
    click(browser, browser.find_element(By.CSS_SELECTOR, ".notification-bell"), timeout=WAIT)
    wait_for_text(browser, ".notification-list", REASON, timeout=WAIT)
    line = browser.find_element(By.CSS_SELECTOR, ".notification-list li.fw-semibold").text
    assert "申报被退回修改" in line and "退回修改" in line and REASON in line
