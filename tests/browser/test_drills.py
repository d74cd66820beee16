import datetime

import pytest
from django.utils import timezone
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from apps.drills.models import Drill, DrillStatus
from tests.browser.conftest import click, log_in, submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def set_date(browser, name, value):
    browser.execute_script(
        "arguments[0].value = arguments[1]", browser.find_element(By.NAME, name), value
    )


def test_staff_record_a_held_drill_with_a_problem_and_see_its_follow_up(browser, demo):
    today = timezone.localdate()
    log_in(browser, "huayang_staff")
    browser.get(browser.base_url + "/drills/coverage/")
    assert "秀水居民区" in browser.find_element(By.CSS_SELECTOR, ".uncovered").text
    row = next(
        li for li in browser.find_elements(By.CSS_SELECTOR, ".uncovered li") if "秀水" in li.text
    )
    click(browser, row.find_element(By.LINK_TEXT, "安排演练"))  # prefills the community

    browser.find_element(By.NAME, "title").send_keys("秀水居民区燃气泄漏应急演练")
    Select(browser.find_element(By.NAME, "form")).select_by_visible_text("场景演练")
    Select(browser.find_element(By.NAME, "theme")).select_by_visible_text("燃气泄漏")
    set_date(browser, "date", (today - datetime.timedelta(days=2)).isoformat())
    browser.find_element(By.NAME, "place").send_keys("秀水小区 3 号楼")
    browser.find_element(By.NAME, "organiser").send_keys("秀水居委会")
    browser.find_element(By.NAME, "participants").send_keys("42")
    Select(browser.find_element(By.NAME, "status")).select_by_visible_text("已完成")
    submit(browser)
    # no summary: refused with the rule's message, nothing saved
    assert "演练完成后必须填写演练总结" in browser.page_source
    assert not Drill.objects.filter(title="秀水居民区燃气泄漏应急演练").exists()
    browser.find_element(By.NAME, "summary").send_keys(
        "居民 8 分钟内疏散完毕，燃气公司到场处置规范。"
    )
    submit(browser)

    assert "秀水居民区燃气泄漏应急演练" in browser.find_element(By.TAG_NAME, "h1").text
    drill = Drill.objects.get(title="秀水居民区燃气泄漏应急演练")
    assert drill.status == DrillStatus.COMPLETED and drill.org_unit.name == "秀水居民区"

    form = browser.find_element(By.CSS_SELECTOR, "form.add-action")
    form.find_element(By.NAME, "problem").send_keys("部分住户燃气报警器失效")
    form.find_element(By.NAME, "owner").send_keys("燃气公司长宁营业所")
    set_date(browser, "due_date", (today - datetime.timedelta(days=1)).isoformat())
    submit(browser, "form.add-action button[type=submit]")

    actions = browser.find_element(By.CSS_SELECTOR, ".follow-up-actions")
    assert "部分住户燃气报警器失效" in actions.text and "已逾期" in actions.text
    browser.get(browser.base_url + "/drills/actions/?show=overdue")
    assert "部分住户燃气报警器失效" in browser.find_element(By.CSS_SELECTOR, "main").text
    browser.get(browser.base_url + "/drills/coverage/")
    assert "秀水居民区" not in browser.find_element(By.CSS_SELECTOR, ".uncovered").text
