"""Every import takes the files clerks have, through the shared code in ``apps/files``, per
resource (information officers, vulnerable residents, shelters, stock, hazards):

- formats: .xlsx, legacy .xls and .ods (read with python-calamine; the .xls/.ods come from
  ``fixtures/``, written by ``fixtures/make_fixtures.py`` as LibreOffice is not everywhere),
  CSV in UTF-8 with BOM and GBK/GB18030, separated by commas, tabs or semicolons; a WPS .et
  that cannot be read says how to save it as .xlsx;
- the check writes nothing and the file is parsed once per job; the preview shows the rows as
  they will be saved;
- a key twice in one file is refused with both Excel lines; org units are found by code or by
  name in the user's scope (居委会/居民区), or named with the closest ones;
- masked numbers from the portal's own export keep the stored ones, so every export imports
  back without creating anything;
- each template has a 说明 sheet; a double click cannot start two jobs for the same file.
Every message is Chinese and names the line and the column; bad input saves nothing."""

import csv
import io
from pathlib import Path

import openpyxl
import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.files import tasks
from apps.files.models import ImportJob
from apps.files.reading import read_dataset
from apps.hazards.models import Hazard, RiskPoint
from apps.people.models import InformationOfficer, VulnerableResident
from apps.shelters.models import Shelter
from apps.supplies.models import Item, Lot, Movement, Site
from apps.warnings.models import DutyHolder
from tests.conftest import make_user
from tests.factories import child
from tests.files.ledger_samples import RESIDENT_IDS, SAMPLES, table

FIXTURES = Path(__file__).parent / "fixtures"
MODELS = {
    "officers": InformationOfficer,
    "residents": VulnerableResident,
    "shelters": Shelter,
    "stock": Lot,
    "hazards": Hazard,
}
KINDS = list(SAMPLES)


@pytest.fixture
def staff(tree, client, run_tasks_on_commit):
    from tests.supplies.factories import ItemFactory, SiteFactory

    user = make_user(tree["s1"])
    user.user_permissions.add(
        *Permission.objects.filter(
            codename__in=("view_vulnerable_resident", "view_personal_identifiers")
        )
    )
    SiteFactory(org_unit=tree["s1"], code="S1-01", name="甲街道储备库")
    ItemFactory(code="B1", name="防汛沙袋", unit="只", expires=False)
    client.force_login(user)
    return user


def xlsx(lines):
    book = openpyxl.Workbook()
    for line in lines:
        book.active.append(line)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def csv_bytes(lines, *, encoding, delimiter):
    text = io.StringIO()
    csv.writer(text, delimiter=delimiter).writerows(
        [["" if v is None else v for v in line] for line in lines]
    )
    return text.getvalue().encode(encoding)


def upload(client, url_name, content, filename):
    response = client.post(reverse(url_name), {"file": SimpleUploadedFile(filename, content)})
    assert response.status_code == 302, response.content.decode()[:800]
    return ImportJob.objects.latest("pk")


def confirm(client, job):
    client.post(reverse("files:import_confirm", args=[job.pk]))
    job.refresh_from_db()
    return job


def errors_of(job):
    return [(e["line"], e["column"], e["message"]) for e in job.report.get("errors", [])]


FORMATS = {
    "xlsx": lambda kind: (xlsx(table(kind)), "台账.xlsx"),
    "xls": lambda kind: ((FIXTURES / "ledgers.xls").read_bytes(), "台账.xls"),
    "ods": lambda kind: ((FIXTURES / "ledgers.ods").read_bytes(), "台账.ods"),
    "csv-utf8-bom-comma": lambda kind: (
        csv_bytes(table(kind), encoding="utf-8-sig", delimiter=","),
        "台账.csv",
    ),
    "csv-gbk-tab": lambda kind: (
        csv_bytes(table(kind), encoding="gbk", delimiter="\t"),
        "台账.csv",
    ),
    "csv-gb18030-bom-semicolon": lambda kind: (
        "\ufeff".encode("gb18030") + csv_bytes(table(kind), encoding="gb18030", delimiter=";"),
        "台账.csv",
    ),
}


