"""Property-based tests (hypothesis): random and malformed input to the main forms and to the
spreadsheet import never makes the server answer 500 and never saves anything when it is
invalid; malformed Excel files get a clear Chinese message."""

import io

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from apps.files.models import ImportJob
from apps.files.spreadsheets import SpreadsheetError, check_headers, read_dataset

EXAMPLES = hypothesis_settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)

# Text that breaks things: empty, huge, control characters, SQL, markup, formulas, numbers
# written in odd ways, dates that are not dates.
NASTY = st.one_of(
    st.text(max_size=40),
    st.text(min_size=300, max_size=2000),
    st.sampled_from(
        [
            "",
            " ",
            "0",
            "-1",
            "1e309",
            "NaN",
            "9" * 40,
            "2026-02-30",
            "31/12/2026",
            "'; DROP TABLE plans_plan; --",
            "<script>alert(1)</script>",
            '=HYPERLINK("http://evil")',
            "\x00\x01",
            "３１．２",
            "１２３",
            "null",
        ]
    ),
    st.integers(min_value=-(10**20), max_value=10**20).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
)

# Spreadsheet cells: the same, without the very long strings (16 columns x several rows).
CELL = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["", "0", "-1", "1e309", "NaN", "=1+1", "=A1*2", "三千", "2026-02-30"]),
    st.integers(min_value=-(10**12), max_value=10**12).map(str),
)


# Many-to-many choice fields get ids that fit in 64 bits: on SQLite (not PostgreSQL) Django's
# ModelMultipleChoiceField crashes with OverflowError on a larger id (a 500 in the embedded
# development setup only; reported, not fixed here).
M2M_FIELDS = {"hazard_types", "facilities"}
M2M_VALUE = st.one_of(
    st.integers(min_value=-(2**63), max_value=2**63 - 1).map(str),
    st.text(alphabet=st.characters(blacklist_categories=("Nd", "Cs")), max_size=10),
)


def form_data(fields, real_choices):
    """A dict of POST data: each field absent, random, or (for choice fields) a real value."""
    parts = {}
    for name in fields:
        options = [M2M_VALUE if name in M2M_FIELDS else NASTY, st.none()]
        if name in real_choices:
            options.append(st.sampled_from(real_choices[name]))
        parts[name] = st.one_of(*options)
    return st.fixed_dictionaries(parts).map(lambda d: {k: v for k, v in d.items() if v is not None})


@pytest.fixture
def staff_client(world, media, client, db):
    client.force_login(world.staff)
    return client


def _check(response, model, before, payload):
    """A form answers with its errors (200) or saves and redirects (302); a NUL byte anywhere
    in the request is refused before any view (400, apps.security.middleware)."""
    has_nul = any("\x00" in str(value) for value in payload.values())
    assert response.status_code in ((400,) if has_nul else (200, 302)), (
        response.status_code,
        payload,
    )
    if response.status_code != 302:
        assert model.objects.count() == before, "an invalid form saved something"


def _choices(model, field):
    return (
        [
            str(v)
            for v in model._meta.get_field(field).related_model.objects.values_list(
                "pk", flat=True
            )[:5]
        ]
        if model._meta.get_field(field).is_relation
        else [str(v) for v, _label in model._meta.get_field(field).choices]
    )


