"""Validators for personal identifiers: mainland mobile numbers and 18-digit resident ID numbers
(GB 11643: six-digit area code, birth date, sequence, ISO 7064 MOD 11-2 check character).

Each validator takes the value already normalised (see ``normalize_phone`` /
``normalize_id_number``) and raises ``ValidationError`` with a Chinese message. They are used by
the models (so forms, admin and imports all refuse the same values) and can be reused by other
apps.
"""

import datetime
import re

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
ID_RE = re.compile(r"^\d{17}[\dX]$")
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARS = "10X98765432"


def normalize_phone(value):
    """Drop spaces and hyphens (and a leading +86) people type or paste from Excel."""
    text = re.sub(r"[\s\-]", "", str(value or ""))
    if text.startswith("+86"):
        text = text[3:]
    return text


def normalize_id_number(value):
    return re.sub(r"\s", "", str(value or "")).upper()


def id_check_char(first17):
    """The ISO 7064 MOD 11-2 check character for the first 17 digits."""
    total = sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS, strict=True))
    return ID_CHECK_CHARS[total % 11]


def id_birth_date(number):
    """The birth date encoded in an 18-digit ID number, or None if it is not a real date."""
    try:
        return datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None


@deconstructible
class MobileValidator:
    message = _("请输入有效的手机号码：11 位数字，以 1 开头，第二位为 3–9。")
    code = "invalid_mobile"

    def __call__(self, value):
        if not MOBILE_RE.match(str(value or "")):
            raise ValidationError(self.message, code=self.code)

    def __eq__(self, other):
        return isinstance(other, MobileValidator)


@deconstructible
class ResidentIdValidator:
    """18-digit resident ID number: format, a real birth date (1900 to today) and the check
    character."""

    def __call__(self, value):
        number = str(value or "")
        if not ID_RE.match(number):
            raise ValidationError(
                _("身份证号应为 18 位：前 17 位为数字，最后一位为数字或 X。"),
                code="invalid_id_format",
            )
        birth = id_birth_date(number)
        if birth is None or birth.year < 1900 or birth > timezone.localdate():
            raise ValidationError(
                _("身份证号中的出生日期（第 7–14 位）无效。"), code="invalid_id_birth_date"
            )
        if id_check_char(number[:17]) != number[17]:
            raise ValidationError(
                _("身份证号校验位不正确，请核对后重新填写。"), code="invalid_id_check_digit"
            )

    def __eq__(self, other):
        return isinstance(other, ResidentIdValidator)


validate_mobile = MobileValidator()
validate_id_number = ResidentIdValidator()
