"""A ledger as streets keep it imports like the template: the table is found below a title
row or notes, on whichever worksheet holds it, with a 序号 column, columns in any order, extra
columns and 合计/填表人 lines under it; header cells match ignoring spaces, line breaks and
full-/half-width forms, or by a declared synonym; dates, numbers, yes/no and blanks are read
in the forms people type, and what has no single reading (3/1/2026, 1.5 people, a phone
number Excel turned into a number) is refused with a Chinese message on its Excel line and
column, nothing saved. The files are built with openpyxl here; the imports run through the
upload → check → confirm pages of shelters, supplies stock and information officers."""

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl.utils.datetime import to_excel

from apps.files import cells
from apps.files.models import ImportJob
from apps.files.reading import read_dataset
from apps.people.models import InformationOfficer
from apps.shelters.models import Shelter
from apps.shelters.resources import ShelterResource
from apps.supplies.models import Lot, Movement
from apps.supplies.resources import LotImportResource
from tests.conftest import make_user
from tests.supplies.factories import ItemFactory, SiteFactory

TITLE = "华阳路街道2026年应急物资台账"


def workbook(*sheets, active=0):
    """.xlsx bytes: each sheet is ``(name, rows)``; a row that is a lone string is a title
    merged across the sheet's first six columns."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets:
        sheet = book.create_sheet(name)
        for line, row in enumerate(rows, 1):
            if isinstance(row, str):
                sheet.cell(line, 1, row)
                sheet.merge_cells(start_row=line, start_column=1, end_row=line, end_column=6)
            else:
                for column, value in enumerate(row, 1):
                    sheet.cell(line, column, value)
    book.active = active
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def upload(client, url_name, content, filename="台账.xlsx"):
    response = client.post(reverse(url_name), {"file": SimpleUploadedFile(filename, content)})
    assert response.status_code == 302, response.content.decode()[:500]
    return ImportJob.objects.latest("pk")


def confirm(client, job):
    client.post(reverse("files:import_confirm", args=[job.pk]))
    job.refresh_from_db()
    return job


def page(client, job):
    return client.get(reverse("files:import_job", args=[job.pk])).content.decode()


def errors_of(job):
    return [(e["line"], e["column"], e["message"]) for e in job.report["errors"]]


# --- where the table is ------------------------------------------------------------------------


def test_the_table_is_found_below_a_merged_title_and_notes_and_above_its_footer(db):
    data = workbook(
        (
            "Sheet1",
            [
                "华阳路街道2026年避难场所台账",
                ["填报单位：华阳路街道", None, None, "单位：平方米"],
                ["序号", "场所 名称", "所属单位\n编码", "纬度(WGS-84)", "可容纳人数", "备用列"],
                [1, "操场", "S1", 31.2, 100, "x"],
                [2, "公园", "S1", 31.3, 200, ""],
                [3, None, None, None, None, None],  # numbered but empty: a blank line
                ["合计", None, None, None, 300],
                ["填表人：张三", None, None, "审核人：李四"],
                [None, None, None, "填表日期：2026年3月1日"],  # starts with 填表日期 too
            ],
        )
    )
    dataset = read_dataset(data, "台账.xlsx", resource=ShelterResource())
    assert dataset.header_line == 3
    assert dataset.headers[:5] == [
        "序号",
        "场所名称",
        "所属单位编码",
        "纬度（WGS-84）",
        "可容纳人数",
    ]
    assert dataset.line_numbers == [4, 5]
    assert [row[1] for row in dataset] == ["操场", "公园"]
    assert dataset.unmatched_columns == ["备用列"]  # 序号 is expected, not listed
    assert dataset.footer_lines == [7, 8, 9]


def test_the_worksheet_whose_header_matches_is_read(db):
    data = workbook(
        ("填表说明", [["请按模板填写"], ["所属单位编码为 9 位或 12 位"]]),
        ("台账", ["避难场所", ["场所名称", "所属单位编码"], ["操场", "S1"]]),
    )
    dataset = read_dataset(data, "台账.xlsx", resource=ShelterResource())
    assert (dataset.sheet_name, dataset.header_line, dataset.line_numbers) == ("台账", 2, [3])
    assert dataset.headers == ["场所名称", "所属单位编码"]


def test_a_csv_with_a_title_line_is_read_from_its_header(db):
    text = "避难场所台账,,\n\n场所名称,所属单位编码,其他\n操场,S1,\n合计,,\n"
    dataset = read_dataset(text.encode("gbk"), "台账.csv", resource=ShelterResource())
    assert (dataset.header_line, dataset.line_numbers, dataset.footer_lines) == (3, [4], [5])
    assert dataset.unmatched_columns == ["其他"]


@pytest.mark.parametrize(
    "written, column",
    [
        ("所属单位编码", "所属单位编码"),
        ("所属单位\n编码", "所属单位编码"),
        (" 所属单位 编码 ", "所属单位编码"),
        ("所属单位\u3000编码", "所属单位编码"),
        ("单位编码", "所属单位编码"),  # a synonym every resource has
        ("纬度(WGS-84)", "纬度（WGS-84）"),
        ("纬度（ＷＧＳ－８４）", "纬度（WGS-84）"),
        ("纬度", "纬度（WGS-84）"),  # the shelters' synonym
        ("可容纳人数\n（人）", "可容纳人数"),
        ("联系方式", "联系电话"),
    ],
)
def test_header_cells_match_ignoring_spaces_widths_and_by_synonym(db, written, column):
    data = workbook(("Sheet1", [["场所名称", written], ["操场", "x"]]))
    dataset = read_dataset(data, "台账.xlsx", resource=ShelterResource())
    assert dataset.headers == ["场所名称", column]
    assert dataset.unmatched_columns == []


def test_a_column_named_twice_is_imported_once_and_the_second_is_listed(db):
    data = workbook(("Sheet1", [["场所名称", "所属单位编码", "单位编码"], ["操场", "S1", "S2"]]))
    dataset = read_dataset(data, "台账.xlsx", resource=ShelterResource())
    assert dataset.headers[:2] == ["场所名称", "所属单位编码"]
    assert dataset.unmatched_columns == ["单位编码"]


# --- cells -------------------------------------------------------------------------------------

MARCH_1 = datetime.date(2026, 3, 1)


@pytest.mark.parametrize(
    "value",
    [
        "2026-03-01",
        "2026-3-1",
        "2026/3/1",
        "2026.3.1",
        "2026年3月1日",
        "2026年3月1",
        "20260301",
        20260301,
        datetime.datetime(2026, 3, 1),
        datetime.datetime(2026, 3, 1, 14, 30),
        MARCH_1,
        to_excel(datetime.datetime(2026, 3, 1)),  # a serial number in a General cell
        float(to_excel(datetime.datetime(2026, 3, 1))),
        " 2026-03-01 ",
        "2026 - 3 - 1",
        "２０２６年３月１日",
        "２０２６－０３－０１",
        "2026-03-01 00:00:00",
    ],
)
def test_dates_are_read_in_every_unambiguous_form(value):
    assert cells.DateWidget().clean(value) == MARCH_1


@pytest.mark.parametrize(
    "value, message",
    [
        ("3/1/2026", "年、月、日顺序无法确定"),
        ("1/3/2026", "年、月、日顺序无法确定"),
        ("01-03-26", "年、月、日顺序无法确定"),
        ("2026-02-30", "不是存在的日期"),
        ("20261301", "不是存在的日期"),
        ("明年", "不是可识别的日期格式"),
        ("2026-3", "不是可识别的日期格式"),
        ("2026-03/01", "不是可识别的日期格式"),
        (123, "不是有效的日期"),
        (2026, "不是有效的日期"),
    ],
)
def test_ambiguous_or_impossible_dates_are_refused_never_guessed(value, message):
    with pytest.raises(ValueError, match=message):
        cells.DateWidget().clean(value)


@pytest.mark.parametrize("value", [None, "", "  ", "\u3000"])
def test_a_blank_date_is_empty(value):
    assert cells.DateWidget().clean(value) is None


@pytest.mark.parametrize(
    "value, number",
    [
        ("1200", 1200),
        ("1,200", 1200),
        ("12,000,000", 12000000),
        ("１２００", 1200),
        ("１，２００", 1200),
        (" 1200 ", 1200),
        ("1 200", 1200),
        ("+5", 5),
        ("1200.0", 1200),
        (1200, 1200),
        (1200.0, 1200),
        (Decimal("7"), 7),
        ("", None),
        (None, None),
    ],
)
def test_whole_numbers_are_read_with_full_width_digits_separators_and_spaces(value, number):
    assert cells.IntegerWidget().clean(value) == number


@pytest.mark.parametrize(
    "value, message",
    [
        ("1.5", "带有小数，该列只能填整数（不会自动取整）"),
        (1.5, "带有小数"),
        ("1,200.5", "带有小数"),
        ("1,2", "不是有效的数字"),
        ("12,00", "不是有效的数字"),
        ("一千", "不是有效的数字"),
        ("1e3", "不是有效的数字"),
        (True, "不是有效的数字"),
    ],
)
def test_a_decimal_or_a_word_in_a_whole_number_column_is_refused(value, message):
    with pytest.raises(ValueError, match=message):
        cells.IntegerWidget().clean(value)


def test_a_bound_is_checked_and_decimals_keep_their_digits():
    with pytest.raises(ValueError, match="不小于 0"):
        cells.IntegerWidget(min_value=0).clean("-3")
    assert cells.DecimalWidget().clean(" 1,234.50 ") == Decimal("1234.50")
    assert cells.DecimalWidget().clean(31.2) == Decimal("31.2")  # not 31.199999…


@pytest.mark.parametrize(
    "value, expected",
    [
        ("是", True),
        ("否", False),
        ("√", True),
        ("×", False),
        ("Y", True),
        ("n", False),
        ("ｙ", True),
        ("TRUE", True),
        ("False", False),
        ("1", True),
        ("0", False),
        (1, True),
        (0, False),
        (True, True),
        (False, False),
        (" 是 ", True),
    ],
)
def test_yes_and_no_are_read_in_every_common_form(value, expected):
    assert cells.YesNoWidget().clean(value) is expected


def test_a_blank_yes_no_is_the_columns_default_and_other_words_are_refused():
    assert cells.YesNoWidget(blank=True).clean("") is True
    assert cells.YesNoWidget(blank=False).clean(None) is False
    with pytest.raises(ValueError, match="请填写“是”或“否”"):
        cells.YesNoWidget().clean("可能")


@pytest.mark.parametrize("value", [13900001111, 13900001111.0, 310105199001011234, 3.1e17])
def test_identity_and_phone_numbers_in_numeric_cells_are_refused(value):
    with pytest.raises(ValueError, match="请将该列设为文本格式后重新导入"):
        cells.IdentifierWidget().clean(value)


def test_identity_and_phone_numbers_as_text_are_kept_half_width():
    assert cells.IdentifierWidget().clean(" １３９００００１１１１ ") == "13900001111"
    assert cells.IdentifierWidget().clean(None) == ""


# --- shelters, end to end ----------------------------------------------------------------------

SHELTER_HEADER = [
    "序号",
    "场所 名称",
    "所属单位\n编码",
    "室内/室外",
    "场所类型",
    "场所等级",
    "地址",
    "纬度(WGS-84)",
    "经度(WGS-84)",
    "总面积（平方米）",
    "有效避难面积（平方米）",
    "容纳人数",  # synonym of 可容纳人数
    "配套设施",
    "管理单位",
    "联系方式",  # synonym of 联系电话
    "街道备注",  # matches nothing
]


def shelter_row(number, name, **changes):
    values = {
        "所属单位\n编码": "S1C1",
        "室内/室外": "室外",
        "场所类型": "学校",
        "场所等级": "Ⅲ类",
        "地址": "测试路1号",
        "纬度(WGS-84)": 31.22,
        "经度(WGS-84)": "121.42",
        "总面积（平方米）": "５,０００",
        "有效避难面积（平方米）": " 3,000 ",
        "容纳人数": "1,500",
        "配套设施": "供水、供电",
        "管理单位": "学校",
        "联系方式": "021-62345678",
        "街道备注": "已复核",
    } | changes
    return [number, name, *[values[h] for h in SHELTER_HEADER[2:]]]


def shelter_ledger(*rows):
    return workbook(
        (
            "避难场所",
            [
                "华阳路街道2026年避难场所台账",
                ["填报单位：甲街道", None, None, None, "填报时间：2026年3月"],
                SHELTER_HEADER,
                *rows,
                [None] * len(SHELTER_HEADER),
                ["合计", None, None, None, None, None, None, None, None, None, None, 3000],
                ["填表人：张三", None, None, None, "审核人：李四"],
            ],
        )
    )


@pytest.fixture
def staff(tree, client, run_tasks_on_commit):
    user = make_user(tree["s1"])
    client.force_login(user)
    return user


def test_a_shelter_ledger_with_title_serial_column_and_footer_imports(client, staff):
    job = upload(
        client,
        "shelters:import",
        shelter_ledger(shelter_row(1, "秀水学校操场"), shelter_row(2, "甲一公园", 容纳人数=800)),
    )
    assert job.state == ImportJob.State.READY, job.report
    assert not Shelter.objects.exists()
    body = page(client, job)
    assert "列名在第 3 行" in body
    assert "以下列未导入：街道备注" in body
    assert "第 7、8 行是表尾" in body
    job = confirm(client, job)
    assert job.state == ImportJob.State.DONE
    shelter = Shelter.objects.get(name="秀水学校操场")
    assert (shelter.total_area, shelter.effective_area, shelter.capacity) == (5000, 3000, 1500)
    assert shelter.contact_phone == "021-62345678" and shelter.latitude == Decimal("31.22")
    assert Shelter.objects.get(name="甲一公园").capacity == 800


@pytest.mark.parametrize(
    "changes, column, message",
    [
        ({"容纳人数": "1500.5"}, "可容纳人数", "带有小数"),
        ({"容纳人数": "一千五"}, "可容纳人数", "不是有效的数字"),
        ({"联系方式": 13900001111}, "联系电话", "请将该列设为文本格式后重新导入"),
        ({"所属单位\n编码": None}, "所属单位编码", "“所属单位编码”是必填列"),
        ({"所属单位\n编码": "NOPE"}, "所属单位编码", "所属单位“NOPE”不存在"),
        ({"场所类型": None}, "场所类型", "“场所类型”是必填列"),
    ],
)
def test_a_bad_shelter_cell_is_named_by_line_and_column_and_nothing_is_saved(
    client, staff, changes, column, message
):
    job = upload(
        client,
        "shelters:import",
        shelter_ledger(shelter_row(1, "好的一行"), shelter_row(2, "坏的一行", **changes)),
    )
    assert job.state == ImportJob.State.INVALID
    [(line, named, text)] = errors_of(job)
    assert (line, named) == (5, column) and message in text, text
    assert confirm(client, job).state == ImportJob.State.INVALID
    assert not Shelter.objects.exists()


def test_a_blank_shelter_name_names_its_column(client, staff):
    job = upload(client, "shelters:import", shelter_ledger(shelter_row(1, None)))
    assert job.state == ImportJob.State.INVALID
    assert any("“场所名称”是必填列" in e["message"] for e in job.report["errors"])
    assert {e["line"] for e in job.report["errors"]} == {4}


def test_the_shelter_export_imports_back_without_creating_anything(client, staff, tree):
    from tests.shelters.factories import ShelterFactory

    ShelterFactory(org_unit=tree["c1"], name="甲一公园", contact_phone="021-62345678")
    response = client.get(reverse("shelters:export"))
    job = upload(client, "shelters:import", response.content)
    assert job.state == ImportJob.State.READY, job.report
    assert job.report["totals"]["new"] == 0
    assert confirm(client, job).state == ImportJob.State.DONE
    assert Shelter.objects.count() == 1


# --- supplies stock, end to end ----------------------------------------------------------------


@pytest.fixture
def depot(tree, staff):
    SiteFactory(org_unit=tree["s1"], code="S1-01", name="甲街道储备库")
    ItemFactory(code="W1", name="瓶装饮用水", unit="箱", expires=True)
    ItemFactory(code="B1", name="防汛沙袋", unit="只", category="flood")
    return staff


STOCK_HEADER = ["序号", "储备点代码", "物资代码", "物资名称", "批号", "有效期", "数量"]


def stock_ledger(*rows):
    """A notes sheet first, the ledger on the second sheet below a title; synonyms for every
    column, the item's name as an extra column, 合计 and 填表人 lines below."""
    return workbook(
        ("填表说明", [["1. 数量填结存数"], ["2. 有效期填到日"]]),
        (
            "物资台账",
            [
                TITLE,
                STOCK_HEADER,
                *rows,
                ["合计", None, None, None, None, None, "=SUM(G3:G9)"],
                ["填表人：王五", None, None, "填表日期：2026-03-01"],
            ],
        ),
    )


