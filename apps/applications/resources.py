"""A new version of a scoring standard, loaded from a spreadsheet through the project's import
flow (``apps.files``: upload → background check listing every bad row → preview → confirm →
import, all or nothing). Admins only.

One file is one standard: each row is either a 基本条件 (a gate, with the record check that
decides it) or a 评分项 (a scored item of an aspect, with its points and the record that proves
it). The standard's own columns (code, name, title, year, pass mark, source, reconstruction) are
read from the first row that fills them and must not differ on another. The total is the sum of
the items' points. The standard is created *inactive* under a code no standard has yet: a
standard in use is never changed by an import (the versioning rule of
``apps.applications.models.standards``); the admin checks it in admin and switches it on.
"""

from collections import OrderedDict
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import fields, resources

from apps.files.cells import (
    ChoiceWidget,
    DecimalWidget,
    IntegerWidget,
    TextWidget,
    YesNoWidget,
    code_text,
)
from apps.files.spreadsheets import ScopedResource
from apps.orgs.models import Role

from .models import Aspect, Condition, ConditionRule, FactGroup, Item, Proof, Standard, TargetTitle

CONDITION, ITEM = "condition", "item"
ROW_KINDS = [(CONDITION, gettext_lazy("基本条件")), (ITEM, gettext_lazy("评分项"))]
# 核验方式 of a condition and 平台核验 of an item share one column
CHECKS = [*ConditionRule.choices, *((v, label) for v, label in Proof.choices if v)]


NUMERIC = (DecimalWidget, IntegerWidget)


class CodeWidget(TextWidget):
    def clean(self, value, row=None, **kwargs):
        return code_text(value)


def column(attribute, name, widget=None):
    return fields.Field(attribute=attribute, column_name=name, widget=widget or TextWidget())


