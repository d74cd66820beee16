import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from apps.files.models import ImportJob
from apps.maps.coords import wgs84_to_gcj02
from apps.orgs.models import OrgKind, OrgUnit, Role
from apps.shelters import services
from apps.shelters.models import (
    Facility,
    Shelter,
    ShelterClass,
    ShelterInspection,
    ShelterStatus,
    ShelterType,
)
from tests.conftest import make_user
from tests.factories import child
from tests.shelters.factories import ShelterFactory


def days(n):
    return timezone.localdate() + datetime.timedelta(days=n)


# --- the indicator --------------------------------------------------------------------------


def test_area_per_resident_sums_the_subtree(tree, django_assert_num_queries):
    s1, c1, e1 = tree["s1"], tree["c1"], tree["e1"]
    OrgUnit.objects.filter(pk=s1.pk).update(population=20000)
    OrgUnit.objects.filter(pk=c1.pk).update(population=5000)
    ShelterFactory(org_unit=s1, effective_area=Decimal("10000.50"), total_area=20000)
    ShelterFactory(org_unit=c1, effective_area=3000, total_area=3000, capacity=1500)
    ShelterFactory(org_unit=e1, effective_area=4000, total_area=5000, capacity=2000)
    ShelterFactory(org_unit=tree["s2"], effective_area=Decimal("99999"), total_area=100000)
    units = OrgUnit.objects.filter(pk__in=[s1.pk, c1.pk, e1.pk]).order_by("path")
    with django_assert_num_queries(2):  # the units, then the shelters grouped by unit
        values = services.area_per_resident(units)
    street, community = values[s1.pk], values[c1.pk]
    assert values[e1.pk].per_resident == Decimal("0.40")  # 4000 m² / 10000 residents
    assert street.effective_area == Decimal("17000.50") and street.shelters == 3
    assert street.per_resident == Decimal("0.85") and street.meets_target is False
    assert street.gap == Decimal("7000")  # 1.2 × 20000 − 17000.5, rounded
    assert community.effective_area == Decimal("7000") and community.capacity == 3500
    assert community.per_resident == Decimal("1.40") and community.meets_target is True
    assert community.gap == 0


def test_no_division_by_zero_without_population(tree):
    OrgUnit.objects.filter(pk=tree["c1"].pk).update(population=0)
    OrgUnit.objects.filter(pk=tree["c2"].pk).update(population=None)
    ShelterFactory(org_unit=tree["c1"])
    values = services.area_per_resident([tree["c1"], tree["c2"], tree["s3"]])
    assert values[tree["c1"].pk].per_resident is None
    assert values[tree["c1"].pk].meets_target is None and values[tree["c1"].pk].gap is None
    assert values[tree["c2"].pk].per_resident is None
    assert values[tree["s3"].pk].effective_area == 0  # no shelters at all
    assert values[tree["s3"].pk].per_resident == Decimal("0.00")
    assert services.area_per_resident([]) == {}


# --- rules ----------------------------------------------------------------------------------


def test_effective_area_cannot_exceed_total(tree):
    staff = make_user(tree["s1"])
    shelter = ShelterFactory.build(org_unit=tree["s1"], total_area=100, effective_area=120)
    with pytest.raises(ValidationError) as exc:
        services.save_shelter(staff, shelter)
    assert "有效避难面积不能大于总面积" in exc.value.message_dict["effective_area"][0]
    assert not Shelter.objects.exists()
    with pytest.raises(IntegrityError), transaction.atomic():
        ShelterFactory(org_unit=tree["s1"], total_area=100, effective_area=120)


