"""The scoring standards (评审标准): reference data, versioned, each with its basic conditions
(基本条件, gates checked at submission) separate from its scored items (基本要素 / 评分细则).

- :class:`Standard` → :class:`Condition` (gates) and nine or so :class:`Aspect` → scored
  :class:`Item`. Shipped in ``fixtures/applications_standard.json`` (the portal's reconstruction
  of the Shanghai standard "sh-2024" and of the national 《全国综合减灾示范社区创建标准》 scoring
  table "cn-2020"), loaded by data migrations, edited in admin, or loaded by an admin from a
  spreadsheet (``apps.applications.resources.StandardResource``).
- **Reconstruction**: a standard whose text was not loaded from the official document is marked
  ``is_reconstruction``; every page that shows it says so, until an admin loads the official
  version as a new standard.
- **Versioning rule**: an application keeps the standard it was filed under (``PROTECT``), and a
  standard that any application uses is *frozen*: its name, year, total, pass mark, conditions,
  aspects and items can no longer be changed or deleted (only ``is_active`` may be switched). To
  revise a used standard an admin copies it as a new version (admin action "复制为新版本"),
  edits the copy and activates it; old applications keep the old one.
- **Checks from records**: a condition names the record check that decides it
  (:class:`ConditionRule`, evaluated by ``apps.applications.conditions``); an item may name the
  record that proves it (:class:`Proof`, ``apps.applications.proofs``), which is how a draft
  learns which items still lack evidence ("还差多少分").
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

POINTS = {"max_digits": 5, "decimal_places": 1}
FROZEN_MESSAGE = _("该评审标准已有申报使用，不能修改；请使用“复制为新版本”后修改副本。")


class TargetTitle(models.TextChoices):
    CITY = "city", _("上海市安全发展和综合减灾示范社区")
    NATIONAL = "national", _("全国综合减灾示范社区")


class StandardManager(models.Manager):
    def get_by_natural_key(self, code):
        return self.get(code=code)


class Standard(models.Model):
    code = models.SlugField(_("编码"), max_length=40, unique=True)
    name = models.CharField(_("标准名称"), max_length=120)
    title = models.CharField(
        _("适用称号"),
        max_length=16,
        choices=TargetTitle.choices,
        blank=True,
        help_text=_("留空则两种称号的申报均可使用。"),
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    total = models.DecimalField(_("总分"), **POINTS)
    pass_mark = models.DecimalField(_("通过分数线"), **POINTS)
    is_active = models.BooleanField(
        _("启用"), default=True, help_text=_("启用的标准可用于新的申报。")
    )
    is_reconstruction = models.BooleanField(
        _("平台整理稿"),
        default=False,
        help_text=_(
            "选中表示条文和分值由平台依据公开材料整理，尚未载入正式文本；"
            "页面上会提示。载入正式文本后请作为新版本导入。"
        ),
    )
    source = models.CharField(
        _("依据文件"), max_length=200, blank=True, help_text=_("如：沪灾防委〔2024〕1号。")
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
            frozen = ("code", "name", "title", "year", "total", "pass_mark", "is_reconstruction")
            if any(getattr(stored, f) != getattr(self, f) for f in frozen):
                raise ValidationError(FROZEN_MESSAGE)


def _refuse_if_frozen(standard):
    if standard is not None and standard.is_used():
        raise ValidationError(FROZEN_MESSAGE)


# --- basic conditions (基本条件) --------------------------------------------------------------


class ConditionRule(models.TextChoices):
    """How a basic condition is decided at submission (``apps.applications.conditions``)."""

    SURVEY = "survey", _("居民满意率（居民问卷）")
    NO_SERIOUS_DISASTER = "no_serious_disaster", _("近年无因灾较大事故（信息报送）")
    PLAN_IN_FORCE = "plan_in_force", _("有生效的应急预案（预案管理）")
    RECENT_DRILL = "recent_drill", _("近期开展演练（应急演练）")
    REVIEWER = "reviewer", _("无平台记录，由审核员现场核实")


class ConditionManager(models.Manager):
    def get_by_natural_key(self, standard_code, order):
        return self.get(standard__code=standard_code, order=order)


class Condition(models.Model):
    """One basic condition of a standard: all must hold before an application is submitted
    (those the portal can check from its records), whatever the score."""

    standard = models.ForeignKey(
        Standard, verbose_name=_("评审标准"), on_delete=models.CASCADE, related_name="conditions"
    )
    order = models.PositiveSmallIntegerField(_("序号"))
    text = models.TextField(_("基本条件"))
    rule = models.CharField(_("核验方式"), max_length=24, choices=ConditionRule.choices)
    threshold = models.DecimalField(
        _("阈值"),
        max_digits=6,
        decimal_places=1,
        null=True,
        blank=True,
        help_text=_(
            "居民满意率：高于此百分比（默认 70）；因灾较大事故：年数（默认 3）；"
            "演练：月数（默认 12）。"
        ),
    )

    objects = ConditionManager()

    class Meta:
        verbose_name = _("基本条件")
        verbose_name_plural = _("基本条件")
        ordering = ["standard", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["standard", "order"],
                name="condition_standard_order",
                violation_error_message=_("该评审标准已有相同序号的基本条件。"),
            ),
        ]

    def __str__(self):
        return f"{self.order}. {self.text[:40]}"

    def natural_key(self):
        return (self.standard.code, self.order)

    natural_key.dependencies = ["applications.standard"]

    def clean(self):
        super().clean()
        if self.standard_id:
            _refuse_if_frozen(self.standard)


# --- aspects and scored items ---------------------------------------------------------------


class AspectManager(models.Manager):
    def get_by_natural_key(self, standard_code, code):
        return self.get(standard__code=standard_code, code=code)


class FactGroup(models.TextChoices):
    """Which facts the portal already knows are shown beside an aspect
    (``apps.applications.facts.ASPECT_GROUPS``)."""

    NONE = "", _("无")
    ORGANISATION = "organisation", _("组织管理（领导小组、网格、经费与保险）")
    PEOPLE = "people", _("组织与队伍")
    RISK = "risk", _("风险评估（风险点、脆弱人群、明白卡）")
    HAZARDS = "hazards", _("风险隐患")
    SHELTERS = "shelters", _("避难场所")
    SUPPLIES = "supplies", _("应急物资")
    PLANS_DRILLS = "plans_drills", _("预案与演练")
    OUTREACH = "outreach", _("科普宣传教育（活动、居民问卷）")


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


class Proof(models.TextChoices):
    """The portal record that proves an item (``apps.applications.proofs``): an item whose
    proof holds counts as evidenced without an upload. Blank: upload only."""

    NONE = "", _("仅上传佐证材料")
    LEADERSHIP = "leadership", _("领导小组已登记并明确组长")
    MECHANISM = "mechanism", _("领导小组发文成立并设办公室")
    GRID_COVERAGE = "grid_coverage", _("网格化覆盖率 100%")
    GRID_HANDLING = "grid_handling", _("网格员发现隐患处理率 100%")
    FUNDING = "funding", _("本年度有经费投入记录")
    FUNDING_100K = "funding_100k", _("本年度经费投入不少于 10 万元")
    INSURANCE = "insurance", _("居民参加灾害保险")
    RISK_POINTS = "risk_points", _("风险点清单（近半年有巡查）")
    RISK_MAP = "risk_map", _("风险地图（风险点已定位）")
    VULNERABLE = "vulnerable", _("脆弱人群清单且均已结对帮扶")
    CARDS = "cards", _("脆弱人群均已发放明白卡")
    HAZARD_LEDGER = "hazard_ledger", _("隐患台账（近 12 个月有排查）")
    HAZARD_LOOP = "hazard_loop", _("隐患闭环：无逾期未销号")
    SHELTER_AREA = "shelter_area", _("人均有效避难面积不低于 1.2 m²")
    WARNING_CALLS = "warning_calls", _("预警叫应：今年有叫应且叫应率不低于 90%")
    MICRO_FIRE = "micro_fire", _("微型消防站已登记队员")
    SUPPLIES_STANDARD = "supplies_standard", _("物资储备按配置标准配齐")
    SUPPLIES_CHECKED = "supplies_checked", _("物资近 12 个月有盘点维护")
    AGREEMENT = "agreement", _("有协议储备")
    THREE_TEAMS = "three_teams", _("先期处置、专业处置、志愿服务三支队伍均有队员")
    OFFICERS = "officers", _("每个小区有灾害信息员")
    TEAM_TRAINING = "team_training", _("应急队伍近 12 个月有培训记录")
    PLAN_SYSTEM = "plan_system", _("预案体系：总体预案生效，各居委/村有预案")
    PLAN_REVIEW = "plan_review", _("预案无逾期未评估修订")
    DRILL_YEAR = "drill_year", _("近 12 个月开展演练")
    DRILL_FOLLOW_UP = "drill_follow_up", _("演练发现的问题均已整改")
    NATIONAL_DAYS = "national_days", _("近 12 个月在宣传节点开展活动")
    RESIDENT_TRAINING = "resident_training", _("近 12 个月开展居民培训（扫码签到）")
    SURVEY_AWARENESS = "survey_awareness", _("居民问卷：知晓避难场所的居民不少于 70%")


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
    proof = models.CharField(
        _("平台核验"),
        max_length=24,
        choices=Proof.choices,
        blank=True,
        help_text=_("能证明该项的平台记录；满足时该项视为已有佐证。"),
    )

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
