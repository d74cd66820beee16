import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from apps.plans.models import Plan
from tests.browser.conftest import click, log_in, submit, wait_for_text
from tests.plans.factories import PDF_BYTES

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_create_a_plan_upload_a_version_and_see_it_in_the_tree(browser, demo, tmp_path):
    log_in(browser, "huayang_staff")
    browser.get(browser.base_url + "/plans/system/")
    uncovered = browser.find_element(By.CSS_SELECTOR, ".uncovered")
    assert "秀水居民区" in uncovered.text
    # "新建预案" beside 秀水居民区 prefills the unit and the kind
    row = next(li for li in uncovered.find_elements(By.TAG_NAME, "li") if "秀水" in li.text)
    click(browser, row.find_element(By.LINK_TEXT, "新建预案"))
    browser.find_element(By.NAME, "title").send_keys("秀水居民区突发事件应急预案")
    Select(browser.find_element(By.NAME, "parent")).select_by_visible_text(
        "华阳路街道突发事件总体应急预案"
    )
    browser.find_element(By.NAME, "department").send_keys("秀水居委会")
    submit(browser)

    wait_for_text(browser, "h1", "上传新版本")
    pdf = tmp_path / "秀水居民区预案.pdf"
    pdf.write_bytes(PDF_BYTES)
    date = browser.find_element(By.NAME, "version_date")
    browser.execute_script("arguments[0].value = '2026-11-20'", date)
    browser.find_element(By.NAME, "change_summary").send_keys("首次编制，经居委会讨论通过。")
    browser.find_element(By.NAME, "files").send_keys(str(pdf))
    submit(browser)

    wait_for_text(browser, ".plan-history", "秀水居民区预案.pdf")
    assert "第 1 版" in browser.find_element(By.CSS_SELECTOR, ".plan-history").text
    assert Plan.objects.get(title="秀水居民区突发事件应急预案").status == Plan.Status.IN_FORCE

    browser.get(browser.base_url + "/plans/system/")
    assert "秀水居民区突发事件应急预案" in browser.find_element(By.CSS_SELECTOR, ".plan-tree").text
    assert "秀水居民区" not in browser.find_element(By.CSS_SELECTOR, ".uncovered").text
