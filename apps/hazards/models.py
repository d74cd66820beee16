"""Risk points (风险点) with their four-colour level and inspections, and hazards (隐患) with the
closed rectification loop 发现 → 交办 → 整改中 → 整改完成待核查 → 销号 (退回 when the check fails).

The state machine is :data:`TRANSITIONS`, defined once here; services apply it, views and
templates only read it.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.db import models
from django.db.models import Case, Q, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.files.uploads import RandomUploadTo, validate_image
from apps.orgs.models import (
    PATH_SEPARATOR,
    OrgKind,
    OrgUnit,
    Role,
    ScopedModel,
    ScopedQuerySet,
    User,
)
from apps.orgs.search import GramIndex


class HazardCategoryManager(models.Manager):
    def get_by_natural_key(self, code):
        return self.get(code=code)


class HazardCategory(models.Model):
    """Reference data (fixture ``hazards_categories.json``, edited in admin)."""

    code = models.SlugField(_("编码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=60, unique=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=100)
    is_active = models.BooleanField(_("启用"), default=True)

    objects = HazardCategoryManager()

    class Meta:
        verbose_name = _("隐患类别")
        verbose_name_plural = _("隐患类别")
        ordering = ["order", "code"]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.code,)


class RiskLevel(models.TextChoices):
    """The four-colour level (四色): 红 重大 / 橙 较大 / 黄 一般 / 蓝 低."""

    RED = "red", _("红色·重大风险")
    ORANGE = "orange", _("橙色·较大风险")
    YELLOW = "yellow", _("黄色·一般风险")
    BLUE = "blue", _("蓝色·低风险")


LEVEL_COLORS = {
    RiskLevel.RED: "#d7263d",
    RiskLevel.ORANGE: "#f28c28",
    RiskLevel.YELLOW: "#e9c400",
    RiskLevel.BLUE: "#1f6fd1",
}
LEVEL_ORDER = {level: i for i, level in enumerate(RiskLevel.values)}


class InspectionFrequency(models.TextChoices):
    DAILY = "daily", _("每日")
    WEEKLY = "weekly", _("每周")
    MONTHLY = "monthly", _("每月")
    QUARTERLY = "quarterly", _("每季度")
    HALF_YEARLY = "half_yearly", _("每半年")
    YEARLY = "yearly", _("每年")


FREQUENCY_DAYS = {
    InspectionFrequency.DAILY: 1,
    InspectionFrequency.WEEKLY: 7,
    InspectionFrequency.MONTHLY: 30,
    InspectionFrequency.QUARTERLY: 91,
    InspectionFrequency.HALF_YEARLY: 182,
    InspectionFrequency.YEARLY: 365,
}


# What the risk map shows (apps.hazards.views.RiskMapDataView), as index conditions.
ON_MAP = Q(is_active=True, latitude__isnull=False, longitude__isnull=False)


class RiskPointQuerySet(ScopedQuerySet):
    def with_flags(self, today=None):
        today = today or timezone.localdate()
        return self.annotate(
            inspection_due=Case(
                When(next_inspection_date__lte=today, then=Value(True)),
                default=Value(False),
                output_field=models.BooleanField(),
            )
        )


# The risk points list's search (migration 0008), as the hazards' below.
POINT_SEARCH_FIELDS = ["name", "address", "responsible_person"]
POINT_SEARCH_INDEX = GramIndex("riskpoint_search_grams", "hazards_riskpoint", POINT_SEARCH_FIELDS)


class RiskPoint(ScopedModel):
    name = models.CharField(_("风险点名称"), max_length=120)
    category = models.ForeignKey(
        HazardCategory, verbose_name=_("类别"), on_delete=models.PROTECT, related_name="+"
    )
    level = models.CharField(_("风险等级"), max_length=8, choices=RiskLevel.choices)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(
        _("经度"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    responsible_person = models.CharField(_("责任人"), max_length=60, blank=True)
    responsible_phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    inspection_frequency = models.CharField(
        _("巡查频次"),
        max_length=16,
        choices=InspectionFrequency.choices,
        default=InspectionFrequency.MONTHLY,
    )
    next_inspection_date = models.DateField(_("下次巡查日期"), null=True, blank=True)
    description = models.TextField(_("风险描述与管控措施"), blank=True)
    is_active = models.BooleanField(_("在管"), default=True)

    objects = RiskPointQuerySet.as_manager()

    class Meta:
        verbose_name = _("风险点")
        verbose_name_plural = _("风险点")
        ordering = ["org_unit__path", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["org_unit", "name"],
                name="riskpoint_unit_name_unique",
                violation_error_message=_("该单位已有同名的风险点。"),
            )
        ]
        indexes = [
            models.Index(fields=["level"]),
            models.Index(fields=["next_inspection_date"]),
            # The risk map counts the points per grid cell from an index alone: by unit for a
            # district's or street's data, by position for a small box in a large scope.
            models.Index(
                fields=["org_unit"],
                include=["latitude", "longitude", "level"],
                condition=ON_MAP,
                name="riskpoint_map",
            ),
            models.Index(
                fields=["latitude", "longitude"],
                include=["org_unit", "level"],
                condition=ON_MAP,
                name="riskpoint_map_box",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("hazards:point_detail", args=[self.pk])

    @property
    def level_color(self):
        return LEVEL_COLORS.get(self.level, "#6c757d")

    @property
    def is_inspection_due(self):
        return bool(self.next_inspection_date and self.next_inspection_date <= timezone.localdate())

    def next_date_after(self, day):
        return day + timedelta(days=FREQUENCY_DAYS[self.inspection_frequency])


class InspectionQuerySet(ScopedQuerySet):
    scope_path = "risk_point__org_unit__path"


class InspectionResult(models.TextChoices):
    NORMAL = "normal", _("正常")
    HAZARD_FOUND = "hazard_found", _("发现隐患")


class RiskPointInspection(models.Model):
    """One inspection (巡查) of a risk point; hazards found in it point back to it."""

    risk_point = models.ForeignKey(
        RiskPoint, verbose_name=_("风险点"), on_delete=models.CASCADE, related_name="inspections"
    )
    date = models.DateField(_("巡查日期"))
    inspector = models.CharField(_("巡查人"), max_length=60)
    result = models.CharField(_("巡查结果"), max_length=16, choices=InspectionResult.choices)
    note = models.TextField(_("情况说明"), blank=True)
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)
    created_by = models.ForeignKey(
        User, verbose_name=_("记录人"), on_delete=models.PROTECT, null=True, related_name="+"
    )

    objects = InspectionQuerySet.as_manager()

    class Meta:
        verbose_name = _("风险点巡查")
        verbose_name_plural = _("风险点巡查")
        ordering = ["-date", "-pk"]

    def __str__(self):
        return f"{self.risk_point} · {self.date}"


class Severity(models.TextChoices):
    MAJOR = "major", _("重大隐患")
    GENERAL = "general", _("一般隐患")


class HazardState(models.TextChoices):
    REPORTED = "reported", _("发现")
    ASSIGNED = "assigned", _("交办")
    IN_PROGRESS = "in_progress", _("整改中")
    AWAITING_CHECK = "awaiting_check", _("整改完成待核查")
    CLOSED = "closed", _("销号")


class HazardAction(models.TextChoices):
    REPORT = "report", _("发现上报")
    ASSIGN = "assign", _("交办")
    START = "start", _("开始整改")
    COMPLETE = "complete", _("整改完成")
    VERIFY = "verify", _("核查销号")
    REOPEN = "reopen", _("退回")


EDIT_ROLES = frozenset({Role.STREET_STAFF, Role.ADMIN})
# Delegated to the community (from the phone pages): the rectification of its hazards.
RECTIFY_ROLES = EDIT_ROLES | {Role.COMMUNITY_STAFF}
# Reporters whose reports a district may let go straight to 交办 (HazardLoopSettings).
TRUSTED_REPORTERS = frozenset({Role.GRID_WORKER, Role.INFO_OFFICER})


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset
    target: str
    roles: frozenset = EDIT_ROLES
    # Extra fields the action asks for, besides the note and photos every event carries.
    fields: tuple = ()
    note_required: bool = False
    button: str = "btn-primary"
    help: str = field(default="", compare=False)


# The closed loop, in one place. Services enforce it; views and templates read it.
TRANSITIONS = {
    t.action: t
    for t in (
        Transition(
            HazardAction.ASSIGN,
            frozenset({HazardState.REPORTED}),
            HazardState.ASSIGNED,
            fields=("responsible_unit", "responsible_person", "deadline"),
            help=_("明确整改责任单位和整改期限。"),
        ),
        Transition(
            HazardAction.START,
            frozenset({HazardState.ASSIGNED}),
            HazardState.IN_PROGRESS,
            roles=RECTIFY_ROLES,
            help=_("责任单位已接收并开始整改。"),
        ),
        Transition(
            HazardAction.COMPLETE,
            frozenset({HazardState.IN_PROGRESS}),
            HazardState.AWAITING_CHECK,
            roles=RECTIFY_ROLES,
            help=_("反馈整改结果，请上传整改后照片。"),
            button="btn-success",
        ),
        Transition(
            HazardAction.VERIFY,
            frozenset({HazardState.AWAITING_CHECK}),
            HazardState.CLOSED,
            help=_("现场核查通过，隐患销号。"),
            button="btn-success",
        ),
        Transition(
            HazardAction.REOPEN,
            frozenset({HazardState.AWAITING_CHECK}),
            HazardState.IN_PROGRESS,
            note_required=True,
            help=_("核查未通过，退回责任单位继续整改，请写明原因。"),
            button="btn-outline-danger",
        ),
    )
}

OPEN_STATES = [s for s in HazardState.values if s != HazardState.CLOSED]


OPEN_ON_MAP = ~Q(state=HazardState.CLOSED) & Q(latitude__isnull=False, longitude__isnull=False)


def overdue_q(today=None, prefix=""):
    """The overdue rule, once: a deadline before today and not closed."""
    today = today or timezone.localdate()
    return Q(**{f"{prefix}deadline__lt": today}) & ~Q(**{f"{prefix}state": HazardState.CLOSED})


class HazardQuerySet(ScopedQuerySet):
    def open(self):
        return self.exclude(state=HazardState.CLOSED)

    def overdue(self, today=None):
        return self.filter(overdue_q(today))

    def with_flags(self, today=None):
        return self.annotate(
            overdue_flag=Case(
                When(overdue_q(today), then=Value(True)),
                default=Value(False),
                output_field=models.BooleanField(),
            )
        )


# The hazards list's search: these columns, by their character index on PostgreSQL (made by
# migration 0006; a change of columns needs a new migration with the new index).
SEARCH_FIELDS = ["title", "description", "address", "responsible_unit"]
SEARCH_INDEX = GramIndex("hazard_search_grams", "hazards_hazard", SEARCH_FIELDS)


class Hazard(ScopedModel):
    title = models.CharField(_("隐患名称"), max_length=120)
    category = models.ForeignKey(
        HazardCategory, verbose_name=_("类别"), on_delete=models.PROTECT, related_name="+"
    )
    severity = models.CharField(
        _("隐患等级"), max_length=8, choices=Severity.choices, default=Severity.GENERAL
    )
    description = models.TextField(_("隐患描述"), blank=True)
    risk_point = models.ForeignKey(
        RiskPoint,
        verbose_name=_("所在风险点"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="hazards",
    )
    inspection = models.ForeignKey(
        RiskPointInspection,
        verbose_name=_("发现于巡查"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="hazards",
    )
    address = models.CharField(_("地点"), max_length=200, blank=True)
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(
        _("经度"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    found_by = models.CharField(_("发现人"), max_length=60)
    # The finder as a user where there is one (a grid worker's or officer's report); ``found_by``
    # keeps the name, and is the only record of finders without an account.
    reported_by = models.ForeignKey(
        User,
        verbose_name=_("发现人账号"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    found_on = models.DateField(_("发现日期"))
    state = models.CharField(
        _("状态"), max_length=16, choices=HazardState.choices, default=HazardState.REPORTED
    )
    responsible_unit = models.CharField(_("整改责任单位"), max_length=120, blank=True)
    responsible_person = models.CharField(_("整改责任人"), max_length=60, blank=True)
    deadline = models.DateField(_("整改期限"), null=True, blank=True)
    closed_at = models.DateTimeField(_("销号时间"), null=True, blank=True)

    objects = HazardQuerySet.as_manager()

    class Meta:
        verbose_name = _("隐患")
        verbose_name_plural = _("隐患")
        ordering = ["-found_on", "-pk"]
        indexes = [
            models.Index(fields=["state", "deadline"]),
            models.Index(fields=["found_on"]),
            # Figures per unit (statistics, dashboards) read only these columns: with them in
            # the index, counting a street's hazards is an index-only scan by org unit
            # instead of a scan of the whole table (the rows of one unit are spread over it).
            # With the id, a list page's ids come from it too (apps.orgs.pagination).
            models.Index(
                fields=["org_unit"],
                include=[
                    "state",
                    "deadline",
                    "closed_at",
                    "severity",
                    "found_on",
                    "category",
                    "id",
                ],
                name="hazard_unit_rows",
            ),
            # A large scope's list page (a district, the city), newest first: the dates walked
            # from the newest, each entry's unit and filtered columns tested in the index, so
            # a page of a district's 240,000 hazards reads a few thousand entries and no rows
            # (apps.orgs.pagination.IdsFirstPaginator).
            models.Index(
                fields=["-found_on", "-id"],
                include=["org_unit", "severity", "state", "deadline", "category"],
                name="hazard_found_walk",
            ),
            # The list filtered by state (搜索 “整改中”…): a unit's hazards in that state.
            models.Index(fields=["org_unit", "state", "found_on"], name="hazard_unit_state"),
            # The risk map's open hazards, as for risk points (see RiskPoint.Meta).
            models.Index(
                fields=["org_unit"],
                include=["latitude", "longitude", "severity"],
                condition=OPEN_ON_MAP,
                name="hazard_open_map",
            ),
            models.Index(
                fields=["latitude", "longitude"],
                include=["org_unit", "severity"],
                condition=OPEN_ON_MAP,
                name="hazard_open_map_box",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("hazards:detail", args=[self.pk])

    @property
    def is_overdue(self):
        flag = getattr(self, "overdue_flag", None)
        if flag is not None:
            return flag
        return bool(
            self.deadline
            and self.state != HazardState.CLOSED
            and self.deadline < timezone.localdate()
        )

    @property
    def is_closed(self):
        return self.state == HazardState.CLOSED

    @property
    def closed_in_time(self):
        return bool(
            self.is_closed
            and self.closed_at
            and self.deadline
            and timezone.localdate(self.closed_at) <= self.deadline
        )


class HazardEventQuerySet(ScopedQuerySet):
    scope_path = "hazard__org_unit__path"


class HazardEvent(models.Model):
    """One step of the loop: who did what, when, from which state to which, with a note."""

    hazard = models.ForeignKey(
        Hazard, verbose_name=_("隐患"), on_delete=models.CASCADE, related_name="events"
    )
    action = models.CharField(_("操作"), max_length=16, choices=HazardAction.choices)
    from_state = models.CharField(
        _("原状态"), max_length=16, choices=HazardState.choices, blank=True
    )
    to_state = models.CharField(_("新状态"), max_length=16, choices=HazardState.choices)
    note = models.TextField(_("说明"), blank=True)
    actor = models.ForeignKey(
        User, verbose_name=_("操作人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("时间"), default=timezone.now)
    # What an assignment set, kept on the event so the timeline reads without the hazard's
    # current values (a hazard may be re-assigned after a reopen).
    responsible_unit = models.CharField(_("整改责任单位"), max_length=120, blank=True)
    deadline = models.DateField(_("整改期限"), null=True, blank=True)

    objects = HazardEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("隐患处置记录")
        verbose_name_plural = _("隐患处置记录")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.hazard} · {self.get_action_display()}"


class HazardPhotoQuerySet(ScopedQuerySet):
    scope_path = "hazard__org_unit__path"


class HazardPhoto(models.Model):
    hazard = models.ForeignKey(
        Hazard, verbose_name=_("隐患"), on_delete=models.CASCADE, related_name="photos"
    )
    event = models.ForeignKey(
        HazardEvent, verbose_name=_("处置记录"), on_delete=models.CASCADE, related_name="photos"
    )
    image = models.ImageField(
        _("照片"), upload_to=RandomUploadTo("hazards/photos"), validators=[validate_image]
    )
    original_name = models.CharField(_("原文件名"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    objects = HazardPhotoQuerySet.as_manager()

    class Meta:
        verbose_name = _("隐患照片")
        verbose_name_plural = _("隐患照片")
        ordering = ["pk"]

    def __str__(self):
        return self.original_name or self.image.name

    def get_absolute_url(self):
        return reverse("hazards:photo", args=[self.pk])


class HazardLoopSettings(models.Model):
    """How strictly a district runs the loop (one row per district; without one, the
    defaults: both checks on, no direct assignment)."""

    district = models.OneToOneField(
        OrgUnit,
        verbose_name=_("区"),
        on_delete=models.CASCADE,
        related_name="+",
        limit_choices_to={"kind": OrgKind.DISTRICT},
    )
    photo_required = models.BooleanField(_("整改完成须上传整改后照片"), default=True)
    separate_verifier = models.BooleanField(
        _("核查销号须由他人进行"),
        default=True,
        help_text=_("标记整改完成的人不能核查销号本隐患。"),
    )
    trusted_direct_assign = models.BooleanField(
        _("网格员、灾害信息员上报直接交办"),
        default=False,
        help_text=_("上报即交办给隐患所在居委/村，整改期限按下面的天数。"),
    )
    direct_assign_days = models.PositiveSmallIntegerField(_("直接交办整改期限（天）"), default=7)

    class Meta:
        verbose_name = _("隐患闭环规则")
        verbose_name_plural = _("隐患闭环规则")

    def __str__(self):
        return str(self.district)

    @classmethod
    def for_unit(cls, unit):
        """The rules of the district ``unit`` lies in (the defaults where it has none)."""
        codes = [c for c in unit.path.split(PATH_SEPARATOR) if c]
        district = codes[1] if len(codes) > 1 else None
        return cls.objects.filter(district__code=district).first() or cls()
