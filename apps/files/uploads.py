"""Uploaded files: non-guessable storage names, type checked from the bytes, size limits, and
downloads that only ever go through a view that has already checked the record's scope.

The rule kept here: a file's extension — on disk and in the download's name — and the
``Content-Type`` it is served with follow the type its *bytes* were checked as, never the name
the user typed. A PDF named ``报告.html`` is stored as ``<random>.pdf`` and downloaded as
``报告.pdf``, ``application/pdf``, as an attachment; bytes of no accepted type are served as
``application/octet-stream`` with no extension.
"""

import io
import os
import uuid

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import FileField
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
# Every type an upload may be accepted as: the only extensions and types files are stored and
# served with.
ACCEPTED_TYPES = {**DOCUMENT_TYPES, **IMAGE_TYPES}
# Names the server itself gives (reports, demo data, spreadsheets to import) when the bytes
# cannot be reached from ``upload_to``: their extension is kept only if it is one of these.
_SERVER_NAMED_EXTENSIONS = {*ACCEPTED_TYPES, "csv"}


@deconstructible
class RandomUploadTo:
    """``upload_to`` that stores ``<prefix>/<year>/<month>/<random hex>.<type>``: the name says
    nothing about the record and cannot be guessed; the original name is kept by the model.

    The extension is that of the type read from the bytes being saved (``checked_extension``),
    not the one in ``filename``: a PDF uploaded as ``报告.html`` becomes ``….pdf``, bytes of no
    accepted type get no extension. Django hands ``upload_to`` only the name, so the bytes are
    found on the instance (the not yet saved file of the field that uses this ``upload_to``).
    ``FieldFile.save(name, content)`` called directly (reports, demo data: names the server
    chose) leaves nothing to read there; then the name's extension is kept only if it is one of
    the accepted types."""

    def __init__(self, prefix):
        self.prefix = prefix.strip("/")

    def __call__(self, instance, filename):
        content = self._content_being_saved(instance)
        if content is not None:
            ext = checked_extension(content)
        else:
            ext = os.path.splitext(filename)[1].lower().lstrip(".")
            ext = ext if ext in _SERVER_NAMED_EXTENSIONS else ""
        today = timezone.localdate()
        return f"{self.prefix}/{today:%Y/%m}/{uuid.uuid4().hex}{'.' + ext if ext else ''}"

    def _content_being_saved(self, instance):
        if instance is None:
            return None
        for field in instance._meta.concrete_fields:
            if isinstance(field, FileField) and field.upload_to == self:
                value = getattr(instance, field.attname)
                if value and not value._committed:
                    return value.file
        return None

    def __eq__(self, other):
        return isinstance(other, RandomUploadTo) and other.prefix == self.prefix


def checked_extension(file):
    """The extension of the accepted type (``ACCEPTED_TYPES``) the file's bytes are, or ""."""
    kind = _sniff(file)
    return kind.extension if kind is not None and kind.extension in ACCEPTED_TYPES else ""


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
    ``visible_to(request.user)``: that is the access check.

    The type is read again from the stored bytes, so files stored before names followed the
    type (``<random>.html`` holding a PDF) are served right too: the ``Content-Type`` is the
    accepted type's, and the download's name is ``filename`` with that type's extension in
    place of whatever the user typed (``报告.html`` holding a PDF is offered as ``报告.pdf``)."""
    field_file.open("rb")
    ext = checked_extension(field_file)
    field_file.seek(0)
    mime = ACCEPTED_TYPES.get(ext, "application/octet-stream")
    stored_stem = os.path.splitext(os.path.basename(field_file.name))[0]
    stem = os.path.splitext(os.path.basename(filename or ""))[0].strip(". ") or stored_stem
    name = f"{stem}.{ext}" if ext else stem
    response = FileResponse(field_file, as_attachment=True, filename=name, content_type=mime)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
