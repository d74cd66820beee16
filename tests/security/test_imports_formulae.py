"""Cells that look like formulae, in every import (rule in ``apps/files/spreadsheets.py``):

- a real formula cell of an .xlsx file is refused, named by line and column, whatever result
  Excel saved with it, and nothing is imported;
- text that begins with ``=``, ``+``, ``-`` or ``@`` (a CSV cell, an .xlsx text cell) is stored
  exactly as typed, never stripped nor evaluated, and the check lists it before the user
  confirms;
- numbers are not formulae: a numeric cell ``-5``, the text ``-5`` and a lone ``-`` are not
  listed.
"""

import io
import re
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from apps.files.models import ImportJob
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


def xlsx_bytes(rows, *, text_cells=(), cached=None):
    """An .xlsx file; ``text_cells`` ("C2", …) are written as text even if they begin with
    "="; ``cached`` gives formula cells the result Excel would have saved with them."""
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    for ref in text_cells:
        book.active[ref].data_type = "s"
    buffer = io.BytesIO()
    book.save(buffer)
    if cached is None:
        return buffer.getvalue()
    out = io.BytesIO()
    with zipfile.ZipFile(buffer) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(rb"(<f>[^<]*</f>)<v ?/>", rb"\1<v>" + cached + rb"</v>", data)
            dst.writestr(item, data)
    return out.getvalue()


def check(client, name, content):
    client.post(reverse("test_import"), {"file": SimpleUploadedFile(name, content)})
    return ImportJob.objects.get()


def confirm(client, job):
    client.post(reverse("files:import_confirm", args=[job.pk]))
    job.refresh_from_db()
    return job


@pytest.mark.parametrize("cached", [None, b"2"], ids=["no saved result", "saved result 2"])
def test_a_formula_cell_is_refused_with_its_line_and_column_and_nothing_is_imported(
    client, staff, cached
):
    rows = [HEADER, ["S1", "special", "防汛防台预案", "应急办"], ["S1", "special", "=1+1", "x"]]
    job = check(client, "台账.xlsx", xlsx_bytes(rows, cached=cached))
    assert job.state == ImportJob.State.INVALID
    formula_errors = [e for e in job.report["errors"] if "公式" in e["message"]]
    assert [(e["line"], e["column"]) for e in formula_errors] == [(3, "预案名称")]
    assert "=1+1" in formula_errors[0]["message"]
    assert "选择性粘贴" in formula_errors[0]["message"]
    page = client.get(reverse("files:import_job", args=[job.pk])).content.decode()
    assert "第 3 行" in page and "=1+1" in page and "整批未导入" in page
    assert confirm(client, job).state == ImportJob.State.INVALID
    assert not Plan.objects.exists()


def test_a_formula_in_a_column_the_import_does_not_read_is_ignored(client, staff):
    rows = [[*HEADER, "备注"], ["S1", "special", "防汛防台预案", "应急办", "=TODAY()"]]
    job = check(client, "台账.xlsx", xlsx_bytes(rows))
    assert job.state == ImportJob.State.READY, job.report
    assert confirm(client, job).state == ImportJob.State.DONE
    assert Plan.objects.get().title == "防汛防台预案"


def test_csv_text_that_begins_with_a_formula_sign_is_listed_then_stored_as_typed(client, staff):
    typed = ["=1+1", "+86 应急热线", "-消防专项-", "@全体居民", '=HYPERLINK("http://x")']
    lines = [",".join(HEADER)]
    lines += [f'S1,special,"{t.replace(chr(34), chr(34) * 2)}",应急办' for t in typed]
    job = check(client, "台账.csv", ("\n".join(lines) + "\n").encode("gbk"))
    assert job.state == ImportJob.State.READY, job.report
    listed = [(c["line"], c["column"], c["value"]) for c in job.report["formula_text"]]
    assert listed == [(n + 2, "预案名称", t) for n, t in enumerate(typed)]
    page = client.get(reverse("files:import_job", args=[job.pk])).content.decode()
    assert "将按文字原样保存" in page and "+86 应急热线" in page and "@全体居民" in page
    assert confirm(client, job).state == ImportJob.State.DONE
    assert sorted(Plan.objects.values_list("title", flat=True)) == sorted(typed)


def test_an_xlsx_text_cell_that_begins_with_equals_is_stored_as_typed(client, staff):
    rows = [HEADER, ["S1", "special", "=1+1", "应急办"]]
    job = check(client, "台账.xlsx", xlsx_bytes(rows, text_cells=["C2"]))
    assert job.state == ImportJob.State.READY, job.report
    assert [c["value"] for c in job.report["formula_text"]] == ["=1+1"]
    assert confirm(client, job).state == ImportJob.State.DONE
    assert Plan.objects.get().title == "=1+1"


def test_numbers_and_a_lone_dash_are_not_taken_for_formulae(client, staff):
    rows = [
        HEADER,
        ["S1", "special", "甲预案", -5],  # a real numeric cell
        ["S1", "special", "乙预案", "-5"],  # a number typed as text
        ["S1", "special", "丙预案", "-"],  # the usual "none" placeholder
        ["S1", "special", "丁预案", "+3.5"],
    ]
    job = check(client, "台账.xlsx", xlsx_bytes(rows))
    assert job.state == ImportJob.State.READY, job.report
    assert job.report["formula_text"] == []
    assert confirm(client, job).state == ImportJob.State.DONE
    assert dict(Plan.objects.values_list("title", "department")) == {
        "甲预案": "-5",
        "乙预案": "-5",
        "丙预案": "-",
        "丁预案": "+3.5",
    }
