"""The life of a demonstration community in a real browser: residents answer 华三居民区's
questionnaire on their phones (375×812, no log-in, one answer per phone); the street's draft
shows the 满意率 and "还差 N 分"; the submission is refused while a basic condition does not
hold (the questionnaire needs 30 answers: the demo's 华三 has 27) and goes through once it does;
the district's reviewer records an on-site check on a tablet (768×1024) with a photo, which
scores every item, and approves; the city awards; next year's 动态管理抽查 lists it.
"""

import io

import pytest
from django.utils import timezone
from PIL import Image
from selenium.webdriver.common.by import By

from apps.applications.models import Application, State, Survey
from tests.browser.conftest import click, log_in, submit, wait_for_text

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HUASAN = "310105001002"


def answer_on_a_phone(browser, url, satisfied=True):
    """One resident: a fresh phone (no cookies) opens the QR link and answers."""
    browser.delete_all_cookies()
    browser.get(url)
    choice = "satisfied" if satisfied else "unsatisfied"
    for name, value in (
        ("satisfaction", choice),
        ("knows_shelter", "1"),
        ("joined_activity", "1"),
        ("has_kit", "0"),
        ("got_warning", "1"),
    ):
        radio = browser.find_element(By.CSS_SELECTOR, f"input[name={name}][value='{value}']")
        browser.execute_script("arguments[0].click();", radio)
    submit(browser)
    wait_for_text(browser, ".app-survey-done", "提交成功")


def log_out(browser):
    browser.set_window_size(1400, 900)  # the log-out button is in the menu a tablet collapses
    click(browser, browser.find_element(By.CSS_SELECTOR, "form[action$='/logout/'] button"))


def test_residents_answer_on_phones_and_the_gate_opens_the_submission(browser, demo, tmp_path):
    survey = Survey.objects.get(org_unit__code=HUASAN)
    url = browser.base_url + survey.public_url()

    # two residents answer on their phones; the second phone, asked again, is thanked
    browser.set_window_size(375, 812)
    answer_on_a_phone(browser, url)
    answer_on_a_phone(browser, url, satisfied=False)
    browser.get(url)
    wait_for_text(browser, ".app-survey-done", "您已经提交过这份问卷")
    assert browser.find_elements(By.CSS_SELECTOR, "input[name=satisfaction]") == []
    assert survey.responses.count() == 29

    # the street's draft shows the 满意率, the conditions and how many points are missing
    browser.set_window_size(1400, 900)
    browser.delete_all_cookies()
    log_in(browser, "huayang_staff")
    app = Application.objects.get(org_unit__code=HUASAN)
    browser.get(browser.base_url + app.get_absolute_url())
    wait_for_text(browser, ".app-conditions [data-rule=survey]", "满意率 86.2%")
    assert "答卷少于 30 份" in browser.find_element(By.CSS_SELECTOR, "[data-rule=survey]").text
    gap = browser.find_element(By.CSS_SELECTOR, ".app-gap [data-gap]")
    assert gap.text.startswith("还差 ") and gap.text.endswith(" 分")
    assert "有佐证" in browser.find_element(By.CSS_SELECTOR, ".app-gap").text
    assert "满意率" in browser.find_element(By.CSS_SELECTOR, "[data-facts=survey]").text
    assert browser.find_element(By.CSS_SELECTOR, ".app-flood [data-flood=plan]")

    # the remaining aspects filled, the submission is refused with the reason
    for aspect in app.standard.aspects.order_by("order")[4:]:
        browser.get(browser.base_url + f"/applications/{app.pk}/aspects/{aspect.pk}/")
        for field in browser.find_elements(By.CSS_SELECTOR, "input.points-input"):
            field.clear()
            field.send_keys(field.get_attribute("data-max"))
        submit(browser)
    click(browser, browser.find_element(By.CSS_SELECTOR, ".app-actions [data-action='submit']"))
    submit(browser)
    wait_for_text(browser, "main", "基本条件未满足，不能提交")
    assert "答卷少于 30 份" in browser.find_element(By.TAG_NAME, "main").text
    app.refresh_from_db()
    assert app.state == State.DRAFT

    # one more resident answers: 30 answers, and the submission goes through
    log_out(browser)
    browser.set_window_size(375, 812)
    answer_on_a_phone(browser, url)
    browser.set_window_size(1400, 900)
    browser.delete_all_cookies()
    log_in(browser, "huayang_staff")
    browser.get(browser.base_url + app.get_absolute_url())
    click(browser, browser.find_element(By.CSS_SELECTOR, ".app-actions [data-action='submit']"))
    submit(browser)
    wait_for_text(browser, ".app-current-state", "已提交")
    frozen = browser.find_element(By.CSS_SELECTOR, ".app-conditions").text
    assert "提交时核验" in frozen and "不满足" not in frozen
    app.refresh_from_db()
    assert app.state == State.SUBMITTED
    assert app.facts_snapshot["survey"]["answers"] == 30

    # the district's reviewer accepts it and records the on-site check on a tablet
    log_out(browser)
    browser.set_window_size(768, 1024)
    log_in(browser, "changning_reviewer")
    browser.get(browser.base_url + app.get_absolute_url())
    click(browser, browser.find_element(By.CSS_SELECTOR, ".app-actions [data-action='accept']"))
    submit(browser)
    click(browser, browser.find_element(By.CSS_SELECTOR, ".app-actions [data-action='inspect']"))
    wait_for_text(browser, "h1", "现场核查")
    browser.find_element(By.NAME, "checkers").send_keys("长宁区灾防办 张伟、李娜")
    browser.find_element(By.NAME, "findings").send_keys("微型消防站器材齐全，避难场所标识清晰。")
    for field in browser.find_elements(By.CSS_SELECTOR, "input.points-input"):
        field.send_keys(field.get_attribute("data-max"))
    photo = tmp_path / "现场.png"
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (30, 120, 60)).save(buffer, "PNG")
    photo.write_bytes(buffer.getvalue())
    browser.find_element(By.NAME, "photos").send_keys(str(photo))
    submit(browser, ".app-inspection-actions button[type=submit]")
    wait_for_text(browser, ".alert", "已记录现场核查，核查得分 100.0 分")
    assert "达到通过分数线" in browser.find_element(By.CSS_SELECTOR, ".app-inspection-score").text
    browser.get(browser.base_url + app.get_absolute_url())
    click(browser, browser.find_element(By.CSS_SELECTOR, ".app-actions [data-action='approve']"))
    submit(browser)
    wait_for_text(browser, ".app-current-state", "区级通过")
    assert "现场核查" in browser.find_element(By.CSS_SELECTOR, ".app-inspections").text

    # the city awards the title
    log_out(browser)
    browser.set_window_size(1400, 900)
    log_in(browser, "admin")
    browser.get(browser.base_url + app.get_absolute_url())
    click(browser, browser.find_element(By.CSS_SELECTOR, ".app-actions [data-action='award']"))
    submit(browser)
    wait_for_text(browser, ".app-current-state", "已授牌")

    # next year's 动态管理抽查 lists it
    next_year = timezone.localdate().year + 1
    browser.get(browser.base_url + f"/applications/spot-checks/?year={next_year}")
    wait_for_text(browser, "h1", f"{next_year}年动态管理抽查")
    row = browser.find_element(By.CSS_SELECTOR, f".app-spot-checks [data-application='{app.pk}']")
    assert "华三居民区" in row.text and "待抽查" in row.text