def test_opening_history(tree):
    staff = make_user(tree["s1"])
    shelter = ShelterFactory(org_unit=tree["s1"])
    now = timezone.now()
    with pytest.raises(ValidationError):  # activation goes through the action
        shelter.status = ShelterStatus.ACTIVATED
        services.save_shelter(staff, shelter)
    shelter.refresh_from_db()
    opening = services.activate_shelter(
        staff, shelter, opened_at=now - datetime.timedelta(hours=5), reason="台风过境"
    )
    shelter.refresh_from_db()
    assert shelter.status == ShelterStatus.ACTIVATED
    with pytest.raises(ValidationError, match="已处于启用状态"):
        services.activate_shelter(staff, shelter, opened_at=now, reason="x")
    with pytest.raises(ValidationError):
        services.close_shelter(staff, shelter, closed_at=now - datetime.timedelta(hours=6))
    services.close_shelter(staff, shelter, closed_at=now, people_sheltered=120)
    opening.refresh_from_db()
    shelter.refresh_from_db()
    assert shelter.status == ShelterStatus.AVAILABLE
    assert (opening.people_sheltered, opening.closed_by) == (120, staff)
    shelter.status = ShelterStatus.MAINTENANCE
    services.save_shelter(staff, shelter)
    with pytest.raises(ValidationError, match="维护中"):
        services.activate_shelter(staff, shelter, opened_at=now, reason="x")
    assert shelter.openings.count() == 1


def test_inspection_sets_the_next_date(tree):
    staff = make_user(tree["s1"])
    shelter = ShelterFactory(org_unit=tree["s1"])
    with pytest.raises(ValidationError) as exc:
        services.add_inspection(
            staff,
            shelter,
            inspected_on=days(0),
            inspector="张三",
            result=ShelterInspection.Result.NEEDS_FIX,
            findings="",
            next_inspection_date=days(0),
        )
    assert set(exc.value.message_dict) == {"findings", "next_inspection_date"}
    services.add_inspection(
        staff,
        shelter,
        inspected_on=days(-200),
        inspector="张三",
        result="passed",
        next_inspection_date=days(-20),
    )
    shelter.refresh_from_db()
    assert shelter.inspection_overdue
    assert list(Shelter.objects.inspection_overdue()) == [shelter]
    services.add_inspection(
        staff,
        shelter,
        inspected_on=days(-1),
        inspector="李四",
        result="needs_fix",
        findings="标识褪色",
        next_inspection_date=days(90),
    )
    shelter.refresh_from_db()
    assert shelter.next_inspection_date == days(90) and not shelter.inspection_overdue


# --- pages, with the demo data --------------------------------------------------------------


@pytest.fixture
def park(demo):
    return Shelter.objects.get(name="中山公园应急避难场所")


def shelter_urls(shelter):
    return {
        "detail": reverse("shelters:detail", args=[shelter.pk]),
        "edit": reverse("shelters:edit", args=[shelter.pk]),
        "inspect": reverse("shelters:inspect", args=[shelter.pk]),
        "activate": reverse("shelters:activate", args=[shelter.pk]),
        "close": reverse("shelters:close", args=[shelter.pk]),
    }


def export_names(client, **params):
    response = client.get(reverse("shelters:export"), params)
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    header = [c.value for c in sheet[1]]
    column = header.index("场所名称")
    return {row[column] for row in sheet.iter_rows(min_row=2, values_only=True)}


def map_titles(client, **params):
    response = client.get(reverse("shelters:map_data"), params)
    assert response.status_code == 200
    return {f["properties"]["title"] for f in response.json()["features"]}


def test_another_streets_shelter_is_a_404_everywhere(login, park):
    client = login("xinhua_staff")
    for name, url in shelter_urls(park).items():
        assert client.get(url).status_code == 404, name
    assert client.post(shelter_urls(park)["activate"], {"reason": "x"}).status_code == 404
    assert park.name not in client.get(reverse("shelters:list")).content.decode()
    assert park.name not in export_names(client) and "新华路绿地应急避难场所" in export_names(
        client
    )
    assert park.name not in map_titles(client) and "新华路绿地应急避难场所" in map_titles(client)
    assert map_titles(client, shelter=park.pk) == set()
    assert client.get(reverse("shelters:overview"), {"street": "310105001"}).status_code == 404
    park.refresh_from_db()
    assert park.status == ShelterStatus.AVAILABLE


def test_reviewer_reads_but_cannot_change(login, park):
    client = login("changning_reviewer")
    urls = shelter_urls(park)
    assert client.get(urls["detail"]).status_code == 200
    for name in ("edit", "inspect", "activate"):
        assert client.get(urls[name]).status_code == 403, name
    response = client.post(urls["activate"], {"opened_at": "2026-01-01T10:00", "reason": "演习"})
    assert response.status_code == 403
    assert client.get(reverse("shelters:create")).status_code == 403
    assert client.get(reverse("shelters:import")).status_code == 403
    park.refresh_from_db()
    assert (
        park.status == ShelterStatus.AVAILABLE and not park.openings.filter(reason="演习").exists()
    )
    assert park.name in export_names(client) and park.name in map_titles(client)
    assert "陆家嘴中心绿地应急避难场所" not in map_titles(client)
    body = client.get(reverse("shelters:overview")).content.decode()
    assert "各街道/镇对比" in body and "新华路街道" in body and "陆家嘴" not in body


