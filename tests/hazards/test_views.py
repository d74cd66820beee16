"""Pages, JSON and files of the hazards app as each role sees them."""

from datetime import timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from apps.hazards.models import (
    Hazard,
    HazardEvent,
    HazardPhoto,
    HazardState,
    RiskPoint,
    RiskPointInspection,
    Severity,
)
from apps.hazards.views import filtered_hazards
from apps.orgs.models import Role
from tests.conftest import make_user
from tests.hazards.factories import HazardFactory, RiskPointFactory, category, png


@pytest.fixture
def world(tree):
    staff = make_user(tree["s1"])
    other = make_user(tree["s2"])
    reviewer = make_user(tree["d1"], role=Role.DISTRICT_REVIEWER)
    mine = HazardFactory(org_unit=tree["c1"], title="甲街道的隐患", created_by=staff)
    theirs = HazardFactory(org_unit=tree["c2"], title="乙街道的隐患", created_by=other)
    point = RiskPointFactory(org_unit=tree["c1"], name="甲的风险点")
    their_point = RiskPointFactory(org_unit=tree["c2"], name="乙的风险点")
    return locals()


def detail(h):
    return reverse("hazards:detail", args=[h.pk])


def transition(h, action):
    return reverse("hazards:transition", args=[h.pk, action])


def test_anonymous_users_are_sent_to_login(client, world):
    h, p = world["mine"], world["point"]
    for url in [
        reverse("hazards:list"),
        detail(h),
        transition(h, "assign"),
        reverse("hazards:create"),
        reverse("hazards:points"),
        reverse("hazards:point_detail", args=[p.pk]),
        reverse("hazards:map"),
        reverse("hazards:map_data"),
        reverse("hazards:stats"),
        reverse("hazards:export"),
        reverse("hazards:import"),
        reverse("hazards:point_export"),
    ]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("login")), url


def test_other_streets_records_do_not_exist_for_staff(client, world):
    client.force_login(world["staff"])
    body = client.get(reverse("hazards:list")).content.decode()
    assert "甲街道的隐患" in body and "乙街道的隐患" not in body
    theirs, their_point = world["theirs"], world["their_point"]
    assert client.get(detail(theirs)).status_code == 404
    assert client.get(transition(theirs, "assign")).status_code == 404
    assert client.post(transition(theirs, "assign"), {"responsible_unit": "x"}).status_code == 404
    assert client.get(reverse("hazards:point_detail", args=[their_point.pk])).status_code == 404
    assert client.get(reverse("hazards:point_edit", args=[their_point.pk])).status_code == 404
    assert client.get(reverse("hazards:point_inspect", args=[their_point.pk])).status_code == 404
    points = client.get(reverse("hazards:points")).content.decode()
    assert "甲的风险点" in points and "乙的风险点" not in points
    theirs.refresh_from_db()
    assert theirs.state == HazardState.REPORTED


def test_reviewer_reads_every_street_of_the_district_but_changes_nothing(client, world):
    client.force_login(world["reviewer"])
    body = client.get(reverse("hazards:list")).content.decode()
    assert "甲街道的隐患" in body and "乙街道的隐患" in body
    assert "上报隐患" not in body
    mine = world["mine"]
    page = client.get(detail(mine)).content.decode()
    assert 'data-action="assign"' not in page
    deadline = (timezone.localdate() + timedelta(days=3)).isoformat()
    assert client.get(transition(mine, "assign")).status_code == 403
    response = client.post(
        transition(mine, "assign"), {"responsible_unit": "物业", "deadline": deadline}
    )
    assert response.status_code == 403
    assert client.get(reverse("hazards:create")).status_code == 403
    assert client.post(reverse("hazards:create"), {"title": "x"}).status_code == 403
    assert client.get(reverse("hazards:point_create")).status_code == 403
    point = world["point"]
    assert (
        client.post(reverse("hazards:point_edit", args=[point.pk]), {"name": "改名"}).status_code
        == 403
    )
    assert (
        client.post(
            reverse("hazards:point_inspect", args=[point.pk]),
            {"date": "2024-01-01", "result": "normal"},
        ).status_code
        == 403
    )
    assert client.get(reverse("hazards:import")).status_code == 403
    mine.refresh_from_db()
    point.refresh_from_db()
    assert mine.state == HazardState.REPORTED and mine.events.count() == 1
    assert point.name == "甲的风险点" and not RiskPointInspection.objects.exists()