# --- formats, per resource ---------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("fmt", list(FORMATS))
def test_every_format_imports_every_ledger(client, staff, kind, fmt):
    content, filename = FORMATS[fmt](kind)
    job = upload(client, SAMPLES[kind]["url"], content, filename)
    assert job.state == ImportJob.State.READY, (job.error, job.report.get("errors"))
    assert job.report["rows"] == 2 and job.report["header_line"] == 2
    assert job.report["footer_lines"] == [5]
    assert not MODELS[kind].objects.exists()  # the check wrote nothing
    assert confirm(client, job).state == ImportJob.State.DONE, job.report.get("errors")
    assert MODELS[kind].objects.count() == 2


def test_imported_values_are_the_same_from_every_format(client, staff):
    seen = set()
    for fmt in FORMATS:
        VulnerableResident.objects.all().delete()
        content, filename = FORMATS[fmt]("residents")
        confirm(client, upload(client, "people:resident_import", content, filename))
        seen.add(
            tuple(
                VulnerableResident.objects.order_by("name").values_list(
                    "org_unit__code", "name", "category", "id_number", "address", "mobility"
                )
            )
        )
    [residents] = seen  # the same from every format
    assert {r[3] for r in residents} == set(RESIDENT_IDS)


@pytest.mark.parametrize(
    "content, filename, message",
    [
        (b"\xd0\xcf\x11\xe0" + b"\x00" * 200, "台账.et", "另存为”，文件类型选择“Excel 工作簿"),
        (b"PK\x03\x04 not really", "台账.et", "保存后上传 .xlsx 文件"),
        (b"\xd0\xcf\x11\xe0" + b"\x00" * 200, "台账.xls", "无法读取该 Excel 文件"),
        (b"PK\x03\x04 not really", "台账.ods", "无法读取该 Excel 文件"),
    ],
)
def test_an_unreadable_wps_or_legacy_file_says_how_to_save_it(
    client, staff, content, filename, message
):
    job = upload(client, "people:officer_import", content, filename)
    assert job.state == ImportJob.State.INVALID and message in job.error, job.error


def test_a_wps_et_file_that_is_an_xls_inside_is_read(client, staff):
    content = (FIXTURES / "ledgers.xls").read_bytes()
    job = upload(client, "people:officer_import", content, "花名册.et")
    assert job.state == ImportJob.State.READY, job.error


@pytest.mark.parametrize("delimiter", [",", "\t", ";"])
def test_the_csv_separator_is_found_even_below_a_title_without_one(db, delimiter):
    from apps.people.resources import OfficerResource

    text = f"花名册\n单位编码{delimiter}姓名\nS1C1{delimiter}赵敏\n"
    dataset = read_dataset(text.encode("gb18030"), "a.csv", resource=OfficerResource())
    assert dataset.headers == ["所属单位编码", "姓名"] and dataset[0] == ("S1C1", "赵敏")


def test_formula_cells_of_an_xlsx_are_still_found_by_the_new_reader(db):
    from apps.people.resources import OfficerResource

    data = xlsx([["所属单位编码", "姓名", "备注"], ["S1C1", "赵敏", "=A2&B2"]])
    dataset = read_dataset(data, "a.xlsx", resource=OfficerResource())
    assert dataset.formula_cells == [(0, "备注", "=A2&B2")]


