"""突发事件信息报送: incidents, their reports in sequence (初报 → 续报一、续报二… → 终报), the
deadlines per district and level, the district's requests for a 续报, and the daily 零报告.

An incident is owned by the unit where it happened (a street, a community or a 小区). Its
reports are numbered by ``sequence`` (0 for the 初报, 1, 2 … for the 续报, the next for the
终报); one 初报 and one 终报 at most, enforced by constraints. A 终报 closes the incident and
nothing can be filed after it (apps.incidents.services keeps that rule).
"""

import datetime

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.orgs.models import OrgKind, OrgUnit, ScopedModel, ScopedQuerySet, User

CHINESE_NUMERALS = "零一二三四五六七八九"


def chinese_number(n):
    """1 → 一, 10 → 十, 12 → 十二, 21 → 二十一 (续报 numbers; two digits are plenty)."""
    if n < 10:
        return CHINESE_NUMERALS[n]
    tens, ones = divmod(n, 10)
    head = "" if tens == 1 else CHINESE_NUMERALS[tens]
    return f"{head}十{CHINESE_NUMERALS[ones] if ones else ''}"


# --- reference data ------------------------------------------------------------------------


class IncidentTypeManager(models.Manager):
    def get_by_natural_key(self, code):
        return self.get(code=code)