class TestForms:
    @EXAMPLES
    @given(data=st.data())
    def test_plan_form(self, staff_client, world, data):
        from apps.plans.models import Plan

        payload = data.draw(
            form_data(
                [
                    "org_unit",
                    "kind",
                    "title",
                    "parent",
                    "department",
                    "hazard_types",
                    "status",
                    "effective_date",
                    "review_cycle_months",
                ],
                {
                    "org_unit": [str(world.street.pk)],
                    "kind": _choices(Plan, "kind"),
                    "status": _choices(Plan, "status"),
                },
            )
        )
        before = Plan.objects.count()
        _check(staff_client.post(reverse("plans:create"), payload), Plan, before, payload)

    @EXAMPLES
    @given(data=st.data())
    def test_hazard_report_form(self, staff_client, world, data):
        from apps.hazards.models import Hazard

        payload = data.draw(
            form_data(
                [
                    "org_unit",
                    "title",
                    "category",
                    "severity",
                    "found_on",
                    "found_by",
                    "risk_point",
                    "address",
                    "latitude",
                    "longitude",
                    "coordinate_system",
                    "description",
                ],
                {
                    "org_unit": [str(world.street.pk)],
                    "category": _choices(Hazard, "category"),
                    "severity": _choices(Hazard, "severity"),
                    "coordinate_system": ["wgs84", "gcj02"],
                },
            )
        )
        before = Hazard.objects.count()
        _check(staff_client.post(reverse("hazards:create"), payload), Hazard, before, payload)

    @EXAMPLES
    @given(data=st.data(), action=st.sampled_from(["receive", "dispatch", "transfer", "write_off"]))
    def test_supply_movement_forms(self, staff_client, world, data, action):
        from apps.supplies.models import Item, Lot, Movement

        items = [str(pk) for pk in Item.objects.values_list("pk", flat=True)[:3]]
        payload = data.draw(
            form_data(
                [
                    "item",
                    "lot",
                    "quantity",
                    "expiry_date",
                    "lot_no",
                    "note",
                    "recipient",
                    "purpose",
                    "destination",
                    "reason",
                ],
                {"item": items, "quantity": ["1", "0", "-5", "100000000"]},
            )
        )
        before = Movement.objects.count()
        lots = Lot.objects.filter(site=world.site).order_by("pk")
        stock = list(lots.values_list("pk", "quantity"))
        response = staff_client.post(reverse(f"supplies:{action}", args=[world.site.pk]), payload)
        _check(response, Movement, before, payload)
        if response.status_code == 200:
            assert list(lots.values_list("pk", "quantity")) == stock
        assert not Lot.objects.filter(quantity__lt=0).exists()

    @EXAMPLES
    @given(data=st.data())
    def test_shelter_form(self, staff_client, world, data):
        from apps.shelters.models import Shelter

        payload = data.draw(
            form_data(
                [
                    "org_unit",
                    "name",
                    "setting",
                    "shelter_type",
                    "shelter_class",
                    "address",
                    "coord_system",
                    "latitude",
                    "longitude",
                    "total_area",
                    "effective_area",
                    "capacity",
                    "facilities",
                    "managing_unit",
                    "contact_name",
                    "contact_phone",
                    "status",
                    "notes",
                ],
                {
                    "org_unit": [str(world.street.pk)],
                    "shelter_type": _choices(Shelter, "shelter_type"),
                    "shelter_class": _choices(Shelter, "shelter_class"),
                    "status": _choices(Shelter, "status"),
                },
            )
        )
        before = Shelter.objects.count()
        _check(staff_client.post(reverse("shelters:create"), payload), Shelter, before, payload)

    @EXAMPLES
    @given(data=st.data())
    def test_resident_form(self, staff_client, world, data):
        from apps.people.models import VulnerableResident

        payload = data.draw(
            form_data(
                [
                    "org_unit",
                    "name",
                    "gender",
                    "category",
                    "id_number",
                    "phone",
                    "address",
                    "mobility",
                    "needs",
                    "emergency_contact",
                    "emergency_phone",
                    "is_active",
                ],
                {
                    "org_unit": [str(world.street.pk)],
                    "category": _choices(VulnerableResident, "category"),
                    "gender": _choices(VulnerableResident, "gender"),
                },
            )
        )
        before = VulnerableResident.objects.count()
        response = staff_client.post(reverse("people:resident_create"), payload)
        _check(response, VulnerableResident, before, payload)


# --- Spreadsheets -----------------------------------------------------------------------------


