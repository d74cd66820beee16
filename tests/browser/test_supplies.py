"""Journey: 陆家嘴 staff import a small stock sheet (preview, confirm), then dispatch from it."""

import openpyxl
import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from apps.supplies.models import Lot, Movement, MovementKind
from tests.browser.conftest import click, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_import_stock_then_dispatch(browser, demo, tasks_in_process, tmp_path):
    sheet = tmp_path / "库存.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["储备点编码", "物资编码", "批次号", "有效期至", "库存数量"])
    book.active.append(["310115005-01", "YL005", "BR-2025", None, 6])
    book.save(sheet)

    log_in(browser, "lujiazui_staff")
    browser.get(browser.base_url + "/supplies/")
    browser.find_element(By.LINK_TEXT, "海尚源深综合应急物资储备库")
    browser.get(browser.base_url + "/supplies/import/stock/")
    browser.find_element(By.NAME, "file").send_keys(str(sheet))
    browser.find_element(By.CSS_SELECTOR, "form button[type=submit].btn-primary").click()

    wait = WebDriverWait(browser, 15)
    wait.until(lambda b: "检查通过" in b.find_element(By.ID, "import-status").text)
    assert not Lot.objects.filter(lot_no="BR-2025").exists()  # the preview wrote nothing
    browser.find_element(By.XPATH, "//button[contains(., '确认导入')]").click()
    wait.until(lambda b: "已导入 1 行" in b.find_element(By.ID, "import-status").text)
    assert Lot.objects.get(lot_no="BR-2025").quantity == 6

    browser.get(browser.base_url + "/supplies/")
    click(browser, browser.find_element(By.LINK_TEXT, "海尚源深综合应急物资储备库"))
    click(browser, browser.find_element(By.LINK_TEXT, "出库"))
    Select(browser.find_element(By.NAME, "item")).select_by_visible_text("医疗救护类 · 担架（副）")
    browser.find_element(By.NAME, "quantity").send_keys("2")
    browser.find_element(By.NAME, "recipient").send_keys("梅园一村居委会")
    browser.find_element(By.NAME, "purpose").send_keys("防汛防台演练")
    click(browser, browser.find_element(By.CSS_SELECTOR, "form.action-form button[type=submit]"))

    alert = browser.find_element(By.CSS_SELECTOR, ".alert-success")
    assert "出库成功" in alert.text and "担架 2副" in alert.text
    stock_row = browser.find_element(By.CSS_SELECTOR, ".stock-table tr[data-item=YL005]")
    assert "4 副" in stock_row.text
    move = Movement.objects.filter(kind=MovementKind.DISPATCH).latest("pk")
    assert (move.recipient, move.quantity_change, move.created_by.username) == (
        "梅园一村居委会",
        -2,
        "lujiazui_staff",
    )