class IncidentType(models.Model):
    """Reference data (fixture ``incidents_types.json``, edited in admin): the five categories
    and their sub-types. Natural disasters ask for the 灾情 figures in every report."""

    code = models.SlugField(_("编码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=60)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级类别"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    is_natural_disaster = models.BooleanField(
        _("自然灾害"), default=False, help_text=_("选中后，每次报告须填写灾情统计数据。")
    )
    order = models.PositiveSmallIntegerField(_("排序"), default=100)
    is_active = models.BooleanField(_("启用"), default=True)

    objects = IncidentTypeManager()

    class Meta:
        verbose_name = _("突发事件类别")
        verbose_name_plural = _("突发事件类别")
        ordering = ["order", "code"]

    def __str__(self):
        return f"{self.parent.name} · {self.name}" if self.parent_id else self.name

    def natural_key(self):
        return (self.code,)


class IncidentLevel(models.TextChoices):
    I = "1", _("特别重大（Ⅰ级）")  # noqa: E741 - the level's own name
    II = "2", _("重大（Ⅱ级）")
    III = "3", _("较大（Ⅲ级）")
    IV = "4", _("一般（Ⅳ级）")


# Levels that count as a 较大 or worse incident (the application's "近3年无因灾较大事故").
SERIOUS_LEVELS = [IncidentLevel.I, IncidentLevel.II, IncidentLevel.III]


class DeadlineRule(models.Model):
    """How fast a district wants to hear of an incident of one level. No row: the defaults
    (by phone within 30 minutes, in writing within 1 hour)."""

    district = models.ForeignKey(
        OrgUnit,
        verbose_name=_("区"),
        on_delete=models.CASCADE,
        related_name="+",
        limit_choices_to={"kind": OrgKind.DISTRICT},
    )
    level = models.CharField(_("事件等级"), max_length=2, choices=IncidentLevel.choices)
    phone_minutes = models.PositiveIntegerField(
        _("电话报告时限（分钟）"), default=30, help_text=_("自事件发生起。")
    )
    written_minutes = models.PositiveIntegerField(
        _("书面报告时限（分钟）"), default=60, help_text=_("自事件发生起，报送初报。")
    )

    class Meta:
        verbose_name = _("报送时限")
        verbose_name_plural = _("报送时限")
        ordering = ["district__path", "level"]
        constraints = [
            models.UniqueConstraint(
                fields=["district", "level"],
                name="incident_deadline_unique",
                violation_error_message=_("该区已设置此等级的报送时限。"),
            ),
            models.CheckConstraint(
                condition=Q(phone_minutes__gt=0, written_minutes__gt=0),
                name="incident_deadline_positive",
                violation_error_message=_("报送时限须大于 0 分钟。"),
            ),
        ]

    def __str__(self):
        return f"{self.district} · {self.get_level_display()}"


# --- incidents -----------------------------------------------------------------------------


class IncidentState(models.TextChoices):
    OPEN = "open", _("处置中")
    CLOSED = "closed", _("已终报")


class IncidentQuerySet(ScopedQuerySet):
    def open(self):
        return self.filter(state=IncidentState.OPEN)


class Incident(ScopedModel):
    title = models.CharField(_("事件名称"), max_length=120)
    incident_type = models.ForeignKey(
        IncidentType, verbose_name=_("事件类别"), on_delete=models.PROTECT, related_name="+"
    )
    level = models.CharField(
        _("事件等级"), max_length=2, choices=IncidentLevel.choices, default=IncidentLevel.IV
    )
    occurred_at = models.DateTimeField(_("发生时间"))
    address = models.CharField(_("发生地点"), max_length=200)
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(
        _("经度"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    source = models.CharField(
        _("信息来源"), max_length=120, help_text=_("如：群众报告、网格员巡查、110 转报。")
    )
    state = models.CharField(
        _("状态"), max_length=8, choices=IncidentState.choices, default=IncidentState.OPEN
    )
    hazard = models.ForeignKey(
        "hazards.Hazard",
        verbose_name=_("关联隐患"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="incidents",
    )
    # The warning in force when it happened, if the incident comes of it (暴雨 → 积水); checked
    # by apps.warnings.links (published, seen by the reporter, its area covering the unit).
    warning = models.ForeignKey(
        "warnings.Warning",
        verbose_name=_("关联预警"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="incidents",
    )
    # Deadlines are fixed when the incident is registered (the rule of its district and level
    # then), so a later change of the rule does not move them.
    phone_due = models.DateTimeField(_("电话报告时限"))
    written_due = models.DateTimeField(_("书面报告时限"))
    phoned_at = models.DateTimeField(_("电话报告时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("终报时间"), null=True, blank=True)

    objects = IncidentQuerySet.as_manager()

    class Meta:
        verbose_name = _("突发事件")
        verbose_name_plural = _("突发事件")
        ordering = ["-occurred_at", "-pk"]
        indexes = [
            models.Index(fields=["org_unit", "state", "occurred_at"], name="incident_unit_state"),
            models.Index(fields=["occurred_at"], name="incident_occurred"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("incidents:detail", args=[self.pk])

    @property
    def is_closed(self):
        return self.state == IncidentState.CLOSED

    @property
    def last_report(self):
        reports = list(self.reports.all())  # prefetched by the list
        return reports[-1] if reports else None


class ReportKind(models.TextChoices):
    INITIAL = "initial", _("初报")
    FOLLOW_UP = "follow_up", _("续报")
    FINAL = "final", _("终报")


# The 灾情 figures of the national statistics (自然灾害情况统计), asked of natural disasters.
DISASTER_FIGURES = (
    "affected_people",
    "relocated_people",
    "relief_needed_people",
    "collapsed_houses",
    "damaged_houses",
    "direct_loss",
)


class IncidentReportQuerySet(ScopedQuerySet):
    scope_path = "incident__org_unit__path"


class IncidentReport(models.Model):
    """One report of an incident with the required elements (时间、地点、信息来源、事件性质、
    影响范围、伤亡损失、发展趋势、已采取措施)."""

    incident = models.ForeignKey(
        Incident, verbose_name=_("突发事件"), on_delete=models.CASCADE, related_name="reports"
    )
    kind = models.CharField(_("报告类型"), max_length=10, choices=ReportKind.choices)
    sequence = models.PositiveSmallIntegerField(_("序号"))
    event_time = models.DateTimeField(_("时间"))
    place = models.CharField(_("地点"), max_length=200)
    source = models.CharField(_("信息来源"), max_length=120)
    nature = models.TextField(_("事件性质"))
    impact = models.TextField(_("影响范围"))
    casualties = models.TextField(_("伤亡损失"))
    trend = models.TextField(_("发展趋势"))
    measures = models.TextField(_("已采取措施"))
    affected_people = models.PositiveIntegerField(_("受灾人口（人）"), null=True, blank=True)
    relocated_people = models.PositiveIntegerField(
        _("紧急转移安置人口（人）"), null=True, blank=True
    )
    relief_needed_people = models.PositiveIntegerField(
        _("需紧急生活救助人口（人）"), null=True, blank=True
    )
    collapsed_houses = models.PositiveIntegerField(_("倒塌房屋（间）"), null=True, blank=True)
    damaged_houses = models.PositiveIntegerField(_("损坏房屋（间）"), null=True, blank=True)
    direct_loss = models.DecimalField(
        _("直接经济损失（万元）"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    submitted_at = models.DateTimeField(_("报送时间"), default=timezone.now)
    submitted_by = models.ForeignKey(
        User, verbose_name=_("报送人"), on_delete=models.PROTECT, related_name="+"
    )
    acknowledged_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        User,
        verbose_name=_("签收人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = IncidentReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("事件报告")
        verbose_name_plural = _("事件报告")
        ordering = ["incident", "sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["incident", "sequence"],
                name="incident_report_sequence",
                violation_error_message=_("该报告序号已存在，请刷新后重试。"),
            ),
            models.UniqueConstraint(
                fields=["incident"],
                condition=Q(kind="final"),
                name="incident_one_final",
                violation_error_message=_("该事件已终报，不能再报送。"),
            ),
            models.UniqueConstraint(
                fields=["incident"],
                condition=Q(kind="initial"),
                name="incident_one_initial",
                violation_error_message=_("该事件已有初报。"),
            ),
        ]

    def __str__(self):
        return f"{self.incident} · {self.label}"

    @property
    def label(self):
        if self.kind == ReportKind.FOLLOW_UP:
            return _("续报%(n)s") % {"n": chinese_number(self.sequence)}
        return self.get_kind_display()

    def disaster_figures(self):
        fields = [self._meta.get_field(name) for name in DISASTER_FIGURES]
        return [(field.verbose_name, getattr(self, field.name)) for field in fields]


class FollowUpRequestQuerySet(ScopedQuerySet):
    scope_path = "incident__org_unit__path"


class FollowUpRequest(models.Model):
    """The district asks the street for a 续报 by a deadline; the next report answers it."""

    incident = models.ForeignKey(
        Incident, verbose_name=_("突发事件"), on_delete=models.CASCADE, related_name="requests"
    )
    note = models.TextField(_("要求续报的内容"))
    due = models.DateTimeField(_("续报时限"))
    requested_by = models.ForeignKey(
        User, verbose_name=_("要求人"), on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("要求时间"), default=timezone.now)
    answered_by = models.ForeignKey(
        IncidentReport,
        verbose_name=_("续报"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="answers",
    )

    objects = FollowUpRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("续报要求")
        verbose_name_plural = _("续报要求")
        ordering = ["requested_at", "pk"]

    def __str__(self):
        return f"{self.incident} · {self.due:%Y-%m-%d %H:%M}"


# --- 零报告 ---------------------------------------------------------------------------------


class ZeroReportPeriodQuerySet(ScopedQuerySet):
    def in_force(self, day):
        """Periods that ask for a daily report on ``day``: dated ones covering it, and the
        ones switched on during an active warning."""
        dated = Q(start_date__lte=day, end_date__gte=day)
        return self.filter(dated | Q(during_warning=True, warning_active=True))


class ZeroReportPeriod(ScopedModel):
    """A period in which every community under ``org_unit`` reports daily, even “无灾情”:
    a dated one (汛期 06-01 to 09-30) or one in force during an active warning (the warnings app
    switches ``warning_active``)."""

    name = models.CharField(_("名称"), max_length=60, help_text=_("如：2026年汛期。"))
    start_date = models.DateField(_("开始日期"), null=True, blank=True)
    end_date = models.DateField(_("结束日期"), null=True, blank=True)
    during_warning = models.BooleanField(
        _("预警期间"), default=False, help_text=_("选中后，预警生效期间每日零报告。")
    )
    warning_active = models.BooleanField(_("预警生效中"), default=False)
    deadline = models.TimeField(_("每日报送截止时间"), default=datetime.time(16, 0))

    objects = ZeroReportPeriodQuerySet.as_manager()

    class Meta:
        verbose_name = _("零报告期")
        verbose_name_plural = _("零报告期")
        ordering = ["-start_date", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(during_warning=True) | Q(end_date__gte=models.F("start_date")),
                name="zero_period_dates",
                violation_error_message=_(
                    "请填写开始和结束日期（结束日期不早于开始日期），或选择“预警期间”。"
                ),
            ),
        ]

    def __str__(self):
        return self.name


class ZeroReport(ScopedModel):
    """One community's daily report in a 零报告 period (``org_unit`` is the community)."""

    date = models.DateField(_("日期"))
    has_disaster = models.BooleanField(_("有灾情"), default=False)
    note = models.TextField(_("情况说明"), blank=True)

    class Meta:
        verbose_name = _("零报告")
        verbose_name_plural = _("零报告")
        ordering = ["-date", "org_unit__path"]
        constraints = [
            models.UniqueConstraint(
                fields=["org_unit", "date"],
                name="zero_report_once_a_day",
                violation_error_message=_("该居委/村今天已报送零报告。"),
            ),
        ]

    def __str__(self):
        return f"{self.org_unit} · {self.date}"
