"""预警叫应: warnings (CAP 1.2 alerts) issued by a district or a street for an area, the named
责任人 (A and B per duty) of every unit, one 叫应 (call) per person per warning with its
acknowledgement, and the per-level 到岗 checklist each called unit confirms.

A warning goes 草稿 → 已审核 (by a second person, never the drafter) → 已发布; an update is a
new warning that supersedes the old one (CAP ``references``), a cancellation (解除) ends every
open 叫应. The rules live in ``services``; the database keeps the invariants it can: one call
per person per warning, one confirmation per unit and checklist item. A ``CapFeed`` is a CAP
address on the intranet that beat polls (``feeds``), each alert imported once.
"""

import uuid

from django.conf import settings
from django.core.validators import RegexValidator, URLValidator
from django.db import models
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from apps.orgs.models import PATH_SEPARATOR, OrgUnit, ScopedModel, ScopedQuerySet


def ancestor_paths(path):
    """'/a/b/c/' → ['/a/', '/a/b/', '/a/b/c/']: the unit's own path and its ancestors'."""
    parts = [p for p in path.split(PATH_SEPARATOR) if p]
    return [
        PATH_SEPARATOR + PATH_SEPARATOR.join(parts[: i + 1]) + PATH_SEPARATOR
        for i in range(len(parts))
    ]


