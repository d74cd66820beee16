"""Excel in and out (django-import-export through ``apps.files.spreadsheets``).

- ``SiteResource``: import/export of 储备库/点, keyed by 储备点编码.
- ``ItemResource``: import/export of the catalogue, keyed by 物资编码; admins only.
- ``LotImportResource``: stock balances per lot. Each row states what a lot holds (结存); rows
  are checked one by one (errors carry their row number), then all of them go through
  ``services.set_lot_balances`` in one go (one lock query, bulk inserts): a new lot is an 入库
  movement, an existing lot whose quantity differs gets a 盘点调整 movement, so stock and
  movements stay consistent and importing the same file twice changes nothing.
- ``StockExportResource`` / ``MovementExportResource``: exports (the stock export carries the
  import columns, so an exported sheet can be edited and imported back).
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import fields, resources, widgets
from import_export.instance_loaders import ModelInstanceLoader

from apps.files.cells import (
    ChoiceWidget,
    DateWidget,
    DecimalWidget,
    IdentifierWidget,
    IntegerWidget,
    TextWidget,
    YesNoWidget,
    cell_text,
    code_text,
)
from apps.files.spreadsheets import ScopedResource
from apps.orgs.models import Role, can_edit_unit

from . import services
from .models import Category, Item, Lot, Movement, Site, SiteLevel, StorageMode


def text(attribute, column_name):
    return fields.Field(attribute=attribute, column_name=column_name, widget=TextWidget())


def phone(attribute, column_name):
    return fields.Field(attribute=attribute, column_name=column_name, widget=IdentifierWidget())


def number(attribute, column_name):
    return fields.Field(
        attribute=attribute,
        column_name=column_name,
        widget=IntegerWidget(coerce_to_string=False),
    )


def count_widget():
    """Quantities and periods: whole numbers, not below 0."""
    return IntegerWidget(min_value=0)


class ScopedFKWidget(widgets.ForeignKeyWidget):
    """A foreign key by code among the records the importing user can see: another street's
    code reads as unknown (nothing leaks). The records are read in one query on the first
    row, then looked up by code in memory."""

    def __init__(self, model, field, label, **kwargs):
        super().__init__(model, field=field, **kwargs)
        self.label = label
        self.user = None
        self.by_code = None

    def get_queryset(self, value, row, *args, **kwargs):
        qs = self.model.objects.all()
        if hasattr(qs, "visible_to"):
            qs = qs.visible_to(self.user)
        if self.model is Site:
            qs = qs.select_related("org_unit")
        return qs

    def clean(self, value, row=None, **kwargs):
        code = code_text(value)
        if not code:
            raise ValueError(_("请填写%(label)s。") % {"label": self.label})
        if self.by_code is None:
            self.by_code = {
                str(getattr(obj, self.field)): obj for obj in self.get_queryset(value, row)
            }
        try:
            return self.by_code[code]
        except KeyError:
            if hasattr(self.model.objects, "visible_to"):
                message = _("%(label)s“%(value)s”不存在或不在您可查看的范围内。")
            else:
                message = _("%(label)s“%(value)s”不存在。")
            raise ValueError(message % {"label": self.label, "value": value}) from None


def _user_widgets(resource):
    for field in resource.fields.values():
        if isinstance(field.widget, ScopedFKWidget):
            field.widget.user = resource.user


# --- 储备库/点 ---------------------------------------------------------------------------------


class SiteResource(ScopedResource):
    column_synonyms = {
        "code": ("储备点代码", "储备库编码", "仓库编码"),
        "name": ("储备点名称", "储备库名称"),
        "keeper": ("管理员姓名", "负责人"),
        "keeper_phone": ("管理员联系电话", "负责人电话"),
        "contract_end": ("协议到期日期", "协议截止日期"),
    }
    code = text("code", gettext_lazy("储备点编码"))
    name = text("name", gettext_lazy("名称"))
    level = fields.Field(
        attribute="level", column_name=gettext_lazy("层级"), widget=ChoiceWidget(SiteLevel.choices)
    )
    mode = fields.Field(
        attribute="mode",
        column_name=gettext_lazy("储备方式"),
        widget=ChoiceWidget(StorageMode.choices),
    )
    partner = text("partner", gettext_lazy("协议单位"))
    partner_contact = text("partner_contact", gettext_lazy("协议单位联系人"))
    partner_phone = phone("partner_phone", gettext_lazy("协议单位电话"))
    contract_end = fields.Field(
        attribute="contract_end", column_name=gettext_lazy("协议到期日"), widget=DateWidget()
    )
    address = text("address", gettext_lazy("地址"))
    latitude = fields.Field(
        attribute="latitude", column_name=gettext_lazy("纬度"), widget=DecimalWidget()
    )
    longitude = fields.Field(
        attribute="longitude", column_name=gettext_lazy("经度"), widget=DecimalWidget()
    )
    keeper = text("keeper", gettext_lazy("管理员"))
    keeper_phone = phone("keeper_phone", gettext_lazy("管理员电话"))
    check_interval_days = fields.Field(
        attribute="check_interval_days",
        column_name=gettext_lazy("检查周期（天）"),
        widget=count_widget(),
        default=30,
    )
    next_check_date = fields.Field(
        attribute="next_check_date", column_name=gettext_lazy("下次检查日期"), widget=DateWidget()
    )

    class Meta:
        model = Site
        import_id_fields = ("code",)
        fields = (
            "code",
            "name",
            "org_unit",
            "level",
            "mode",
            "partner",
            "partner_contact",
            "partner_phone",
            "contract_end",
            "address",
            "latitude",
            "longitude",
            "keeper",
            "keeper_phone",
            "check_interval_days",
            "next_check_date",
        )
        clean_model_instances = True
        skip_diff = True

    def get_queryset(self):
        return super().get_queryset().select_related("org_unit")


# --- 物资目录 ----------------------------------------------------------------------------------


class ItemResource(ScopedResource):
    """The catalogue has no owning unit: the org unit column is dropped and only admins may
    import (the view refuses others; each row is refused too, should a job be queued anyway)."""

    column_synonyms = {
        "code": ("物资代码",),
        "spec": ("规格", "型号"),
        "unit": ("单位",),
        "expires": ("是否有保质期",),
    }

    code = text("code", gettext_lazy("物资编码"))
    name = text("name", gettext_lazy("物资名称"))
    category = fields.Field(
        attribute="category",
        column_name=gettext_lazy("物资类别"),
        widget=ChoiceWidget(Category.choices),
    )
    spec = text("spec", gettext_lazy("规格型号"))
    unit = text("unit", gettext_lazy("计量单位"))
    expires = fields.Field(
        attribute="expires", column_name=gettext_lazy("有保质期"), widget=YesNoWidget(blank=False)
    )
    shelf_life_months = fields.Field(
        attribute="shelf_life_months",
        column_name=gettext_lazy("保质期（月）"),
        widget=count_widget(),
    )

    class Meta:
        model = Item
        import_id_fields = ("code",)
        fields = ("code", "name", "category", "spec", "unit", "expires", "shelf_life_months")
        clean_model_instances = True
        skip_diff = True

    def __init__(self, user=None, **kwargs):
        super().__init__(user=user, **kwargs)
        self.fields.pop("org_unit", None)

    def get_queryset(self):
        return Item.objects.all()

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors = dict(import_validation_errors or {})
        user = self.user
        if not (user and (user.is_superuser or user.role == Role.ADMIN)):
            errors.setdefault("code", []).append(_("物资目录只能由系统管理员导入。"))
        resources.ModelResource.validate_instance(self, instance, errors, validate_unique)

    def before_save_instance(self, instance, row, **kwargs):
        pass  # the catalogue keeps no created_by/updated_by


# --- 库存 ------------------------------------------------------------------------------------


class _SiteRowsResource(ScopedResource):
    """Rows owned through their site (lots, movements): the unit column shows the site's."""

    org_unit = fields.Field(
        attribute="site__org_unit__code", column_name=gettext_lazy("所属单位编码"), readonly=True
    )

    def __init__(self, user=None, **kwargs):
        super().__init__(user=user, **kwargs)
        _user_widgets(self)


