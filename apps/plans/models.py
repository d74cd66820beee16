"""应急预案: the street's "1 + N + M" plan system — 1 overall plan (总体预案), N special and
department plans (专项/部门预案), M community plans (居民区预案) — with versions (修订) and a review
cycle that drives reminders."""

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.files.uploads import RandomUploadTo, validate_word_or_pdf
from apps.orgs.models import ScopedModel, ScopedQuerySet
from resilience.dates import add_months

DEFAULT_REVIEW_CYCLE_MONTHS = 36


class HazardType(models.Model):
    """Reference data: the kinds of emergency a plan covers (防汛防台, 火灾, 地震 …)."""

    name = models.CharField(_("名称"), max_length=50, unique=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("灾害事故类型")
        verbose_name_plural = _("灾害事故类型")
        ordering = ["sort_order", "name"]

    def __str__(self):
        return self.name


class PlanQuerySet(ScopedQuerySet):
    def in_force(self):
        return self.filter(status=Plan.Status.IN_FORCE)

    def review_overdue(self, today=None):
        today = today or timezone.localdate()
        return self.filter(
            status__in=[Plan.Status.IN_FORCE, Plan.Status.REVISING], next_review_date__lt=today
        )


class Plan(ScopedModel):
    class Kind(models.TextChoices):
        OVERALL = "overall", _("总体预案")
        SPECIAL = "special", _("专项预案")
        DEPARTMENT = "department", _("部门预案")
        COMMUNITY = "community", _("居民区预案")

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        IN_FORCE = "in_force", _("生效")
        REVISING = "revising", _("修订中")
        RETIRED = "retired", _("已废止")

    kind = models.CharField(_("预案类别"), max_length=16, choices=Kind.choices)
    title = models.CharField(_("预案名称"), max_length=200)
    hazard_types = models.ManyToManyField(
        HazardType, verbose_name=_("适用灾害事故类型"), blank=True, related_name="plans"
    )
    department = models.CharField(
        _("责任部门"), max_length=100, help_text=_("如：街道应急办、平安办、社区服务办。")
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    effective_date = models.DateField(_("生效日期"), null=True, blank=True)
    review_cycle_months = models.PositiveSmallIntegerField(
        _("评估修订周期（月）"), default=DEFAULT_REVIEW_CYCLE_MONTHS
    )
    next_review_date = models.DateField(_("下次评估日期"), null=True, blank=True, editable=False)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级预案"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        help_text=_("居民区预案、专项预案挂在街道总体预案之下。"),
    )
    retired_reason = models.CharField(_("废止原因"), max_length=200, blank=True)

    objects = PlanQuerySet.as_manager()

    class Meta:
        verbose_name = _("应急预案")
        verbose_name_plural = _("应急预案")
        ordering = ["org_unit__path", "kind", "title"]
        indexes = [
            models.Index(fields=["status", "next_review_date"], name="plan_status_review"),
            models.Index(fields=["org_unit", "kind", "status"], name="plan_unit_kind_status"),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.next_review_date = (
            add_months(self.effective_date, self.review_cycle_months)
            if self.effective_date
            else None
        )
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("plans:detail", args=[self.pk])

    @property
    def review_overdue(self):
        return (
            self.status in (self.Status.IN_FORCE, self.Status.REVISING)
            and self.next_review_date is not None
            and self.next_review_date < timezone.localdate()
        )


class PlanVersionQuerySet(ScopedQuerySet):
    scope_path = "plan__org_unit__path"


class PlanVersion(models.Model):
    """One revision (修订) of a plan. Exactly one version of a plan is current."""

    plan = models.ForeignKey(
        Plan, verbose_name=_("预案"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveSmallIntegerField(_("版本号"))
    version_date = models.DateField(_("修订日期"))
    change_summary = models.TextField(_("修订说明"))
    is_current = models.BooleanField(_("现行版本"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    created_by = models.ForeignKey(
        "orgs.User", verbose_name=_("创建人"), on_delete=models.PROTECT, null=True, related_name="+"
    )

    objects = PlanVersionQuerySet.as_manager()

    class Meta:
        verbose_name = _("预案版本")
        verbose_name_plural = _("预案版本")
        ordering = ["plan", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "number"],
                name="planversion_unique_number",
                violation_error_message=_("该预案已有相同版本号的版本。"),
            ),
            models.UniqueConstraint(
                fields=["plan"],
                condition=Q(is_current=True),
                name="planversion_one_current",
                violation_error_message=_("每个预案只能有一个现行版本。"),
            ),
        ]

    def __str__(self):
        return _("%(plan)s 第%(number)s版") % {"plan": self.plan, "number": self.number}


class PlanAttachmentQuerySet(ScopedQuerySet):
    scope_path = "version__plan__org_unit__path"


class PlanAttachment(models.Model):
    version = models.ForeignKey(
        PlanVersion, verbose_name=_("版本"), on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(
        _("文件"), upload_to=RandomUploadTo("plans"), validators=[validate_word_or_pdf]
    )
    original_name = models.CharField(_("文件名"), max_length=255)
    size = models.PositiveIntegerField(_("大小（字节）"), default=0)

    objects = PlanAttachmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("预案附件")
        verbose_name_plural = _("预案附件")

    def __str__(self):
        return self.original_name
