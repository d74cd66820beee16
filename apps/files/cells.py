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
import difflib
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


_MASKED = re.compile(r"[0-9A-Za-z]*\*{2,}[0-9A-Za-z]*")


def masked_value(value) -> str:
    """A phone or ID number as the portal's own export hides it (157****1838,
    310***********1234), or "" for anything else."""
    if not isinstance(value, str):
        return ""
    text = re.sub(r"\s+", "", normalize(value))
    return text if _MASKED.fullmatch(text) else ""


def mask_matches(masked: str, stored: str) -> bool:
    """Whether ``masked`` is ``stored`` with some characters hidden (same length, the shown
    characters equal)."""
    stored = str(stored or "")
    return len(masked) == len(stored) and all(
        m == "*" or m.upper() == s.upper() for m, s in zip(masked, stored, strict=True)
    )


# Names a 居委/村 goes by in ledgers: "华一居委会" is the unit "华一居民区".
_UNIT_SUFFIXES = (
    (re.compile(r"(居民委员会|居委会|居委|居民区)$"), "居民区"),
    (re.compile(r"(村民委员会|村委会|村委)$"), "村"),
    (re.compile(r"街道办事处$"), "街道"),
)


def unit_name_key(name) -> str:
    text = re.sub(r"\s+", "", normalize(name))
    for pattern, replacement in _UNIT_SUFFIXES:
        text = pattern.sub(replacement, text)
    return text


class OrgUnitWidget(widgets.ForeignKeyWidget):
    """所属单位: by its code (trimmed; a numeric cell or full-width digits read as the code) or
    by its exact name within the user's scope, 居委会/居民区 (and 村委会/村) being one name. The
    units of the user's scope are read in one query on the first row. A code outside the scope
    is found (the row is then refused as out of scope); an unknown code or name is a cell
    error in Chinese naming the closest names."""

    def __init__(self, model, field="code", user=None, **kwargs):
        super().__init__(model, field=field, **kwargs)
        self.user = user
        self.by_code = None
        self.by_name = None

    def _load(self):
        units = self.model.objects.all()
        user = self.user
        if not (user and getattr(user, "is_superuser", False)):
            paths = getattr(user, "scope_paths", None) or []
            if not paths:
                units = units.none()
            else:
                under = None
                for path in paths:
                    q = self._q(path)
                    under = q if under is None else under | q
                units = units.filter(under)
        self.by_code, self.by_name = {}, {}
        for unit in units:
            self.by_code[unit.code] = unit
            self.by_name.setdefault(unit_name_key(unit.name), []).append(unit)

    @staticmethod
    def _q(path):
        from django.db.models import Q

        return Q(path__startswith=path)

    def clean(self, value, row=None, **kwargs):
        text = cell_text(value)
        code = code_text(value)
        if not code:
            return None
        if self.by_code is None:
            self._load()
        if code in self.by_code:
            return self.by_code[code]
        named = self.by_name.get(unit_name_key(text), [])
        if len(named) == 1:
            return named[0]
        if named:
            raise ValueError(
                _("有多个单位名为“%(name)s”（编码 %(codes)s），请填写所属单位编码。")
                % {"name": text, "codes": "、".join(u.code for u in named)}
            )
        outside = self.model.objects.filter(code=code).first()
        if outside is not None:
            return outside  # refused as out of scope, with that message
        names = {unit_name_key(u.name): u for units in self.by_name.values() for u in units}
        close = difflib.get_close_matches(unit_name_key(text), list(names), n=3, cutoff=0.4)
        if close:
            raise ValueError(
                _("所属单位“%(value)s”不存在或不在您的范围内。最接近的单位：%(names)s。")
                % {
                    "value": text,
                    "names": "、".join(f"{names[k].name}（{names[k].code}）" for k in close),
                }
            )
        raise ValueError(
            _("所属单位“%(value)s”不存在或不在您的范围内，请填写单位编码或本辖区内单位的全称。")
            % {"value": text}
        )

    def render(self, value, obj=None, **kwargs):
        return value.code if value is not None else ""


# --- choices ---------------------------------------------------------------------------------


class ChoiceWidget(widgets.Widget):
    """One of ``choices``: the Chinese label (协议储备) or the stored value (agreement); blank
    is ""; exported as the label."""

    def __init__(self, choices, **kwargs):
        super().__init__(**kwargs)
        self.choices = choices

    def clean(self, value, row=None, **kwargs):
        text = cell_text(value)
        if not text:
            return ""
        for stored, label in self.choices:
            if text in (stored, str(label)):
                return stored
        raise ValueError(
            _("“%(value)s”不是有效选项，可选：%(options)s。")
            % {"value": text, "options": "、".join(str(label) for v, label in self.choices if v)}
        )

    def render(self, value, obj=None, **kwargs):
        return str(dict(self.choices).get(value, value or ""))


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
