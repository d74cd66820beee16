"""Excel import through the staff pages: dry-run preview, every bad row listed, all or nothing,
scope; stock rows go through movements."""

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from apps.files.models import ImportJob
from apps.orgs.models import Role
from apps.supplies.models import Item, Lot, Movement, MovementKind, Site
from tests.conftest import make_user
from tests.supplies.factories import stock

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("run_tasks_on_commit")]

STOCK_HEADER = ["储备点编码", "物资编码", "批次号", "有效期至", "库存数量"]
SITE_HEADER = ["储备点编码", "名称", "所属单位编码", "层级", "储备方式", "协议单位", "协议到期日"]


def xlsx(rows):
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def upload(client, name, rows, filename="导入.xlsx"):
    content = xlsx(rows) if filename.endswith(".xlsx") else rows
    response = client.post(
        reverse(f"supplies:{name}"), {"file": SimpleUploadedFile(filename, content)}
    )
    assert response.status_code == 302, response.content.decode()[:500]
    return ImportJob.objects.latest("pk")


def confirm(client, job):
    client.post(reverse("files:import_confirm", args=[job.pk]))
    job.refresh_from_db()
    return job


def test_stock_import_previews_then_imports_through_movements(client, world):
    w = world
    client.force_login(w["staff"])
    rows = [
        STOCK_HEADER,
        ["S1-01", "B1", "2024", None, 500],
        ["S1-01", "W1", "", "2099-06-30", 40],
        ["S1C1-01", "B1", "2024", "", 80],
    ]
    job = upload(client, "import_stock", rows)
    assert job.state == ImportJob.State.READY, job.report
    assert not Lot.objects.exists() and not Movement.objects.exists()  # the check wrote nothing
    page = client.get(reverse("files:import_job", args=[job.pk])).content.decode()
    assert "检查通过" in page and "确认导入" in page
    job = confirm(client, job)
    assert job.state == ImportJob.State.DONE
    lots = {(lot.site.code, lot.item.code, lot.lot_no): lot.quantity for lot in Lot.objects.all()}
    assert lots == {
        ("S1-01", "B1", "2024"): 500,
        ("S1-01", "W1", "效期20990630"): 40,
        ("S1C1-01", "B1", "2024"): 80,
    }
    assert set(Movement.objects.values_list("kind", "created_by")) == {
        (MovementKind.RECEIVE, w["staff"].pk)
    }
    # the same sheet again changes nothing; a changed balance is a 盘点调整
    confirm(client, upload(client, "import_stock", rows))
    assert Movement.objects.count() == 3
    rows[1][4] = 480
    confirm(client, upload(client, "import_stock", rows))
    adjust = Movement.objects.get(kind=MovementKind.ADJUST)
    assert (adjust.quantity_change, adjust.purpose) == (-20, "Excel 导入")


def test_one_bad_row_imports_nothing_and_every_bad_row_is_reported(client, world):
    w = world
    client.force_login(w["staff"])
    rows = [
        STOCK_HEADER,
        ["S1-01", "B1", "2024", None, 500],  # line 2: fine
        ["S2-01", "B1", "2024", None, 5],  # line 3: another street's site
        ["S1-01", "NOPE", "1", None, 5],  # line 4: unknown item
        ["S1-01", "W1", "1", None, 5],  # line 5: item with shelf life, no expiry date
        ["S1-01", "B1", "3", None, -2],  # line 6: negative
        ["S1-01", "B1", "4", "明年", 2],  # line 7: not a date
    ]
    job = upload(client, "import_stock", rows)
    assert job.state == ImportJob.State.INVALID
    errors = job.report["errors"]
    assert {e["line"] for e in errors} == {3, 4, 5, 6, 7}
    by_line = {e["line"]: (e["column"], e["message"]) for e in errors}
    assert by_line[3][0] == "储备点编码" and "不存在或不在您可查看的范围内" in by_line[3][1]
    assert by_line[4][0] == "物资编码"
    assert by_line[5][0] == "有效期至" and "有保质期" in by_line[5][1]
    assert by_line[6][0] == "库存数量" and "不小于 0" in by_line[6][1]
    assert by_line[7][0] == "有效期至" and "日期格式" in by_line[7][1]
    page = client.get(reverse("files:import_job", args=[job.pk])).content.decode()
    assert "第 3 行" in page and "第 7 行" in page and "整批未导入" in page
    confirm(client, job)  # a file with errors cannot be confirmed
    assert not Lot.objects.exists() and not Movement.objects.exists()