def test_anonymous_is_sent_to_login(client, park):
    names = ["list", "overview", "map", "map_data", "export", "import", "create"]
    urls = [reverse(f"shelters:{n}") for n in names] + list(shelter_urls(park).values())
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response.url, url


def _shelter_post(unit, **extra):
    data = {
        "org_unit": unit.pk,
        "name": "秀水小区绿地避难点",
        "setting": "outdoor",
        "shelter_type": ShelterType.objects.get(name="公园绿地").pk,
        "shelter_class": ShelterClass.objects.get(name="紧急避难点").pk,
        "address": "秀水路10号",
        "coord_system": "wgs84",
        "latitude": "",
        "longitude": "",
        "total_area": "16000",
        "effective_area": "13600",
        "capacity": "6800",
        "facilities": [f.pk for f in Facility.objects.filter(name__in=["供水", "厕所"])],
        "managing_unit": "秀水居委会",
        "contact_name": "",
        "contact_phone": "",
        "status": "available",
        "notes": "",
    }
    return data | extra


def test_adding_a_shelter_changes_the_indicator(login, demo):
    client = login("huayang_staff")
    community = OrgUnit.objects.get(name="秀水居民区")
    before = services.area_per_resident([community])[community.pk]
    assert before.per_resident == Decimal("0.00")
    lat, lng = wgs84_to_gcj02(31.2185, 121.4301)
    response = client.post(
        reverse("shelters:create"),
        _shelter_post(
            community, coord_system="gcj02", latitude=f"{lat:.6f}", longitude=f"{lng:.6f}"
        ),
    )
    shelter = Shelter.objects.get(name="秀水小区绿地避难点")
    assert response.status_code == 302 and response.url == shelter.get_absolute_url()
    # GCJ-02 picked on a Gaode map is stored as WGS-84
    assert abs(float(shelter.latitude) - 31.2185) < 1e-5
    assert abs(float(shelter.longitude) - 121.4301) < 1e-5
    assert set(shelter.facilities.values_list("name", flat=True)) == {"供水", "厕所"}
    after = services.area_per_resident([community])[community.pk]
    assert after.per_resident == (Decimal(13600) / community.population).quantize(Decimal("0.01"))
    body = client.get(reverse("shelters:overview")).content.decode()
    assert f'data-value="{after.per_resident}"' in body


def test_bad_shelter_form_gets_chinese_errors_and_saves_nothing(login, demo):
    client = login("huayang_staff")
    community = OrgUnit.objects.get(name="秀水居民区")
    count = Shelter.objects.count()
    response = client.post(
        reverse("shelters:create"),
        _shelter_post(community, effective_area="20000", name="", latitude="31.2"),
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "有效避难面积不能大于总面积" in body and "这个字段是必填项" in body
    assert "纬度和经度需同时填写" in body
    response = client.post(
        reverse("shelters:create"),
        _shelter_post(OrgUnit.objects.get(code="310105004"), status="activated"),
    )
    assert response.content.decode().count("选择一个有效的选项") == 2  # unit and status
    assert Shelter.objects.count() == count


def test_staff_activate_and_close_through_the_pages(login, park):
    client = login("huayang_staff")
    urls = shelter_urls(park)
    opened = timezone.localtime() - datetime.timedelta(hours=3)
    response = client.post(
        urls["activate"], {"opened_at": opened.strftime("%Y-%m-%dT%H:%M"), "reason": "暴雨"}
    )
    assert response.status_code == 302
    park.refresh_from_db()
    assert park.status == ShelterStatus.ACTIVATED
    response = client.post(
        urls["activate"], {"opened_at": opened.strftime("%Y-%m-%dT%H:%M"), "reason": "x"}
    )
    assert "已处于启用状态" in response.content.decode()
    client.post(urls["close"], {"closed_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M")})
    park.refresh_from_db()
    assert park.status == ShelterStatus.AVAILABLE and park.openings.count() == 2
    assert "暴雨" in client.get(urls["detail"]).content.decode()