def test_staff_walk_a_hazard_through_the_loop_by_the_pages(client, world):
    client.force_login(world["staff"])
    mine = world["mine"]
    page = client.get(detail(mine)).content.decode()
    assert 'data-action="assign"' in page and 'data-action="verify"' not in page
    deadline = (timezone.localdate() + timedelta(days=7)).isoformat()
    response = client.post(
        transition(mine, "assign"),
        {"responsible_unit": "物业公司", "deadline": deadline, "note": "请尽快"},
    )
    assert response.status_code == 302 and response.url == detail(mine)
    client.post(transition(mine, "start"), {"note": ""})
    client.post(transition(mine, "complete"), {"note": "已清理", "photos": [png("后.png")]})
    # a failed check without a reason is refused, in Chinese, and changes nothing
    response = client.post(transition(mine, "reopen"), {"note": ""})
    assert response.status_code == 200 and "这个字段是必填项" in response.content.decode()
    mine.refresh_from_db()
    assert mine.state == HazardState.AWAITING_CHECK
    # 核查销号: by another person than the one who marked 整改完成, who is told why not
    response = client.get(transition(mine, "verify"), follow=True)
    assert "须由标记整改完成以外的人进行" in response.content.decode()
    client.force_login(make_user(mine.org_unit.parent))
    client.post(transition(mine, "verify"), {"note": "核查通过"})
    mine.refresh_from_db()
    assert mine.state == HazardState.CLOSED
    assert list(mine.events.values_list("action", flat=True)) == [
        "report",
        "assign",
        "start",
        "complete",
        "verify",
    ]
    assert mine.events.get(action="complete").photos.count() == 1
    # a step from the wrong state is refused with a message
    response = client.post(transition(mine, "start"), follow=True)
    assert "不能执行" in response.content.decode()
    assert client.get(transition(mine, "explode")).status_code == 404


def test_past_deadline_is_refused_in_chinese(client, world):
    client.force_login(world["staff"])
    mine = world["mine"]
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    response = client.post(
        transition(mine, "assign"), {"responsible_unit": "物业", "deadline": yesterday}
    )
    assert response.status_code == 200
    assert "整改期限不能早于今天" in response.content.decode()
    mine.refresh_from_db()
    assert mine.state == HazardState.REPORTED and mine.deadline is None


def test_report_a_hazard_with_a_photo(client, world, tree):
    client.force_login(world["staff"])
    form = client.get(reverse("hazards:create")).content.decode()
    assert "甲一居委" in form and "乙一居委" not in form
    data = {
        "org_unit": tree["c1"].pk,
        "title": "楼道电动车充电",
        "category": category().pk,
        "severity": Severity.MAJOR,
        "found_on": timezone.localdate().isoformat(),
        "description": "飞线充电",
        "coordinate_system": "wgs84",
        "latitude": "31.2",
        "longitude": "121.4",
        "photos": [png(), png("二.png", "blue")],
    }
    response = client.post(reverse("hazards:create"), data)
    hazard = Hazard.objects.get(title="楼道电动车充电")
    assert response.status_code == 302 and response.url == detail(hazard)
    assert hazard.created_by == world["staff"] and hazard.state == HazardState.REPORTED
    assert hazard.photos.count() == 2
    photo = hazard.photos.first()
    download = client.get(reverse("hazards:photo", args=[photo.pk]))
    assert download.status_code == 200 and download["Content-Type"] == "image/png"
    assert "attachment" in download["Content-Disposition"]
    # another street cannot fetch the photo
    client.force_login(world["other"])
    assert client.get(reverse("hazards:photo", args=[photo.pk])).status_code == 404


def test_report_into_another_street_or_with_bad_input_changes_nothing(client, world, tree):
    client.force_login(world["staff"])
    before = Hazard.objects.count()
    base = {
        "title": "x",
        "category": category().pk,
        "severity": Severity.GENERAL,
        "found_on": timezone.localdate().isoformat(),
        "description": "d",
        "coordinate_system": "wgs84",
    }
    response = client.post(reverse("hazards:create"), {**base, "org_unit": tree["c2"].pk})
    assert response.status_code == 200
    assert "选择一个有效的选项" in response.content.decode()
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = client.post(
        reverse("hazards:create"),
        {**base, "org_unit": tree["c1"].pk, "found_on": tomorrow, "latitude": "31.2"},
    )
    body = response.content.decode()
    assert "发现日期不能晚于今天" in body
    response = client.post(
        reverse("hazards:create"), {**base, "org_unit": tree["c1"].pk, "latitude": "31.2"}
    )
    assert "经度和纬度需同时填写" in response.content.decode()
    assert Hazard.objects.count() == before and HazardPhoto.objects.count() == 0


