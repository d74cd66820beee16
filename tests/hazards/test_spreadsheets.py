"""Import and export of risk points and hazards through apps.files."""

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from apps.files.models import ImportJob
from apps.hazards.models import Hazard, HazardEvent, HazardState, RiskPoint
from apps.orgs.models import Role
from tests.conftest import make_user
from tests.hazards.factories import HazardFactory, RiskPointFactory


@pytest.fixture(autouse=True)
def _tasks(run_tasks_on_commit):
    """Every test here runs queued tasks in-process at the end of each request."""


def read_xlsx(response):
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    return [list(row) for row in book.active.iter_rows(values_only=True)]


def csv_upload(lines, encoding="gbk"):
    return SimpleUploadedFile("表格.csv", ("\n".join(lines) + "\n").encode(encoding))


POINT_HEADER = "所属单位编码,风险点名称,类别,风险等级,地址,纬度,经度,坐标系,责任人,巡查频次"
HAZARD_HEADER = "所属单位编码,隐患名称,类别,隐患等级,发现日期,发现人,地点,隐患描述"


def test_export_holds_only_the_users_records(client, tree):
    staff = make_user(tree["s1"])
    HazardFactory(
        org_unit=tree["c1"],
        title="甲的隐患",
        state=HazardState.ASSIGNED,
        responsible_unit="物业公司",
    )
    HazardFactory(org_unit=tree["c2"], title="乙的隐患")
    RiskPointFactory(org_unit=tree["c1"], name="甲的风险点", level="red")
    RiskPointFactory(org_unit=tree["c2"], name="乙的风险点")
    client.force_login(staff)
    rows = read_xlsx(client.get(reverse("hazards:export")))
    header, body = rows[0], rows[1:]
    assert header[:4] == ["编号", "所属单位编码", "所属单位", "隐患名称"]
    assert [r[3] for r in body] == ["甲的隐患"]
    assert body[0][header.index("状态")] == "交办"
    assert body[0][header.index("整改责任单位")] == "物业公司"
    rows = read_xlsx(client.get(reverse("hazards:point_export")))
    assert [r[rows[0].index("风险点名称")] for r in rows[1:]] == ["甲的风险点"]
    assert rows[1][rows[0].index("风险等级")] == "红色·重大风险"
    # a reviewer exports the whole district, read only
    client.force_login(make_user(tree["d1"], role=Role.DISTRICT_REVIEWER))
    rows = read_xlsx(client.get(reverse("hazards:export")))
    assert {r[3] for r in rows[1:]} == {"甲的隐患", "乙的隐患"}


def test_export_follows_the_list_filters(client, tree):
    HazardFactory(org_unit=tree["c1"], title="燃气", state=HazardState.CLOSED)
    HazardFactory(org_unit=tree["c1"], title="堆物")
    client.force_login(make_user(tree["s1"]))
    rows = read_xlsx(client.get(reverse("hazards:export"), {"open": "on"}))
    assert [r[3] for r in rows[1:]] == ["堆物"]


def test_risk_points_import_with_gcj02_and_short_level_names(client, tree):
    staff = make_user(tree["s1"])
    client.force_login(staff)
    upload = csv_upload(
        [
            POINT_HEADER,
            "S1C1,充电棚,电动自行车飞线充电/进楼入户,红,甲路 1 号,31.17530398364597,"
            "121.531541859215,GCJ-02,张三,每周",
            "S1,沿街店招,店招店牌,蓝色·低风险,甲路 2 号,31.2,121.4,,李四,每月",
        ]
    )
    response = client.post(reverse("hazards:point_import"), {"file": upload})
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert job.state == ImportJob.State.READY, job.report
    assert not RiskPoint.objects.exists()
    client.post(reverse("files:import_confirm", args=[job.pk]))
    job.refresh_from_db()
    assert job.state == ImportJob.State.DONE
    shed = RiskPoint.objects.get(name="充电棚")
    assert (shed.level, str(shed.latitude), str(shed.longitude)) == (
        "red",
        "31.177428",
        "121.527211",
    )
    assert shed.created_by == staff and shed.next_inspection_date is not None
    assert RiskPoint.objects.get(name="沿街店招").level == "blue"


def test_one_bad_row_imports_nothing_and_other_streets_are_refused(client, tree):
    client.force_login(make_user(tree["s1"]))
    upload = csv_upload(
        [
            HAZARD_HEADER,
            "S1C1,楼道堆物,楼道堆物,一般隐患,2024-05-01,网格员,甲路,纸箱",
            "S2C1,别的街道的隐患,楼道堆物,一般隐患,2024-05-01,网格员,乙路,纸箱",
            "S1C1,类别不对,不存在的类别,一般隐患,2024-05-01,网格员,甲路,纸箱",
            "S1C1,等级不对,群租,很严重,2024-05-01,网格员,甲路,群租",
        ]
    )
    client.post(reverse("hazards:import"), {"file": upload})
    job = ImportJob.objects.get()
    assert job.state == ImportJob.State.INVALID
    errors = job.report["errors"]
    assert {e["line"] for e in errors} == {3, 4, 5}
    text = " ".join(e["message"] for e in errors)
    assert "不在您可维护的范围内" in text
    assert "没有名为“不存在的类别”的隐患类别" in text
    assert "“很严重”不是有效的选项" in text
    client.post(reverse("files:import_confirm", args=[job.pk]))
    assert not Hazard.objects.exists() and not HazardEvent.objects.exists()


def test_hazard_import_starts_the_loop_and_is_idempotent(client, tree):
    staff = make_user(tree["s1"])
    client.force_login(staff)
    lines = [HAZARD_HEADER, "S1C1,楼道堆物,楼道堆物,一般,2024-05-01,网格员,甲路,纸箱"]
    for _ in range(2):
        client.post(reverse("hazards:import"), {"file": csv_upload(lines)})
        job = ImportJob.objects.latest("pk")
        assert job.state == ImportJob.State.READY, job.report
        client.post(reverse("files:import_confirm", args=[job.pk]))
    hazard = Hazard.objects.get()
    assert hazard.state == HazardState.REPORTED and hazard.created_by == staff
    assert hazard.severity == "general"
    assert list(hazard.events.values_list("action", "actor")) == [("report", staff.pk)]


def test_reviewers_cannot_import(client, tree):
    client.force_login(make_user(tree["d1"], role=Role.DISTRICT_REVIEWER))
    for name in ("hazards:import", "hazards:point_import"):
        assert client.get(reverse(name)).status_code == 403
        response = client.post(reverse(name), {"file": csv_upload([HAZARD_HEADER])})
        assert response.status_code == 403
    assert not ImportJob.objects.exists()


def test_import_page_lists_only_importable_columns(client, tree):
    client.force_login(make_user(tree["s1"]))
    response = client.get(reverse("hazards:import"))
    columns = [str(c) for c in response.context["columns"]]
    assert columns == [
        "所属单位编码",
        "隐患名称",
        "类别",
        "隐患等级",
        "发现日期",
        "发现人",
        "地点",
        "纬度",
        "经度",
        "隐患描述",
    ]
    rows = read_xlsx(client.get(reverse("hazards:import"), {"template": "1"}))
    assert set(columns) <= set(rows[0])