class StockExportResource(_SiteRowsResource):
    site = fields.Field(
        attribute="site",
        column_name=gettext_lazy("储备点编码"),
        widget=widgets.ForeignKeyWidget(Site, field="code"),
    )
    site_name = fields.Field(
        attribute="site__name", column_name=gettext_lazy("储备点名称"), readonly=True
    )
    item = fields.Field(
        attribute="item",
        column_name=gettext_lazy("物资编码"),
        widget=widgets.ForeignKeyWidget(Item, field="code"),
    )
    item_name = fields.Field(
        attribute="item__name", column_name=gettext_lazy("物资名称"), readonly=True
    )
    category = fields.Field(
        attribute="item__category",
        column_name=gettext_lazy("物资类别"),
        widget=ChoiceWidget(Category.choices),
        readonly=True,
    )
    unit = fields.Field(attribute="item__unit", column_name=gettext_lazy("计量单位"), readonly=True)
    lot_no = text("lot_no", gettext_lazy("批次号"))
    expiry_date = fields.Field(
        attribute="expiry_date", column_name=gettext_lazy("有效期至"), widget=DateWidget()
    )
    quantity = number("quantity", gettext_lazy("库存数量"))

    class Meta:
        model = Lot
        fields = (
            "org_unit",
            "site",
            "site_name",
            "item",
            "item_name",
            "category",
            "unit",
            "lot_no",
            "expiry_date",
            "quantity",
        )


