import io

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from apps.files.models import ImportJob
from apps.files.spreadsheets import SpreadsheetError, export_response, read_dataset
from apps.files.uploads import (
    RandomUploadTo,
    validate_document,
    validate_image,
    validate_word_or_pdf,
)
from apps.notifications.models import Notification
from apps.plans.models import Plan
from tests.conftest import make_user
from tests.files.urls import PlanImportResource
from tests.plans.factories import PDF_BYTES, PlanFactory


def png_bytes():
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, format="PNG")
    return buffer.getvalue()


def xlsx_bytes(rows):
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def upload(name, content):
    return SimpleUploadedFile(name, content)


def test_random_upload_names_are_unguessable_and_keep_the_extension():
    to = RandomUploadTo("plans")
    a, b = to(None, "华阳路总体预案.PDF"), to(None, "华阳路总体预案.PDF")
    assert a != b
    assert a.startswith("plans/") and a.endswith(".pdf")
    assert "华阳路" not in a


def test_types_are_read_from_the_bytes_not_the_name():
    validate_word_or_pdf(upload("x.docx", PDF_BYTES))  # a PDF whatever its name
    with pytest.raises(ValidationError, match="只能上传 PDF 或 Word"):
        validate_word_or_pdf(upload("x.pdf", b"<html>not a pdf</html>"))
    sheet = upload("台账.xlsx", xlsx_bytes([["a"]]))
    validate_document(sheet)
    with pytest.raises(ValidationError):
        validate_word_or_pdf(sheet)


def test_images_are_checked_and_verified():
    validate_image(upload("现场.png", png_bytes()))
    with pytest.raises(ValidationError, match="只能上传 JPG"):
        validate_image(upload("现场.png", PDF_BYTES))
    with pytest.raises(ValidationError, match="照片已损坏"):
        validate_image(upload("现场.png", png_bytes()[:40]))


def test_size_limit(settings):
    settings.MAX_IMAGE_UPLOAD_MB = 0
    with pytest.raises(ValidationError, match="文件过大"):
        validate_image(upload("现场.png", png_bytes()))


def test_read_dataset_accepts_gbk_and_utf8_csv_and_xlsx():
    text = "所属单位编码,预案名称\nS1,防汛防台预案\n"
    for data in (text.encode("gbk"), text.encode("utf-8-sig"), text.encode("utf-8")):
        dataset = read_dataset(data, "台账.csv")
        assert dataset.headers == ["所属单位编码", "预案名称"]
        assert dataset[0] == ("S1", "防汛防台预案")
    dataset = read_dataset(
        xlsx_bytes([[" 所属单位编码 ", "预案名称"], ["S1", "x"], [None, None]]), "a.xlsx"
    )
    assert dataset.headers == ["所属单位编码", "预案名称"] and len(dataset) == 1


@pytest.mark.parametrize(
    "data,name,message",
    [
        (b"x", "a.txt", "另存为”Excel 工作簿（.xlsx）"),
        (b"x", "a.xls", "无法读取该 Excel 文件"),
        (b"x", "a.ods", "无法读取该 Excel 文件"),
        (b"x", "a.et", "另存为”，文件类型选择"),
        (b"not a zip", "a.xlsx", "无法读取该 Excel 文件"),
        (b"\xff\xfe\x00\x01\x80\x81", "a.csv", "编码"),
    ],
)
def test_unreadable_files_get_a_clear_message(data, name, message):
    with pytest.raises(SpreadsheetError, match=message):
        read_dataset(data, name)


def test_too_many_rows_are_refused(settings):
    settings.IMPORT_MAX_ROWS = 2
    with pytest.raises(SpreadsheetError, match="超过单次导入上限"):
        read_dataset(b"a\n1\n2\n3\n", "a.csv")


def test_export_escapes_formulae(tree):
    staff = make_user(tree["s1"])
    PlanFactory(org_unit=tree["s1"], title='=HYPERLINK("http://evil")', department="x")
    response = export_response(PlanImportResource(user=staff), Plan.objects.all(), "台账")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    values = [c.value for c in sheet[2]]
    assert not any(str(v).startswith("=") for v in values if v)
    disposition = response["Content-Disposition"]
    assert "attachment" in disposition and "%E5%8F%B0%E8%B4%A6" in disposition  # 台账


# --- the import flow: upload → checked preview → confirm → imported -------------------------

pytestmark = pytest.mark.urls("tests.files.urls")


@pytest.fixture(autouse=True)
def _tasks(run_tasks_on_commit):
    """Every test here runs queued tasks in-process at the end of each request."""


def post_file(client, name, content):
    return client.post(reverse("test_import"), {"file": upload(name, content)})


def csv_bytes(rows, encoding="gbk"):
    lines = ["所属单位编码,预案类别代码,预案名称,责任部门", *[",".join(r) for r in rows]]
    return ("\n".join(lines) + "\n").encode(encoding)


