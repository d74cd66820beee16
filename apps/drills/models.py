"""应急演练: annual drill plans (年度演练计划) per street or community, the drills in them
(planned, held or cancelled) with their summary, photos and attachments, and the problems found,
each a follow-up action (整改措施) with an owner, a due date and a done flag."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from apps.files.uploads import RandomUploadTo, validate_document, validate_image
from apps.orgs.models import ScopedModel, ScopedQuerySet


class DrillForm(models.TextChoices):
    LIVE = "live", _("实战演练")
    TABLETOP = "tabletop", _("桌面推演")
    SCENARIO = "scenario", _("场景演练")


class DrillTheme(models.TextChoices):
    FIRE = "fire", _("消防")
    FLOOD = "flood", _("防汛防台")
    EARTHQUAKE = "earthquake", _("地震疏散")
    GAS = "gas", _("燃气泄漏")
    ELEVATOR = "elevator", _("电梯困人")
    OTHER = "other", _("其他")


class DrillStatus(models.TextChoices):
    # "计划" and "取消" are also the noun "plan" and the button "cancel": the states carry a
    # context so English reads "Planned" and "Cancelled".
    PLANNED = "planned", pgettext_lazy("drill status", "计划")
    COMPLETED = "completed", _("已完成")
    CANCELLED = "cancelled", pgettext_lazy("drill status", "取消")


class DrillPlan(ScopedModel):
    """年度演练计划 of one unit (a street, a department of it, or a community) for one year."""

    year = models.PositiveSmallIntegerField(_("年度"))
    title = models.CharField(_("计划名称"), max_length=200)
    department = models.CharField(
        _("编制部门"), max_length=100, blank=True, help_text=_("如：街道应急办、居委会。")
    )
    notes = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = _("年度演练计划")
        verbose_name_plural = _("年度演练计划")
        ordering = ["-year", "org_unit__path", "title"]
        constraints = [
            models.UniqueConstraint(
                fields=["org_unit", "year", "title"],
                name="drillplan_unique_title",
                violation_error_message=_("该单位本年度已有同名的演练计划。"),
            )
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("drills:plan_detail", args=[self.pk])


class DrillQuerySet(ScopedQuerySet):
    def held(self):
        return self.filter(status=DrillStatus.COMPLETED)

    def with_action_counts(self, today=None):
        """Open and overdue follow-up action counts per drill, as annotations (one query).
        Subqueries, so PostgreSQL counts them for the rows of a page only and a paginator's
        count leaves them out (a join and GROUP BY counted every drill of a district)."""
        today = today or timezone.localdate()
        open_actions = FollowUpAction.objects.filter(drill=OuterRef("pk"), done=False)

        def counted(actions):
            per_drill = actions.order_by().values("drill").annotate(n=models.Count("pk"))
            return Coalesce(Subquery(per_drill.values("n")), 0)

        return self.annotate(
            open_actions=counted(open_actions),
            overdue_actions=counted(open_actions.filter(due_date__lt=today)),
        )


class Drill(ScopedModel):
    annual_plan = models.ForeignKey(
        DrillPlan,
        verbose_name=_("年度演练计划"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="drills",
    )
    title = models.CharField(_("演练名称"), max_length=200)
    form = models.CharField(_("演练形式"), max_length=16, choices=DrillForm.choices)
    theme = models.CharField(_("演练主题"), max_length=16, choices=DrillTheme.choices)
    plans = models.ManyToManyField(
        "plans.Plan",
        verbose_name=_("关联预案"),
        blank=True,
        related_name="drills",
        help_text=_("本次演练检验的应急预案。"),
    )
    date = models.DateField(_("演练日期"), help_text=_("计划日期；完成后为实际举行日期。"))
    place = models.CharField(_("演练地点"), max_length=200)
    organiser = models.CharField(_("组织单位"), max_length=100)
    participants = models.PositiveIntegerField(_("参演人数"), null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=DrillStatus.choices, default=DrillStatus.PLANNED
    )
    summary = models.TextField(
        _("演练总结"), blank=True, help_text=_("演练完成后必须填写：过程、效果、经验。")
    )
    cancel_reason = models.CharField(_("取消原因"), max_length=200, blank=True)

    objects = DrillQuerySet.as_manager()

    class Meta:
        verbose_name = _("应急演练")
        verbose_name_plural = _("应急演练")
        ordering = ["-date", "-pk"]
        indexes = [
            models.Index(fields=["status", "date"], name="drill_status_date"),
            models.Index(fields=["org_unit", "date"], name="drill_unit_date"),
            # the list, newest first: read in order and stopped at a page
            models.Index(fields=["-date", "-id"], name="drill_newest"),
        ]
        constraints = [
            # The first rule of clean(), kept by the database as well. clean() reports it on the
            # summary field first, so full_clean() skips this check and shows it once.
            models.CheckConstraint(
                condition=~Q(status="completed") | ~Q(summary=""),
                name="drill_completed_has_summary",
                violation_error_message=_("演练完成后必须填写演练总结，才能标记为“已完成”。"),
            )
        ]

    def __str__(self):
        return self.title

    def clean(self):
        """The rules of one drill record, as field errors (forms, the save service, admin)."""
        errors = {}
        if self.status == DrillStatus.COMPLETED:
            if not (self.summary or "").strip():
                errors["summary"] = _("演练完成后必须填写演练总结，才能标记为“已完成”。")
            if self.date and self.date > timezone.localdate():
                errors["date"] = _("演练日期在今天之后，不能标记为“已完成”。")
        if self.status == DrillStatus.CANCELLED and not (self.cancel_reason or "").strip():
            errors["cancel_reason"] = _("取消演练请填写取消原因。")
        if self.annual_plan_id and self.org_unit_id:
            annual = self.annual_plan
            if not self.org_unit.path.startswith(annual.org_unit.path):
                errors["annual_plan"] = _("演练单位不在该年度演练计划的范围内。")
            elif self.date and self.date.year != annual.year:
                errors["annual_plan"] = _("演练日期不在该年度演练计划的年度（%(year)s 年）内。") % {
                    "year": annual.year
                }
        if errors:
            raise ValidationError(errors)

    def get_absolute_url(self):
        return reverse("drills:detail", args=[self.pk])

    @property
    def is_held(self):
        return self.status == DrillStatus.COMPLETED

    @property
    def is_late(self):
        """A planned drill whose date has passed without being recorded as held."""
        return self.status == DrillStatus.PLANNED and self.date < timezone.localdate()


class DrillFileQuerySet(ScopedQuerySet):
    scope_path = "drill__org_unit__path"


class DrillFile(models.Model):
    """A photo (现场照片) or a document (方案、脚本、签到表、总结报告) of a drill."""

    class Kind(models.TextChoices):
        PHOTO = "photo", _("现场照片")
        DOCUMENT = "document", _("附件")

    drill = models.ForeignKey(
        Drill, verbose_name=_("演练"), on_delete=models.CASCADE, related_name="files"
    )
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    file = models.FileField(_("文件"), upload_to=RandomUploadTo("drills"))
    original_name = models.CharField(_("文件名"), max_length=255)
    size = models.PositiveIntegerField(_("大小（字节）"), default=0)
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    created_by = models.ForeignKey(
        "orgs.User", verbose_name=_("上传人"), on_delete=models.PROTECT, null=True, related_name="+"
    )

    objects = DrillFileQuerySet.as_manager()

    VALIDATORS = {Kind.PHOTO: validate_image, Kind.DOCUMENT: validate_document}

    class Meta:
        verbose_name = _("演练照片和附件")
        verbose_name_plural = _("演练照片和附件")
        ordering = ["kind", "pk"]

    def __str__(self):
        return self.original_name


class FollowUpActionQuerySet(ScopedQuerySet):
    scope_path = "drill__org_unit__path"

    def open(self):
        return self.filter(done=False)

    def overdue(self, today=None):
        return self.filter(done=False, due_date__lt=today or timezone.localdate())


class FollowUpAction(models.Model):
    """A problem found in a drill and what is done about it (发现问题 → 整改措施)."""

    drill = models.ForeignKey(
        Drill, verbose_name=_("演练"), on_delete=models.CASCADE, related_name="actions"
    )
    problem = models.CharField(_("发现的问题"), max_length=300)
    action = models.CharField(_("整改措施"), max_length=300, blank=True)
    owner = models.CharField(_("责任人/责任部门"), max_length=100)
    due_date = models.DateField(_("整改期限"))
    done = models.BooleanField(_("已完成"), default=False)
    done_at = models.DateField(_("完成日期"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    created_by = models.ForeignKey(
        "orgs.User", verbose_name=_("创建人"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    updated_by = models.ForeignKey(
        "orgs.User",
        verbose_name=_("最后修改人"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )

    objects = FollowUpActionQuerySet.as_manager()

    class Meta:
        verbose_name = _("整改事项")
        verbose_name_plural = _("整改事项")
        ordering = ["done", "due_date", "pk"]
        indexes = [models.Index(fields=["done", "due_date"], name="followup_done_due")]

    def __str__(self):
        return self.problem

    @property
    def is_overdue(self):
        return not self.done and self.due_date < timezone.localdate()
