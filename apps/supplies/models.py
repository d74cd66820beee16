"""Emergency supplies (应急物资): storage sites, the item catalogue, stock in lots, the
configuration standard (配置标准), movements and periodic checks.

Stock is held per lot (``Lot.quantity``) and changes only through ``apps.supplies.services``,
which writes one ``Movement`` row per lot change in the same transaction, under row locks, so
``Lot.quantity`` always equals the sum of that lot's movements and never goes below zero (the
column is also a positive integer with a CHECK constraint as a last guard).

Sites are scoped records (``ScopedModel``); lots, standards, movements and checks belong to a
site and are scoped through it (``scope_path = "site__org_unit__path"``). The catalogue is
reference data shared by every street, edited by admins.
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.orgs.models import ScopedModel, ScopedQuerySet


class Category(models.TextChoices):
    LIVING = "living", _("生活救助类")
    FLOOD = "flood", _("防汛防台类")
    FIRE = "fire", _("消防类")
    MEDICAL = "medical", _("医疗救护类")
    LIGHTING = "lighting", _("通信照明类")
    OTHER = "other", _("其他")


def category_order(field="category"):
    """Sort key following the catalogue's category order (生活救助类 first), not the codes."""
    return models.Case(
        *[
            models.When(**{field: value}, then=models.Value(i))
            for i, value in enumerate(Category.values)
        ],
        default=models.Value(len(Category.values)),
        output_field=models.IntegerField(),
    )


class ItemManager(models.Manager):
    def get_by_natural_key(self, code):
        return self.get(code=code)


