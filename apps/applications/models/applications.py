"""Applications (示范社区创建申报) and their workflow: a street (街镇) or community (居村) applies
for 上海市安全发展和综合减灾示范社区 (and, from it, 全国综合减灾示范社区) under one standard
(``standards``); the district reviews and scores it, the city (市灾防办) awards the title, and an
awarded title is kept under 动态管理 (``reviews``: on-site checks, the yearly 抽查 and the 复审).

The workflow is :data:`TRANSITIONS`, defined once here; ``services.transition_application``
applies it and records every step as an :class:`ApplicationEvent`.
"""

from dataclasses import dataclass, field

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from apps.files.uploads import DOCUMENT_TYPES, IMAGE_TYPES, FileTypeValidator, RandomUploadTo
from apps.orgs.models import ScopedModel, ScopedQuerySet, User

from .standards import POINTS, Aspect, Item, Standard, TargetTitle

validate_evidence = FileTypeValidator(
    (*DOCUMENT_TYPES, *IMAGE_TYPES),
    "MAX_DOCUMENT_UPLOAD_MB",
    _("只能上传 PDF、Word、Excel 文件或 JPG、PNG、WebP 照片，该文件的内容不是这些格式。"),
)


# --- the workflow ---------------------------------------------------------------------------


class State(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已提交")
    IN_REVIEW = "in_review", _("区级审核中")
    RETURNED = "returned", _("退回修改")
    APPROVED = "approved", _("区级通过")
    REJECTED = "rejected", _("不通过")
    AWARDED = "awarded", _("已授牌")
    CITY_FAILED = "city_failed", _("市级未通过")
    REVOKED = "revoked", _("已撤销称号")


class Action(models.TextChoices):
    CREATE = "create", _("创建申报")
    SUBMIT = "submit", _("提交申报")
    ACCEPT = "accept", _("开始审核")
    RETURN = "return", _("退回修改")
    APPROVE = "approve", _("区级通过")
    REJECT = "reject", _("不通过")
    AWARD = "award", _("授牌")
    CITY_FAIL = "city_fail", _("市级未通过")
    RENEW = "renew", _("复审通过")
    REVOKE = "revoke", _("撤销称号")


class Side(models.TextChoices):
    """Who acts: the applicant's street staff, a reviewer of the applicant's district, or the
    city (市灾防办: a city reviewer, or an admin recording the city's result)."""

    APPLICANT = "applicant", _("申报单位")
    REVIEWER = "reviewer", _("区级审核")
    CITY = "city", _("市级评定（市灾防办）")


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset
    target: str
    side: str
    reason_required: bool = False
    fields: tuple = ()
    button: str = "btn-primary"
    help: str = field(default="", compare=False)


# The workflow, in one place. Services enforce it; views and templates only read it.
TRANSITIONS = {
    t.action: t
    for t in (
        Transition(
            Action.SUBMIT,
            frozenset({State.DRAFT, State.RETURNED}),
            State.SUBMITTED,
            Side.APPLICANT,
            help=_(
                "提交后申报表只读，平台数据（预案、隐患、物资、避难场所、演练、队伍）"
                "按提交时的情况固化存档。"
            ),
        ),
        Transition(
            Action.ACCEPT,
            frozenset({State.SUBMITTED}),
            State.IN_REVIEW,
            Side.REVIEWER,
            help=_("受理申报，开始区级审核评分。"),
        ),
        Transition(
            Action.RETURN,
            frozenset({State.IN_REVIEW}),
            State.RETURNED,
            Side.REVIEWER,
            reason_required=True,
            button="btn-outline-warning",
            help=_("退回申报单位修改，请写明需修改的内容。"),
        ),
        Transition(
            Action.APPROVE,
            frozenset({State.IN_REVIEW}),
            State.APPROVED,
            Side.REVIEWER,
            button="btn-success",
            help=_("全部细则已评分且总分达到通过分数线，区级审核通过，报市级评定。"),
        ),
        Transition(
            Action.REJECT,
            frozenset({State.IN_REVIEW}),
            State.REJECTED,
            Side.REVIEWER,
            reason_required=True,
            button="btn-outline-danger",
            help=_("区级审核不通过，请写明原因。"),
        ),
        Transition(
            Action.AWARD,
            frozenset({State.APPROVED}),
            State.AWARDED,
            Side.CITY,
            fields=("award_date", "validity_years", "rereview_date"),
            button="btn-success",
            help=_("记录市级评定结果：授牌，并确定有效期和复审日期（动态管理）。"),
        ),
        Transition(
            Action.CITY_FAIL,
            frozenset({State.APPROVED}),
            State.CITY_FAILED,
            Side.CITY,
            reason_required=True,
            button="btn-outline-danger",
            help=_("记录市级评定结果：未通过，请写明原因。"),
        ),
        Transition(
            Action.REVOKE,
            frozenset({State.AWARDED}),
            State.REVOKED,
            Side.CITY,
            reason_required=True,
            button="btn-outline-danger",
            help=_("复审未通过或动态管理抽查发现严重问题，撤销示范社区称号，请写明原因。"),
        ),
    )
}

EDITABLE_STATES = frozenset({State.DRAFT, State.RETURNED})
WAITING_STATES = frozenset({State.SUBMITTED, State.IN_REVIEW})
CLOSED_STATES = frozenset({State.REJECTED, State.CITY_FAILED, State.REVOKED})


class ApplicationQuerySet(ScopedQuerySet):
    def waiting(self):
        return self.filter(state__in=WAITING_STATES)


class Application(ScopedModel):
    """One application; ``org_unit`` is the applicant (a 街镇 or a 居村)."""

    standard = models.ForeignKey(
        Standard,
        verbose_name=_("评审标准"),
        on_delete=models.PROTECT,
        related_name="applications",
    )
    title = models.CharField(
        _("申报称号"), max_length=16, choices=TargetTitle.choices, default=TargetTitle.CITY
    )
    year = models.PositiveSmallIntegerField(_("申报年度"))
    contact_name = models.CharField(_("联系人"), max_length=60)
    contact_phone = models.CharField(_("联系电话"), max_length=30)
    summary = models.TextField(
        _("创建工作概况"), blank=True, help_text=_("创建工作的总体情况、主要做法和成效。")
    )
    cultivate_start = models.DateField(_("启动培育期开始"), null=True, blank=True)
    cultivate_end = models.DateField(_("启动培育期结束"), null=True, blank=True)
    evaluate_start = models.DateField(_("创建迎评期开始"), null=True, blank=True)
    evaluate_end = models.DateField(_("创建迎评期结束"), null=True, blank=True)
    accept_start = models.DateField(_("验收提升期开始"), null=True, blank=True)
    accept_end = models.DateField(_("验收提升期结束"), null=True, blank=True)
    state = models.CharField(
        _("状态"), max_length=16, choices=State.choices, default=State.DRAFT, editable=False
    )
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True, editable=False)
    facts_snapshot = models.JSONField(_("提交时的平台数据"), null=True, blank=True, editable=False)
    award_date = models.DateField(_("授牌日期"), null=True, blank=True, editable=False)
    valid_until = models.DateField(_("有效期至"), null=True, blank=True, editable=False)
    rereview_date = models.DateField(_("复审日期"), null=True, blank=True, editable=False)

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        verbose_name = _("示范社区创建申报")
        verbose_name_plural = _("示范社区创建申报")
        ordering = ["-year", "org_unit__path", "title"]
        constraints = [
            models.UniqueConstraint(
                fields=["org_unit", "title", "year"],
                condition=~Q(state__in=["rejected", "city_failed", "revoked"]),
                name="application_one_open_per_unit_title_year",
                violation_error_message=_("该单位本年度已有同一称号的申报。"),
            )
        ]
        indexes = [
            models.Index(fields=["state", "submitted_at"], name="application_state_submitted"),
            models.Index(fields=["state", "rereview_date"], name="application_state_rereview"),
        ]

    def __str__(self):
        return _("%(unit)s %(year)s年%(title)s申报") % {
            "unit": self.org_unit.name,
            "year": self.year,
            "title": self.get_title_display(),
        }

    def get_absolute_url(self):
        return reverse("applications:detail", args=[self.pk])

    @property
    def is_editable(self):
        return self.state in EDITABLE_STATES

    @property
    def is_frozen(self):
        """Submitted at least once and not back with the applicant: shows the snapshot."""
        return self.state not in EDITABLE_STATES

    STAGES = (
        ("cultivate", _("启动培育")),
        ("evaluate", _("创建迎评")),
        ("accept", _("验收提升")),
    )

    def stages(self):
        return [
            {
                "code": code,
                "label": label,
                "start": getattr(self, f"{code}_start"),
                "end": getattr(self, f"{code}_end"),
            }
            for code, label in self.STAGES
        ]


