"""Uploads: the type comes from the bytes, sizes are limited, photos are stored re-encoded
without EXIF (no GPS position of the phone), and no file is reachable at a public URL."""

import io
import re

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from apps.files.uploads import (
    MAX_IMAGE_SIDE,
    reencode_image,
    validate_document,
    validate_image,
)
from tests.conftest import make_user

GPS = {1: "N", 2: (31.0, 13.0, 48.0), 3: "E", 4: (121.0, 28.0, 25.0)}


def photo_with_gps(fmt="JPEG", size=(120, 80), orientation=None):
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x8825] = GPS
    if orientation:
        exif[0x0112] = orientation
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 40, 40)).save(buffer, fmt, exif=exif.tobytes())
    return buffer.getvalue()


def upload(data, name="现场.jpg"):
    return SimpleUploadedFile(name, data)


def _exif_of(data):
    image = Image.open(io.BytesIO(data))
    return dict(image.getexif()), image


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_reencoding_strips_gps_and_every_other_exif_tag(fmt):
    data = photo_with_gps(fmt)
    assert _exif_of(data)[0], "the fixture photo must carry EXIF"
    clean = reencode_image(upload(data, f"a.{fmt.lower()}")).read()
    exif, image = _exif_of(clean)
    assert exif == {} and image.format == fmt
    assert b"PhoneMaker" not in clean


def test_reencoding_turns_the_photo_upright_and_limits_its_size():
    clean = reencode_image(upload(photo_with_gps(size=(300, 200), orientation=6))).read()
    assert Image.open(io.BytesIO(clean)).size == (200, 300)
    big = io.BytesIO()
    Image.new("RGB", (MAX_IMAGE_SIDE * 2, 10)).save(big, "PNG")
    clean = reencode_image(upload(big.getvalue(), "big.png")).read()
    assert Image.open(io.BytesIO(clean)).size[0] == MAX_IMAGE_SIDE


def test_data_hidden_after_the_image_is_dropped():
    data = photo_with_gps() + b"<?php system($_GET['c']); ?>"
    clean = reencode_image(upload(data)).read()
    assert b"<?php" not in clean


def test_a_broken_photo_is_refused_in_chinese():
    with pytest.raises(ValidationError, match="照片已损坏"):
        reencode_image(upload(photo_with_gps()[:200]))


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (b"<html><script>alert(1)</script></html>", "照片.jpg"),
        (b"%PDF-1.4\n%%EOF\n", "照片.png"),
        (b"MZ\x90\x00" + b"\x00" * 100, "照片.webp"),
    ],
)
def test_the_type_comes_from_the_bytes_not_the_name(content, name):
    with pytest.raises(ValidationError, match="只能上传 JPG、PNG 或 WebP"):
        validate_image(upload(content, name))


def test_a_picture_named_pdf_is_not_a_document():
    with pytest.raises(ValidationError, match="只能上传 PDF"):
        validate_document(upload(photo_with_gps(), "方案.pdf"))


def test_sizes_are_limited(settings):
    settings.MAX_IMAGE_UPLOAD_MB = 1
    big = SimpleUploadedFile("大.jpg", photo_with_gps() + b"\x00" * (1024 * 1024 + 1))
    with pytest.raises(ValidationError, match="文件过大"):
        validate_image(big)


def test_hazard_photos_are_stored_without_gps(tree):
    from apps.hazards.models import HazardCategory, HazardPhoto, Severity
    from apps.hazards.services import report_hazard

    staff = make_user(tree["s1"])
    hazard = report_hazard(
        staff,
        org_unit=tree["s1"],
        title="楼道堆物",
        category=HazardCategory.objects.first(),
        severity=Severity.GENERAL,
        photos=[upload(photo_with_gps())],
    )
    photo = HazardPhoto.objects.get(hazard=hazard)
    with photo.image.open("rb") as fh:
        stored = fh.read()
    assert _exif_of(stored)[0] == {}
    assert photo.original_name == "现场.jpg"


def test_drill_photos_are_stored_without_gps_and_documents_untouched(tree):
    from apps.drills.models import DrillFile
    from apps.drills.services import add_file
    from tests.drills.factories import DrillFactory

    staff = make_user(tree["s1"])
    drill = DrillFactory(org_unit=tree["s1"])
    photo = add_file(staff, drill, kind=DrillFile.Kind.PHOTO, upload=upload(photo_with_gps()))
    with photo.file.open("rb") as fh:
        assert _exif_of(fh.read())[0] == {}
    pdf = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    document = add_file(staff, drill, kind=DrillFile.Kind.DOCUMENT, upload=upload(pdf, "方案.pdf"))
    with document.file.open("rb") as fh:
        assert fh.read() == pdf


def test_media_is_never_served_from_a_public_url(client, tree):
    from apps.drills.models import DrillFile
    from apps.drills.services import add_file
    from tests.drills.factories import DrillFactory

    staff = make_user(tree["s1"])
    drill = DrillFactory(org_unit=tree["s1"])
    photo = add_file(staff, drill, kind=DrillFile.Kind.PHOTO, upload=upload(photo_with_gps()))
    client.force_login(staff)
    assert client.get(f"/media/{photo.file.name}").status_code == 404
    # Stored names say nothing about the record and cannot be guessed.
    assert re.fullmatch(r"drills/\d{4}/\d{2}/[0-9a-f]{32}\.jpg", photo.file.name), photo.file.name