def test_stock_row_with_a_conflicting_expiry_date_is_refused(client, world):
    w = world
    stock(w["staff"], w["site"], w["water"], 5, lot_no="L1", expiry_in=30)
    client.force_login(w["staff"])
    job = upload(client, "import_stock", [STOCK_HEADER, ["S1-01", "W1", "L1", "2099-01-01", 9]])
    assert job.state == ImportJob.State.INVALID
    assert "已登记的有效期" in job.report["errors"][0]["message"]
    assert Lot.objects.get().quantity == 5


def test_site_import_with_scope_and_agreement_rules(client, world):
    w = world
    client.force_login(w["staff"])
    bad = [
        SITE_HEADER,
        ["S1-09", "新社区储备点", "S1C1", "居村级", "自有储备", "", ""],
        ["S2-09", "别的街道的点", "S2", "街镇级", "自有储备", "", ""],
        ["S1-10", "协议点", "S1", "街镇级", "协议储备", "", ""],
        ["S1-11", "层级写错", "S1", "省级", "自有储备", "", ""],
    ]
    job = upload(client, "import_sites", bad)
    assert job.state == ImportJob.State.INVALID
    messages = {e["line"]: e["message"] for e in job.report["errors"]}
    assert set(messages) == {3, 4, 5}
    assert "不在您可维护的范围内" in messages[3]
    assert "协议储备必须填写协议单位" in " ".join(
        e["message"] for e in job.report["errors"] if e["line"] == 4
    )
    assert "不是有效选项" in messages[5]
    assert not Site.objects.filter(code__in=["S1-09", "S1-10", "S1-11", "S2-09"]).exists()
    good = [
        SITE_HEADER,
        ["S1-09", "新社区储备点", "S1C1", "居村级", "自有储备", "", ""],
        ["S1-10", "协议点", "S1", "街镇级", "协议储备", "联华超市", "2030-06-30"],
        ["S1-01", "甲街道储备库（改名）", "S1", "街镇级", "自有储备", "", ""],
    ]
    job = confirm(client, upload(client, "import_sites", good))
    assert job.state == ImportJob.State.DONE, job.report
    new = Site.objects.get(code="S1-10")
    assert (new.mode, new.partner, str(new.contract_end)) == ("agreement", "联华超市", "2030-06-30")
    assert new.created_by == w["staff"] and new.level == "street"
    assert Site.objects.get(code="S1-01").name == "甲街道储备库（改名）"


def test_site_import_cannot_touch_another_streets_site(client, world):
    w = world
    client.force_login(w["staff"])
    job = upload(
        client, "import_sites", [SITE_HEADER, ["S2-01", "抢注", "S1", "街镇级", "", "", ""]]
    )
    assert job.state == ImportJob.State.INVALID  # S2-01 exists but is not theirs: refused
    assert Site.objects.get(code="S2-01").name == "乙街道储备库"


def test_stock_import_accepts_gbk_csv(client, world):
    w = world
    client.force_login(w["staff"])
    text = ",".join(STOCK_HEADER) + "\nS1-01,B1,2024,,12\n"
    job = confirm(client, upload(client, "import_stock", text.encode("gbk"), "库存.csv"))
    assert job.state == ImportJob.State.DONE
    assert Lot.objects.get().quantity == 12


def test_catalogue_import_is_for_admins_only(client, world):
    w = world
    rows = [
        ["物资编码", "物资名称", "物资类别", "规格型号", "计量单位", "有保质期", "保质期（月）"],
        ["ZZ001", "应急救援绳", "其他", "30m", "根", "否", ""],
    ]
    client.force_login(w["staff"])
    assert client.get(reverse("supplies:import_items")).status_code == 403
    response = client.post(
        reverse("supplies:import_items"), {"file": SimpleUploadedFile("目录.xlsx", xlsx(rows))}
    )
    assert response.status_code == 403
    assert not Item.objects.filter(code="ZZ001").exists()
    admin = make_user(w["sh"], role=Role.ADMIN, username="city_admin")
    client.force_login(admin)
    job = confirm(client, upload(client, "import_items", rows))
    assert job.state == ImportJob.State.DONE, job.report
    item = Item.objects.get(code="ZZ001")
    assert (item.name, item.category, item.expires) == ("应急救援绳", "other", False)


def test_template_download_has_the_import_columns(client, world):
    client.force_login(world["staff"])
    response = client.get(reverse("supplies:import_stock") + "?template=1")
    header = next(
        openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True)
    )
    assert list(header) == STOCK_HEADER