# --- the check never writes; parsed once; preview as saved -------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_the_check_sends_no_write_to_the_database(staff, kind):
    from apps.files.spreadsheets import check_headers
    from apps.hazards.resources import HazardResource
    from apps.people.resources import OfficerResource, ResidentResource
    from apps.shelters.resources import ShelterResource
    from apps.supplies.resources import LotImportResource

    resource_class = {
        "officers": OfficerResource,
        "residents": ResidentResource,
        "shelters": ShelterResource,
        "stock": LotImportResource,
        "hazards": HazardResource,
    }[kind]
    dataset = read_dataset(xlsx(table(kind)), "a.xlsx", resource=resource_class(user=staff))
    resource = resource_class(user=staff)
    check_headers(resource, dataset)
    with CaptureQueriesContext(connection) as queries:
        result = resource.import_data(dataset, dry_run=True, use_transactions=True)
    assert not result.has_errors() and not result.has_validation_errors()
    writes = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]
    assert writes == []
    reads = [q for q in queries.captured_queries if q["sql"].lstrip().upper().startswith("SELECT")]
    assert len(reads) <= 8  # a few lookups for the whole file, not one per row


def test_the_file_is_parsed_once_per_job(client, staff, monkeypatch):
    calls = []
    real = tasks.read_dataset
    monkeypatch.setattr(tasks, "read_dataset", lambda *a, **k: calls.append(1) or real(*a, **k))
    job = upload(client, "people:officer_import", xlsx(table("officers")), "花名册.xlsx")
    assert confirm(client, job).state == ImportJob.State.DONE
    assert len(calls) == 1 and InformationOfficer.objects.count() == 2


def test_the_preview_shows_the_rows_as_they_will_be_saved(client, staff):
    lines = [
        ["单位编码", "姓名", "手机号", "聘任日期", "在岗"],
        ["甲一居委会", "赵敏", "139 0000 7777", "２０２５年３月１日", "√"],
    ]
    job = upload(client, "people:officer_import", xlsx(lines), "花名册.xlsx")
    assert job.state == ImportJob.State.READY, job.report
    row = dict(zip(job.report["headers"], job.report["preview"][0], strict=True))
    assert row["所属单位编码"] == "S1C1" and row["聘任日期"] == "2025-03-01"
    assert row["在岗"] == "是" and row["手机号码"] == "13900007777"


# --- duplicates inside one file ----------------------------------------------------------------

DUPLICATE_COLUMN = {
    "officers": "所属单位编码",
    "residents": "所属单位编码",
    "shelters": "所属单位编码",
    "stock": "储备点编码",
    "hazards": "所属单位编码",
}


@pytest.mark.parametrize("kind", KINDS)
def test_the_same_key_twice_in_one_file_is_refused_with_both_lines(client, staff, kind):
    lines = table(kind)
    lines.insert(4, list(lines[2]))  # line 3 again, as line 5
    job = upload(client, SAMPLES[kind]["url"], xlsx(lines), "台账.xlsx")
    assert job.state == ImportJob.State.INVALID
    [(line, column, message)] = errors_of(job)
    assert (line, column) == (5, DUPLICATE_COLUMN[kind])
    assert "与第 3 行重复" in message and "第 5 行" in message, message
    assert confirm(client, job).state == ImportJob.State.INVALID
    assert not MODELS[kind].objects.exists()


# --- org units by code or name -----------------------------------------------------------------


@pytest.fixture
def numbered(tree):
    return child(tree["s1"], "community", code="310105001001", name="华一居民区")


@pytest.mark.parametrize(
    "cell, code",
    [
        ("S1C1", "S1C1"),
        (" S1C1 ", "S1C1"),
        ("Ｓ１Ｃ１", "S1C1"),
        (310105001001, "310105001001"),
        ("310105001001", "310105001001"),
        ("甲一居委", "S1C1"),
        ("甲一居委会", "S1C1"),
        ("甲一居民区", "S1C1"),
        ("华一居委会", "310105001001"),
        ("华一居民委员会", "310105001001"),
        (" 甲一小区 ", "S1C1E1"),
    ],
)
def test_org_units_are_found_by_code_or_name_in_scope(client, staff, numbered, cell, code):
    lines = [["所属单位编码", "姓名", "手机号码"], [cell, "赵敏", "13900007777"]]
    job = upload(client, "people:officer_import", xlsx(lines), "花名册.xlsx")
    assert confirm(client, job).state == ImportJob.State.DONE, job.report
    assert InformationOfficer.objects.get().org_unit.code == code


