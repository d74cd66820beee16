"""Versioned standards: the shipped Shanghai and national ones are marked as the portal's
reconstruction, each with its basic conditions apart from its scored items; a copy keeps both;
an admin loads a new version from a spreadsheet through the import flow (checked, previewed,
imported all or nothing, inactive, never over a used standard)."""

import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from apps.applications import services
from apps.applications.models import Condition, ConditionRule, Item, Proof, Standard
from apps.files.models import ImportJob
from apps.orgs.models import Role
from tests.applications.factories import new_application, people, standard
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

HEADER = [
    "标准编码",
    "标准名称",
    "适用称号",
    "年度",
    "通过分数线",
    "依据文件",
    "平台整理稿",
    "类别",
    "方面序号",
    "方面名称",
    "方面旁显示的平台数据",
    "序号",
    "条文",
    "分值",
    "佐证材料",
    "核验方式",
    "阈值",
]


def row(**values):
    return [values.get(name, "") for name in HEADER]


def good_rows(code="sh-2026"):
    first = {
        "标准编码": code,
        "标准名称": "上海市安全发展和综合减灾示范社区评审标准（2026版）",
        "适用称号": "上海市安全发展和综合减灾示范社区",
        "年度": 2026,
        "通过分数线": 6,
        "依据文件": "沪灾防委〔2026〕1号",
        "平台整理稿": "否",
    }
    return [
        HEADER,
        row(
            **first,
            类别="基本条件",
            序号=1,
            条文="居民满意率高于70%",
            核验方式="居民满意率（居民问卷）",
            阈值=75,
        ),
        row(
            标准编码=code,
            类别="基本条件",
            序号=2,
            条文="近3年无因灾较大事故",
            核验方式="no_serious_disaster",
        ),
        row(
            标准编码=code,
            类别="评分项",
            方面序号=1,
            方面名称="组织管理",
            方面旁显示的平台数据="organisation",
            序号=1,
            条文="成立领导小组",
            分值=4,
            核验方式="领导小组已登记并明确组长",
        ),
        row(
            标准编码=code,
            类别="评分项",
            方面序号=1,
            方面名称="组织管理",
            序号=2,
            条文="经费保障",
            分值=3,
        ),
        row(
            标准编码=code,
            类别="评分项",
            方面序号=2,
            方面名称="特色亮点",
            序号=1,
            条文="特色做法",
            分值=3,
            佐证材料="经验材料",
        ),
    ]


def xlsx(rows):
    book = openpyxl.Workbook()
    for values in rows:
        book.active.append(values)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def upload(client, rows):
    response = client.post(
        reverse("applications:standard_import"),
        {"file": SimpleUploadedFile("标准.xlsx", xlsx(rows))},
    )
    assert response.status_code == 302, response.content.decode()[:500]
    return ImportJob.objects.latest("pk")


def confirm(client, job):
    client.post(reverse("files:import_confirm", args=[job.pk]))
    job.refresh_from_db()
    return job


@pytest.fixture
def admin(tree):
    return make_user(tree["sh"], role=Role.ADMIN, username="std_admin")


# --- the shipped standards -------------------------------------------------------------------


def test_both_shipped_standards_are_reconstructions_with_gates_apart_from_items(db):
    city, national = standard("sh-2024"), standard("cn-2020")
    assert city.is_reconstruction and national.is_reconstruction
    assert (city.title, national.title) == ("city", "national")
    for std in (city, national):
        rules = list(std.conditions.order_by("order").values_list("rule", flat=True))
        assert rules == [
            ConditionRule.SURVEY,
            ConditionRule.NO_SERIOUS_DISASTER,
            ConditionRule.PLAN_IN_FORCE,
            ConditionRule.RECENT_DRILL,
        ]
        assert std.conditions.get(rule=ConditionRule.SURVEY).threshold == 70
        assert services.standard_problems(std) == []
        assert (std.total, std.pass_mark) == (Decimal("100"), Decimal("80"))
    assert "平台整理稿" in city.note and "平台整理稿" in national.note
    # the records that prove items: most of the city standard, with the new ones
    proofs = set(Item.objects.filter(aspect__standard=city).values_list("proof", flat=True))
    assert {Proof.FUNDING, Proof.NATIONAL_DAYS, Proof.RESIDENT_TRAINING} <= proofs
    assert Item.objects.filter(aspect__standard=city).exclude(proof="").count() == 22
    national_items = Item.objects.filter(aspect__standard=national)
    texts = " ".join(national_items.values_list("text", flat=True))
    for words in ["网格化覆盖率达到100%", "处理率达到100%", "10万元", "明白卡", "灾害事故保险"]:
        assert words in texts


def test_a_standard_for_one_title_is_refused_for_the_other(tree):
    users = people(tree)
    with pytest.raises(ValidationError) as exc:
        new_application(users["staff"], tree["s1"], std=standard("cn-2020"), title="city")
    assert "用于“全国综合减灾示范社区”的申报" in exc.value.message_dict["standard"][0]
    app = new_application(users["staff"], tree["s1"], title="national")
    assert app.standard.code == "cn-2020"


