"""How one cell of an imported ledger is read, the same way in every import.

The widgets here are shared by every resource (``apps/*/resources.py``, and ``ScopedResource``
puts them on date and text columns that name no widget of their own): a date, a whole number,
a decimal, a yes/no, a code or a phone/ID number is read by the one widget of its kind, in
every form people type it in a street office's 台账 — full-width digits, stray spaces,
thousands separators, 2026年3月1日, 20260301, Excel date cells and serial numbers, √/×.

The rule they keep: a value is read only when it has one reading. An ambiguous date
(3/1/2026), a decimal in a whole-number column, a phone or ID number that Excel has turned into
a number (leading 0 lost, last digits zeroed) are refused with a Chinese message, never
guessed, rounded or truncated. The preview puts the line and the column beside each message.
"""

import datetime
import decimal
import re
import unicodedata

from django.utils.translation import gettext as _
from import_export import widgets
from openpyxl.utils.datetime import from_excel


def normalize(value) -> str:
    """NFKC (full-width letters, digits, brackets and spaces to their plain forms), stripped."""
    return unicodedata.normalize("NFKC", str(value)).strip()


def cell_text(value) -> str:
    """A cell as text: blank is "", a whole float (Excel's 3.0) is "3"."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def code_text(value) -> str:
    """A code (unit, site, item): as text, half-width, without spaces."""
    return re.sub(r"\s+", "", normalize(cell_text(value)))


class TextWidget(widgets.CharWidget):
    """Text: blank is "", surrounding spaces dropped, the rest kept as typed."""

    def clean(self, value, row=None, **kwargs):
        return cell_text(value)


class IdentifierWidget(widgets.CharWidget):
    """Phone and ID numbers. They must arrive as text: a numeric cell has already been changed
    by Excel (a leading 0 dropped, an 18-digit ID rounded to 15 significant digits)."""

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, int | float | decimal.Decimal) and not isinstance(value, bool):
            raise ValueError(
                _(
                    "该单元格是数字格式（%(value)s），号码可能已被 Excel 改写（开头的 0 被去掉、"
                    "末几位变成 0）。请将该列设为文本格式后重新导入。"
                )
                % {"value": cell_text(value)}
            )
        return "" if value is None else normalize(value)


class CodeForeignKeyWidget(widgets.CachedForeignKeyWidget):
    """A record by its code (所属单位编码): a numeric cell or full-width digits read as the code,
    an unknown code is a cell error in Chinese."""

    def clean(self, value, row=None, **kwargs):
        code = code_text(value)
        if not code:
            return None
        try:
            return super().clean(code, row, **kwargs)
        except self.model.DoesNotExist:
            raise ValueError(_("编码“%(code)s”不存在。") % {"code": code}) from None


# --- numbers -----------------------------------------------------------------------------------

_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")
_GROUPED = re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d*)?")


def parse_number(value) -> decimal.Decimal | None:
    """A number from a cell: 1200, "１２００", " 1,200 ", "1 200.5"; blank is None."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError(_("“%(value)s”不是有效的数字。") % {"value": value})
    if isinstance(value, int | decimal.Decimal):
        return decimal.Decimal(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError(_("“%(value)s”不是有效的数字。") % {"value": value})
        return decimal.Decimal(repr(value))
    text = re.sub(r"\s+", "", normalize(value))
    if not text:
        return None
    if _GROUPED.fullmatch(text):
        text = text.replace(",", "")
    if not _NUMBER.fullmatch(text):
        raise ValueError(_("“%(value)s”不是有效的数字。") % {"value": str(value).strip()})
    return decimal.Decimal(text)


class DecimalWidget(widgets.DecimalWidget):
    def clean(self, value, row=None, **kwargs):
        return parse_number(value)


class IntegerWidget(widgets.IntegerWidget):
    """A whole number. A decimal is refused, never truncated; ``min_value`` bounds it."""

    def __init__(self, *, min_value=None, **kwargs):
        super().__init__(**kwargs)
        self.min_value = min_value

    def clean(self, value, row=None, **kwargs):
        number = parse_number(value)
        if number is None:
            return None
        shown = cell_text(value)
        if number != number.to_integral_value():
            raise ValueError(
                _("“%(value)s”带有小数，该列只能填整数（不会自动取整）。") % {"value": shown}
            )
        if self.min_value is not None and number < self.min_value:
            raise ValueError(
                _("“%(value)s”小于 %(min)s，该列应为不小于 %(min)s 的整数。")
                % {"value": shown, "min": self.min_value}
            )
        return int(number)


# --- dates -------------------------------------------------------------------------------------

_ISO_LIKE = re.compile(r"(\d{4})([-/.])(\d{1,2})\2(\d{1,2})")
_CHINESE = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日?")
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")
_DAY_FIRST_OR_MONTH_FIRST = re.compile(r"\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}")
_TIME = re.compile(r"(?:\s+|T)\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$")
# Excel serial numbers of 1930-01-01 and 2099-12-31: a number outside is not a date.
_SERIALS = (10959, 73050)


def parse_date(value) -> datetime.date | None:
    """A date from a cell (see the module docstring for the forms); blank is None."""
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
        if number.is_integer() and 19000101 <= number <= 21001231:
            return _ymd(value, *_COMPACT.fullmatch(str(int(number))).groups())
        if _SERIALS[0] <= number <= _SERIALS[1]:
            return from_excel(number).date()
        raise ValueError(_("数字“%(value)s”不是有效的日期。") % {"value": cell_text(value)})
    if not isinstance(value, str):
        raise ValueError(_("“%(value)s”不是有效的日期。") % {"value": value})
    text = _TIME.sub("", normalize(value))
    text = re.sub(r"\s+", "", text)
    if not text:
        return None
    for pattern in (_ISO_LIKE, _CHINESE, _COMPACT):
        match = pattern.fullmatch(text)
        if match:
            parts = [g for g in match.groups() if g not in ("-", "/", ".")]
            return _ymd(value, *parts)
    if _DAY_FIRST_OR_MONTH_FIRST.fullmatch(text):
        raise ValueError(
            _(
                "“%(value)s”的年、月、日顺序无法确定（可能是日/月，也可能是月/日），"
                "请写成 2026-03-01 或 2026年3月1日。"
            )
            % {"value": value.strip()}
        )
    raise ValueError(
        _("“%(value)s”不是可识别的日期格式，请写成 2026-03-01、2026/3/1 或 2026年3月1日。")
        % {"value": value.strip()}
    )


def _ymd(original, year, month, day):
    try:
        return datetime.date(int(year), int(month), int(day))
    except ValueError:
        raise ValueError(
            _("“%(value)s”不是存在的日期。") % {"value": cell_text(original)}
        ) from None


class DateWidget(widgets.DateWidget):
    """Every date column of every import; exported as 2026-03-01."""

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)

    def clean(self, value, row=None, **kwargs):
        return parse_date(value)


# --- yes / no ----------------------------------------------------------------------------------

YES = {"是", "有", "√", "✓", "✔", "y", "yes", "true", "1", "对"}
NO = {"否", "无", "×", "✗", "✘", "n", "no", "false", "0", "不"}


class YesNoWidget(widgets.Widget):
    """是/否, √/×, Y/N, TRUE/FALSE, 1/0 (and the words in ``yes``/``no``); a blank cell is
    ``blank``. Exported as 是/否."""

    def __init__(self, *, blank=False, yes=(), no=(), **kwargs):
        super().__init__(**kwargs)
        self.blank = blank
        self.yes = YES | set(yes)
        self.no = NO | set(no)

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, bool):
            return value
        if isinstance(value, int | float) and value in (0, 1):
            return bool(value)
        text = "" if value is None else normalize(value).lower()
        if not text:
            return self.blank
        if text in self.yes:
            return True
        if text in self.no:
            return False
        raise ValueError(
            _("“%(value)s”不是是/否，请填写“是”或“否”（也可填 √/×、Y/N、TRUE/FALSE、1/0）。")
            % {"value": cell_text(value)}
        )

    def render(self, value, obj=None, **kwargs):
        return _("是") if value else _("否")
