"""An uploaded file is named after the type its bytes were checked as, never after the name the
user typed: it is stored as ``<random>.<type>`` and downloaded as ``<the user's name>.<type>``
with that type's Content-Type, as an attachment. A PDF/HTML polyglot uploaded as ``报告.html``
is stored as ``….pdf`` and offered as ``报告.pdf``. Files stored before this rule (``….html``
holding a PDF) are served the same way; bytes of no accepted type are served as
``application/octet-stream`` with no extension."""

import datetime
import io
import re

import openpyxl
import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from apps.files.uploads import DOCUMENT_TYPES, RandomUploadTo, download_response
from tests.conftest import make_user
from tests.plans.factories import PlanAttachmentFactory, PlanFactory

POLYGLOT = (
    b"%PDF-1.4\n<html><body><script>alert(document.cookie)</script></body></html>\n"
    b"1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def jpeg_bytes():
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (10, 120, 200)).save(buffer, "JPEG")
    return buffer.getvalue()


def xlsx_bytes():
    book = openpyxl.Workbook()
    book.active.append(["物资", "数量"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def stored_name_pattern(prefix, ext):
    return re.compile(rf"{prefix}/\d{{4}}/\d{{2}}/[0-9a-f]{{32}}\.{ext}")


def assert_served_as(response, *, disposition_name, mime):
    assert response.status_code == 200
    assert response["Content-Type"] == mime
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;"), disposition
    assert disposition_name in disposition, disposition
    assert response["X-Content-Type-Options"] == "nosniff"


# 报告.pdf, as Django writes a non-ASCII file name into Content-Disposition (filename*=).
REPORT_PDF = "filename*=utf-8''%E6%8A%A5%E5%91%8A.pdf"
REPORT_NO_EXT = "filename*=utf-8''%E6%8A%A5%E5%91%8A"


def test_a_pdf_html_polyglot_named_html_is_stored_and_downloaded_as_pdf(client, tree):
    from apps.plans.services import add_version

    staff = make_user(tree["s1"])
    plan = PlanFactory(org_unit=tree["s1"])
    version = add_version(
        staff,
        plan,
        version_date=datetime.date(2026, 3, 1),
        change_summary="修订",
        files=[SimpleUploadedFile("报告.html", POLYGLOT, content_type="text/html")],
    )
    attachment = version.attachments.get()
    assert stored_name_pattern("plans", "pdf").fullmatch(attachment.file.name)
    client.force_login(staff)
    response = client.get(reverse("plans:attachment", args=[attachment.pk]))
    assert_served_as(response, disposition_name=REPORT_PDF, mime="application/pdf")
    assert b"".join(response.streaming_content) == POLYGLOT


def test_a_file_stored_before_the_rule_under_its_typed_extension_is_served_by_its_type(
    client, tree
):
    staff = make_user(tree["s1"])
    attachment = PlanAttachmentFactory(
        version__plan__org_unit=tree["s1"], original_name="报告.html"
    )
    # As the old RandomUploadTo stored it: the random name with the extension the user typed.
    attachment.file.storage.save("plans/2025/01/" + "a" * 32 + ".html", ContentFile(POLYGLOT))
    attachment.file.name = "plans/2025/01/" + "a" * 32 + ".html"
    attachment.save()
    client.force_login(staff)
    response = client.get(reverse("plans:attachment", args=[attachment.pk]))
    assert_served_as(response, disposition_name=REPORT_PDF, mime="application/pdf")
    assert b"".join(response.streaming_content) == POLYGLOT


def test_a_jpeg_photo_named_png_is_stored_and_downloaded_as_jpeg(client, tree):
    from apps.hazards.models import HazardCategory, HazardPhoto, Severity
    from apps.hazards.services import report_hazard

    staff = make_user(tree["s1"])
    hazard = report_hazard(
        staff,
        org_unit=tree["s1"],
        title="楼道堆物",
        category=HazardCategory.objects.first(),
        severity=Severity.GENERAL,
        photos=[SimpleUploadedFile("现场.png", jpeg_bytes())],
    )
    photo = HazardPhoto.objects.get(hazard=hazard)
    assert stored_name_pattern("hazards/photos", "jpg").fullmatch(photo.image.name)
    client.force_login(staff)
    response = client.get(reverse("hazards:photo", args=[photo.pk]))
    # 现场.jpg
    assert_served_as(response, disposition_name="%E7%8E%B0%E5%9C%BA.jpg", mime="image/jpeg")


def test_a_drill_document_is_named_after_its_checked_type_not_its_typed_one(client, tree):
    from apps.drills.models import DrillFile
    from apps.drills.services import add_file
    from tests.drills.factories import DrillFactory

    staff = make_user(tree["s1"])
    drill = DrillFactory(org_unit=tree["s1"])
    document = add_file(
        staff,
        drill,
        kind=DrillFile.Kind.DOCUMENT,
        upload=SimpleUploadedFile("签到表.htm", xlsx_bytes()),
    )
    assert stored_name_pattern("drills", "xlsx").fullmatch(document.file.name)
    assert document.original_name == "签到表.htm"  # what the user uploaded, as a record
    client.force_login(staff)
    response = client.get(reverse("drills:file", args=[document.pk]))
    # 签到表.xlsx
    assert_served_as(
        response, disposition_name="%E7%AD%BE%E5%88%B0%E8%A1%A8.xlsx", mime=DOCUMENT_TYPES["xlsx"]
    )


def test_bytes_of_no_accepted_type_are_served_as_octet_stream_without_an_extension(tree):
    attachment = PlanAttachmentFactory(
        version__plan__org_unit=tree["s1"], original_name="报告.html"
    )
    attachment.file.save("报告.html", ContentFile(b"<html><script>alert(1)</script></html>"))
    assert re.fullmatch(r"plans/\d{4}/\d{2}/[0-9a-f]{32}", attachment.file.name)
    response = download_response(attachment.file, attachment.original_name)
    assert_served_as(response, disposition_name=REPORT_NO_EXT, mime="application/octet-stream")
    assert not response["Content-Disposition"].endswith(".html")


@pytest.mark.parametrize(
    ("server_name", "ext"),
    [("街道报告.PDF", ".pdf"), ("台账.csv", ".csv"), ("x.html", ""), ("x.svg", ""), ("x", "")],
)
def test_names_the_server_gives_keep_only_an_accepted_extension(server_name, ext):
    name = RandomUploadTo("reports")(None, server_name)
    assert re.fullmatch(rf"reports/\d{{4}}/\d{{2}}/[0-9a-f]{{32}}{re.escape(ext)}", name), name