def test_list_shows_the_indicator_and_filters(login, demo):
    client = login("huayang_staff")
    body = client.get(reverse("shelters:list")).content.decode()
    assert "华阳路街道人均有效避难面积" in body and "未达标" in body
    assert 'data-unit="310105001003"' in body  # 飞乐居民区 chip
    table = client.get(reverse("shelters:list"), {"overdue": "on"}).content.decode()
    table = table.split("shelter-table")[1]
    assert "华一社区学校操场避难点" in table and "中山公园" not in table
    table = client.get(reverse("shelters:list"), {"status": "maintenance"}).content.decode()
    assert "姚家角小区中心绿地避难点" in table.split("shelter-table")[1]
    lujiazui = login("lujiazui_staff").get(reverse("shelters:list")).content.decode()
    assert "陆家嘴街道人均有效避难面积" in lujiazui and "达标" in lujiazui


def test_list_and_map_queries_do_not_grow(client, tree, django_assert_max_num_queries):
    client.force_login(make_user(tree["s1"]))
    ShelterFactory(org_unit=tree["s1"], latitude=Decimal("31.2"), longitude=Decimal("121.4"))
    with django_assert_max_num_queries(30) as few_list:
        client.get(reverse("shelters:list"))
    with django_assert_max_num_queries(10) as few_map:
        client.get(reverse("shelters:map_data"))
    for i in range(30):
        ShelterFactory(
            org_unit=tree["c1"] if i % 2 else tree["e1"],
            latitude=Decimal("31.2"),
            longitude=Decimal("121.4"),
        )
    with django_assert_max_num_queries(len(few_list.captured_queries)):
        response = client.get(reverse("shelters:list"))
    assert response.content.decode().count("社区避难点") == 31
    with django_assert_max_num_queries(len(few_map.captured_queries)):
        response = client.get(reverse("shelters:map_data"))
    assert len(response.json()["features"]) == 31


# --- import ---------------------------------------------------------------------------------

HEADER = [
    "所属单位编码",
    "场所名称",
    "室内/室外",
    "场所类型",
    "场所等级",
    "地址",
    "纬度（WGS-84）",
    "经度（WGS-84）",
    "总面积（平方米）",
    "有效避难面积（平方米）",
    "可容纳人数",
    "配套设施",
    "管理单位",
    "联系人",
    "联系电话",
    "状态",
]


def row(code, name, **kw):
    values = {
        "室内/室外": "室外",
        "场所类型": "学校",
        "场所等级": "Ⅲ类",
        "地址": "测试路1号",
        "纬度（WGS-84）": "31.22",
        "经度（WGS-84）": "121.42",
        "总面积（平方米）": "5000",
        "有效避难面积（平方米）": "3000",
        "可容纳人数": "1500",
        "配套设施": "供水、供电，厕所",
        "管理单位": "学校",
        "联系人": "张三",
        "联系电话": "021-1234",
        "状态": "可用",
    } | kw
    return [code, name, *[values[h] for h in HEADER[2:]]]


def csv_upload(rows, encoding="gbk"):
    lines = [",".join(HEADER), *[",".join(r) for r in rows]]
    return SimpleUploadedFile("避难场所.csv", ("\n".join(lines) + "\n").encode(encoding))


def test_import_previews_then_imports(login, demo, run_tasks_on_commit):
    client = login("huayang_staff")
    response = client.post(
        reverse("shelters:import"),
        {
            "file": csv_upload(
                [
                    row("310105001006", "秀水社区学校操场"),
                    row(
                        "310105001",
                        "中山公园应急避难场所",
                        **{"总面积（平方米）": "214000", "有效避难面积（平方米）": "40000"},
                    ),
                ]
            )
        },
    )
    job = ImportJob.objects.get()
    assert response.status_code == 302 and job.state == ImportJob.State.READY, job.report
    assert not Shelter.objects.filter(name="秀水社区学校操场").exists()
    page = client.get(reverse("files:import_job", args=[job.pk])).content.decode()
    assert "检查通过" in page and "秀水社区学校操场" in page
    client.post(reverse("files:import_confirm", args=[job.pk]))
    job.refresh_from_db()
    assert job.state == ImportJob.State.DONE
    new = Shelter.objects.get(name="秀水社区学校操场")
    assert new.created_by.username == "huayang_staff" and new.shelter_type.name == "学校"
    assert set(new.facilities.values_list("name", flat=True)) == {"供水", "供电", "厕所"}
    assert Shelter.objects.get(name="中山公园应急避难场所").effective_area == 40000