class WarningType(models.Model):
    """预警种类 (台风, 暴雨 …): reference data, see ``reference.py``."""

    code = models.CharField(_("编码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=50)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("预警种类")
        verbose_name_plural = _("预警种类")
        ordering = ["order", "code"]

    def __str__(self):
        return self.name


class Level(models.TextChoices):
    BLUE = "blue", _("蓝色")
    YELLOW = "yellow", _("黄色")
    ORANGE = "orange", _("橙色")
    RED = "red", _("红色")


# Minutes an initial call may stay unanswered before the B person and the unit's duty officer
# are called; after twice as long the superior unit is called.
ESCALATION_MINUTES = {Level.RED: 10, Level.ORANGE: 20, Level.YELLOW: 30, Level.BLUE: 60}


class Source(models.TextChoices):
    CITY_MET = "city_met", _("市气象台")
    DISTRICT_MET = "district_met", _("区气象台")
    FLOOD_OFFICE = "flood_office", _("区防汛办")
    EMERGENCY_BUREAU = "emergency_bureau", _("区应急局")
    STREET = "street", _("街镇")


class Duty(models.TextChoices):
    STREET_LEADER = "street_leader", _("街镇主要负责人")
    FLOOD = "flood", _("防汛责任人")
    COMMUNITY_DIRECTOR = "community_director", _("居委主任")
    ESTATE_OFFICER = "estate_officer", _("小区灾害信息员")
    DUTY_OFFICER = "duty_officer", _("值班员")


# Which duties a warning of each level calls at once (the A person of each); the duty officer
# and the B persons are called on escalation.
LEVEL_DUTIES = {
    Level.BLUE: [Duty.FLOOD],
    Level.YELLOW: [Duty.FLOOD, Duty.COMMUNITY_DIRECTOR],
    Level.ORANGE: [Duty.FLOOD, Duty.COMMUNITY_DIRECTOR, Duty.ESTATE_OFFICER],
    Level.RED: [Duty.STREET_LEADER, Duty.FLOOD, Duty.COMMUNITY_DIRECTOR, Duty.ESTATE_OFFICER],
}

# 到岗 checklist: what each called unit confirms, per level.
CHECKLISTS: dict[str, list[tuple[str, Promise]]] = {
    Level.BLUE: [("on_post", _("责任人到岗")), ("duty", _("值班加强"))],
    Level.YELLOW: [
        ("on_post", _("责任人到岗")),
        ("duty", _("值班加强")),
        ("patrol", _("巡查加密")),
    ],
    Level.ORANGE: [
        ("on_post", _("责任人到岗")),
        ("duty", _("值班加强")),
        ("patrol", _("巡查加密")),
        ("supplies", _("物资前置")),
    ],
    Level.RED: [
        ("on_post", _("责任人到岗")),
        ("evacuation", _("人员转移")),
        ("shelters", _("避难场所开放")),
        ("supplies", _("物资前置")),
        ("duty", _("值班加强")),
    ],
}


class Position(models.TextChoices):
    A = "A", _("A岗")
    B = "B", _("B岗")


class DutyHolder(ScopedModel):
    """责任人: a named person holding one duty (A or B) for one unit."""

    duty = models.CharField(_("职责"), max_length=32, choices=Duty.choices)
    position = models.CharField(_("AB岗"), max_length=1, choices=Position.choices)
    name = models.CharField(_("姓名"), max_length=50)
    mobile = models.CharField(
        _("手机号"),
        max_length=11,
        validators=[RegexValidator(r"^1[3-9][0-9]{9}$", _("请输入11位手机号码。"))],
    )
    email = models.EmailField(_("电子邮箱"), blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登录账号"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="duty_holders",
        help_text=_("有平台账号的责任人可在手机页面确认叫应。"),
    )

    class Meta:
        verbose_name = _("责任人")
        verbose_name_plural = _("责任人")
        ordering = ["org_unit__path", "duty", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["org_unit", "duty", "position"],
                name="dutyholder_one_per_position",
                violation_error_message=_("该单位的这一职责已有此AB岗责任人。"),
            )
        ]

    def __str__(self):
        return f"{self.name}（{self.get_duty_display()}{self.position}）"

    def get_absolute_url(self):
        return reverse("warnings:holder_edit", args=[self.pk])


class Status(models.TextChoices):
    DRAFT = "draft", _("草稿")
    APPROVED = "approved", _("已审核")
    PUBLISHED = "published", _("已发布")
    SUPERSEDED = "superseded", _("已更新")
    CANCELLED = "cancelled", _("已解除")


class WarningQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        """Warnings issued in the user's scope, and published ones whose area covers part of it
        (a district's warning reaches its streets)."""
        mine = super().visible_to(user)
        if not (user and user.is_authenticated and user.is_active) or user.is_superuser:
            return mine
        covers = models.Q()
        for path in user.scope_paths:
            covers |= models.Q(areas__path__in=ancestor_paths(path))
            covers |= models.Q(areas__path__startswith=path)
        if not covers:
            return mine
        reaching = self.filter(covers).exclude(status__in=[Status.DRAFT, Status.APPROVED])
        return self.filter(
            models.Q(pk__in=mine.values("pk")) | models.Q(pk__in=reaching.values("pk"))
        )

    def active(self):
        return self.filter(status=Status.PUBLISHED)


class Warning(ScopedModel):
    """One alert. ``org_unit`` is the issuing unit (a district or a street); ``areas`` the units
    it is for, each in the issuer's subtree."""

    warning_type = models.ForeignKey(
        WarningType, verbose_name=_("预警种类"), on_delete=models.PROTECT, related_name="+"
    )
    level = models.CharField(_("预警级别"), max_length=8, choices=Level.choices)
    source = models.CharField(_("发布来源"), max_length=32, choices=Source.choices)
    headline = models.CharField(_("标题"), max_length=200)
    text = models.TextField(_("预警内容"))
    issued_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    expires_at = models.DateTimeField(_("失效时间"))
    areas = models.ManyToManyField(OrgUnit, verbose_name=_("预警范围"), related_name="+")
    identifier = models.CharField(
        _("CAP 标识"), max_length=200, unique=True, default="", blank=True
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    # CAP references: the warning this one updates (a withdrawn update draft leaves room for
    # another, so not one-to-one; publishing checks the old one is still in force)
    supersedes = models.ForeignKey(
        "self",
        verbose_name=_("更新的预警"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="updates",
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发布人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    cancelled_at = models.DateTimeField(_("解除时间"), null=True, blank=True)
    cancel_reason = models.CharField(_("解除原因"), max_length=200, blank=True)

    objects = WarningQuerySet.as_manager()

    class Meta:
        verbose_name = _("预警")
        verbose_name_plural = _("预警")
        ordering = ["-created_at", "-pk"]
        permissions = [("issue_warning", _("起草、审核和发布本单位辖区的预警"))]
        indexes = [models.Index(fields=["status", "-created_at"], name="warning_status_new")]

    def __str__(self):
        return self.headline

    def save(self, *args, **kwargs):
        if not self.identifier:
            self.identifier = f"urn:uuid:{uuid.uuid4()}"
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("warnings:detail", args=[self.pk])

    @property
    def checklist(self):
        return CHECKLISTS[self.level]


class CallQuerySet(ScopedQuerySet):
    def open(self):
        return self.filter(status=CallStatus.OPEN)


class CallStatus(models.TextChoices):
    OPEN = "open", _("待叫应")
    ACKNOWLEDGED = "acknowledged", _("已叫应")
    CLOSED = "closed", _("已结束")


class Channel(models.TextChoices):
    SMS = "sms", _("短信链接")
    EMAIL = "email", _("邮件链接")
    APP = "app", _("站内通知")
    PHONE_PAGE = "phone", _("手机页面")


class Tier(models.IntegerChoices):
    INITIAL = 0, _("首呼")
    ESCALATED = 1, _("升级：B岗和值班员")
    SUPERIOR = 2, _("升级：上级单位")


class Call(models.Model):
    """叫应: one person called for one warning, and their answer. The holder's name, phone and
    account are copied at the call: the record stays true when the 责任人 list changes.

    ``escalation`` counts the steps this (initial) call has set off, so a tick claims each step
    once; ``escalated_from`` links an escalation call to the call that set it off."""

    warning = models.ForeignKey(
        Warning, verbose_name=_("预警"), on_delete=models.CASCADE, related_name="calls"
    )
    holder = models.ForeignKey(
        DutyHolder, verbose_name=_("责任人"), on_delete=models.PROTECT, related_name="calls"
    )
    org_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="+"
    )
    duty = models.CharField(_("职责"), max_length=32, choices=Duty.choices)
    position = models.CharField(_("AB岗"), max_length=1, choices=Position.choices)
    name = models.CharField(_("姓名"), max_length=50)
    mobile = models.CharField(_("手机号"), max_length=11)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登录账号"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="warning_calls",
    )
    tier = models.PositiveSmallIntegerField(_("叫应轮次"), choices=Tier.choices, default=0)
    escalated_from = models.ForeignKey(
        "self",
        verbose_name=_("升级自"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    escalation = models.PositiveSmallIntegerField(_("已升级次数"), default=0)
    status = models.CharField(
        _("状态"), max_length=16, choices=CallStatus.choices, default=CallStatus.OPEN
    )
    called_at = models.DateTimeField(_("叫应时间"))
    acknowledged_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    channel = models.CharField(_("确认渠道"), max_length=8, choices=Channel.choices, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("确认账号"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # Set once the call has gone out (in-app, e-mail, SMS); the delivery task claims the rows
    # where it is empty, so a second worker never sends them again.
    notified_at = models.DateTimeField(_("送达时间"), null=True, blank=True)
    sms_error = models.CharField(_("短信发送失败原因"), max_length=200, blank=True)

    objects = CallQuerySet.as_manager()

    class Meta:
        verbose_name = _("叫应")
        verbose_name_plural = _("叫应")
        ordering = ["org_unit__path", "tier", "duty", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["warning", "holder"],
                name="call_once_per_person",
                violation_error_message=_("该责任人已被叫应，不会重复叫应。"),
            )
        ]
        indexes = [
            models.Index(fields=["status", "tier", "escalation", "called_at"], name="call_due"),
            models.Index(fields=["user", "status"], name="call_user_open"),
        ]

    def __str__(self):
        return f"{self.warning} · {self.name}"

    @property
    def seconds_to_acknowledge(self):
        if self.acknowledged_at is None:
            return None
        return (self.acknowledged_at - self.called_at).total_seconds()


class ChecklistConfirmation(models.Model):
    """One 到岗/checklist item confirmed by one unit for one warning."""

    warning = models.ForeignKey(
        Warning, verbose_name=_("预警"), on_delete=models.CASCADE, related_name="confirmations"
    )
    org_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="+"
    )
    item = models.CharField(_("事项"), max_length=32)
    confirmed_at = models.DateTimeField(_("确认时间"))
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("确认人"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("到岗事项确认")
        verbose_name_plural = _("到岗事项确认")
        ordering = ["org_unit__path", "item"]
        constraints = [
            models.UniqueConstraint(
                fields=["warning", "org_unit", "item"],
                name="checklist_once",
                violation_error_message=_("该事项已确认。"),
            )
        ]

    def __str__(self):
        return self.item


# --- CAP feeds ------------------------------------------------------------------------------


class FeedStatus(models.TextChoices):
    OK = "ok", _("正常")
    PARTIAL = "partial", _("部分预警未导入")
    FAILED = "failed", _("获取失败")


class CapFeed(ScopedModel):
    """CAP 1.2 订阅: an intranet address returning one CAP alert or an Atom feed of links to
    alerts, polled by beat (``feeds.poll_cap_feeds``). Its alerts become drafts of ``org_unit``
    (the issuing district or street, as the upload's 接收单位) made by ``imported_as``, exactly
    as if that account had uploaded the file; approval stays with a second person.

    An address is added once: an alert is imported once in the whole portal (its CAP
    identifier is unique), so a second feed of the same address could only ever skip."""

    name = models.CharField(_("名称"), max_length=100)
    url = models.URLField(
        _("订阅地址"),
        max_length=500,
        validators=[
            URLValidator(schemes=["http", "https"], message=_("订阅地址须为 http 或 https 网址。"))
        ],
        help_text=_("内网地址：返回一条 CAP 1.2 预警，或链接到 CAP 预警的 Atom 订阅。"),
    )
    imported_as = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("导入账号"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_(
            "以该账号名义起草导入的预警（宜用专用账号）：须能以所属单位名义发布预警；"
            "审核和发布仍由另一位工作人员进行。"
        ),
    )
    is_active = models.BooleanField(_("启用"), default=True)
    last_polled_at = models.DateTimeField(_("最近获取时间"), null=True, blank=True)
    last_status = models.CharField(
        _("最近获取结果"), max_length=16, choices=FeedStatus.choices, blank=True
    )
    last_error = models.TextField(_("最近错误"), blank=True)

    class Meta:
        verbose_name = _("CAP 预警订阅")
        verbose_name_plural = _("CAP 预警订阅")
        ordering = ["org_unit__path", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["url"],
                name="capfeed_url_once",
                violation_error_message=_("该订阅地址已添加，同一条预警只能导入一次。"),
            ),
            # the form's validator says the same; this keeps file:// and ftp:// out of the
            # poller whatever writes the row
            models.CheckConstraint(
                condition=models.Q(url__startswith="http://")
                | models.Q(url__startswith="https://"),
                name="capfeed_http_only",
                violation_error_message=_("订阅地址须为 http 或 https 网址。"),
            ),
        ]

    def __str__(self):
        return self.name