@pytest.mark.parametrize(
    "cell, message",
    [
        ("甲二居委", "最接近的单位：甲一居委（S1C1）"),
        ("甲一社区", "甲一居委（S1C1）"),
        ("乙一居委", "不存在或不在您的范围内"),  # another street's, by name: not found
        ("S2C1", "不在您可维护的范围内"),  # another street's, by code: out of scope
        ("火星", "不存在或不在您的范围内"),
    ],
)
def test_an_unknown_unit_is_named_with_the_closest_ones(client, staff, cell, message):
    lines = [["所属单位编码", "姓名", "手机号码"], [cell, "赵敏", "13900007777"]]
    job = upload(client, "people:officer_import", xlsx(lines), "花名册.xlsx")
    assert job.state == ImportJob.State.INVALID
    [(line, column, text)] = errors_of(job)
    assert (line, column) == (2, "所属单位编码") and message in text, text
    assert not InformationOfficer.objects.exists()


# --- masked numbers ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "phone, state, stored, message",
    [
        ("157****1838", ImportJob.State.DONE, "15700001838", None),
        ("１５７＊＊＊＊１８３８", ImportJob.State.DONE, "15700001838", None),
        ("158****1838", ImportJob.State.INVALID, "15700001838", "与该记录已登记的号码不符"),
        ("15800001838", ImportJob.State.DONE, "15800001838", None),
    ],
)
def test_a_masked_phone_keeps_the_stored_one(client, staff, tree, phone, state, stored, message):
    from tests.people.factories import OfficerFactory

    OfficerFactory(org_unit=tree["c1"], name="赵敏", phone="15700001838")
    lines = [["所属单位编码", "姓名", "手机号码", "备注"], ["S1C1", "赵敏", phone, "复核"]]
    job = confirm(client, upload(client, "people:officer_import", xlsx(lines), "花名册.xlsx"))
    assert job.state == state, job.report
    officer = InformationOfficer.objects.get()
    assert officer.phone == stored
    if message:
        [(line, column, text)] = errors_of(job)
        assert (line, column) == (2, "手机号码") and message in text
        assert officer.note == ""  # nothing saved
    else:
        assert officer.note == "复核"


def test_a_masked_number_cannot_create_a_record(client, staff):
    lines = [["所属单位编码", "姓名", "手机号码"], ["S1C1", "赵敏", "157****1838"]]
    job = upload(client, "people:officer_import", xlsx(lines), "花名册.xlsx")
    assert job.state == ImportJob.State.INVALID
    [(line, column, text)] = errors_of(job)
    assert (line, column) == (2, "手机号码") and "新增记录请填写完整号码" in text
    assert not InformationOfficer.objects.exists()


# --- round trips: export → import creates nothing new, for every resource ----------------------


def _officer(tree):
    from tests.people.factories import OfficerFactory

    OfficerFactory(org_unit=tree["c1"], name="赵敏", phone="15700001838")


def _resident(tree):
    from tests.people.factories import ResidentFactory

    ResidentFactory(
        org_unit=tree["c1"], name="孙老", id_number=RESIDENT_IDS[0], phone="13900001111"
    )


def _hazard(tree):
    from tests.hazards.factories import HazardFactory

    HazardFactory(org_unit=tree["c1"], title="楼道堆物")


def _risk_point(tree):
    from tests.hazards.factories import RiskPointFactory

    RiskPointFactory(org_unit=tree["c1"], name="地下车库", responsible_phone="13900002222")


def _site(tree):
    from apps.supplies.models import Site as SiteModel

    SiteModel.objects.filter(code="S1-01").update(keeper_phone="13900003333")


def _holder(tree):
    DutyHolder.objects.create(
        org_unit=tree["c1"],
        duty="community_director",
        position="A",
        name="周",
        mobile="13900004444",
    )