class StandardResource(ScopedResource):
    """Rows of one new standard; see the module docstring. Each row is read onto an unsaved
    :class:`Item` as plain attributes; nothing is written until every row has passed."""

    column_synonyms = {
        "std_code": ("编码", "标准代码"),
        "text": ("内容", "条文", "评审内容", "基本条件"),
        "max_points": ("分值", "满分"),
        "check": ("核验方式", "平台核验"),
    }

    std_code = column("std_code", gettext_lazy("标准编码"), CodeWidget())
    std_name = column("std_name", gettext_lazy("标准名称"))
    std_title = column("std_title", gettext_lazy("适用称号"), ChoiceWidget(TargetTitle.choices))
    std_year = column("std_year", gettext_lazy("年度"), IntegerWidget(min_value=2000))
    pass_mark = column("pass_mark", gettext_lazy("通过分数线"), DecimalWidget())
    source = column("source", gettext_lazy("依据文件"))
    reconstruction = column("reconstruction", gettext_lazy("平台整理稿"), YesNoWidget(blank=False))
    kind = column("kind", gettext_lazy("类别"), ChoiceWidget(ROW_KINDS))
    aspect_order = column("aspect_order", gettext_lazy("方面序号"), IntegerWidget(min_value=1))
    aspect_name = column("aspect_name", gettext_lazy("方面名称"))
    aspect_facts = column(
        "aspect_facts", gettext_lazy("方面旁显示的平台数据"), ChoiceWidget(FactGroup.choices)
    )
    order = column("order", gettext_lazy("序号"), IntegerWidget(min_value=1))
    text = column("text", gettext_lazy("条文"))
    max_points = column("max_points", gettext_lazy("分值"), DecimalWidget())
    evidence = column("evidence", gettext_lazy("佐证材料"))
    check = column("check", gettext_lazy("核验方式"), ChoiceWidget(CHECKS))
    threshold = column("threshold", gettext_lazy("阈值"), DecimalWidget())

    column_notes = {
        "std_code": {"example": "sh-2026"},
        "kind": {"blank": gettext_lazy("不能为空：基本条件或评分项。")},
        "check": {
            "blank": gettext_lazy("评分项：仅上传佐证材料；基本条件：由审核员现场核实。"),
        },
        "threshold": {
            "blank": gettext_lazy(
                "满意率默认 70（%），因灾较大事故默认 3（年），演练默认 12（月）。"
            )
        },
    }

    class Meta:
        model = Item
        import_id_fields = ("std_code",)
        fields = (
            "std_code",
            "std_name",
            "std_title",
            "std_year",
            "pass_mark",
            "source",
            "reconstruction",
            "kind",
            "aspect_order",
            "aspect_name",
            "aspect_facts",
            "order",
            "text",
            "max_points",
            "evidence",
            "check",
            "threshold",
        )
        skip_unchanged = False
        skip_diff = True
        use_bulk = True

    def __init__(self, user=None, **kwargs):
        super().__init__(user=user, **kwargs)
        self.fields.pop("org_unit", None)
        self._reset()

    def _reset(self):
        self._standard = {}  # the standard's columns, from the first row that fills each
        self._aspects = {}  # aspect order → (name, facts)
        self._seen = {}  # (kind, aspect order, order) of the rows read so far
        self._rows = []

    def get_queryset(self):
        return Item.objects.none()

    def get_or_init_instance(self, instance_loader, row):
        # every row is new: a standard is loaded whole, never updated; a column the file lacks
        # reads as blank
        item = Item()
        for name in self._meta.fields:
            setattr(item, name, None if isinstance(self.fields[name].widget, NUMERIC) else "")
        item.reconstruction = False
        return item, True

    def _check_duplicate(self, instance, number):
        pass  # rows are not records: repeated numbers are checked per kind (_check_unique)

    def before_import(self, dataset, **kwargs):
        self._reset()
        super().before_import(dataset, **kwargs)

    # --- one row ------------------------------------------------------------------------------

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors = dict(import_validation_errors or {})
        user = self.user
        if not (user and (user.is_superuser or user.role == Role.ADMIN)):
            errors.setdefault("std_code", []).append(_("评审标准只能由系统管理员导入。"))
        if not errors:
            self._check_standard_columns(instance, errors)
            if instance.kind == CONDITION:
                self._check_condition(instance, errors)
            elif instance.kind == ITEM:
                self._check_item(instance, errors)
            else:
                errors["kind"] = [_("请填写类别：基本条件或评分项。")]
        if errors:
            raise ValidationError(errors)

    def _check_standard_columns(self, row, errors):
        if not row.std_code:
            errors["std_code"] = [_("请填写标准编码。")]
        elif Standard.objects.filter(code=row.std_code).exists():
            errors["std_code"] = [
                _("标准编码“%(code)s”已存在：新版本请使用新的编码（已使用的标准不会被修改）。")
                % {"code": row.std_code}
            ]
        for name in ("std_code", "std_name", "std_title", "std_year", "pass_mark", "source"):
            value = getattr(row, name)
            if value in ("", None):
                continue
            first = self._standard.setdefault(name, value)
            if first != value:
                column_name = self.fields[name].column_name
                errors.setdefault(name, []).append(
                    _("一个文件只能导入一个评审标准：“%(column)s”与前面的行（%(first)s）不同。")
                    % {"column": column_name, "first": first}
                )
        self._standard.setdefault("reconstruction", row.reconstruction)

    def _check_condition(self, row, errors):
        if not row.order:
            errors["order"] = [_("请填写基本条件的序号。")]
        if not row.text:
            errors["text"] = [_("请填写基本条件的条文。")]
        if row.check and row.check not in ConditionRule.values:
            errors["check"] = [
                _("基本条件的核验方式只能是：%(options)s。")
                % {"options": "、".join(str(label) for _v, label in ConditionRule.choices)}
            ]
        if row.max_points not in (None, ""):
            errors["max_points"] = [_("基本条件不计分，请不要填写分值。")]
        self._check_unique(row, (CONDITION, None, row.order), errors, _("基本条件"))

    def _check_item(self, row, errors):
        for name, message in (
            ("aspect_order", _("请填写方面序号。")),
            ("aspect_name", _("请填写方面名称。")),
            ("order", _("请填写评分项的序号。")),
            ("text", _("请填写评分项的评审内容。")),
        ):
            if not getattr(row, name):
                errors[name] = [message]
        points = row.max_points
        if points is None:
            errors["max_points"] = [_("请填写分值。")]
        elif points < Decimal("0.5") or points * 2 != (points * 2).to_integral_value():
            errors["max_points"] = [_("分值应不小于 0.5，且以 0.5 分为单位。")]
        if row.check and row.check not in Proof.values:
            errors["check"] = [_("评分项的平台核验不能是基本条件的核验方式。")]
        if row.aspect_order and row.aspect_name:
            name, _facts = self._aspects.setdefault(
                row.aspect_order, (row.aspect_name, row.aspect_facts)
            )
            if name != row.aspect_name:
                errors["aspect_name"] = [
                    _("方面序号 %(order)s 在前面的行中是“%(name)s”。")
                    % {"order": row.aspect_order, "name": name}
                ]
        self._check_unique(row, (ITEM, row.aspect_order, row.order), errors, _("评分项"))

    def _check_unique(self, row, key, errors, what):
        if errors:
            return
        if key in self._seen:
            errors["order"] = [_("%(what)s序号重复。") % {"what": what}]
        self._seen[key] = row

    # --- writing ------------------------------------------------------------------------------

    def before_save_instance(self, instance, row, **kwargs):
        pass  # reference data keeps no created_by/updated_by

    def save_instance(self, instance, is_create, row, **kwargs):
        self._rows.append(instance)

    def after_import(self, dataset, result, **kwargs):
        rows, self._rows = self._rows, []
        failed = result.has_errors() or result.has_validation_errors()
        if not failed:
            try:
                standard = self._standard_from(rows)
            except ValidationError as exc:
                self.handle_import_error(result, exc)
            else:
                if not self.dry_run:
                    self._write(standard, rows)
        resources.ModelResource.after_import(self, dataset, result, **kwargs)

    def _standard_from(self, rows):
        """The new standard, unsaved, once every row has passed: the checks of the whole
        file (its items add up to a total at least the pass mark)."""
        values = self._standard
        items = [r for r in rows if r.kind == ITEM]
        if not items:
            raise ValidationError(_("文件中没有评分项。"))
        missing = [
            str(self.fields[name].column_name)
            for name in ("std_code", "std_name", "std_year", "pass_mark")
            if values.get(name) in (None, "")
        ]
        if missing:
            raise ValidationError(
                _("请在第一行填写：%(columns)s。") % {"columns": "、".join(missing)}
            )
        total = sum((r.max_points for r in items), Decimal("0"))
        if values["pass_mark"] > total:
            raise ValidationError(
                _("通过分数线 %(mark)s 分高于各评分项分值合计 %(total)s 分。")
                % {"mark": values["pass_mark"], "total": total}
            )
        return Standard(
            code=values["std_code"],
            name=values["std_name"],
            title=values.get("std_title", ""),
            year=values["std_year"],
            total=total,
            pass_mark=values["pass_mark"],
            source=values.get("source", ""),
            is_reconstruction=bool(values.get("reconstruction")),
            is_active=False,
            note=_("由 %(user)s 从电子表格导入，检查无误后请在管理后台启用。")
            % {"user": self.user.display_name},
        )

    @transaction.atomic
    def _write(self, standard, rows):
        standard.save()
        Condition.objects.bulk_create(
            [
                Condition(
                    standard=standard,
                    order=r.order,
                    text=r.text,
                    rule=r.check or ConditionRule.REVIEWER,
                    threshold=r.threshold,
                )
                for r in rows
                if r.kind == CONDITION
            ]
        )
        aspects = OrderedDict()
        for order, (name, facts) in sorted(self._aspects.items()):
            aspects[order] = Aspect.objects.create(
                standard=standard, code=f"a{order}", name=name, order=order, facts=facts or ""
            )
        Item.objects.bulk_create(
            [
                Item(
                    aspect=aspects[r.aspect_order],
                    order=r.order,
                    text=r.text,
                    max_points=r.max_points,
                    evidence=r.evidence,
                    proof=r.check or "",
                )
                for r in rows
                if r.kind == ITEM
            ]
        )
