"""An import reads the rows a file really holds, not the size it declares: an .xlsx sheet whose
``<dimension ref="A1:D1"/>`` claims one row is read in full. Reading stops past
``IMPORT_MAX_ROWS`` rows, and a check or an import that uses more than ``IMPORT_MAX_SECONDS`` of
CPU time stops; both end in a clear Chinese message with nothing saved."""

import io
import re
import time
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from apps.files.models import ImportJob
from apps.files.spreadsheets import SpreadsheetError, read_dataset
from apps.plans.models import Plan
from tests.conftest import make_user

pytestmark = pytest.mark.urls("tests.files.urls")

HEADER = ["所属单位编码", "预案类别代码", "预案名称", "责任部门"]


@pytest.fixture(autouse=True)
def _tasks(run_tasks_on_commit):
    """Queued tasks run in-process at the end of each request."""


@pytest.fixture
def staff(client, tree):
    user = make_user(tree["s1"])
    client.force_login(user)
    return user


def plan_rows(count):
    return [["S1", "special", f"专项应急预案{n}", "应急办"] for n in range(1, count + 1)]


def lying_xlsx(rows, *, dimension="A1:D1", more_rows=0):
    """An .xlsx file of ``rows`` whose sheet declares ``dimension``, plus ``more_rows`` rows
    written straight into the sheet's XML (quicker than openpyxl for the 400,000-row file)."""
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    out = io.BytesIO()
    with zipfile.ZipFile(buffer) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(
                    rb'<dimension ref="[^"]*" ?/>', f'<dimension ref="{dimension}"/>'.encode(), data
                )
                start = len(rows) + 1
                extra = "".join(
                    f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>S1</t></is></c>'
                    f'<c r="C{r}" t="n"><v>{r}</v></c></row>'
                    for r in range(start, start + more_rows)
                )
                data = data.replace(b"</sheetData>", extra.encode() + b"</sheetData>")
                assert f'<dimension ref="{dimension}"/>'.encode() in data
            dst.writestr(item, data)
    return out.getvalue()


def check(client, name, content):
    client.post(reverse("test_import"), {"file": SimpleUploadedFile(name, content)})
    return ImportJob.objects.get()


def test_a_sheet_whose_dimension_claims_one_row_is_read_and_imported_in_full(client, staff):
    job = check(client, "台账.xlsx", lying_xlsx([HEADER, *plan_rows(3)]))
    assert job.state == ImportJob.State.READY, job.report
    assert job.report["rows"] == 3
    client.post(reverse("files:import_confirm", args=[job.pk]))
    job.refresh_from_db()
    assert job.state == ImportJob.State.DONE
    assert Plan.objects.count() == 3


def test_rows_hidden_behind_the_dimension_count_against_the_row_cap(client, staff, settings):
    settings.IMPORT_MAX_ROWS = 50
    job = check(client, "台账.xlsx", lying_xlsx([HEADER, *plan_rows(51)]))
    assert job.state == ImportJob.State.INVALID
    assert "超过单次导入上限 50 行" in job.error
    page = client.get(reverse("files:import_job", args=[job.pk])).content.decode()
    assert "超过单次导入上限 50 行" in page
    assert not Plan.objects.exists()


def test_the_probe_file_of_400000_rows_behind_a_one_row_dimension_is_refused(settings):
    settings.IMPORT_MAX_ROWS = 20_000
    data = lying_xlsx([HEADER], dimension="A1:B1", more_rows=400_000)
    assert len(data) < 10 * 1024 * 1024  # it passes the upload size limit
    started = time.thread_time()
    with pytest.raises(SpreadsheetError, match="超过单次导入上限 20000 行"):
        read_dataset(data, "台账.xlsx")
    # Reading stops at the cap instead of walking all 400,000 rows.
    assert time.thread_time() - started < 30


def test_a_sheet_at_the_row_cap_is_accepted(settings):
    settings.IMPORT_MAX_ROWS = 5
    dataset = read_dataset(lying_xlsx([HEADER, *plan_rows(5), [None] * 4]), "台账.xlsx")
    assert len(dataset) == 5


class FakeCpuClock:
    """``time.thread_time`` that moves on one second each time it is read."""

    def __init__(self):
        self.now = 0.0

    def __call__(self):
        self.now += 1.0
        return self.now


def test_a_check_that_uses_up_its_cpu_time_stops_with_a_message(
    client, staff, settings, monkeypatch
):
    settings.IMPORT_MAX_SECONDS = 30
    monkeypatch.setattr(time, "thread_time", FakeCpuClock())
    job = check(client, "台账.xlsx", lying_xlsx([HEADER, *plan_rows(100)]))
    assert job.state == ImportJob.State.INVALID
    assert "超过了 30 秒的时间上限" in job.error and "未保存任何数据" in job.error
    assert not Plan.objects.exists()


def test_an_import_that_uses_up_its_cpu_time_after_saving_rows_saves_nothing(
    client, staff, settings, monkeypatch
):
    settings.IMPORT_MAX_SECONDS = 30
    job = check(
        client, "台账.csv", ("\n".join(",".join(r) for r in [HEADER, *plan_rows(5)])).encode()
    )
    assert job.state == ImportJob.State.READY
    # The clock runs out once the import has written rows (inside its transaction).
    monkeypatch.setattr(time, "thread_time", lambda: 1000.0 if Plan.objects.exists() else 0.0)
    client.post(reverse("files:import_confirm", args=[job.pk]))
    job.refresh_from_db()
    assert job.state == ImportJob.State.INVALID
    assert "时间上限" in job.error
    assert not Plan.objects.exists()