class LotLoader(ModelInstanceLoader):
    """Finds the existing lot of each row from one query for all the sites in the file
    (instead of one query per row)."""

    def get_instance(self, row):
        resource = self.resource
        if not hasattr(self, "cache"):
            column = str(resource.fields["site"].column_name)
            codes = {code_text(v) for v in self.dataset[column]} if self.dataset else set()
            lots = self.get_queryset().filter(site__code__in=codes)
            self.cache = {(lot.site_id, lot.item_id, lot.lot_no): lot for lot in lots}
        site = resource.fields["site"].clean(row)
        item = resource.fields["item"].clean(row)
        lot_no = resource.fields["lot_no"].clean(row)
        return self.cache.get((site.pk, item.pk, lot_no))


class LotImportResource(_SiteRowsResource):
    # What a blank cell means here (``before_import_row``, ``validate_instance``), for the
    # template's 说明.
    column_notes = {
        "lot_no": {
            "required": gettext_lazy("选填"),
            "blank": gettext_lazy("按有效期生成批次号；无有效期的物资为同一批次"),
            "example": "2026-A",
        },
        "quantity": {"required": gettext_lazy("必填"), "blank": gettext_lazy("不能留空")},
    }
    column_synonyms = {
        "site": ("储备点代码", "储备库编码", "仓库编码"),
        "item": ("物资代码",),
        "lot_no": ("批号", "批次"),
        "expiry_date": ("有效期", "有效日期", "保质期至", "失效日期"),
        "quantity": ("数量", "库存", "结存数量", "库存量", "实有数量"),
    }
    site = fields.Field(
        attribute="site",
        column_name=gettext_lazy("储备点编码"),
        widget=ScopedFKWidget(Site, "code", gettext_lazy("储备点编码")),
    )
    item = fields.Field(
        attribute="item",
        column_name=gettext_lazy("物资编码"),
        widget=ScopedFKWidget(Item, "code", gettext_lazy("物资编码")),
    )
    lot_no = text("lot_no", gettext_lazy("批次号"))
    expiry_date = fields.Field(
        attribute="expiry_date", column_name=gettext_lazy("有效期至"), widget=DateWidget()
    )
    quantity = fields.Field(
        attribute="quantity", column_name=gettext_lazy("库存数量"), widget=count_widget()
    )

    class Meta:
        model = Lot
        import_id_fields = ("site", "item", "lot_no")
        fields = ("site", "item", "lot_no", "expiry_date", "quantity")
        instance_loader_class = LotLoader
        skip_diff = True
        # Rows write nothing one by one (``save_instance`` only collects them), so they need
        # no savepoint each: ``after_import`` applies them all at once.
        use_bulk = True

    def __init__(self, user=None, **kwargs):
        super().__init__(user=user, **kwargs)
        self.fields.pop("org_unit", None)  # the site decides the unit
        self.target = {}
        self.pending = []  # rows to apply, in order, after every row has been checked

    def get_queryset(self):
        return Lot.objects.visible_to(self.user)

    def before_import_row(self, row, **kwargs):
        """Check the site and item codes first (they find the lot, so an unknown one is
        reported on its column), and turn a blank 批次号 into the default one derived from
        the expiry date, so the row finds the same lot as a movement form would."""
        errors = {}
        for name in ("site", "item"):
            field = self.fields[name]
            try:
                field.clean(row)
            except ValueError as exc:
                errors[name] = [str(exc)]
            except KeyError:
                pass  # a missing column is reported for the whole file
        if errors:
            raise ValidationError(errors)
        lot_column, expiry_column = (
            str(self.fields["lot_no"].column_name),
            str(self.fields["expiry_date"].column_name),
        )
        if cell_text(row.get(lot_column)):
            row[lot_column] = cell_text(row[lot_column])
            return
        try:
            expiry = self.fields["expiry_date"].widget.clean(row.get(expiry_column))
        except ValueError:
            expiry = None  # reported on the 有效期至 column
        row[lot_column] = services.default_lot_no(expiry)

    def import_instance(self, instance, row, **kwargs):
        self.target[id(instance)] = (instance.pk, instance.expiry_date)
        super().import_instance(instance, row, **kwargs)

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors = dict(import_validation_errors or {})
        site = instance.site if "site" not in errors and instance.site_id else None
        item = instance.item if "item" not in errors and instance.item_id else None
        if site is not None and not can_edit_unit(self.user, site.org_unit):
            errors["site"] = [_("储备点“%(site)s”不在您可维护的范围内。") % {"site": site.code}]
        if "quantity" not in errors and instance.quantity is None:
            errors["quantity"] = [_("请填写库存数量。")]
        missing_expiry = item is not None and item.expires and not instance.expiry_date
        if missing_expiry and "expiry_date" not in errors:
            errors["expiry_date"] = [
                _("“%(item)s”有保质期，请填写有效期至。") % {"item": item.name}
            ]
        pk, old_expiry = self.target.pop(id(instance), (None, None))
        if pk and "expiry_date" not in errors and old_expiry != instance.expiry_date:
            errors["expiry_date"] = [
                _("批次“%(lot)s”已登记的有效期为%(date)s，与本行不一致。")
                % {"lot": instance.lot_no, "date": old_expiry or _("无")}
            ]
        if site is not None and not pk and not site.is_active and "site" not in errors:
            errors["site"] = [_("储备点“%(site)s”已停用。") % {"site": site.name}]
        if errors:
            raise ValidationError(errors)

    def save_instance(self, instance, is_create, row, **kwargs):
        self.pending.append(
            (instance.site, instance.item, instance.quantity, instance.lot_no, instance.expiry_date)
        )

    def after_import(self, dataset, result, **kwargs):
        """Apply every checked row at once, in the import's transaction (so all or nothing).
        Nothing is written by the check, nor when a row was refused."""
        pending, self.pending = self.pending, []
        failed = result.has_errors() or result.has_validation_errors()
        if pending and not self.dry_run and not failed:  # the check never writes
            services.set_lot_balances(self.user, pending, note=_("Excel 导入"))
        super().after_import(dataset, result, **kwargs)