@pytest.mark.parametrize(
    "expiry",
    [
        "2099-03-01",
        "2099-3-1",
        "2099/3/1",
        "2099.3.1",
        "2099年3月1日",
        "20990301",
        20990301,
        datetime.datetime(2099, 3, 1),
        to_excel(datetime.datetime(2099, 3, 1)),
        " ２０９９年３月１日 ",
    ],
)
def test_stock_ledger_dates_in_every_form_import(client, depot, expiry):
    rows = [[1, "S1-01", "W1", "瓶装饮用水", "L1", expiry, "１,２００"]]
    job = upload(client, "supplies:import_stock", stock_ledger(*rows))
    assert job.state == ImportJob.State.READY, job.report
    assert job.report["sheet"] == "物资台账" and job.report["footer_lines"] == [4, 5]
    assert job.report["unmatched_columns"] == ["物资名称"]
    assert confirm(client, job).state == ImportJob.State.DONE
    lot = Lot.objects.get()
    assert (lot.lot_no, lot.expiry_date, lot.quantity) == ("L1", datetime.date(2099, 3, 1), 1200)


@pytest.mark.parametrize(
    "cells_, column, message",
    [
        ({"有效期": "3/1/2099"}, "有效期至", "年、月、日顺序无法确定"),
        ({"有效期": "2099-02-30"}, "有效期至", "不是存在的日期"),
        ({"有效期": "明年"}, "有效期至", "日期格式"),
        ({"数量": "12.5"}, "库存数量", "带有小数"),
        ({"数量": 12.5}, "库存数量", "带有小数"),
        ({"数量": "-3"}, "库存数量", "不小于 0"),
        ({"数量": None}, "库存数量", "请填写库存数量"),
        ({"储备点代码": None}, "储备点编码", "请填写储备点编码"),
    ],
)
def test_a_bad_stock_cell_is_named_by_line_and_column_and_nothing_is_saved(
    client, depot, cells_, column, message
):
    good = {"储备点代码": "S1-01", "物资代码": "W1", "批号": "L1", "有效期": "2099-3-1", "数量": 5}
    bad = good | {"批号": "L2"} | cells_
    rows = [[n, *[r.get(h) for h in STOCK_HEADER[1:]]] for n, r in ((1, good), (2, bad))]
    job = upload(client, "supplies:import_stock", stock_ledger(*rows))
    assert job.state == ImportJob.State.INVALID
    [(line, named, text)] = errors_of(job)
    assert (line, named) == (4, column) and message in text, text
    assert not Lot.objects.exists() and not Movement.objects.exists()


