import math

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from apps.applications.models import Action, Application, State
from tests.applications.factories import meet_conditions
from tests.browser.conftest import click, log_in, submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fill_points(browser, css, ratio=1.0):
    for field in browser.find_elements(By.CSS_SELECTOR, css):
        field.clear()
        points = math.floor(float(field.get_attribute("data-max")) * ratio * 2) / 2
        field.send_keys(str(points))


def log_out(browser):
    click(browser, browser.find_element(By.CSS_SELECTOR, "form[action$='/logout/'] button"))


def action(browser, name):
    click(browser, browser.find_element(By.CSS_SELECTOR, f".app-actions [data-action='{name}']"))


def test_staff_fill_and_submit_reviewer_returns_staff_resubmits_reviewer_approves(browser, demo):
    # huayang_staff files an application for 秀水居民区 and fills the nine aspects
    log_in(browser, "huayang_staff")
    browser.get(browser.base_url + "/applications/new/")
    Select(browser.find_element(By.NAME, "org_unit")).select_by_visible_text("秀水居民区")
    browser.find_element(By.NAME, "contact_name").send_keys("赵丽")
    browser.find_element(By.NAME, "contact_phone").send_keys("021-62520006")
    submit(browser)
    assert "秀水居民区" in browser.find_element(By.TAG_NAME, "h1").text
    app = Application.objects.get(org_unit__code="310105001006")
    # 秀水 has no plan, drill or questionnaire in the demo: its records meet the conditions
    meet_conditions(app.org_unit, app.created_by)

    click(browser, browser.find_element(By.LINK_TEXT, "填写自评"))
    for page in range(9):
        assert "自评" in browser.find_element(By.TAG_NAME, "h1").text
        fill_points(browser, "input.points-input", ratio=0.5 if page == 1 else 1.0)
        buttons = browser.find_elements(By.CSS_SELECTOR, "button[name=next]")
        click(
            browser,
            buttons[0]
            if buttons
            else browser.find_element(By.CSS_SELECTOR, "main form button[type=submit]"),
        )
    assert "已保存“特色亮点”的自评" in browser.find_element(By.CSS_SELECTOR, ".alert").text
    action(browser, "submit")
    submit(browser)
    assert "已提交" in browser.find_element(By.CSS_SELECTOR, ".app-current-state").text
    assert browser.find_elements(By.LINK_TEXT, "填写自评") == []
    log_out(browser)

    # changning_reviewer finds it in the queue, starts the review and returns it
    log_in(browser, "changning_reviewer")
    browser.get(browser.base_url + "/applications/queue/")
    click(browser, browser.find_element(By.LINK_TEXT, "秀水居民区"))
    action(browser, "accept")
    submit(browser)
    action(browser, "return")
    submit(browser)  # no reason: refused
    assert "这个字段是必填项" in browser.find_element(By.TAG_NAME, "main").text
    browser.find_element(By.NAME, "comment").send_keys(
        "“风险评估”自评分偏低，请补充风险地图公示材料后重新自评。"
    )
    submit(browser)
    assert "退回修改" in browser.find_element(By.CSS_SELECTOR, ".app-current-state").text
    log_out(browser)

    # the staff sees the reason, fixes 风险评估 and resubmits
    log_in(browser, "huayang_staff")
    browser.get(browser.base_url + app.get_absolute_url())
    assert "风险地图公示材料" in browser.find_element(By.CSS_SELECTOR, ".app-return-reason").text
    risk = app.standard.aspects.get(name="风险评估")
    browser.get(browser.base_url + f"/applications/{app.pk}/aspects/{risk.pk}/")
    fill_points(browser, "input.points-input")
    click(browser, browser.find_element(By.CSS_SELECTOR, "main form button[type=submit]"))
    action(browser, "submit")
    submit(browser)
    assert "已提交" in browser.find_element(By.CSS_SELECTOR, ".app-current-state").text
    log_out(browser)

    # the reviewer scores every item and approves
    log_in(browser, "changning_reviewer")
    browser.get(browser.base_url + app.get_absolute_url())
    action(browser, "accept")
    submit(browser)
    click(browser, browser.find_element(By.LINK_TEXT, "评分"))
    fill_points(browser, "input.points-input", ratio=0.9)
    comment = browser.find_element(By.CSS_SELECTOR, "textarea[name^=comment_]")
    comment.send_keys("组织健全，台账规范。")
    assert browser.find_element(By.CSS_SELECTOR, "[data-grand-total]").text != "0.0"
    submit(browser)
    assert "已评 31/31 项" in browser.find_element(By.CSS_SELECTOR, ".alert").text
    action(browser, "approve")
    submit(browser)
    assert "区级通过" in browser.find_element(By.CSS_SELECTOR, ".app-current-state").text
    timeline = browser.find_element(By.CSS_SELECTOR, ".app-timeline").text
    assert "风险地图公示材料" in timeline and timeline.count("提交申报") == 2

    app.refresh_from_db()
    assert app.state == State.APPROVED
    assert list(app.events.values_list("action", flat=True)) == [
        Action.CREATE,
        Action.SUBMIT,
        Action.ACCEPT,
        Action.RETURN,
        Action.SUBMIT,
        Action.ACCEPT,
        Action.APPROVE,
    ]