class ChildQuerySet(ScopedQuerySet):
    scope_path = "application__org_unit__path"


class ItemAssessment(models.Model):
    """One item of one application: the applicant's self-assessment (claimed points and
    explanation) and the district reviewer's score."""

    application = models.ForeignKey(
        Application,
        verbose_name=_("申报"),
        on_delete=models.CASCADE,
        related_name="assessments",
    )
    item = models.ForeignKey(
        Item, verbose_name=_("评审细则"), on_delete=models.PROTECT, related_name="+"
    )
    claimed_points = models.DecimalField(_("自评分"), null=True, blank=True, **POINTS)
    explanation = models.TextField(_("自评说明"), blank=True)
    score = models.DecimalField(_("评审得分"), null=True, blank=True, **POINTS)
    scored_by = models.ForeignKey(
        User,
        verbose_name=_("评分人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    scored_at = models.DateTimeField(_("评分时间"), null=True, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("细则自评与评分")
        verbose_name_plural = _("细则自评与评分")
        ordering = ["application", "item__aspect__order", "item__order"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "item"],
                name="assessment_app_item",
                violation_error_message=_("该申报已有此评分项的自评。"),
            )
        ]

    def __str__(self):
        return f"{self.application_id} · {self.item}"


class AspectReview(models.Model):
    """The reviewer's comment on one aspect of one application."""

    application = models.ForeignKey(
        Application,
        verbose_name=_("申报"),
        on_delete=models.CASCADE,
        related_name="aspect_reviews",
    )
    aspect = models.ForeignKey(
        Aspect, verbose_name=_("评审方面"), on_delete=models.PROTECT, related_name="+"
    )
    comment = models.TextField(_("评审意见"), blank=True)
    reviewer = models.ForeignKey(
        User, verbose_name=_("评审人"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("方面评审意见")
        verbose_name_plural = _("方面评审意见")
        ordering = ["application", "aspect__order"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "aspect"],
                name="aspectreview_unique",
                violation_error_message=_("该申报已有此方面的审核意见。"),
            )
        ]

    def __str__(self):
        return f"{self.application_id} · {self.aspect}"


