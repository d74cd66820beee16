"""A typhoon, end to end in the browser: the street activates the 防台 plan at Ⅱ级 from its
response card → the tasks appear on the board → a shelter is opened → 20 people are checked in
(three of them vulnerable residents from the register) → a community asks for 防汛沙袋 on its
phone page → the street approves and dispatches → the community signs → the event closes →
the 事后评估 PDF is generated and its link works."""

import io

import pytest
from django.utils.timezone import localtime
from pypdf import PdfReader
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from apps.plans.models import Plan
from apps.reports.models import ReportRequest
from apps.response.models import CheckIn, Event, RequestStatus, SupplyRequest
from tests.browser.conftest import click, log_in, submit, wait_for_text

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "台风“海葵”防御Ⅱ级响应"
WALK_INS = [("陈一", "13916210001", 6), ("陈二", "13916210002", 6), ("陈三", "13916210003", 5)]


def log_out(browser):
    browser.delete_all_cookies()


def fill(browser, values):
    for name, value in values.items():
        field = browser.find_element(By.CSS_SELECTOR, f"main [name={name}]")
        field.clear()
        field.send_keys(str(value))


def test_a_typhoon_from_activation_to_the_review_pdf(browser, demo, tasks_in_process):
    plan = Plan.objects.get(title="华阳路街道防汛防台专项应急预案")
    log_in(browser, "huayang_staff")
    browser.get(browser.base_url + plan.get_absolute_url())
    click(browser, browser.find_element(By.LINK_TEXT, "响应卡（Ⅰ–Ⅳ级）"))
    wait_for_text(browser, "#level-2", "排查低洼地区")
    click(browser, browser.find_element(By.LINK_TEXT, "启动应急响应"))
    Select(browser.find_element(By.NAME, "level")).select_by_visible_text("Ⅱ级")
    browser.find_element(By.NAME, "title").send_keys(TITLE)
    submit(browser)

    # the tasks of the Ⅱ级 card, with their owners
    wait_for_text(browser, "h1", TITLE)
    tasks = browser.find_element(By.CSS_SELECTOR, ".board-tasks").text
    assert "召开防汛防台会商" in tasks and "华一居民区" in tasks
    event = Event.objects.get(title=TITLE)

    # a shelter opened, people checked in
    click(browser, browser.find_element(By.LINK_TEXT, "启用避难场所"))
    Select(browser.find_element(By.NAME, "shelter")).select_by_visible_text(
        "华一社区学校操场避难点"
    )
    fill(browser, {"capacity": 100})
    submit(browser)
    wait_for_text(browser, "h1", "华一社区学校操场避难点")
    assert browser.find_element(By.CSS_SELECTOR, "img.check-in-qr").get_attribute("src")
    click(browser, browser.find_element(By.LINK_TEXT, "入住登记"))
    for name, phone, size in WALK_INS:
        fill(browser, {"name": name, "phone": phone, "household_size": size})
        submit(browser)
        wait_for_text(browser, "main .alert-success", name)
    for index in (1, 2, 3):
        Select(browser.find_element(By.NAME, "resident")).select_by_index(index)
        fill(browser, {"household_size": 1})
        submit(browser)
        wait_for_text(browser, "main .alert-success", "已登记")
    browser.get(browser.base_url + event.get_absolute_url())
    wait_for_text(browser, "[data-figure=occupancy]", "20")
    present = CheckIn.objects.filter(operation__event=event)
    assert sum(c.household_size for c in present) == 20  # three households of 17, 3 residents
    assert present.filter(resident__isnull=False).count() == 3

    # the community asks for sandbags on its phone page
    log_out(browser)
    log_in(browser, "huayi_community")
    browser.get(browser.base_url + f"/response/{event.pk}/m/")
    click(browser, browser.find_element(By.LINK_TEXT, "申请物资"))
    Select(browser.find_element(By.NAME, "item")).select_by_visible_text("防汛沙袋（只）")
    fill(browser, {"quantity": 100, "reason": "华阳路低洼路段封堵"})
    submit(browser)
    wait_for_text(browser, ".request-status", "待审批")
    request = SupplyRequest.objects.get(event=event)

    # the street approves and dispatches
    log_out(browser)
    log_in(browser, "huayang_staff")
    browser.get(browser.base_url + request.get_absolute_url())
    submit(browser, "form.decide-form button[type=submit]")
    wait_for_text(browser, ".request-status", "已批准")
    submit(browser, "form.dispatch-form button[type=submit]")
    wait_for_text(browser, ".request-status", "已出库")

    # the community signs for what arrived
    log_out(browser)
    log_in(browser, "huayi_community")
    browser.get(browser.base_url + request.get_absolute_url())
    submit(browser, "form.receive-form button[type=submit]")
    wait_for_text(browser, ".request-status", "已签收")
    request.refresh_from_db()
    assert request.status == RequestStatus.RECEIVED and request.received_quantity == 100

    # the street closes the event and asks for the 事后评估
    log_out(browser)
    log_in(browser, "huayang_staff")
    browser.get(browser.base_url + event.get_absolute_url())
    click(browser, browser.find_element(By.LINK_TEXT, "结束响应"))
    fill(browser, {"people_evacuated": 20, "casualties": 0, "summary": "转移及时，无人员伤亡。"})
    browser.find_element(By.NAME, "problems").send_keys("部分沙袋破损；街道应急办；2099-06-30")
    submit(browser)
    wait_for_text(browser, "#event-status", "已结束")
    submit(browser, "main form[action*=response_review] button[type=submit]")
    link = WebDriverWait(browser, 30).until(lambda b: b.find_elements(By.LINK_TEXT, "下载 PDF"))[0]
    content_type = browser.execute_async_script(
        "var done = arguments[arguments.length - 1];"
        "fetch(arguments[0]).then(function (r) {"
        "  done(r.status + ' ' + r.headers.get('Content-Type'));"
        "});",
        link.get_attribute("href"),
    )
    assert content_type == "200 application/pdf"
    report = ReportRequest.objects.get(kind="response_review")
    with report.file.open("rb") as pdf:
        text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.read())).pages)
    text = text.replace(" ", "")
    event.refresh_from_db()
    assert localtime(event.opened_at).strftime("%Y-%m-%d%H:%M") in text
    assert "最高同时在场20人" in text and "部分沙袋破损" in text
