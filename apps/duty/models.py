"""值班值守: the duty roster (值班表) of a street or a district, its shifts with a 带班领导 and
duty officers (值班员), the rotation a month of shifts is generated from, swaps (换班) approved
by the unit's street staff, and, per shift, the sign-in (签到), the duty log (值班日志) and the
handover (交接班) the next shift acknowledges.

A reinforced shift (加强值班: holidays, 汛期, an active warning) must have a 带班领导: the rule is
checked by the services with a clear message and kept by the database as well.
"""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from apps.orgs.models import ScopedModel, ScopedQuerySet

SHIFT_HOURS = [(24, _("24 小时一班")), (12, _("12 小时一班")), (8, _("8 小时一班"))]


class Roster(ScopedModel):
    """The 值班表 of one street or district: when a shift starts, how long it lasts, how many
    officers it has, and the rotation (``RotationMember``) months are generated from."""

    name = models.CharField(_("值班表名称"), max_length=100)
    shift_start = models.TimeField(
        _("交班时间"), default=datetime.time(8, 0), help_text=_("每天第一个班次的开始时间。")
    )
    shift_hours = models.PositiveSmallIntegerField(_("班次时长"), choices=SHIFT_HOURS, default=24)
    officers_per_shift = models.PositiveSmallIntegerField(
        _("每班值班员人数"), default=1, help_text=_("1 至 5 人。")
    )
    duty_phone = models.CharField(
        _("值班电话"), max_length=30, blank=True, help_text=_("值班室固定电话，如 021-62000000。")
    )

    class Meta:
        verbose_name = _("值班表")
        verbose_name_plural = _("值班表")
        ordering = ["org_unit__path"]
        constraints = [
            models.UniqueConstraint(
                fields=["org_unit"],
                name="roster_one_per_unit",
                violation_error_message=_("该单位已有值班表。"),
            ),
            models.CheckConstraint(
                condition=Q(officers_per_shift__gte=1, officers_per_shift__lte=5),
                name="roster_officers_per_shift_range",
                violation_error_message=_("每班值班员人数须在 1 至 5 人之间。"),
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("duty:roster", args=[self.pk])


class RotationMember(models.Model):
    """One place in the rotation (轮班顺序): leaders rotate among the leaders, officers among
    the officers, in ``position`` order."""

    roster = models.ForeignKey(
        Roster, verbose_name=_("值班表"), on_delete=models.CASCADE, related_name="rotation"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("人员"), on_delete=models.CASCADE, related_name="+"
    )
    is_leader = models.BooleanField(_("带班领导"), default=False)
    position = models.PositiveSmallIntegerField(_("顺序"))

    class Meta:
        verbose_name = _("轮班人员")
        verbose_name_plural = _("轮班人员")
        ordering = ["roster", "-is_leader", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["roster", "is_leader", "position"],
                name="rotation_position_unique",
                violation_error_message=_("轮班顺序重复。"),
            ),
        ]

    def __str__(self):
        return f"{self.roster} · {self.position}"


class ReinforcedReason(models.TextChoices):
    HOLIDAY = "holiday", _("节假日")
    FLOOD_SEASON = "flood_season", _("汛期")
    WARNING = "warning", _("预警生效")
    OTHER = "other", _("其他")


class ShiftQuerySet(ScopedQuerySet):
    scope_path = "roster__org_unit__path"

    def running(self, now):
        return self.filter(starts_at__lte=now, ends_at__gt=now)


class Shift(models.Model):
    """One shift (班次) of a roster, from ``starts_at`` to ``ends_at``."""

    roster = models.ForeignKey(
        Roster, verbose_name=_("值班表"), on_delete=models.CASCADE, related_name="shifts"
    )
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("带班领导"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    officers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("值班员"), related_name="duty_shifts", blank=True
    )
    reinforced = models.BooleanField(_("加强值班"), default=False)
    reinforced_reason = models.CharField(
        _("加强值班原因"), max_length=16, choices=ReinforcedReason.choices, blank=True
    )
    signed_in_at = models.DateTimeField(_("签到时间"), null=True, blank=True)
    signed_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("签到人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    handover_note = models.TextField(_("交班事项"), blank=True)
    handed_over_at = models.DateTimeField(_("交班时间"), null=True, blank=True)
    handed_over_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("交班人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    acknowledged_at = models.DateTimeField(_("接班确认时间"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("接班人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
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

    objects = ShiftQuerySet.as_manager()

    class Meta:
        verbose_name = _("班次")
        verbose_name_plural = _("班次")
        ordering = ["roster", "starts_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["roster", "starts_at"],
                name="shift_unique_start",
                violation_error_message=_("该值班表在这一时间已有班次。"),
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")),
                name="shift_ends_after_start",
                violation_error_message=_("班次结束时间须晚于开始时间。"),
            ),
            models.CheckConstraint(
                condition=Q(reinforced=False) | Q(leader__isnull=False),
                name="shift_reinforced_has_leader",
                violation_error_message=_("加强值班的班次须安排带班领导。"),
            ),
        ]
        indexes = [models.Index(fields=["starts_at", "ends_at"], name="shift_period")]

    def __str__(self):
        return f"{self.roster.org_unit.name} {self.starts_at:%Y-%m-%d %H:%M}"

    def get_absolute_url(self):
        return reverse("duty:shift", args=[self.pk])

    def is_on(self, user):
        """Whether ``user`` is on this shift (its 带班领导 or one of its officers)."""
        return user.pk == self.leader_id or any(o.pk == user.pk for o in self.officers.all())


class ChildQuerySet(ScopedQuerySet):
    scope_path = "shift__roster__org_unit__path"


class LogKind(models.TextChoices):
    CALL = "call", _("来电")
    ACTION = "action", _("处置")
    NOTE = "note", _("其他")


class LogEntry(models.Model):
    """One line of the 值班日志: a call received, an action taken, at a time in the shift."""

    shift = models.ForeignKey(
        Shift, verbose_name=_("班次"), on_delete=models.CASCADE, related_name="log"
    )
    at = models.DateTimeField(_("时间"))
    kind = models.CharField(_("类型"), max_length=16, choices=LogKind.choices)
    caller = models.CharField(_("来电人/单位"), max_length=100, blank=True)
    content = models.TextField(_("内容"))
    action = models.TextField(_("处置情况"), blank=True)
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("记录人"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = ChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("值班日志")
        verbose_name_plural = _("值班日志")
        ordering = ["shift", "at", "pk"]

    def __str__(self):
        return f"{self.at:%H:%M} {self.content[:30]}"


class SwapStatus(models.TextChoices):
    PENDING = "pending", _("待审批")
    APPROVED = "approved", _("已同意")
    REFUSED = "refused", _("未同意")


class SwapRequest(models.Model):
    """换班: the requester hands their place on ``shift`` to ``replacement``; with
    ``other_shift`` the two exchange (the requester takes the replacement's place there). The
    shifts change only when the unit's street staff approve."""

    shift = models.ForeignKey(
        Shift, verbose_name=_("班次"), on_delete=models.CASCADE, related_name="swaps"
    )
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申请人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    replacement = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("替班人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    other_shift = models.ForeignKey(
        Shift,
        verbose_name=_("对调班次"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("替班人原来的班次，由申请人接替；不填则为单向替班。"),
    )
    reason = models.CharField(_("换班原因"), max_length=200)
    status = models.CharField(
        _("状态"), max_length=16, choices=SwapStatus.choices, default=SwapStatus.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审批人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("申请时间"), auto_now_add=True)

    objects = ChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("换班申请")
        verbose_name_plural = _("换班申请")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.shift} · {self.requester} → {self.replacement}"