class Evidence(models.Model):
    """A supporting file (佐证材料) for one item of an application."""

    application = models.ForeignKey(
        Application, verbose_name=_("申报"), on_delete=models.CASCADE, related_name="evidence"
    )
    item = models.ForeignKey(
        Item, verbose_name=_("评审细则"), on_delete=models.PROTECT, related_name="+"
    )
    file = models.FileField(
        _("文件"), upload_to=RandomUploadTo("applications/evidence"), validators=[validate_evidence]
    )
    original_name = models.CharField(_("文件名"), max_length=255)
    size = models.PositiveIntegerField(_("大小（字节）"), default=0)
    uploaded_by = models.ForeignKey(
        User, verbose_name=_("上传人"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    objects = ChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("佐证材料")
        verbose_name_plural = _("佐证材料")
        ordering = ["item__aspect__order", "item__order", "pk"]

    def __str__(self):
        return self.original_name

    def get_absolute_url(self):
        return reverse("applications:evidence", args=[self.pk])


class ApplicationEvent(models.Model):
    """One step of the workflow: who, when, from which state to which, with a comment."""

    application = models.ForeignKey(
        Application, verbose_name=_("申报"), on_delete=models.CASCADE, related_name="events"
    )
    action = models.CharField(_("操作"), max_length=16, choices=Action.choices)
    from_state = models.CharField(_("原状态"), max_length=16, choices=State.choices, blank=True)
    to_state = models.CharField(_("新状态"), max_length=16, choices=State.choices)
    comment = models.TextField(_("意见"), blank=True)
    actor = models.ForeignKey(
        User, verbose_name=_("操作人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("时间"))

    objects = ChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("申报流程记录")
        verbose_name_plural = _("申报流程记录")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.application_id} · {self.get_action_display()}"