def test_good_file_is_previewed_then_imported_on_confirm(client, tree):
    staff = make_user(tree["s1"])
    client.force_login(staff)
    response = post_file(
        client,
        "台账.csv",
        csv_bytes(
            [
                ["S1", "special", "防汛防台专项应急预案", "应急办"],
                ["S1C1", "community", "甲一居委应急预案", "居委会"],
            ]
        ),
    )
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response.url == reverse(
        "files:import_job", args=[job.pk]
    )
    assert job.state == ImportJob.State.READY  # tasks run in-process without a broker
    assert not Plan.objects.exists()  # the check wrote nothing
    page = client.get(response.url).content.decode()
    assert "检查通过" in page and "甲一居委应急预案" in page
    client.post(reverse("files:import_confirm", args=[job.pk]))
    job.refresh_from_db()
    assert job.state == ImportJob.State.DONE
    assert set(Plan.objects.values_list("title", "created_by")) == {
        ("防汛防台专项应急预案", staff.pk),
        ("甲一居委应急预案", staff.pk),
    }
    # confirming twice imports nothing twice
    client.post(reverse("files:import_confirm", args=[job.pk]))
    assert Plan.objects.count() == 2
    # the bell told the uploader twice: checked, then imported
    notices = Notification.objects.filter(recipient=staff, rule="notifications.finished")
    assert sorted(n.title.rsplit("：", 1)[1] for n in notices) == ["已导入", "待确认导入"]
    assert {n.url for n in notices} == {reverse("files:import_job", args=[job.pk])}


def test_one_bad_row_imports_nothing_and_every_bad_row_is_listed(client, tree):
    client.force_login(make_user(tree["s1"]))
    post_file(
        client,
        "台账.csv",
        csv_bytes(
            [
                ["S1", "special", "好的一行", "应急办"],
                ["S2", "special", "别的街道", "应急办"],
                ["S1", "special", "", "应急办"],
                ["NOPE", "special", "不存在的单位", "应急办"],
            ]
        ),
    )
    job = ImportJob.objects.get()
    assert job.state == ImportJob.State.INVALID
    lines = {e["line"] for e in job.report["errors"]}
    assert lines == {3, 4, 5}
    messages = " ".join(e["message"] for e in job.report["errors"])
    assert "不在您可维护的范围内" in messages
    page = client.get(reverse("files:import_job", args=[job.pk])).content.decode()
    assert "第 3 行" in page and "第 5 行" in page and "整批未导入" in page
    assert client.post(reverse("files:import_confirm", args=[job.pk])).status_code == 302
    assert not Plan.objects.exists()


def test_wrong_columns_get_a_clear_message(client, tree):
    client.force_login(make_user(tree["s1"]))
    post_file(client, "台账.csv", "姓名,电话\n张三,123\n".encode())
    job = ImportJob.objects.get()
    assert job.state == ImportJob.State.INVALID
    assert "文件的列与模板不符" in job.error and "所属单位编码" in job.error


def test_wrong_extension_is_refused_at_upload(client, tree):
    client.force_login(make_user(tree["s1"]))
    response = post_file(client, "台账.numbers", b"whatever")
    assert response.status_code == 200
    assert "另存为”Excel 工作簿（.xlsx）" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_reviewers_cannot_import_and_jobs_are_private(client, tree):
    from apps.orgs.models import Role

    reviewer = make_user(tree["d1"], role=Role.DISTRICT_REVIEWER)
    client.force_login(reviewer)
    assert client.get(reverse("test_import")).status_code == 403
    assert post_file(client, "a.csv", csv_bytes([])).status_code == 403
    owner = make_user(tree["s1"])
    client.force_login(owner)
    post_file(client, "台账.csv", csv_bytes([["S1", "special", "x", "y"]]))
    job = ImportJob.objects.get()
    client.force_login(make_user(tree["s1"]))
    assert client.get(reverse("files:import_job", args=[job.pk])).status_code == 404
    assert client.post(reverse("files:import_confirm", args=[job.pk])).status_code == 404


def test_template_download_has_the_columns(client, tree):
    client.force_login(make_user(tree["s1"]))
    response = client.get(reverse("test_import"), {"template": "1"})
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in sheet[1]] == ["所属单位编码", "预案类别代码", "预案名称", "责任部门"]


def test_column_names_follow_the_language_each_resource_is_made_in():
    """A resource translates its column names once, when it is made (they are looked up in
    every row), without fixing the language of the resources made later."""
    from django.utils import translation

    with translation.override("en"):
        english = PlanImportResource()
    chinese = PlanImportResource()
    assert english.fields["org_unit"].column_name == "Org unit code"
    assert type(english.fields["org_unit"].column_name) is str
    assert chinese.fields["org_unit"].column_name == "所属单位编码"
    assert type(chinese.fields["title"].column_name) is str