def test_import_with_bad_rows_imports_nothing_and_lists_them(login, demo, run_tasks_on_commit):
    client = login("huayang_staff")
    count = Shelter.objects.count()
    client.post(
        reverse("shelters:import"),
        {
            "file": csv_upload(
                [
                    row("310105001006", "好的一行"),
                    row("310105004", "别的街道"),
                    row("310105001", "面积有误", **{"有效避难面积（平方米）": "9000"}),
                    row("310105001", "类型有误", **{"场所类型": "火星基地"}),
                    row("310105001", "设施有误", **{"配套设施": "供水、传送门"}),
                    row("310105001", "状态有误", **{"状态": "已启用"}),
                ]
            )
        },
    )
    job = ImportJob.objects.get()
    assert job.state == ImportJob.State.INVALID
    assert {e["line"] for e in job.report["errors"]} == {3, 4, 5, 6, 7}
    messages = " ".join(e["message"] for e in job.report["errors"])
    assert "不在您可维护的范围内" in messages and "有效避难面积不能大于总面积" in messages
    assert "火星基地" in messages and "传送门" in messages and "启用" in messages
    page = client.get(reverse("files:import_job", args=[job.pk])).content.decode()
    assert "第 4 行" in page and "整批未导入" in page
    client.post(reverse("files:import_confirm", args=[job.pk]))
    assert Shelter.objects.count() == count


def test_import_cannot_touch_another_streets_shelter(login, demo, run_tasks_on_commit):
    client = login("xinhua_staff")
    client.post(
        reverse("shelters:import"),
        {
            "file": csv_upload(
                [row("310105001", "中山公园应急避难场所", **{"总面积（平方米）": "1"})]
            )
        },
    )
    job = ImportJob.objects.get()
    assert job.state == ImportJob.State.INVALID
    assert Shelter.objects.get(name="中山公园应急避难场所").total_area == 214000


def test_reviewer_cannot_import(client, tree):
    client.force_login(make_user(tree["d1"], role=Role.DISTRICT_REVIEWER))
    response = client.post(reverse("shelters:import"), {"file": csv_upload([])})
    assert response.status_code == 403 and not ImportJob.objects.exists()


def test_export_round_trips_the_columns(login, park):
    client = login("huayang_staff")
    response = client.get(reverse("shelters:export"))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    header = [c.value for c in sheet[1]]
    assert header[: len(HEADER)] == [HEADER[0], "所属单位", *HEADER[1:]][: len(HEADER)]
    by_name = {r[header.index("场所名称")]: r for r in sheet.iter_rows(min_row=2, values_only=True)}
    exported = by_name[park.name]
    assert exported[header.index("状态")] == "可用"
    assert exported[header.index("场所等级")] == "Ⅱ类"
    assert "应急广播" in exported[header.index("配套设施")]


def test_a_community_without_population_shows_no_figure(login, demo):
    community = child(
        OrgUnit.objects.get(code="310105001"),
        OrgKind.COMMUNITY,
        code="310105001099",
        name="新建居委",
    )
    OrgUnit.objects.filter(pk=community.pk).update(population=None)
    body = login("huayang_staff").get(reverse("shelters:overview")).content.decode()
    assert "新建居委" in body and "无人口数据" in body


def test_a_shelter_nobody_has_edited_in_the_portal_shows_its_page(client, tree):
    """Shelters from imports, admin or factories have no updated_by: the page says "—"."""
    shelter = ShelterFactory(org_unit=tree["c1"], created_by=None, updated_by=None)
    client.force_login(make_user(tree["s1"]))
    response = client.get(shelter.get_absolute_url())
    assert response.status_code == 200
    assert "最后修改" in response.content.decode()