ROUND_TRIPS = {
    "officers": ("people:officer_export", "people:officer_import", InformationOfficer, _officer),
    "residents": (
        "people:resident_export",
        "people:resident_import",
        VulnerableResident,
        _resident,
    ),
    "hazards": ("hazards:export", "hazards:import", Hazard, _hazard),
    "risk points": ("hazards:point_export", "hazards:point_import", RiskPoint, _risk_point),
    "duty holders": ("warnings:holder_export", "warnings:holder_import", DutyHolder, _holder),
}


@pytest.mark.parametrize("kind", list(ROUND_TRIPS))
def test_the_export_imports_back_without_creating_or_changing_anything(client, staff, tree, kind):
    export, import_, model, make = ROUND_TRIPS[kind]
    make(tree)
    before = list(model.objects.values())
    exported = client.get(reverse(export)).content
    job = upload(client, import_, exported, "导出.xlsx")
    assert job.state == ImportJob.State.READY, (job.error, job.report.get("errors"))
    assert job.report["totals"]["new"] == 0
    assert confirm(client, job).state == ImportJob.State.DONE
    after = list(model.objects.values())
    strip = {"updated_at", "updated_by_id"}
    assert [{k: v for k, v in r.items() if k not in strip} for r in after] == [
        {k: v for k, v in r.items() if k not in strip} for r in before
    ]


def test_the_site_and_catalogue_exports_import_back_without_creating_anything(client, tree, staff):
    from apps.orgs.models import Role

    admin = make_user(tree["sh"], role=Role.ADMIN, is_superuser=True)
    client.force_login(admin)
    sites, items = Site.objects.count(), Item.objects.count()
    for import_ in ("supplies:import_sites", "supplies:import_items"):
        template = client.get(reverse(import_), {"template": "1"}).content
        assert openpyxl.load_workbook(io.BytesIO(template)).sheetnames[1] == "说明"
    from apps.supplies.resources import ItemResource, SiteResource

    for resource, import_, queryset in (
        (SiteResource, "supplies:import_sites", Site.objects.all()),
        (ItemResource, "supplies:import_items", Item.objects.all()),
    ):
        dataset = resource(user=admin).export(queryset=queryset)
        job = confirm(client, upload(client, import_, dataset.export("xlsx"), "导出.xlsx"))
        assert job.state == ImportJob.State.DONE, job.report.get("errors")
        assert job.report["totals"]["new"] == 0
    assert (Site.objects.count(), Item.objects.count()) == (sites, items)
    assert not Movement.objects.exists()


# --- templates ---------------------------------------------------------------------------------

TEMPLATES = [
    "people:officer_import",
    "people:resident_import",
    "shelters:import",
    "supplies:import_stock",
    "supplies:import_sites",
    "hazards:import",
    "hazards:point_import",
    "warnings:holder_import",
]


@pytest.mark.parametrize("url_name", TEMPLATES)
def test_every_template_explains_every_column(client, staff, url_name):
    response = client.get(reverse(url_name), {"template": "1"})
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    data, guide = book.worksheets
    columns = [c.value for c in data[1]]
    rows = list(guide.iter_rows(values_only=True))
    assert rows[0][:6] == ("列名", "格式", "可选值", "是否必填", "留空表示", "示例")
    described = {r[0]: r for r in rows[1 : len(columns) + 1]}
    assert list(described) == columns
    for name, row in described.items():
        assert row[1] and row[3] in ("必填", "选填") and row[4], (name, row)
    # the example row sits below the lines where an upload's header is looked for
    [start] = [i for i, r in enumerate(rows, 1) if r[0] and str(r[0]).startswith("示例行")]
    assert start > 10 and list(rows[start][: len(columns)]) == columns


def test_a_template_filled_with_its_example_row_imports(client, staff):
    response = client.get(reverse("people:officer_import"), {"template": "1"})
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    data, guide = book.worksheets
    example = list(guide.iter_rows(values_only=True))[-1]
    data.append(list(example[: data.max_column]))
    buffer = io.BytesIO()
    book.save(buffer)
    job = confirm(client, upload(client, "people:officer_import", buffer.getvalue(), "模板.xlsx"))
    assert job.state == ImportJob.State.DONE, job.report.get("errors")
    assert InformationOfficer.objects.get().name == "张三"