class Item(models.Model):
    """物资目录: reference data (fixtures/supplies_items.json, loaded by a data migration)."""

    code = models.CharField(_("物资编码"), max_length=32, unique=True)
    name = models.CharField(_("物资名称"), max_length=100)
    category = models.CharField(_("物资类别"), max_length=16, choices=Category.choices)
    spec = models.CharField(_("规格型号"), max_length=100, blank=True)
    unit = models.CharField(_("计量单位"), max_length=16, default="件")
    expires = models.BooleanField(_("有保质期"), default=False)
    shelf_life_months = models.PositiveSmallIntegerField(_("保质期（月）"), null=True, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    objects = ItemManager()

    class Meta:
        verbose_name = _("物资目录")
        verbose_name_plural = _("物资目录")
        ordering = ["category", "code"]

    def __str__(self):
        return f"{self.name}（{self.unit}）" if self.unit else self.name

    def natural_key(self):
        return (self.code,)

    def clean(self):
        super().clean()
        if self.shelf_life_months and not self.expires:
            raise ValidationError({"expires": _("填写了保质期的物资应勾选“有保质期”。")})


class SiteLevel(models.TextChoices):
    DISTRICT = "district", _("区级")
    STREET = "street", _("街镇级")
    COMMUNITY = "community", _("居村级")


class StorageMode(models.TextChoices):
    OWN = "own", _("自有储备")
    AGREEMENT = "agreement", _("协议储备")


class SiteQuerySet(ScopedQuerySet):
    pass


class Site(ScopedModel):
    """储备库/储备点."""

    code = models.CharField(
        _("储备点编码"),
        max_length=40,
        unique=True,
        help_text=_("留空时自动生成，如 310115005-01。导入时以此编码识别储备点。"),
    )
    name = models.CharField(_("名称"), max_length=100)
    level = models.CharField(_("层级"), max_length=16, choices=SiteLevel.choices)
    mode = models.CharField(
        _("储备方式"), max_length=16, choices=StorageMode.choices, default=StorageMode.OWN
    )
    partner = models.CharField(_("协议单位"), max_length=100, blank=True)
    partner_contact = models.CharField(_("协议单位联系人"), max_length=50, blank=True)
    partner_phone = models.CharField(_("协议单位电话"), max_length=30, blank=True)
    contract_end = models.DateField(_("协议到期日"), null=True, blank=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(
        _("经度"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    area = models.DecimalField(
        _("面积（㎡）"), max_digits=8, decimal_places=1, null=True, blank=True
    )
    keeper = models.CharField(_("管理员"), max_length=50, blank=True)
    keeper_phone = models.CharField(_("管理员电话"), max_length=30, blank=True)
    check_interval_days = models.PositiveSmallIntegerField(
        _("检查周期（天）"), default=30, help_text=_("日常维护/盘点的间隔，用于计算下次检查日期。")
    )
    next_check_date = models.DateField(_("下次检查日期"), null=True, blank=True)
    is_active = models.BooleanField(_("在用"), default=True)
    note = models.TextField(_("备注"), blank=True)

    objects = SiteQuerySet.as_manager()

    class Meta:
        verbose_name = _("储备库/点")
        verbose_name_plural = _("储备库/点")
        ordering = ["org_unit__path", "level", "name"]
        indexes = [models.Index(fields=["org_unit", "level"], name="supplies_site_unit_level")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("supplies:site_detail", args=[self.pk])

    @property
    def check_overdue(self):
        return bool(self.next_check_date and self.next_check_date < timezone.localdate())

    @property
    def contract_expiring(self):
        """An agreement whose contract ends within 30 days (or has ended)."""
        return bool(
            self.mode == StorageMode.AGREEMENT
            and self.contract_end
            and self.contract_end <= timezone.localdate() + datetime.timedelta(days=30)
        )

    def clean(self):
        super().clean()
        if self.mode == StorageMode.AGREEMENT:
            errors = {}
            if not self.partner:
                errors["partner"] = _("协议储备必须填写协议单位。")
            if not self.contract_end:
                errors["contract_end"] = _("协议储备必须填写协议到期日。")
            if errors:
                raise ValidationError(errors)
        if (self.latitude is None) != (self.longitude is None):
            raise ValidationError(_("经纬度需同时填写。"))
        if self.latitude is not None and not -90 <= self.latitude <= 90:
            raise ValidationError({"latitude": _("纬度应在 -90 到 90 之间。")})
        if self.longitude is not None and not -180 <= self.longitude <= 180:
            raise ValidationError({"longitude": _("经度应在 -180 到 180 之间。")})


class SiteScopedQuerySet(ScopedQuerySet):
    scope_path = "site__org_unit__path"


class SiteOwned(models.Model):
    """Rows that belong to a site: scoped through it, attributable."""

    site = models.ForeignKey(Site, verbose_name=_("储备库/点"), on_delete=models.PROTECT)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("最后修改人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )

    objects = SiteScopedQuerySet.as_manager()

    class Meta:
        abstract = True

    @property
    def org_unit(self):
        return self.site.org_unit


class Lot(SiteOwned):
    """A lot (批次) of one item at one site. ``quantity`` changes only through movements."""

    item = models.ForeignKey(Item, verbose_name=_("物资"), on_delete=models.PROTECT)
    lot_no = models.CharField(_("批次号"), max_length=40)
    expiry_date = models.DateField(_("有效期至"), null=True, blank=True)
    quantity = models.PositiveIntegerField(_("库存数量"), default=0, editable=False)
    received_on = models.DateField(_("首次入库日期"), default=timezone.localdate)

    class Meta:
        verbose_name = _("库存批次")
        verbose_name_plural = _("库存批次")
        ordering = ["site", "item", "expiry_date", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["site", "item", "lot_no"],
                name="supplies_lot_unique_per_site_item",
                violation_error_message=_("该储备点已有同一物资的相同批号。"),
            ),
            models.CheckConstraint(
                condition=models.Q(quantity__gte=0),
                name="supplies_lot_quantity_not_negative",
                violation_error_message=_("库存数量不能为负数。"),
            ),
        ]
        indexes = [
            models.Index(fields=["expiry_date"], name="supplies_lot_expiry"),
            # a scope's lots expiring soon (overview, site page): per site, a range of dates
            models.Index(fields=["site", "expiry_date"], name="supplies_lot_site_expiry"),
        ]

    def __str__(self):
        return f"{self.item.name} {self.lot_no}"

    @property
    def days_left(self):
        if self.expiry_date is None:
            return None
        return (self.expiry_date - timezone.localdate()).days


def usable_lots(today=None, prefix=""):
    """The one definition of usable stock: a lot without an expiry date or expiring today or
    later. Expired lots are not stock on hand, not "expiring" and cannot be dispatched; they
    wait for 报损. ``prefix`` leads from another model to the lot (``"lot__"``)."""
    today = today or timezone.localdate()
    return models.Q(**{f"{prefix}expiry_date__isnull": True}) | models.Q(
        **{f"{prefix}expiry_date__gte": today}
    )


class Standard(SiteOwned):
    """配置标准: the minimum quantity of an item a site must hold."""

    item = models.ForeignKey(Item, verbose_name=_("物资"), on_delete=models.PROTECT)
    minimum = models.PositiveIntegerField(_("最低储备数量"))

    class Meta:
        verbose_name = _("配置标准")
        verbose_name_plural = _("配置标准")
        ordering = ["site", "item"]
        constraints = [
            models.UniqueConstraint(
                fields=["site", "item"],
                name="supplies_standard_unique",
                violation_error_message=_("该储备点已设置该物资的配置标准。"),
            )
        ]

    def __str__(self):
        return f"{self.site} · {self.item.name} ≥ {self.minimum}"


class AgreementTerm(SiteOwned):
    """协议条款 of an agreement reserve (协议储备): an item the partner keeps ready, how much of
    it, and within how many hours of a call-off (调用) it is delivered. Only an agreement
    site has terms (``services.set_agreement_term``)."""

    item = models.ForeignKey(Item, verbose_name=_("物资"), on_delete=models.PROTECT)
    quantity = models.PositiveIntegerField(_("协议数量"))
    promised_hours = models.PositiveSmallIntegerField(
        _("承诺送达时限（小时）"), help_text=_("接到调用通知后多少小时内送达。")
    )

    class Meta:
        verbose_name = _("协议条款")
        verbose_name_plural = _("协议条款")
        ordering = ["site", "item"]
        constraints = [
            models.UniqueConstraint(
                fields=["site", "item"],
                name="supplies_term_unique",
                violation_error_message=_("该协议储备已约定此物资。"),
            ),
            models.CheckConstraint(
                condition=models.Q(quantity__gte=1),
                name="supplies_term_quantity_positive",
                violation_error_message=_("协议数量须大于 0。"),
            ),
            models.CheckConstraint(
                condition=models.Q(promised_hours__gte=1),
                name="supplies_term_hours_positive",
                violation_error_message=_("承诺送达时限须至少 1 小时。"),
            ),
        ]

    def __str__(self):
        return f"{self.site} · {self.item.name} × {self.quantity}（{self.promised_hours}h）"

    def clean(self):
        super().clean()
        if self.site_id and self.site.mode != StorageMode.AGREEMENT:
            raise ValidationError({"site": _("只有协议储备点可以约定协议条款。")})


class MovementKind(models.TextChoices):
    RECEIVE = "receive", _("入库")
    DISPATCH = "dispatch", _("出库")
    TRANSFER_OUT = "transfer_out", _("调拨调出")
    TRANSFER_IN = "transfer_in", _("调拨调入")
    WRITE_OFF = "write_off", _("报损")
    ADJUST = "adjust", _("盘点调整")


class Movement(SiteOwned):
    """One change of one lot's quantity. A 调拨 is two or more rows with the same voucher:
    调出 rows at the source site, 调入 rows at the destination. Movements are never edited."""

    voucher = models.CharField(_("单据号"), max_length=32, db_index=True)
    kind = models.CharField(_("类型"), max_length=16, choices=MovementKind.choices)
    item = models.ForeignKey(Item, verbose_name=_("物资"), on_delete=models.PROTECT)
    lot = models.ForeignKey(
        Lot, verbose_name=_("批次"), on_delete=models.PROTECT, related_name="movements"
    )
    quantity_change = models.IntegerField(_("数量变动"))
    balance_after = models.PositiveIntegerField(_("变动后批次结存"))
    counterpart_site = models.ForeignKey(
        Site,
        verbose_name=_("对方储备点"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    recipient = models.CharField(_("领用单位/人"), max_length=100, blank=True)
    purpose = models.CharField(_("用途/原因"), max_length=200, blank=True)
    occurred_at = models.DateTimeField(_("发生时间"), default=timezone.now)

    class Meta:
        verbose_name = _("出入库记录")
        verbose_name_plural = _("出入库记录")
        ordering = ["-occurred_at", "-pk"]
        indexes = [
            models.Index(fields=["site", "-occurred_at"], name="supplies_move_site_time"),
            # the movements list of a district or the city: newest first, scope tested per row
            models.Index(fields=["-occurred_at", "-id"], name="supplies_move_time"),
        ]

    def __str__(self):
        return (
            f"{self.voucher} {self.get_kind_display()} {self.item.name} {self.quantity_change:+d}"
        )


class CheckKind(models.TextChoices):
    MAINTENANCE = "maintenance", _("日常维护")
    STOCKTAKE = "stocktake", _("盘点")


class CheckResult(models.TextChoices):
    OK = "ok", _("正常")
    ISSUES = "issues", _("发现问题")


class SiteCheck(SiteOwned):
    """日常维护/盘点 of a site, with findings; recording one moves the site's next-check date."""

    kind = models.CharField(
        _("检查类型"), max_length=16, choices=CheckKind.choices, default=CheckKind.MAINTENANCE
    )
    checked_on = models.DateField(_("检查日期"), default=timezone.localdate)
    checker = models.CharField(_("检查人"), max_length=50)
    result = models.CharField(
        _("检查结果"), max_length=16, choices=CheckResult.choices, default=CheckResult.OK
    )
    findings = models.TextField(_("检查情况"), blank=True)

    class Meta:
        verbose_name = _("日常维护/盘点")
        verbose_name_plural = _("日常维护/盘点")
        ordering = ["-checked_on", "-pk"]

    def __str__(self):
        return f"{self.site} {self.get_kind_display()} {self.checked_on}"