def test_overdue_hazard_is_flagged_in_list_and_detail(client, world, tree):
    late = HazardFactory(
        org_unit=tree["c1"],
        title="逾期的隐患",
        state=HazardState.IN_PROGRESS,
        deadline=timezone.localdate() - timedelta(days=3),
    )
    client.force_login(world["staff"])
    body = client.get(reverse("hazards:list")).content.decode()
    assert f'class="table-danger hz-row-overdue" data-hazard="{late.pk}"' in body
    assert body.count("hz-row-overdue") == 1
    only = client.get(reverse("hazards:list"), {"overdue": "on"}).content.decode()
    assert "逾期的隐患" in only and "甲街道的隐患" not in only
    page = client.get(detail(late)).content.decode()
    assert "hz-overdue" in page and "已过，尚未销号" in page


def test_list_filters_and_search(client, world, tree):
    HazardFactory(
        org_unit=tree["s1"],
        title="燃气管道锈蚀",
        category=category("gas"),
        severity=Severity.MAJOR,
        state=HazardState.ASSIGNED,
        deadline=timezone.localdate(),
    )
    client.force_login(world["staff"])

    def titles(**params):
        body = client.get(reverse("hazards:list"), params).content.decode()
        return {t for t in ("燃气管道锈蚀", "甲街道的隐患") if t in body}

    assert titles(q="燃气") == {"燃气管道锈蚀"}
    assert titles(state="reported") == {"甲街道的隐患"}
    assert titles(category=category("gas").pk) == {"燃气管道锈蚀"}
    assert titles(severity="major") == {"燃气管道锈蚀"}
    assert titles(unit=tree["c1"].pk) == {"甲街道的隐患"}


def _many_hazards(tree, n):
    for i in range(n):
        h = HazardFactory(
            org_unit=tree["c1"],
            title=f"批量隐患{i}",
            state=HazardState.IN_PROGRESS,
            deadline=timezone.localdate() - timedelta(days=i % 3),
        )
        h.risk_point = RiskPointFactory(org_unit=tree["c1"])
        h.save()


def test_list_query_count_does_not_grow(client, world, tree, django_assert_max_num_queries):
    client.force_login(world["staff"])
    url = reverse("hazards:list")
    with django_assert_max_num_queries(12) as few:
        client.get(url)
    _many_hazards(tree, 30)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert response.content.decode().count("批量隐患") == 30


def test_points_list_query_count_does_not_grow(client, world, tree, django_assert_max_num_queries):
    client.force_login(world["staff"])
    url = reverse("hazards:points")
    with django_assert_max_num_queries(12) as few:
        client.get(url)
    _many_hazards(tree, 20)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert response.content.decode().count("data-point=") == 21


def test_map_data_is_scoped_coloured_and_constant(
    client, world, tree, django_assert_max_num_queries
):
    client.force_login(world["staff"])
    url = reverse("hazards:map_data")
    with django_assert_max_num_queries(9) as few:  # the scope's unit ids: one query for both layers
        data = client.get(url).json()
    titles = {f["properties"]["title"] for f in data["features"]}
    assert titles == {"甲街道的隐患", "甲的风险点"}
    point = next(f for f in data["features"] if f["properties"]["kind"] == "risk_point")
    assert point["properties"]["level"] == "orange"
    lng, lat = point["geometry"]["coordinates"]
    assert (lat, lng) == (float(world["point"].latitude), float(world["point"].longitude))
    assert {e["value"] for e in data["legend"]} >= {"red", "orange", "yellow", "blue"}
    _many_hazards(tree, 25)
    HazardFactory(org_unit=tree["c1"], title="已销号", state=HazardState.CLOSED)
    with django_assert_max_num_queries(len(few.captured_queries)):
        data = client.get(url).json()
    kinds = [f["properties"]["kind"] for f in data["features"]]
    assert kinds.count("hazard") == 26 and kinds.count("risk_point") == 26
    assert "已销号" not in {f["properties"]["title"] for f in data["features"]}


def test_map_page_uses_the_vendored_leaflet_and_no_inline_script(client, world, settings):
    settings.MAP_TILE_URL = ""
    client.force_login(world["reviewer"])
    body = client.get(reverse("hazards:map")).content.decode()
    assert "vendor/leaflet/leaflet.js" in body and "maps/map.js" in body
    assert f'data-map-data-url="{reverse("hazards:map_data")}"' in body
    assert "<script>" not in body and "onclick" not in body


