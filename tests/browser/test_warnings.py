"""预警叫应 end to end: the district's flood office drafts a red typhoon warning, a second
person approves and publishes it, 华一居民区's 居委主任 acknowledges on the phone page, the board
shows it at once, and 华一小区's information officer, silent, is escalated after the window
(the tick run here with the time injected)."""

import datetime

import pytest
from django.utils import timezone
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from apps.warnings import services
from apps.warnings.models import CallStatus, Channel, Status, Tier, Warning
from tests.browser.conftest import click, log_in, submit, wait_for_text

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HEADLINE = "长宁区防汛办发布台风红色预警"


def log_out_and_in(browser, username):
    browser.delete_all_cookies()
    log_in(browser, username)


def test_a_red_warning_is_approved_published_acknowledged_and_escalated(browser, demo):
    log_in(browser, "changning_fxb")
    browser.get(browser.base_url + "/warnings/new/")
    Select(browser.find_element(By.NAME, "warning_type")).select_by_visible_text("台风")
    Select(browser.find_element(By.NAME, "level")).select_by_visible_text("红色")
    Select(browser.find_element(By.NAME, "source")).select_by_visible_text("区防汛办")
    browser.find_element(By.NAME, "headline").send_keys(HEADLINE)
    browser.find_element(By.NAME, "text").send_keys(
        "台风中心将于今夜经过本区，请立即转移危险区域人员。"
    )
    expires = timezone.localtime() + datetime.timedelta(hours=12)
    browser.execute_script(
        "arguments[0].value = arguments[1]",
        browser.find_element(By.NAME, "expires_at"),
        expires.strftime("%Y-%m-%dT%H:%M"),
    )
    submit(browser)
    wait_for_text(browser, "h1", HEADLINE)
    warning = Warning.objects.get(headline=HEADLINE)
    assert warning.status == Status.DRAFT
    # the drafter is not offered the approval
    assert not browser.find_elements(By.XPATH, "//button[text()='审核通过']")

    log_out_and_in(browser, "admin")
    browser.get(browser.base_url + warning.get_absolute_url())
    click(browser, browser.find_element(By.XPATH, "//button[text()='审核通过']"))
    click(browser, browser.find_element(By.XPATH, "//button[text()='发布预警']"))
    wait_for_text(browser, "#warning-status", "已发布")
    warning.refresh_from_db()
    assert warning.status == Status.PUBLISHED and warning.calls.exists()

    log_out_and_in(browser, "huayi_community")
    browser.get(browser.base_url + "/warnings/m/")
    card = next(
        c for c in browser.find_elements(By.CSS_SELECTOR, ".call-card") if HEADLINE in c.text
    )
    click(browser, card.find_element(By.CSS_SELECTOR, "button[type=submit]"))
    wait_for_text(browser, "main", "已确认收到")
    call = warning.calls.get(user__username="huayi_community")
    assert (call.status, call.channel) == (CallStatus.ACKNOWLEDGED, Channel.PHONE_PAGE)

    log_out_and_in(browser, "changning_fxb")
    browser.get(browser.base_url + f"/warnings/{warning.pk}/board/")
    row = next(
        r for r in browser.find_elements(By.CSS_SELECTOR, "#board-calls tr") if call.name in r.text
    )
    assert "已叫应" in row.text and "手机页面" in row.text

    # nobody answers for 华一小区: after the red window (10 min) its B person is called
    officer = warning.calls.get(user__username="huayi_officer")
    assert officer.status == CallStatus.OPEN
    services.escalate_calls(now=officer.called_at + datetime.timedelta(minutes=10))
    escalated = warning.calls.get(escalated_from=officer)
    assert escalated.tier == Tier.ESCALATED and escalated.org_unit == officer.org_unit
    browser.get(browser.base_url + f"/warnings/{warning.pk}/board/")
    wait_for_text(browser, "#board-calls", "升级：B岗和值班员")