def test_the_stock_export_imports_back_without_creating_anything(client, depot):
    rows = [
        [1, "S1-01", "B1", "沙袋", "2024", None, "1,000"],
        [2, "S1-01", "W1", "水", "", 20990301, 40],
    ]
    confirm(client, upload(client, "supplies:import_stock", stock_ledger(*rows)))
    lots, moves = Lot.objects.count(), Movement.objects.count()
    assert (lots, moves) == (2, 2)
    exported = client.get(reverse("supplies:stock_export")).content
    job = upload(client, "supplies:import_stock", exported)
    assert job.state == ImportJob.State.READY, job.report
    assert confirm(client, job).state == ImportJob.State.DONE
    assert (Lot.objects.count(), Movement.objects.count()) == (lots, moves)


# --- information officers, end to end ----------------------------------------------------------

OFFICER_HEADER = ["序号", "单位编码", "姓 名", "手机号", "身份/所在单位", "聘任\n日期", "是否在岗"]


def officer_ledger(*rows):
    return workbook(
        (
            "信息员",
            [
                "甲街道灾害信息员花名册",
                OFFICER_HEADER,
                *rows,
                ["备注：在岗填是/否"],
                ["审核人：李四"],
            ],
        )
    )


@pytest.mark.parametrize(
    "active, expected",
    [("是", True), ("否", False), ("√", True), ("×", False), ("Y", True), ("N", False),
     ("TRUE", True), ("FALSE", False), (1, True), (0, False), ("在岗", True), (None, True)],
)  # fmt: skip
def test_officers_import_with_synonyms_chinese_dates_and_every_yes_no(
    client, staff, active, expected
):
    rows = [[1, "S1C1E1", "赵敏", "13900007777", "物业经理", "2025年3月1日", active]]
    job = upload(client, "people:officer_import", officer_ledger(*rows))
    assert job.state == ImportJob.State.READY, job.report
    assert job.report["footer_lines"] == [4, 5] and job.report["unmatched_columns"] == []
    assert confirm(client, job).state == ImportJob.State.DONE
    officer = InformationOfficer.objects.get(name="赵敏")
    assert (officer.org_unit.code, officer.phone) == ("S1C1E1", "13900007777")
    assert (officer.appointed_on, officer.is_active) == (datetime.date(2025, 3, 1), expected)