# --- one job per file at a time; the button ----------------------------------------------------


def test_a_double_click_starts_one_job_for_the_same_file(client, tree, monkeypatch):
    monkeypatch.setattr(tasks.run_import, "delay_on_commit", lambda *a, **k: None)  # still queued
    client.force_login(make_user(tree["s1"]))
    content = xlsx(table("officers"))
    first = upload(client, "people:officer_import", content, "花名册.xlsx")
    response = client.post(
        reverse("people:officer_import"), {"file": SimpleUploadedFile("花名册.xlsx", content)}
    )
    assert response.status_code == 302
    assert response.url == reverse("files:import_job", args=[first.pk])
    assert ImportJob.objects.count() == 1
    # another file, or the same file for another import, is a job of its own
    upload(client, "people:officer_import", content + b" ", "花名册2.xlsx")
    upload(client, "shelters:import", content, "花名册.xlsx")
    assert ImportJob.objects.count() == 3
    # once the first job has finished, the same file may be checked again
    ImportJob.objects.filter(pk=first.pk).update(state=ImportJob.State.INVALID)
    upload(client, "people:officer_import", content, "花名册.xlsx")
    assert ImportJob.objects.count() == 4


def test_the_upload_and_confirm_buttons_are_disabled_by_a_static_script(client, staff):
    page = client.get(reverse("people:officer_import")).content.decode()
    assert "data-import-submit" in page and "files/import.js" in page
    assert "<script>" not in page  # strict CSP: no inline script
    job = upload(client, "people:officer_import", xlsx(table("officers")), "花名册.xlsx")
    page = client.get(reverse("files:import_job", args=[job.pk])).content.decode()
    assert page.count("data-import-submit") == 1 and "files/import.js" in page


@pytest.mark.parametrize(
    "written, state, message",
    [
        ("310***********0015", ImportJob.State.DONE, None),
        ("310 *********** 0015", ImportJob.State.DONE, None),
        ("310***********9999", ImportJob.State.INVALID, "与该记录已登记的号码不符"),
    ],
)
def test_a_masked_id_number_keeps_the_stored_one(client, staff, tree, written, state, message):
    from tests.people.factories import ResidentFactory

    ResidentFactory(org_unit=tree["c1"], name="孙老", address="甲路1号", id_number=RESIDENT_IDS[0])
    lines = [
        ["所属单位编码", "姓名", "类别", "身份证号", "居住地址", "行动能力"],
        ["S1C1", "孙老", "老", written, "甲路1号", "半自理"],
        ["S1C1", "新居民", "老", "110***********002X", "甲路3号", "半自理"],
    ]
    job = upload(client, "people:resident_import", xlsx(lines), "清单.xlsx")
    found = errors_of(job)
    assert (3, "身份证号") in {(line, column) for line, column, _m in found}
    assert any("新增记录请填写完整号码" in m for _l, _c, m in found)
    if message:
        assert any(line == 2 and message in m for line, _c, m in found), found
    else:
        assert not [e for e in found if e[0] == 2], found
    assert VulnerableResident.objects.get().id_number == RESIDENT_IDS[0]
    assert confirm(client, job).state == ImportJob.State.INVALID  # bad input saves nothing


def test_the_people_bench_runs_on_a_few_rows(db):
    """``bench/bench_people_import.py`` (10,000 rows in the real run) on 20 rows."""
    import sys

    sys.path.insert(0, str(Path(__file__).parents[2] / "bench"))
    import bench_people_import as bench

    for kind in bench.KINDS:
        sheet, user = bench.prepare(20, kind)
        timings = {"read": [], "check": [], "import": []}
        assert bench.once(sheet, user, kind, timings) == f"20 {kind}"
        assert all(len(v) == 1 for v in timings.values())
