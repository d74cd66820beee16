"""The response pages: scoping (another street's event is a 404, the district reviewer reads
and gets 403 on any change, the front line reaches only the phone pages), the public pages
show no personal data, bad input on every form ends in a clear message and nothing saved, and
the 事后评估 PDF names the times of the response. An event is opened for a warning or an
incident the user may name (``?warning=`` / ``?incident=`` prefill only those; anything else
in the POST is a form error) and its pages name them."""

import io
import re

import pytest
from django.urls import reverse
from pypdf import PdfReader

from apps.reports.models import ReportRequest
from apps.response import services
from apps.response.models import (
    CardLevel,
    CheckIn,
    Event,
    EventStatus,
    RequestStatus,
    SupplyRequest,
    TaskStatus,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(world):
    return services.open_event(world["staff"], world["plan"], level=2, title="台风“测试”防御响应")


@pytest.fixture
def operation(world, event):
    return services.open_shelter(world["staff"], event, world["shelter"])


def as_user(client, user):
    client.force_login(user)
    return client


def test_the_card_is_edited_level_by_level_with_tasks_and_supplies(client, world):
    w = world
    as_user(client, w["staff"])
    response = client.get(reverse("response:card", args=[w["plan"].pk]))
    assert response.status_code == 200 and "会商" in response.text
    url = reverse("response:card_edit", args=[w["plan"].pk, 3])
    data = {
        "trigger": "台风黄色预警",
        "shelters": [w["shelter"].pk],
        "tasks-TOTAL_FORMS": "1",
        "tasks-INITIAL_FORMS": "0",
        "tasks-0-title": "通知帮扶人",
        "tasks-0-role": "居委会",
        "tasks-0-unit": w["c1"].pk,
        "tasks-0-due_hours": "4",
        "supplies-TOTAL_FORMS": "1",
        "supplies-INITIAL_FORMS": "0",
        "supplies-0-item": w["sandbags"].pk,
        "supplies-0-quantity": "0",
    }
    response = client.post(url, data)
    assert response.status_code == 200 and "数量须大于 0" in response.text
    assert not CardLevel.objects.filter(level=3).exists()
    response = client.post(url, data | {"supplies-0-quantity": "200"})
    assert response.status_code == 302
    level = CardLevel.objects.get(plan=w["plan"], level=3)
    assert [t.title for t in level.tasks.all()] == ["通知帮扶人"]
    assert level.supplies.get().quantity == 200 and list(level.shelters.all()) == [w["shelter"]]
    as_user(client, w["reviewer"])
    assert client.get(reverse("response:card", args=[w["plan"].pk])).status_code == 200
    assert client.get(url).status_code == 403
    as_user(client, w["other_staff"])
    assert client.get(url).status_code == 404


def test_the_plan_page_links_its_card(client, world):
    as_user(client, world["staff"])
    response = client.get(world["plan"].get_absolute_url())
    assert reverse("response:card", args=[world["plan"].pk]) in response.text


def test_opening_an_event_from_the_form(client, world):
    w = world
    as_user(client, w["staff"])
    url = reverse("response:create")
    response = client.post(
        url, {"plan": w["plan"].pk, "level": 3, "title": "x", "origin": "manual"}
    )
    assert "尚未编制Ⅲ级响应卡" in response.text and not Event.objects.exists()
    response = client.post(
        url, {"plan": w["plan"].pk, "level": 2, "title": "台风响应", "origin": "manual"}
    )
    event = Event.objects.get()
    assert response.status_code == 302 and response.url == event.get_absolute_url()
    board = client.get(event.get_absolute_url())
    assert "会商" in board.text and "转移居民" in board.text


def test_the_open_page_starts_from_a_warning_or_incident_the_user_may_name(client, world, links):
    w, x = world, links
    as_user(client, w["staff"])
    url = reverse("response:create")
    page = client.get(url, {"warning": x["warning"].pk}).text
    assert re.search(rf'<option value="{x["warning"].pk}" selected>', page)
    assert re.search(r'<option value="warning" selected>', page)
    assert "二区暴雨黄色预警" not in page  # not offered: 甲街道 does not see it
    page = client.get(url, {"incident": x["incident"].pk}).text
    assert re.search(rf'<option value="{x["incident"].pk}" selected>', page)
    assert "乙街道下立交积水" not in page
    for query in (
        {"warning": x["other_district_warning"].pk},
        {"warning": x["draft_warning"].pk},
        {"incident": x["other_incident"].pk},
        {"incident": "abc"},
        {"warning": "99999999"},
        {"warning": "9" * 30},
        {"incident": "-1"},
    ):
        page = client.get(url, query)
        assert page.status_code == 200
        assert re.search(r'<option value="manual" selected>', page.text), query


@pytest.mark.parametrize(
    "data",
    [
        {"origin": "incident", "incident": "other_incident"},  # 乙街道's, not 甲街道's
        {"origin": "warning", "warning": "other_district_warning"},  # 二区's
        {"origin": "warning", "warning": "draft_warning"},
        {"origin": "warning", "warning": "99999999"},
        {"origin": "incident", "incident": "甲"},
        {"origin": "incident", "incident": "9" * 30},
        {"origin": "warning", "warning": "1 OR 1=1"},
    ],
)
def test_a_foreign_or_bad_link_in_the_post_is_a_form_error(client, world, links, data):
    w, x = world, links
    as_user(client, w["staff"])
    post = {"plan": w["plan"].pk, "level": 2, "title": "响应"}
    post |= {name: x[v].pk if name != "origin" and v in x else v for name, v in data.items()}
    response = client.post(reverse("response:create"), post)
    assert response.status_code == 200 and "选择一个有效的选项" in response.text
    assert not Event.objects.exists()


@pytest.mark.parametrize(
    "data, message",
    [
        ({"origin": "warning"}, "启动来源为预警时，请选择关联的预警。"),
        ({"origin": "incident"}, "启动来源为突发事件报告时，请选择关联的突发事件。"),
        ({"origin": "warning", "warning": "community_warning"}, "该预警的预警范围不包括甲街道。"),
    ],
)
def test_a_link_the_service_refuses_shows_on_its_field(client, world, links, data, message):
    w, x = world, links
    as_user(client, w["staff"])
    post = {"plan": w["plan"].pk, "level": 2, "title": "响应"}
    post |= {name: x[v].pk if name != "origin" and v in x else v for name, v in data.items()}
    response = client.post(reverse("response:create"), post)
    assert response.status_code == 200 and message in response.text
    assert not Event.objects.exists()


def test_an_event_opened_for_a_warning_and_incident_links_both(client, world, links):
    w, x = world, links
    as_user(client, w["staff"])
    response = client.post(
        reverse("response:create"),
        {
            "plan": w["plan"].pk,
            "level": 2,
            "title": "暴雨积水响应",
            "origin": "warning",
            "warning": x["warning"].pk,
            "incident": x["incident"].pk,
        },
    )
    event = Event.objects.get()
    assert response.status_code == 302 and response.url == event.get_absolute_url()
    assert event.warning == x["warning"] and event.incident == x["incident"]
    page = client.get(event.get_absolute_url()).text
    assert x["warning"].get_absolute_url() in page and "一区暴雨黄色预警" in page
    assert x["incident"].get_absolute_url() in page and "甲一居委地下车库进水" in page


def test_scoping_of_the_event_pages(client, world, event):
    w = world
    detail = reverse("response:detail", args=[event.pk])
    level = reverse("response:level", args=[event.pk])
    as_user(client, w["other_staff"])
    assert client.get(detail).status_code == 404
    assert client.get(reverse("response:mobile", args=[event.pk])).status_code == 404
    as_user(client, w["reviewer"])
    assert client.get(detail).status_code == 200
    assert client.get(level).status_code == 403
    assert client.post(level, {"level": 1, "reason": "x"}).status_code == 403
    assert client.get(reverse("response:roster", args=[event.pk])).status_code == 403
    event.refresh_from_db()
    assert event.level == 2
    as_user(client, w["community"])
    assert client.get(detail).status_code == 403  # a desk page
    mobile = client.get(reverse("response:mobile", args=[event.pk]))
    assert mobile.status_code == 200 and "转移居民" in mobile.text and "张老伯" in mobile.text
    assert "王阿姨" not in mobile.text  # another community's resident
    street_task = event.tasks.get(unit=w["s1"])
    assert client.get(reverse("response:task", args=[street_task.pk])).status_code == 404


def test_the_board_json_has_the_figures(client, world, event, operation):
    as_user(client, world["staff"])
    services.check_in(world["staff"], operation, name="甲", phone="13912345678", household_size=2)
    response = client.get(
        reverse("response:board_data", args=[event.pk]), headers={"X-Background-Request": "1"}
    )
    data = response.json()
    assert data["tasks"]["todo"] == 2 and data["occupancy"] == 2 and data["capacity"] == 5
    assert data["shelters"][0]["remaining"] == 3
    assert data["transfers"]["pending"] == 2 and data["log"]


def test_changing_the_level_from_the_page(client, world, event):
    as_user(client, world["staff"])
    url = reverse("response:level", args=[event.pk])
    response = client.post(url, {"level": 2, "reason": "x"})
    assert "响应级别未变化" in response.text
    response = client.post(url, {"level": 1, "reason": "红色预警"})
    assert response.status_code == 302
    assert event.tasks.count() == 3


@pytest.mark.parametrize(
    "data, message",
    [
        ({"name": "", "phone": ""}, "请从名册选择居民，或填写姓名和手机号码"),
        ({"name": "甲", "phone": "1234"}, "请输入有效的手机号码"),
        ({"name": "甲", "phone": "13912345678", "id_number": "123"}, "身份证号应为 18 位"),
        ({"name": "甲", "phone": "13912345678", "household_size": "9"}, "剩余 5 个位置"),
        ({"name": "甲", "phone": "13912345678", "elderly": "3"}, "人数须在 0 到同行人数之间"),
    ],
)
def test_bad_check_ins_show_the_reason_and_save_nothing(client, world, operation, data, message):
    as_user(client, world["staff"])
    counts = {"elderly": 0, "children": 0, "alone": 0, "disabled": 0, "pregnant": 0}
    form = {"household_size": 1, **counts} | data
    response = client.post(reverse("response:check_in", args=[operation.pk]), form)
    assert response.status_code == 200 and message in response.text
    assert not CheckIn.objects.exists()


def test_checking_in_a_resident_from_the_register_masks_identifiers(client, world, operation):
    w = world
    as_user(client, w["staff"])
    counts = {"elderly": 0, "children": 0, "alone": 0, "disabled": 0, "pregnant": 0}
    url = reverse("response:check_in", args=[operation.pk])
    client.post(url, {"resident": w["old"].pk, "household_size": 1, **counts})
    client.post(
        url,
        {
            "name": "赵先生",
            "phone": "13912345678",
            "id_number": "11010519491231002X",
            "household_size": 2,
            **counts,
        },
    )
    assert CheckIn.objects.count() == 2
    page = client.get(reverse("response:operation", args=[operation.pk])).text
    assert "张老伯" in page and "139****5678" in page and "110***********002X" in page
    assert "13912345678" not in page and "11010519491231002X" not in page
    assert re.search(r"3\s*/\s*5", page)
    as_user(client, w["reviewer"])  # no vulnerable-resident permission: the name is hidden
    page = client.get(reverse("response:operation", args=[operation.pk])).text
    assert "张老伯" not in page and "（名册居民）" in page


def test_the_public_page_shows_remaining_capacity_and_no_personal_data(client, world, operation):
    w = world
    services.check_in(w["staff"], operation, name="赵先生", phone="13912345678", household_size=2)
    services.check_in(w["staff"], operation, resident=w["old"])
    district = w["d1"].code
    page = client.get(reverse("public:shelters") + f"?district={district}")
    assert page.status_code == 200
    assert "甲街道避难点" in page.text and "剩余 2 个位置" in page.text
    data = client.get(reverse("public:shelters_data") + f"?district={district}").text
    for private in ("赵先生", "13912345678", "139****5678", "张老伯", "甲路1号"):
        assert private not in page.text and private not in data
    other = client.get(reverse("public:shelters") + f"?district={w['d2'].code}")
    assert "甲街道避难点" not in other.text


@pytest.mark.parametrize(
    "data, message",
    [
        ({"name": "", "phone": "13912345678", "household_size": 1}, "这个字段是必填项"),
        ({"name": "甲", "phone": "1391234", "household_size": 1}, "请输入有效的手机号码"),
        ({"name": "甲", "phone": "13912345678", "household_size": 0}, "1"),
        ({"name": "甲", "phone": "13912345678", "household_size": 6}, "已满"),
    ],
)
def test_self_check_in_refuses_bad_input(client, world, operation, data, message):
    url = reverse("public:check_in", args=[services.check_in_token(operation)])
    response = client.post(url, data)
    assert response.status_code == 200 and message in response.text
    assert not CheckIn.objects.exists()


def test_self_check_in_from_the_qr_link(client, world, operation):
    as_user(client, world["staff"])
    qr = client.get(reverse("response:qr", args=[operation.pk]))
    assert qr["Content-Type"] == "image/svg+xml" and b"<svg" in qr.content
    client.logout()
    url = reverse("public:check_in", args=[services.check_in_token(operation)])
    assert client.get(url).status_code == 200
    response = client.post(url, {"name": "扫码人", "phone": "13912345678", "household_size": 3})
    assert response.status_code == 302
    entry = CheckIn.objects.get()
    assert entry.self_registered and entry.household_size == 3
    assert client.get(url[:-2] + "x/").status_code == 404


def test_a_request_goes_through_its_steps_from_the_pages(client, world, event):
    w = world
    as_user(client, w["community"])
    response = client.post(
        reverse("response:request_create", args=[event.pk]),
        {"unit": w["c1"].pk, "item": w["sandbags"].pk, "quantity": 30, "reason": "封堵"},
    )
    request = SupplyRequest.objects.get()
    assert response.url == request.get_absolute_url()
    decide = reverse("response:decide", args=[request.pk])
    assert client.post(decide, {"decision": "approve"}).status_code == 403
    as_user(client, w["staff"])
    page = client.get(request.get_absolute_url())
    assert "提交审批" in page.text
    client.post(decide, {"decision": "approve", "quantity": 20, "note": ""})
    request.refresh_from_db()
    assert request.status == RequestStatus.REQUESTED  # a changed amount needs a note
    client.post(decide, {"decision": "approve", "quantity": 20, "note": "先拨 20"})
    page = client.get(request.get_absolute_url())
    assert "甲街道储备库（可用 50）" in page.text
    client.post(reverse("response:dispatch", args=[request.pk]), {"site": w["site"].pk})
    request.refresh_from_db()
    assert request.status == RequestStatus.DISPATCHED
    as_user(client, w["community"])
    client.post(reverse("response:receive", args=[request.pk]), {"quantity": 20})
    request.refresh_from_db()
    assert request.status == RequestStatus.RECEIVED and request.received_by == w["community"]


@pytest.mark.parametrize(
    "problems, message",
    [
        ("沙袋不足；应急办", "三项"),
        ("沙袋不足；应急办；明天", "不是有效日期"),
        ("沙袋不足；应急办；2000-01-01", "不能早于今天"),
    ],
)
def test_closing_refuses_badly_written_problems(client, world, event, problems, message):
    as_user(client, world["staff"])
    response = client.post(
        reverse("response:close", args=[event.pk]),
        {"people_evacuated": 3, "casualties": 0, "summary": "完成", "problems": problems},
    )
    assert response.status_code == 200 and message in response.text
    event.refresh_from_db()
    assert event.status == EventStatus.OPEN


def test_the_review_pdf_names_the_times_of_the_response(
    client, world, event, operation, run_tasks_on_commit
):
    w = world
    services.update_task(w["staff"], event.tasks.get(unit=w["s1"]), status=TaskStatus.DONE)
    services.check_in(w["staff"], operation, resident=w["old"])
    services.close_event(
        w["staff"],
        event,
        people_evacuated=1,
        casualties=0,
        summary="转移及时。",
        plan_needs_revision=True,
        revision_reason="补充地下车库排查",
    )
    as_user(client, w["staff"])
    client.post(reverse("reports:create", args=["response_review"]), {"event": event.pk})
    report = ReportRequest.objects.get()
    assert report.state == ReportRequest.State.DONE, report.error
    response = client.get(reverse("reports:download", args=[report.pk]))
    reader = PdfReader(io.BytesIO(b"".join(response.streaming_content)))
    text = "".join(page.extract_text() for page in reader.pages).replace(" ", "")
    event.refresh_from_db()
    for expected in (
        "应急响应事后评估报告",
        "启动响应",
        "首项任务完成",
        "结束响应",
        "最高同时在场1人",
        "预案需修订：补充地下车库排查",
        event.opened_at.astimezone().strftime("%Y-%m-%d"),
    ):
        assert expected in text, expected
    plan_page = client.get(w["plan"].get_absolute_url())
    assert "补充地下车库排查" in plan_page.text


def test_the_review_pdf_names_the_warning_and_incident_answered(
    client, world, links, run_tasks_on_commit
):
    w, x = world, links
    event = services.open_event(
        w["staff"],
        w["plan"],
        level=2,
        title="暴雨积水响应",
        origin="incident",
        warning=x["warning"],
        incident=x["incident"],
    )
    services.close_event(w["staff"], event, people_evacuated=0, casualties=0, summary="完成。")
    as_user(client, w["staff"])
    client.post(reverse("reports:create", args=["response_review"]), {"event": event.pk})
    report = ReportRequest.objects.get()
    assert report.state == ReportRequest.State.DONE, report.error
    response = client.get(reverse("reports:download", args=[report.pk]))
    reader = PdfReader(io.BytesIO(b"".join(response.streaming_content)))
    text = "".join(page.extract_text() for page in reader.pages)
    text = text.replace(" ", "").replace("\n", "")
    assert "关联预警：一区暴雨黄色预警" in text
    assert "关联突发事件：甲一居委地下车库进水" in text


def test_the_event_list_query_count_does_not_grow_with_events(
    client, world, django_assert_max_num_queries
):
    as_user(client, world["staff"])
    services.open_event(world["staff"], world["plan"], level=2, title="一")
    client.get(reverse("response:list"))
    with django_assert_max_num_queries(14) as first:
        client.get(reverse("response:list"))
    for i in range(5):
        services.open_event(world["staff"], world["plan"], level=1, title=f"事件{i}")
    with django_assert_max_num_queries(len(first.captured_queries)):
        response = client.get(reverse("response:list"))
    assert "事件4" in response.text


def test_the_check_in_export_masks_identifiers_and_register_names(client, world, operation):
    from openpyxl import load_workbook

    w = world
    services.check_in(w["staff"], operation, name="赵先生", phone="13912345678", household_size=2)
    services.check_in(w["staff"], operation, resident=w["old"])
    as_user(client, w["reviewer"])
    response = client.get(reverse("response:export", args=[operation.pk]))
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0][:3] == ["避难场所", "姓名", "手机号码"]
    body = {(r[1], r[2]) for r in rows[1:]}
    assert body == {("赵先生", "139****5678"), ("（名册居民）", "138****0001")}
    as_user(client, w["other_staff"])
    assert client.get(reverse("response:export", args=[operation.pk])).status_code == 404
