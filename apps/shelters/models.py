"""应急避难场所: shelters with their type and class (reference data admins configure), area and
capacity, facilities checklist, status (可用 / 维护中 / 已启用), opening history (启用记录) and
inspections (检查) with a next-inspection date. The key indicator — effective shelter area per
resident against the 1.2 m² target — is ``services.area_per_resident``."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.orgs.models import ScopedModel, ScopedQuerySet


class ReferenceModel(models.Model):
    name = models.CharField(_("名称"), max_length=50, unique=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        abstract = True
        ordering = ["sort_order", "name"]

    def __str__(self):
        return self.name


class ShelterType(ReferenceModel):
    """场所类型: 公园绿地, 广场, 学校, 体育场馆, 社区服务设施 …"""

    class Meta(ReferenceModel.Meta):
        verbose_name = _("避难场所类型")
        verbose_name_plural = _("避难场所类型")


class ShelterClass(ReferenceModel):
    """场所等级: Ⅰ类/Ⅱ类/Ⅲ类 or 紧急/固定/中心, as the admin configures."""

    description = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta(ReferenceModel.Meta):
        verbose_name = _("避难场所等级")
        verbose_name_plural = _("避难场所等级")


class Facility(ReferenceModel):
    """Facilities checklist items: 供水, 供电, 厕所, 医疗点, 物资储备, 应急广播, 标识 …"""

    class Meta(ReferenceModel.Meta):
        verbose_name = _("避难场所设施")
        verbose_name_plural = _("避难场所设施")


class Setting(models.TextChoices):
    INDOOR = "indoor", _("室内")
    OUTDOOR = "outdoor", _("室外")


class ShelterStatus(models.TextChoices):
    AVAILABLE = "available", _("可用")
    MAINTENANCE = "maintenance", _("维护中")
    ACTIVATED = "activated", _("已启用")


class ShelterQuerySet(ScopedQuerySet):
    def inspection_overdue(self, today=None):
        return self.filter(next_inspection_date__lt=today or timezone.localdate())


class Shelter(ScopedModel):
    name = models.CharField(_("场所名称"), max_length=200)
    setting = models.CharField(_("室内/室外"), max_length=16, choices=Setting.choices)
    shelter_type = models.ForeignKey(
        ShelterType, verbose_name=_("场所类型"), on_delete=models.PROTECT, related_name="+"
    )
    shelter_class = models.ForeignKey(
        ShelterClass, verbose_name=_("场所等级"), on_delete=models.PROTECT, related_name="+"
    )
    address = models.CharField(_("地址"), max_length=200)
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(
        _("经度"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    total_area = models.DecimalField(_("总面积（m²）"), max_digits=12, decimal_places=2)
    effective_area = models.DecimalField(
        _("有效避难面积（m²）"),
        max_digits=12,
        decimal_places=2,
        help_text=_("可用于避难的面积，不超过总面积。"),
    )
    capacity = models.PositiveIntegerField(_("可容纳人数"))
    facilities = models.ManyToManyField(
        Facility, verbose_name=_("配套设施"), blank=True, related_name="shelters"
    )
    managing_unit = models.CharField(_("管理单位"), max_length=100)
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=ShelterStatus.choices, default=ShelterStatus.AVAILABLE
    )
    next_inspection_date = models.DateField(
        _("下次检查日期"), null=True, blank=True, editable=False
    )
    notes = models.TextField(_("备注"), blank=True)

    objects = ShelterQuerySet.as_manager()

    class Meta:
        verbose_name = _("应急避难场所")
        verbose_name_plural = _("应急避难场所")
        ordering = ["org_unit__path", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["org_unit", "name"],
                name="shelter_unique_name",
                violation_error_message=_("该单位已有同名的避难场所。"),
            ),
            models.CheckConstraint(
                condition=Q(effective_area__lte=F("total_area")),
                name="shelter_effective_within_total",
                violation_error_message=_("有效避难面积不能大于总面积。"),
            ),
        ]
        indexes = [models.Index(fields=["status"], name="shelter_status")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("shelters:detail", args=[self.pk])

    def clean(self):
        super().clean()
        if (
            self.total_area is not None
            and self.effective_area is not None
            and self.effective_area > self.total_area
        ):
            raise ValidationError({"effective_area": _("有效避难面积不能大于总面积。")})

    @property
    def inspection_overdue(self):
        return (
            self.next_inspection_date is not None
            and self.next_inspection_date < timezone.localdate()
        )


class ShelterChildQuerySet(ScopedQuerySet):
    scope_path = "shelter__org_unit__path"


class ShelterOpening(models.Model):
    """One activation (启用) of a shelter, from opening to closing."""

    shelter = models.ForeignKey(
        Shelter, verbose_name=_("避难场所"), on_delete=models.CASCADE, related_name="openings"
    )
    opened_at = models.DateTimeField(_("启用时间"))
    reason = models.CharField(_("启用原因"), max_length=200, help_text=_("如：台风“贝碧嘉”过境。"))
    closed_at = models.DateTimeField(_("关闭时间"), null=True, blank=True)
    people_sheltered = models.PositiveIntegerField(_("安置人数"), null=True, blank=True)
    opened_by = models.ForeignKey(
        "orgs.User", verbose_name=_("启用人"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    closed_by = models.ForeignKey(
        "orgs.User",
        verbose_name=_("关闭人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = ShelterChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("启用记录")
        verbose_name_plural = _("启用记录")
        ordering = ["-opened_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["shelter"],
                condition=Q(closed_at__isnull=True),
                name="shelter_one_open",
                violation_error_message=_("该避难场所已处于启用状态，请先结束当前启用。"),
            )
        ]

    def __str__(self):
        return f"{self.shelter} · {self.opened_at:%Y-%m-%d}"


class ShelterInspection(models.Model):
    class Result(models.TextChoices):
        PASSED = "passed", _("合格")
        NEEDS_FIX = "needs_fix", _("需整改")

    shelter = models.ForeignKey(
        Shelter, verbose_name=_("避难场所"), on_delete=models.CASCADE, related_name="inspections"
    )
    inspected_on = models.DateField(_("检查日期"))
    inspector = models.CharField(_("检查人"), max_length=100)
    result = models.CharField(_("检查结论"), max_length=16, choices=Result.choices)
    findings = models.TextField(_("检查发现"), blank=True)
    next_inspection_date = models.DateField(_("下次检查日期"))
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    created_by = models.ForeignKey(
        "orgs.User", verbose_name=_("创建人"), on_delete=models.PROTECT, null=True, related_name="+"
    )

    objects = ShelterChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("避难场所检查")
        verbose_name_plural = _("避难场所检查")
        ordering = ["-inspected_on", "-pk"]

    def __str__(self):
        return f"{self.shelter} · {self.inspected_on}"