@pytest.mark.parametrize(
    "row, column, message",
    [
        ([1, "S1C1E1", "赵敏", 13900007777, "", "", "是"], "手机号码", "请将该列设为文本格式"),
        ([1, "S1C1E1", "赵敏", "13900007777", "", "3/1/2025", "是"], "聘任日期", "顺序无法确定"),
        ([1, "S1C1E1", "赵敏", "13900007777", "", "", "也许"], "在岗", "请填写“是”或“否”"),
        ([1, "S1C1E1", None, "13900007777", "", "", "是"], "姓名", "“姓名”是必填列"),
    ],
)
def test_a_bad_officer_cell_is_named_by_line_and_column_and_nothing_is_saved(
    client, staff, row, column, message
):
    job = upload(client, "people:officer_import", officer_ledger(row))
    assert job.state == ImportJob.State.INVALID
    assert (3, column) in {(line, named) for line, named, _m in errors_of(job)}, errors_of(job)
    assert any(message in text for _l, _c, text in errors_of(job)), errors_of(job)
    assert not InformationOfficer.objects.exists()


def test_stock_columns_of_the_export_are_known_or_listed(db):
    """The stock import knows its own columns; the export's extra ones are listed."""
    data = workbook(
        (
            "Sheet1",
            [["所属单位编码", "储备点编码", "物资编码", "库存数量"], ["S1", "S1-01", "B1", 1]],
        )
    )
    dataset = read_dataset(data, "库存.xlsx", resource=LotImportResource())
    assert dataset.unmatched_columns == ["所属单位编码"]