def test_stats_page_for_staff(client, world, tree):
    HazardFactory(
        org_unit=tree["c1"],
        state=HazardState.CLOSED,
        deadline=timezone.localdate(),
        closed_at=timezone.now(),
    )
    client.force_login(world["staff"])
    body = client.get(reverse("hazards:stats")).content.decode()
    assert '<div class="fs-3" id="stat-total">2</div>' in body
    assert "50.0%" in body and "甲一居委" in body and "乙一居委" not in body
    assert client.get(reverse("hazards:stats"), {"unit": "S2"}).status_code == 404


def test_risk_point_create_edit_and_inspect(client, world, tree):
    client.force_login(world["staff"])
    data = {
        "org_unit": tree["c1"].pk,
        "name": "新风险点",
        "category": category("gas").pk,
        "level": "red",
        "address": "甲路 2 号",
        "latitude": "31.17530398364597",
        "longitude": "121.531541859215",
        "coordinate_system": "gcj02",
        "inspection_frequency": "weekly",
        "responsible_person": "张三",
        "is_active": "on",
    }
    response = client.post(reverse("hazards:point_create"), data)
    point = RiskPoint.objects.get(name="新风险点")
    assert response.status_code == 302
    assert (str(point.latitude), str(point.longitude)) == ("31.177428", "121.527211")
    assert point.created_by == world["staff"]
    assert point.next_inspection_date == timezone.localdate() + timedelta(days=7)
    # duplicate name in the same unit is refused in Chinese
    response = client.post(reverse("hazards:point_create"), data)
    assert response.status_code == 200 and "该单位已有同名的风险点" in response.content.decode()
    today = timezone.localdate()
    response = client.post(
        reverse("hazards:point_inspect", args=[point.pk]),
        {"date": today.isoformat(), "result": "hazard_found", "note": "漏气"},
    )
    assert response.status_code == 302
    assert response.url == reverse("hazards:create") + f"?risk_point={point.pk}"
    point.refresh_from_db()
    assert point.next_inspection_date == today + timedelta(days=7)
    assert point.inspections.get().inspector == world["staff"].username
    form = client.get(response.url).content.decode()
    assert "新风险点" in form


def test_event_rows_are_scoped_too(world):
    assert HazardEvent.objects.visible_to(world["staff"]).count() == 1
    assert HazardEvent.objects.visible_to(world["reviewer"]).count() == 2


def test_points_list_counts_each_points_open_hazards(client, world, tree):
    point = world["point"]
    for state in (HazardState.REPORTED, HazardState.IN_PROGRESS, HazardState.CLOSED):
        HazardFactory(org_unit=tree["c1"], risk_point=point, state=state)
    HazardFactory(org_unit=tree["c1"], risk_point=RiskPointFactory(org_unit=tree["c1"]))
    client.force_login(world["reviewer"])
    response = client.get(reverse("hazards:points"))
    open_hazards = {p.name: p.open_hazards for p in response.context["points"]}
    assert open_hazards["甲的风险点"] == 2  # the closed one is not counted
    assert open_hazards["乙的风险点"] == 0
    assert response.context["paginator"].count == 3


def test_the_search_uses_the_character_index_on_postgresql(tree):
    """The migration's index matches the SQL of the list's search, for terms of any length."""
    if connection.vendor != "postgresql":
        pytest.skip("the character index is PostgreSQL only")
    admin = make_user(tree["sh"], role=Role.ADMIN, is_superuser=True)  # no scope to filter by
    with connection.cursor() as cursor:  # a handful of rows: make the planner use an index
        for method in ("seqscan", "indexscan", "indexonlyscan"):
            cursor.execute(f"SET LOCAL enable_{method} = off")
    for term in ("电", "充电", "充电桩", "消防通道"):
        qs, _form = filtered_hazards(admin, {"q": term})
        assert "hazard_search_grams" in qs.explain(), term


@pytest.mark.django_db
def test_the_next_page_keeps_the_filters_and_the_export_drops_the_page(client, tree):
    """One pagination (Django's ``{% querystring %}``) for every list: filters stay on the
    page links; the export link takes the filters without the page."""
    staff = make_user(tree["s1"])
    HazardFactory.create_batch(51, org_unit=tree["c1"], severity="major", created_by=staff)
    client.force_login(staff)
    first = client.get(reverse("hazards:list"), {"severity": "major"}).content.decode()
    assert 'href="?severity=major&amp;page=2"' in first
    second = client.get(reverse("hazards:list"), {"severity": "major", "page": 2}).content.decode()
    assert 'href="?severity=major&amp;page=1"' in second
    assert "第 2/2 页" in second
    assert f'href="{reverse("hazards:export")}?severity=major"' in second
