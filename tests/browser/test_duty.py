"""The duty journey: the officer on duty signs in, logs a call, hands over; the officer of the
next shift acknowledges the handover."""

import datetime

import pytest
from django.utils import timezone
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from apps.duty.models import Roster, Shift
from apps.orgs.models import OrgKind
from tests.browser.conftest import click, log_in, submit, wait_for_text
from tests.conftest import make_user
from tests.factories import child, city

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_officer_signs_in_logs_a_call_and_the_next_officer_takes_over(browser):
    district = child(city(code="C1", name="市"), OrgKind.DISTRICT, code="D1", name="一区")
    street = child(district, OrgKind.STREET, code="S1", name="甲街道")
    officer = make_user(street, username="officer_a", last_name="李", first_name="明")
    relief = make_user(street, username="officer_b", last_name="张", first_name="伟")
    roster = Roster.objects.create(org_unit=street, name="甲街道值班表")
    now = timezone.now()
    shift = roster.shifts.create(
        starts_at=now - datetime.timedelta(hours=1), ends_at=now + datetime.timedelta(hours=23)
    )
    shift.officers.set([officer])
    following = roster.shifts.create(
        starts_at=shift.ends_at, ends_at=shift.ends_at + (shift.ends_at - shift.starts_at)
    )
    following.officers.set([relief])

    log_in(browser, "officer_a")
    browser.get(browser.base_url + "/duty/")
    click(browser, browser.find_element(By.CSS_SELECTOR, ".my-shifts a"))
    click(browser, browser.find_element(By.ID, "sign-in"))
    wait_for_text(browser, ".shift-sign-in", "李明 已于")

    Select(browser.find_element(By.NAME, "kind")).select_by_visible_text("来电")
    browser.find_element(By.NAME, "caller").send_keys("华一居民区")
    browser.find_element(By.NAME, "content").send_keys("3号楼地下车库进水")
    browser.find_element(By.NAME, "action").send_keys("已通知物业抽水")
    submit(browser, "#log-form button[type=submit]")
    wait_for_text(browser, ".duty-log", "3号楼地下车库进水")

    browser.find_element(By.NAME, "handover_note").send_keys("车库积水待复查")
    submit(browser, "#handover-form button[type=submit]")
    wait_for_text(browser, ".handover", "等待下一班确认接班")

    browser.delete_all_cookies()
    log_in(browser, "officer_b")
    browser.get(browser.base_url + shift.get_absolute_url())
    assert "车库积水待复查" in browser.find_element(By.CSS_SELECTOR, ".handover-note").text
    click(browser, browser.find_element(By.ID, "acknowledge"))
    wait_for_text(browser, ".handover-acknowledged", "张伟 已于")

    shift = Shift.objects.get(pk=shift.pk)
    assert (shift.signed_in_by, shift.handed_over_by, shift.acknowledged_by) == (
        officer,
        officer,
        relief,
    )
    (entry,) = shift.log.all()
    assert (entry.kind, entry.caller, entry.created_by) == ("call", "华一居民区", officer)