def xlsx(rows):
    """An .xlsx of ``rows``; characters Excel cannot hold (control characters) are dropped."""
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append([ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v for v in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@hypothesis_settings(max_examples=60, deadline=None)
@given(data=st.binary(max_size=4096), ext=st.sampled_from([".csv", ".xlsx", ".xls", ".txt"]))
def test_read_dataset_never_crashes_on_random_bytes(data, ext):
    try:
        dataset = read_dataset(data, f"upload{ext}")
    except SpreadsheetError as exc:
        assert str(exc)  # a message for the user
    else:
        assert dataset.headers


@hypothesis_settings(max_examples=30, deadline=None)
@given(
    rows=st.lists(
        st.lists(
            st.one_of(
                st.none(),
                st.text(max_size=20),
                st.integers(),
                st.floats(allow_nan=False),
                st.booleans(),
                st.dates(),
            ),
            max_size=8,
        ),
        max_size=10,
    )
)
def test_read_dataset_reads_any_well_formed_workbook_or_says_why(rows):
    try:
        read_dataset(xlsx(rows), "表格.xlsx")
    except SpreadsheetError as exc:
        assert any("\u4e00" <= ch <= "\u9fff" for ch in str(exc))  # in Chinese


def test_truncated_and_encrypted_looking_xlsx_get_a_chinese_message():
    good = xlsx([["所属单位编码", "场所名称"], ["310105001", "操场"]])
    for data in (good[: len(good) // 2], b"PK\x03\x04" + b"\x00" * 100, b"\xd0\xcf\x11\xe0" * 50):
        with pytest.raises(SpreadsheetError, match="无法读取该 Excel 文件"):
            read_dataset(data, "坏文件.xlsx")


def test_wrong_columns_are_named(world, db):
    from apps.shelters.resources import ShelterResource

    dataset = read_dataset(xlsx([["姓名", "年龄"], ["张三", 30]]), "错列.xlsx")
    with pytest.raises(SpreadsheetError, match="文件的列与模板不符") as exc:
        check_headers(ShelterResource(user=world.staff), dataset)
    assert "场所名称" in str(exc.value)


def test_a_huge_sheet_is_refused_with_the_limit(settings):
    settings.IMPORT_MAX_ROWS = 50
    data = xlsx([["所属单位编码", "场所名称"], *[["310105001", f"场所{i}"] for i in range(51)]])
    with pytest.raises(SpreadsheetError, match="超过单次导入上限 50 行"):
        read_dataset(data, "大表.xlsx")


def _shelter_rows(*rows):
    from tests.shelters.test_shelters import HEADER, row

    return xlsx([HEADER, *[row(*r[:2], **(r[2] if len(r) > 2 else {})) for r in rows]])


@pytest.fixture
def importer(world, media, client, db, run_tasks_on_commit):
    client.force_login(world.staff)

    def upload(content, name="避难场所.xlsx"):
        from django.core.files.uploadedfile import SimpleUploadedFile

        response = client.post(
            reverse("shelters:import"), {"file": SimpleUploadedFile(name, content)}
        )
        assert response.status_code in (200, 302)
        job = ImportJob.objects.order_by("-pk").first()
        return response, job

    return upload


def test_wrong_types_and_formulas_are_listed_per_row_and_nothing_is_imported(importer):
    from apps.shelters.models import Shelter

    before = Shelter.objects.count()
    content = _shelter_rows(
        ("310105001", "类型错误的场所", {"有效避难面积（平方米）": "三千", "可容纳人数": "很多"}),
        ("310105001", "=1+1", {"纬度（WGS-84）": "=A1*2"}),
        ("310105001", "=cmd|' /C calc'!A0", {}),
    )
    response, job = importer(content)
    assert job.state == ImportJob.State.INVALID, job.report
    lines = {e["line"] for e in job.report["errors"]}
    assert 2 in lines
    messages = [e["message"] for e in job.report["errors"]]
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in m) for m in messages), messages
    assert Shelter.objects.count() == before


@EXAMPLES
@given(
    cells=st.lists(st.lists(CELL, min_size=16, max_size=16), min_size=1, max_size=3),
    as_csv=st.booleans(),
)
def test_random_rows_through_the_import_view_never_500_nor_partially_import(
    importer, cells, as_csv
):
    from apps.shelters.models import Shelter
    from tests.shelters.test_shelters import HEADER

    before = Shelter.objects.count()
    if as_csv:
        import csv

        text = io.StringIO()
        csv.writer(text).writerows([HEADER, *cells])
        response, job = importer(text.getvalue().encode("utf-8"), "避难场所.csv")
    else:
        response, job = importer(xlsx([HEADER, *cells]))
    assert job.state in (ImportJob.State.INVALID, ImportJob.State.READY), (job.state, job.error)
    if job.state == ImportJob.State.INVALID:
        assert job.error or job.report.get("errors")
    assert Shelter.objects.count() == before  # a check (dry run) never saves


def test_nul_characters_in_a_csv_do_not_break_the_check(importer):
    """Found by the property test on PostgreSQL: a NUL in a cell made the job's report
    unstorable (jsonb refuses \\u0000) and the check crashed, leaving the job stuck."""
    from tests.shelters.test_shelters import HEADER

    content = (",".join(HEADER) + "\n" + "310105001,场所\x00名称" + ",x" * 14 + "\n").encode()
    response, job = importer(content, "避难场所.csv")
    assert job.state in (ImportJob.State.INVALID, ImportJob.State.READY), (job.state, job.error)
    assert "\x00" not in str(job.report)