def test_conditions_of_a_used_standard_are_frozen_and_copied(tree):
    users = people(tree)
    std = standard("sh-2024")
    new_application(users["staff"], tree["s1"], std=std)
    condition = std.conditions.first()
    condition.threshold = Decimal("60")
    with pytest.raises(ValidationError, match="复制为新版本"):
        condition.full_clean()
    copy = services.copy_standard(std, code="sh-2024-v2")
    assert copy.conditions.count() == 4 and copy.is_reconstruction and copy.title == "city"
    assert list(
        Item.objects.filter(aspect__standard=copy).order_by("aspect__order", "order")
        .values_list("proof", flat=True)
    ) == list(
        Item.objects.filter(aspect__standard=std).order_by("aspect__order", "order")
        .values_list("proof", flat=True)
    )  # fmt: skip


# --- a new version from a spreadsheet ---------------------------------------------------------


@pytest.mark.usefixtures("run_tasks_on_commit")
def test_an_admin_loads_a_new_version_checked_then_imported_inactive(client, admin):
    client.force_login(admin)
    job = upload(client, good_rows())
    assert job.state == ImportJob.State.READY, job.report
    assert not Standard.objects.filter(code="sh-2026").exists()  # the check wrote nothing
    job = confirm(client, job)
    assert job.state == ImportJob.State.DONE, job.report
    std = Standard.objects.get(code="sh-2026")
    assert (std.title, std.year, std.total, std.pass_mark, std.is_active) == (
        "city",
        2026,
        Decimal("10"),
        Decimal("6"),
        False,
    )
    assert not std.is_reconstruction and std.source == "沪灾防委〔2026〕1号"
    conditions = list(std.conditions.order_by("order").values_list("rule", "threshold"))
    assert conditions == [
        (ConditionRule.SURVEY, Decimal("75")),
        (ConditionRule.NO_SERIOUS_DISASTER, None),
    ]
    assert list(std.aspects.order_by("order").values_list("name", "facts")) == [
        ("组织管理", "organisation"),
        ("特色亮点", ""),
    ]
    items = Item.objects.filter(aspect__standard=std).order_by("aspect__order", "order")
    assert [(i.number, i.max_points, i.proof) for i in items] == [
        ("1.1", Decimal("4"), Proof.LEADERSHIP),
        ("1.2", Decimal("3"), ""),
        ("2.1", Decimal("3"), ""),
    ]
    assert services.standard_problems(std) == []


@pytest.mark.usefixtures("run_tasks_on_commit")
def test_every_bad_row_is_listed_and_nothing_is_imported(client, admin):
    client.force_login(admin)
    rows = good_rows()
    rows[2][HEADER.index("分值")] = 2  # a condition has no points
    rows[3][HEADER.index("分值")] = "1.3"  # not in half points
    rows[4][HEADER.index("方面名称")] = "组织领导"  # aspect 1 is 组织管理 above
    rows[5][HEADER.index("核验方式")] = "居民满意率（居民问卷）"  # a gate's check on an item
    rows.append(
        row(标准编码="other", 类别="评分项", 方面序号=3, 方面名称="x", 序号=1, 条文="y", 分值=1)
    )
    job = upload(client, rows)
    assert job.state == ImportJob.State.INVALID
    errors = {(e["line"], e["column"]): e["message"] for e in job.report["errors"]}
    assert "基本条件不计分" in errors[(3, "分值")]
    assert "0.5 分为单位" in errors[(4, "分值")]
    assert "方面序号 1 在前面的行中是“组织管理”" in errors[(5, "方面名称")]
    assert "不能是基本条件的核验方式" in errors[(6, "核验方式")]
    assert "一个文件只能导入一个评审标准" in errors[(7, "标准编码")]
    assert not Standard.objects.filter(code="sh-2026").exists()


@pytest.mark.usefixtures("run_tasks_on_commit")
def test_a_used_code_a_pass_mark_above_the_total_and_non_admins_are_refused(client, admin, tree):
    client.force_login(admin)
    job = upload(client, good_rows(code="sh-2024"))
    assert job.state == ImportJob.State.INVALID
    assert "已存在" in job.report["errors"][0]["message"]
    rows = good_rows()
    rows[1][HEADER.index("通过分数线")] = 11
    job = upload(client, rows)
    assert job.state == ImportJob.State.INVALID
    assert "高于各评分项分值合计 10" in " ".join(e["message"] for e in job.report["errors"])
    assert not Standard.objects.filter(code="sh-2026").exists()
    staff = make_user(tree["s1"])
    client.force_login(staff)
    assert client.get(reverse("applications:standard_import")).status_code == 403
    assert Condition.objects.filter(standard__code="sh-2026").count() == 0


def test_the_standard_pages_show_gates_items_and_the_reconstruction_note(client, tree):
    standard("sh-2024")
    client.force_login(make_user(tree["s1"]))
    page = client.get(reverse("applications:standards")).content.decode()
    assert "全国综合减灾示范社区创建标准评分表（平台整理稿）" in page and "平台整理稿" in page
    assert "导入新版本" not in page  # admins only
    page = client.get(reverse("applications:standard", args=["cn-2020"])).content.decode()
    assert "正式文本尚未载入" in page
    assert "社区居民对社区综合减灾状况满意率大于70%" in page
    assert "可由平台记录证明" in page