def test_a_resident_id_number_in_a_numeric_cell_is_refused_on_its_column(tree):
    from tablib import Dataset

    from apps.people.models import VulnerableResident
    from apps.people.resources import ResidentResource

    dataset = Dataset(headers=["所属单位编码", "姓名", "类别", "身份证号", "居住地址", "行动能力"])
    dataset.append(["S1C1", "导入甲", "老", 310105195001011234, "甲路1号", "半自理"])
    result = ResidentResource(user=make_user(tree["s1"])).import_data(dataset, dry_run=True)
    [invalid] = result.invalid_rows
    assert "请将该列设为文本格式后重新导入" in str(invalid.error_dict["id_number"])
    assert not VulnerableResident.objects.exists()


def test_the_preview_of_a_refused_file_still_says_what_was_not_imported(client, staff):
    job = upload(client, "shelters:import", shelter_ledger(shelter_row(1, "x", 容纳人数="很多")))
    assert job.state == ImportJob.State.INVALID
    body = page(client, job)
    assert "以下列未导入：街道备注" in body and "第 6、7 行是表尾" in body
    assert "第 4 行" in body and "整批未导入" in body


def test_a_gbk_csv_ledger_with_a_title_and_footer_imports(client, depot):
    text = (
        "华阳路街道应急物资台账,,,,\n"
        "储备点编码,物资编码,库存数量,批次号,有效期至\n"
        'S1-01,B1,"1,000",A,\n'
        "S1-01,W1,４０,B,2099年3月1日\n"
        '合计,,"1,040",,\n'
    )
    job = upload(client, "supplies:import_stock", text.encode("gbk"), "库存.csv")
    assert job.state == ImportJob.State.READY, job.report
    assert (job.report["header_line"], job.report["footer_lines"]) == (2, [5])
    confirm(client, job)
    assert dict(Lot.objects.values_list("lot_no", "quantity")) == {"A": 1000, "B": 40}
