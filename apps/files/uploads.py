"""Uploaded files: non-guessable storage names, type checked from the bytes, size limits, and
downloads that only ever go through a view that has already checked the record's scope."""

import io
import os
import uuid

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import FileResponse
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

DOCUMENT_TYPES = {
    "pdf": "application/pdf",
    "doc": "application/msword",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xls": "application/vnd.ms-excel",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
IMAGE_TYPES = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}


@deconstructible
class RandomUploadTo:
    """``upload_to`` that stores ``<prefix>/<year>/<month>/<random hex><ext>``: the name says
    nothing about the record and cannot be guessed; the original name is kept by the model."""

    def __init__(self, prefix):
        self.prefix = prefix.strip("/")

    def __call__(self, instance, filename):
        ext = os.path.splitext(filename)[1].lower()[:10]
        today = timezone.localdate()
        return f"{self.prefix}/{today:%Y/%m}/{uuid.uuid4().hex}{ext}"

    def __eq__(self, other):
        return isinstance(other, RandomUploadTo) and other.prefix == self.prefix


def _sniff(file):
    """The file type read from its first bytes (never from its name), or None."""
    position = file.tell() if hasattr(file, "tell") else 0
    file.seek(0)
    head = file.read(8192)
    file.seek(position)
    return filetype.guess(head)


def _check_size(file, limit_mb):
    if file.size > limit_mb * 1024 * 1024:
        raise ValidationError(
            _("文件过大（%(size).1f MB），上限为 %(limit)d MB。"),
            code="file_too_large",
            params={"size": file.size / 1024 / 1024, "limit": limit_mb},
        )


@deconstructible
class FileTypeValidator:
    """Accepts only files whose *content* is one of ``extensions`` (sniffed from the first
    bytes, never taken from the name) and whose size is within ``settings.<limit_setting>`` MB.
    Images are also opened with Pillow, so a truncated or forged picture is refused."""

    def __init__(self, extensions, limit_setting, message):
        self.extensions = tuple(extensions)
        self.limit_setting = limit_setting
        self.message = message

    def __call__(self, file):
        _check_size(file, getattr(settings, self.limit_setting))
        kind = _sniff(file)
        if kind is None or kind.extension not in self.extensions:
            raise ValidationError(self.message, code="invalid_file_type")
        if kind.extension in IMAGE_TYPES:
            _verify_image(file)

    def __eq__(self, other):
        return isinstance(other, FileTypeValidator) and (
            self.extensions,
            self.limit_setting,
        ) == (other.extensions, other.limit_setting)


def _verify_image(file):
    position = file.tell()
    try:
        file.seek(0)
        with Image.open(file) as image:
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError) as exc:
        raise ValidationError(_("照片已损坏，无法读取。"), code="broken_image") from exc
    finally:
        file.seek(position)


# Photos larger than this (either side, in pixels) are scaled down when re-encoded: a phone
# photo stays legible, a 20000-pixel "photo" does not fill the disk or a report's memory.
MAX_IMAGE_SIDE = 4096
_SAVE_OPTIONS = {
    "JPEG": {"quality": 85, "optimize": True},
    "PNG": {"optimize": True},
    "WEBP": {"quality": 85},
}


def reencode_image(upload):
    """A clean copy of an uploaded photo, to store instead of the upload: decoded and saved
    again by Pillow in its own format (JPEG/PNG/WebP), turned upright per its EXIF orientation,
    scaled to at most MAX_IMAGE_SIDE pixels, and with *no* metadata — no EXIF (GPS position of
    the phone, device, owner), no XMP, no ICC comments, nothing appended after the image data.
    Call after ``validate_image``; a file Pillow cannot decode is a ValidationError."""
    position = upload.tell() if hasattr(upload, "tell") else 0
    try:
        upload.seek(0)
        with Image.open(upload) as source:
            kind = source.format
            if kind not in _SAVE_OPTIONS:
                raise ValidationError(
                    _("只能上传 JPG、PNG 或 WebP 格式的照片。"), code="invalid_file_type"
                )
            image = ImageOps.exif_transpose(source)  # also loads the pixels
            if kind == "JPEG" and image.mode not in ("RGB", "L"):
                image = image.convert("RGB")
            image.thumbnail((MAX_IMAGE_SIDE, MAX_IMAGE_SIDE))
            clean = image.copy()
            clean.info.clear()  # EXIF, XMP, ICC, comments: saving writes none of them
            buffer = io.BytesIO()
            clean.save(buffer, kind, **_SAVE_OPTIONS[kind])
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError) as exc:
        raise ValidationError(_("照片已损坏，无法读取。"), code="broken_image") from exc
    finally:
        upload.seek(position)
    name = getattr(upload, "name", None) or "photo"
    return SimpleUploadedFile(
        os.path.basename(name), buffer.getvalue(), content_type=Image.MIME[kind]
    )


validate_document = FileTypeValidator(
    DOCUMENT_TYPES,
    "MAX_DOCUMENT_UPLOAD_MB",
    _("只能上传 PDF、Word（DOC/DOCX）或 Excel（XLS/XLSX）文件，该文件的内容不是这些格式。"),
)
validate_word_or_pdf = FileTypeValidator(
    ("pdf", "doc", "docx"),
    "MAX_DOCUMENT_UPLOAD_MB",
    _("只能上传 PDF 或 Word（DOC/DOCX）文件，该文件的内容不是这些格式。"),
)
validate_image = FileTypeValidator(
    IMAGE_TYPES, "MAX_IMAGE_UPLOAD_MB", _("只能上传 JPG、PNG 或 WebP 格式的照片。")
)


def download_response(field_file, filename=None):
    """Serve a stored file as an attachment. Call only after fetching the owning record through
    ``visible_to(request.user)``: that is the access check."""
    name = filename or os.path.basename(field_file.name)
    kind = filetype.guess_mime(field_file.open("rb").read(8192))
    field_file.seek(0)
    mime = kind or "application/octet-stream"
    response = FileResponse(field_file, as_attachment=True, filename=name, content_type=mime)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