class MovementExportResource(_SiteRowsResource):
    voucher = text("voucher", gettext_lazy("单据号"))
    occurred_at = fields.Field(
        attribute="occurred_at",
        column_name=gettext_lazy("发生时间"),
        widget=widgets.DateTimeWidget(format="%Y-%m-%d %H:%M"),
    )
    kind = text("get_kind_display", gettext_lazy("类型"))
    site_code = text("site__code", gettext_lazy("储备点编码"))
    site_name = text("site__name", gettext_lazy("储备点名称"))
    item_code = text("item__code", gettext_lazy("物资编码"))
    item_name = text("item__name", gettext_lazy("物资名称"))
    unit = text("item__unit", gettext_lazy("计量单位"))
    lot_no = text("lot__lot_no", gettext_lazy("批次号"))
    quantity_change = number("quantity_change", gettext_lazy("数量变动"))
    balance_after = number("balance_after", gettext_lazy("变动后批次结存"))
    counterpart = text("counterpart_site__name", gettext_lazy("对方储备点"))
    recipient = text("recipient", gettext_lazy("领用单位/人"))
    purpose = text("purpose", gettext_lazy("用途/原因"))
    operator = text("created_by", gettext_lazy("经办人"))

    class Meta:
        model = Movement
        fields = (
            "voucher",
            "occurred_at",
            "kind",
            "org_unit",
            "site_code",
            "site_name",
            "item_code",
            "item_name",
            "unit",
            "lot_no",
            "quantity_change",
            "balance_after",
            "counterpart",
            "recipient",
            "purpose",
            "operator",
        )

    def dehydrate_operator(self, movement):
        user = movement.created_by
        return (user.get_full_name() or user.username) if user else ""
