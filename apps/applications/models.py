"""示范社区创建申报: applications of a street (街镇) or community (居村) for 上海市安全发展和
综合减灾示范社区 (and, from it, 全国综合减灾示范社区), scored against a standard that is data.

- The scoring standard (评审标准) is reference data: :class:`Standard` → nine :class:`Aspect`
  (组织管理 … 特色亮点) → scored :class:`Item`. Shipped as ``fixtures/applications_standard.json``,
  loaded by a data migration, edited in admin.
- **Versioning rule**: an application keeps the standard it was filed under (``PROTECT``), and a
  standard that any application uses is *frozen*: its name, year, total, pass mark, aspects and
  items can no longer be changed or deleted (only ``is_active`` may be switched). To revise a
  used standard an admin copies it as a new version (admin action "复制为新版本"), edits the
  copy and activates it; old applications keep showing and scoring against the old one.
- The workflow is :data:`TRANSITIONS`, defined once here; ``services.transition_application``
  applies it and records every step as an :class:`ApplicationEvent`.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from apps.files.uploads import DOCUMENT_TYPES, IMAGE_TYPES, FileTypeValidator, RandomUploadTo
from apps.orgs.models import ScopedModel, ScopedQuerySet, User

POINTS = {"max_digits": 5, "decimal_places": 1}

validate_evidence = FileTypeValidator(
    (*DOCUMENT_TYPES, *IMAGE_TYPES),
    "MAX_DOCUMENT_UPLOAD_MB",
    _("只能上传 PDF、Word、Excel 文件或 JPG、PNG、WebP 照片，该文件的内容不是这些格式。"),
)


# --- the scoring standard (reference data) --------------------------------------------------


class StandardManager(models.Manager):
    def get_by_natural_key(self, code):
        return self.get(code=code)


class Standard(models.Model):
    code = models.SlugField(_("编码"), max_length=40, unique=True)
    name = models.CharField(_("标准名称"), max_length=120)
    year = models.PositiveSmallIntegerField(_("年度"))
    total = models.DecimalField(_("总分"), **POINTS)
    pass_mark = models.DecimalField(_("通过分数线"), **POINTS)
    is_active = models.BooleanField(
        _("启用"), default=True, help_text=_("启用的标准可用于新的申报。")
    )
    note = models.TextField(_("说明"), blank=True)

    objects = StandardManager()

    class Meta:
        verbose_name = _("评审标准")
        verbose_name_plural = _("评审标准")
        ordering = ["-year", "code"]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.code,)

    def is_used(self):
        return self.pk is not None and self.applications.exists()

    def clean(self):
        super().clean()
        if self.pass_mark is not None and self.total is not None and self.pass_mark > self.total:
            raise ValidationError({"pass_mark": _("通过分数线不能高于总分。")})
        if self.pk and self.is_used():
            stored = Standard.objects.get(pk=self.pk)
            frozen = ("code", "name", "year", "total", "pass_mark")
            if any(getattr(stored, f) != getattr(self, f) for f in frozen):
                raise ValidationError(
                    _("该评审标准已有申报使用，不能修改；请使用“复制为新版本”后修改副本。")
                )


class AspectManager(models.Manager):
    def get_by_natural_key(self, standard_code, code):
        return self.get(standard__code=standard_code, code=code)


class FactGroup(models.TextChoices):
    """Which facts the portal already knows are shown beside an aspect."""

    NONE = "", _("无")
    PEOPLE = "people", _("组织与队伍")
    HAZARDS = "hazards", _("风险隐患")
    SHELTERS = "shelters", _("避难场所")
    SUPPLIES = "supplies", _("应急物资")
    PLANS_DRILLS = "plans_drills", _("预案与演练")


def _refuse_if_frozen(standard):
    if standard is not None and standard.is_used():
        raise ValidationError(
            _("该评审标准已有申报使用，不能修改；请使用“复制为新版本”后修改副本。")
        )


class Aspect(models.Model):
    standard = models.ForeignKey(
        Standard, verbose_name=_("评审标准"), on_delete=models.CASCADE, related_name="aspects"
    )
    code = models.SlugField(_("编码"), max_length=40)
    name = models.CharField(_("方面"), max_length=60)
    order = models.PositiveSmallIntegerField(_("排序"))
    facts = models.CharField(
        _("平台数据"),
        max_length=16,
        choices=FactGroup.choices,
        blank=True,
        help_text=_("在该方面旁边显示的平台已有数据。"),
    )
    description = models.TextField(_("要求"), blank=True)

    objects = AspectManager()

    class Meta:
        verbose_name = _("评审方面")
        verbose_name_plural = _("评审方面")
        ordering = ["standard", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["standard", "code"],
                name="aspect_standard_code",
                violation_error_message=_("该评分标准已有相同编号的方面。"),
            ),
            models.UniqueConstraint(
                fields=["standard", "order"],
                name="aspect_standard_order",
                violation_error_message=_("该评分标准已有相同序号的方面。"),
            ),
        ]

    def __str__(self):
        return f"{self.order}. {self.name}"

    def natural_key(self):
        return (self.standard.code, self.code)

    natural_key.dependencies = ["applications.standard"]

    def clean(self):
        super().clean()
        if self.standard_id:
            _refuse_if_frozen(self.standard)


class ItemManager(models.Manager):
    def get_by_natural_key(self, standard_code, aspect_code, order):
        return self.get(aspect__standard__code=standard_code, aspect__code=aspect_code, order=order)


class Item(models.Model):
    aspect = models.ForeignKey(
        Aspect, verbose_name=_("评审方面"), on_delete=models.CASCADE, related_name="items"
    )
    order = models.PositiveSmallIntegerField(_("序号"))
    text = models.TextField(_("评审内容"))
    max_points = models.DecimalField(
        _("分值"), validators=[MinValueValidator(Decimal("0.5"))], **POINTS
    )
    evidence = models.CharField(_("佐证材料"), max_length=300, blank=True)

    objects = ItemManager()

    class Meta:
        verbose_name = _("评审细则")
        verbose_name_plural = _("评审细则")
        ordering = ["aspect__order", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["aspect", "order"],
                name="item_aspect_order",
                violation_error_message=_("该方面已有相同序号的评分项。"),
            ),
        ]

    def __str__(self):
        return f"{self.aspect.order}.{self.order} {self.text[:30]}"

    def natural_key(self):
        return (*self.aspect.natural_key(), self.order)

    natural_key.dependencies = ["applications.aspect"]

    @property
    def number(self):
        return f"{self.aspect.order}.{self.order}"

    def clean(self):
        super().clean()
        if self.aspect_id:
            _refuse_if_frozen(self.aspect.standard)


# --- applications ---------------------------------------------------------------------------


class TargetTitle(models.TextChoices):
    CITY = "city", _("上海市安全发展和综合减灾示范社区")
    NATIONAL = "national", _("全国综合减灾示范社区")


class State(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已提交")
    IN_REVIEW = "in_review", _("区级审核中")
    RETURNED = "returned", _("退回修改")
    APPROVED = "approved", _("区级通过")
    REJECTED = "rejected", _("不通过")
    AWARDED = "awarded", _("已授牌")
    CITY_FAILED = "city_failed", _("市级未通过")


class Action(models.TextChoices):
    CREATE = "create", _("创建申报")
    SUBMIT = "submit", _("提交申报")
    ACCEPT = "accept", _("开始审核")
    RETURN = "return", _("退回修改")
    APPROVE = "approve", _("区级通过")
    REJECT = "reject", _("不通过")
    AWARD = "award", _("授牌")
    CITY_FAIL = "city_fail", _("市级未通过")


class Side(models.TextChoices):
    """Who acts: the applicant's street staff, a reviewer of the applicant's district, or an
    admin recording the city's result."""

    APPLICANT = "applicant", _("申报单位")
    REVIEWER = "reviewer", _("区级审核")
    CITY = "city", _("市级评定")


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
    )
}

EDITABLE_STATES = frozenset({State.DRAFT, State.RETURNED})
WAITING_STATES = frozenset({State.SUBMITTED, State.IN_REVIEW})
CLOSED_STATES = frozenset({State.REJECTED, State.CITY_FAILED})


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
                condition=~Q(state__in=["rejected", "city_failed"]),
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
