"""The phone pages (/m/): 我的任务 and the hazard page are scoped like every page (a grid
worker: the 小区 of its grid; community staff: their community); a report carrying the same
idempotency key twice creates one hazard; bad input changes nothing and says why in Chinese;
community staff rectify their hazards from the phone, with an after-photo."""

import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from apps.hazards.models import Hazard, HazardCategory, HazardPhoto, HazardState
from apps.mobile import tasks as mobile_tasks
from apps.mobile.models import Submission
from tests.hazards.factories import category, png

JSON = {"HTTP_ACCEPT": "application/json"}


def titles(response):
    return [task["title"].split("：", 1)[1] for task in response.context["tasks"]]


def report_data(unit, **changes):
    data = {
        "key": str(uuid.uuid4()),
        "category": category().pk,
        "severity": "general",
        "title": "3 号楼楼道堆物",
        "org_unit": unit.pk,
        "address": "3 号楼一楼",
        "latitude": "31.221500",
        "longitude": "121.426000",
        "photos": [png()],
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_a_grid_worker_sees_only_the_hazards_of_its_grid(client, phone):
    client.force_login(phone["grid_worker"])
    assert titles(client.get(reverse("mobile:home"))) == ["网格内的隐患"]
    hazard = reverse("mobile:hazard", args=[phone["in_grid"].pk])
    assert client.get(hazard).status_code == 200
    for name in ("outside_grid", "other_street"):
        assert client.get(reverse("mobile:hazard", args=[phone[name].pk])).status_code == 404


def test_community_staff_see_their_community_only(client, phone):
    client.force_login(phone["community"])
    assert sorted(titles(client.get(reverse("mobile:home")))) == ["网格内的隐患", "网格外的隐患"]
    other = reverse("mobile:hazard", args=[phone["other_street"].pk])
    assert client.get(other).status_code == 404


def test_street_staff_get_the_reports_to_assign(client, phone):
    client.force_login(phone["staff"])
    assert titles(client.get(reverse("mobile:home"))) == ["新上报的隐患"]


def test_tasks_of_every_app_urgent_first_then_by_due_time(monkeypatch, phone):
    import datetime

    day = datetime.date(2026, 6, 1)

    class Warnings:
        @staticmethod
        def tasks(user):
            return [
                {"kind": "warning", "title": "无期限", "url": "/", "due": None, "urgent": False},
                {"kind": "warning", "title": "叫应", "url": "/", "due": day, "urgent": True},
                {
                    "kind": "warning",
                    "title": "晚",
                    "url": "/",
                    "due": day.replace(day=9),
                    "urgent": False,
                },
                {"kind": "warning", "title": "早", "url": "/", "due": day, "urgent": False},
                {
                    "kind": "warning",
                    "title": "中午",
                    "url": "/",
                    "urgent": False,
                    "due": timezone.make_aware(datetime.datetime(2026, 6, 1, 12)),
                },
            ]

    monkeypatch.setattr(mobile_tasks, "task_modules", lambda: [Warnings])
    found = mobile_tasks.collect_tasks(phone["community"])
    assert [t["title"] for t in found] == ["叫应", "中午", "早", "晚", "无期限"]


def test_the_hazards_app_contributes_its_tasks(phone):
    from apps.hazards import mobile

    assert mobile in mobile_tasks.task_modules()


def test_my_tasks_query_count_does_not_grow(client, phone):
    """Other apps add their own tasks (and queries): the hazards' part is one query."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.hazards.factories import HazardFactory

    client.force_login(phone["community"])
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("mobile:home"))
    for i in range(20):
        HazardFactory(org_unit=phone["e1"], state=HazardState.IN_PROGRESS, title=f"隐患{i}")
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("mobile:home"))
    assert len(response.context["tasks"]) == 22
    assert len(many.captured_queries) == len(few.captured_queries)
    assert sum("hazards_hazard" in q["sql"] for q in many.captured_queries) == 1


def test_the_same_report_sent_twice_is_one_hazard(client, phone):
    client.force_login(phone["grid_worker"])
    data = report_data(phone["e1"])
    first = client.post(reverse("mobile:report"), data, **JSON)
    data["photos"] = [png()]  # a resend carries the photo again
    second = client.post(reverse("mobile:report"), data, **JSON)
    assert first.status_code == 201 and second.status_code == 200
    assert first.json()["hazard"] == second.json()["hazard"]
    assert second.json()["created"] is False
    hazard = Hazard.objects.get(title="3 号楼楼道堆物")
    assert Submission.objects.get(key=data["key"]).hazard == hazard
    assert hazard.reported_by == phone["grid_worker"] and hazard.org_unit == phone["e1"]
    assert (str(hazard.latitude), str(hazard.longitude)) == ("31.221500", "121.426000")
    assert hazard.state == HazardState.REPORTED  # the district's default: street staff assign
    assert HazardPhoto.objects.filter(hazard=hazard).count() == 1


def test_a_plain_form_post_lands_on_the_hazard(client, phone):
    client.force_login(phone["officer"])
    response = client.post(reverse("mobile:report"), report_data(phone["e1"]))
    hazard = Hazard.objects.get(title="3 号楼楼道堆物")
    assert response.status_code == 302
    assert response.url == reverse("mobile:hazard", args=[hazard.pk])


def test_a_report_without_a_title_is_named_after_its_category(client, phone):
    client.force_login(phone["grid_worker"])
    response = client.post(reverse("mobile:report"), report_data(phone["e1"], title=""), **JSON)
    assert response.json()["title"] == category().name


def _pdf():
    return SimpleUploadedFile("照片.jpg", b"%PDF-1.4\n%%EOF\n", content_type="image/jpeg")


def _text():
    return SimpleUploadedFile("现场.png", b"just text", content_type="image/png")


BAD = [
    ("not_an_image", lambda p: {"photos": [_pdf()]}, "photos", "只能上传 JPG、PNG 或 WebP"),
    ("text_as_png", lambda p: {"photos": [_text()]}, "photos", "只能上传 JPG、PNG 或 WebP"),
    ("no_photo", lambda p: {"photos": None}, "photos", "必填"),
    ("estate_outside_the_grid", lambda p: {"org_unit": p["e2"].pk}, "org_unit", "选择一个有效"),
    ("another_street", lambda p: {"org_unit": p["c2"].pk}, "org_unit", "选择一个有效"),
    ("no_key", lambda p: {"key": None}, "key", "必填"),
    ("bad_key", lambda p: {"key": "abc"}, "key", "UUID"),
    ("no_category", lambda p: {"category": None}, "category", "必填"),
    ("far_latitude", lambda p: {"latitude": "95"}, "latitude", "90"),
]


@pytest.mark.parametrize(("case", "changes", "field", "message"), BAD, ids=[b[0] for b in BAD])
def test_bad_reports_change_nothing_and_say_why(client, phone, case, changes, field, message):
    client.force_login(phone["grid_worker"])
    before = Hazard.objects.count()
    data = report_data(phone["e1"], **changes(phone))
    response = client.post(reverse("mobile:report"), data, **JSON)
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert message in " ".join(e["message"] for e in errors[field]), errors
    assert Hazard.objects.count() == before and not Submission.objects.exists()


def test_a_key_used_by_someone_else_is_refused(client, phone):
    data = report_data(phone["e1"])
    client.force_login(phone["officer"])
    client.post(reverse("mobile:report"), data, **JSON)
    client.force_login(phone["grid_worker"])
    data["photos"] = [png()]
    response = client.post(reverse("mobile:report"), data, **JSON)
    assert response.status_code == 400 and "已被他人使用" in str(response.json())
    assert Hazard.objects.filter(title="3 号楼楼道堆物").count() == 1


def test_readers_may_not_report(client, phone):
    client.force_login(phone["reviewer"])
    assert client.get(reverse("mobile:report")).status_code == 403


def test_the_report_page_offers_the_camera_and_asks_for_the_position(client, phone):
    client.force_login(phone["grid_worker"])
    response = client.get(reverse("mobile:report"))
    page = response.content.decode()
    assert 'capture="environment"' in page and 'accept="image/*"' in page
    assert "geolocation=(self)" in response["Permissions-Policy"]
    # the 小区 of the grid only, and every active category
    assert list(response.context["form"].fields["org_unit"].queryset) == [phone["e1"]]
    assert response.context["form"].fields["category"].queryset.count() == (
        HazardCategory.objects.filter(is_active=True).count()
    )
    assert "<script>" not in page


def step(hazard, action):
    return reverse("mobile:hazard_step", args=[hazard.pk, action])


def test_community_staff_rectify_with_an_after_photo(client, phone):
    hazard = phone["in_grid"]
    client.force_login(phone["community"])
    page = client.get(reverse("mobile:hazard", args=[hazard.pk])).content.decode()
    assert 'data-action="start"' in page
    client.post(step(hazard, "start"))
    response = client.post(step(hazard, "complete"), {"note": "已清理"}, follow=True)
    assert "整改完成须上传至少一张整改后照片" in response.content.decode()
    hazard.refresh_from_db()
    assert hazard.state == HazardState.IN_PROGRESS
    client.post(step(hazard, "complete"), {"note": "已清理", "photos": [png("后.png")]})
    hazard.refresh_from_db()
    assert hazard.state == HazardState.AWAITING_CHECK
    assert hazard.events.get(action="complete").photos.count() == 1


@pytest.mark.parametrize("who", ["grid_worker", "officer", "reviewer"])
def test_only_community_and_street_staff_rectify(client, phone, who):
    hazard = phone["in_grid"]
    client.force_login(phone[who])
    assert client.post(step(hazard, "start")).status_code == 403
    hazard.refresh_from_db()
    assert hazard.state == HazardState.ASSIGNED


def test_the_phone_takes_only_the_delegated_steps(client, phone):
    client.force_login(phone["staff"])
    assert client.post(step(phone["new"], "assign")).status_code == 404


def test_the_front_line_menu_is_the_phone_pages(client, phone):
    client.force_login(phone["community"])
    response = client.get(reverse("password_change"))
    assert [i["name"] for i in response.context["main_menu"]] == ["mobile:home", "mobile:report"]
    client.force_login(phone["staff"])
    response = client.get(reverse("mobile:home"))
    menu = response.context["main_menu"]
    names = [i["name"] for i in menu if "name" in i]
    names += [c["name"] for i in menu for c in i.get("children", [])]
    assert {"hazards:list", "warnings:list"} <= set(names)
