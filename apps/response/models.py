"""应急响应: a plan's response card (响应卡: levels Ⅰ–Ⅳ, each with its tasks per role and unit and
the shelters, supply items and teams assigned to it) and the events that activate it.

An event (响应事件) belongs to a street; opening it at a level spawns that level's tasks with an
owning unit and a deadline, raising or lowering the level adds the new level's tasks (none is
removed), and every change writes one timeline row (``EventLog``). Shelters opened for the event
(``ShelterOperation``) hold their check-ins; ``occupancy`` is kept on the operation row and only
changes under that row's lock, so a hard capacity holds against simultaneous check-ins. The
transfer roster (``Transfer``) has one row per vulnerable resident of the area; supply requests
(``SupplyRequest``) go 申请 → 批准 → 调拨出库 → 签收 and dispatch through the supplies services
(never-negative stock); a site outside the event's street needs the district's consent first,
and an agreement reserve without stock is called off (调用) with a promised delivery time.

Tasks, requests and check-ins are scoped through the unit that owns them, so a community sees
its own tasks and requests of a street's event; the event itself is the street's.
"""

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.orgs.models import OrgUnit, ScopedModel, ScopedQuerySet


class Level(models.IntegerChoices):
    I = 1, _("Ⅰ级")  # noqa: E741 - the level's own name
    II = 2, _("Ⅱ级")
    III = 3, _("Ⅲ级")
    IV = 4, _("Ⅳ级")


# --- 响应卡 ----------------------------------------------------------------------------------


class CardLevelQuerySet(ScopedQuerySet):
    scope_path = "plan__org_unit__path"


class CardLevel(models.Model):
    """One response level of a plan's card: what the level means, and what is assigned to it."""

    plan = models.ForeignKey(
        "plans.Plan", verbose_name=_("预案"), on_delete=models.CASCADE, related_name="card_levels"
    )
    level = models.PositiveSmallIntegerField(_("响应级别"), choices=Level.choices)
    trigger = models.CharField(
        _("启动条件"), max_length=300, blank=True, help_text=_("如：发布台风橙色预警。")
    )
    shelters = models.ManyToManyField(
        "shelters.Shelter", verbose_name=_("预置避难场所"), blank=True, related_name="+"
    )
    teams = models.ManyToManyField(
        "people.EmergencyTeam", verbose_name=_("调用队伍"), blank=True, related_name="+"
    )

    objects = CardLevelQuerySet.as_manager()

    class Meta:
        verbose_name = _("响应级别")
        verbose_name_plural = _("响应级别")
        ordering = ["plan", "level"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "level"],
                name="response_card_level_unique",
                violation_error_message=_("该预案已有此响应级别。"),
            )
        ]

    def __str__(self):
        return f"{self.plan} · {self.get_level_display()}"


class CardChildQuerySet(ScopedQuerySet):
    scope_path = "card_level__plan__org_unit__path"


class CardTask(models.Model):
    """A task of a level: who (a role, e.g. 街道应急办 / 居委会) in which unit does what, within
    how many hours of the event opening at that level."""

    card_level = models.ForeignKey(
        CardLevel, verbose_name=_("响应级别"), on_delete=models.CASCADE, related_name="tasks"
    )
    title = models.CharField(_("任务"), max_length=200)
    role = models.CharField(_("责任岗位"), max_length=100, help_text=_("如：街道应急办、居委会。"))
    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("责任单位"), on_delete=models.PROTECT, related_name="+"
    )
    due_hours = models.PositiveSmallIntegerField(_("完成时限（小时）"), default=2)

    objects = CardChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("响应任务")
        verbose_name_plural = _("响应任务")
        ordering = ["card_level", "due_hours", "pk"]

    def __str__(self):
        return self.title


class CardSupply(models.Model):
    """An item (and how much of it) a level calls for."""

    card_level = models.ForeignKey(
        CardLevel, verbose_name=_("响应级别"), on_delete=models.CASCADE, related_name="supplies"
    )
    item = models.ForeignKey(
        "supplies.Item", verbose_name=_("物资"), on_delete=models.PROTECT, related_name="+"
    )
    quantity = models.PositiveIntegerField(_("数量"))

    objects = CardChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("响应物资")
        verbose_name_plural = _("响应物资")
        ordering = ["card_level", "item__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["card_level", "item"],
                name="response_card_supply_unique",
                violation_error_message=_("该响应级别已列有此物资。"),
            )
        ]

    def __str__(self):
        return f"{self.item.name} × {self.quantity}"


# --- 响应事件 --------------------------------------------------------------------------------


class Origin(models.TextChoices):
    MANUAL = "manual", _("手动启动")
    WARNING = "warning", _("预警")
    INCIDENT = "incident", _("突发事件报告")
    DRILL = "drill", _("演练")


class EventStatus(models.TextChoices):
    OPEN = "open", _("响应中")
    CLOSED = "closed", _("已结束")


class Event(ScopedModel):
    """One activation of a plan's card (owned by the plan's street)."""

    plan = models.ForeignKey(
        "plans.Plan", verbose_name=_("启动预案"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("事件名称"), max_length=200)
    level = models.PositiveSmallIntegerField(_("当前响应级别"), choices=Level.choices)
    is_exercise = models.BooleanField(_("演练"), default=False)
    origin = models.CharField(
        _("启动来源"), max_length=16, choices=Origin.choices, default=Origin.MANUAL
    )
    # The warning and/or incident the event answers; ``origin`` says which one set it off, and
    # that one must be named (constraints below). PROTECT, not SET_NULL: nulling the link would
    # break those constraints and lose what the response answered, and warnings and incidents
    # are closed (解除, 终报), never deleted, once published or reported.
    warning = models.ForeignKey(
        "warnings.Warning",
        verbose_name=_("关联预警"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="response_events",
    )
    incident = models.ForeignKey(
        "incidents.Incident",
        verbose_name=_("关联突发事件"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="response_events",
    )
    drill = models.ForeignKey(
        "drills.Drill",
        verbose_name=_("演练"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=EventStatus.choices, default=EventStatus.OPEN
    )
    opened_at = models.DateTimeField(_("启动时间"))
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    # The figures asked for at closing (事后评估).
    people_evacuated = models.PositiveIntegerField(_("转移人数"), null=True, blank=True)
    casualties = models.PositiveIntegerField(_("伤亡人数"), null=True, blank=True)
    direct_loss = models.DecimalField(
        _("直接经济损失（万元）"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    summary = models.TextField(_("处置总结"), blank=True)
    plan_needs_revision = models.BooleanField(_("预案需修订"), default=False)
    revision_reason = models.CharField(_("修订原因"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("响应事件")
        verbose_name_plural = _("响应事件")
        ordering = ["-opened_at", "-pk"]
        indexes = [models.Index(fields=["status", "opened_at"], name="response_event_status")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(origin=Origin.WARNING) | Q(warning__isnull=False),
                name="response_event_warning_named",
                violation_error_message=_("启动来源为预警时，须选择关联的预警。"),
            ),
            models.CheckConstraint(
                condition=~Q(origin=Origin.INCIDENT) | Q(incident__isnull=False),
                name="response_event_incident_named",
                violation_error_message=_("启动来源为突发事件报告时，须选择关联的突发事件。"),
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("response:detail", args=[self.pk])

    @property
    def is_open(self):
        return self.status == EventStatus.OPEN


class EventChildQuerySet(ScopedQuerySet):
    scope_path = "event__org_unit__path"


class EventLog(models.Model):
    """One line of the event's timeline (时间线). Written by the services, never edited."""

    class Kind(models.TextChoices):
        OPENED = "opened", _("启动响应")
        LEVEL = "level", _("调整级别")
        TASK = "task", _("任务")
        SHELTER = "shelter", _("避难场所")
        CHECK_IN = "check_in", _("入住登记")
        TRANSFER = "transfer", _("转移安置")
        REQUEST = "request", _("物资申请")
        DISPATCH = "dispatch", _("物资调拨")
        RECEIPT = "receipt", _("物资签收")
        CLOSED = "closed", _("结束响应")

    event = models.ForeignKey(
        Event, verbose_name=_("事件"), on_delete=models.CASCADE, related_name="log"
    )
    at = models.DateTimeField(_("时间"), default=timezone.now)
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    text = models.CharField(_("内容"), max_length=300)
    user = models.ForeignKey(
        "orgs.User", verbose_name=_("操作人"), on_delete=models.PROTECT, null=True, related_name="+"
    )

    objects = EventChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("事件时间线")
        verbose_name_plural = _("事件时间线")
        ordering = ["event", "at", "pk"]

    def __str__(self):
        return self.text


class UnitOwnedQuerySet(ScopedQuerySet):
    scope_path = "unit__path"


class TaskStatus(models.TextChoices):
    TODO = "todo", _("待办")
    DOING = "doing", _("处置中")
    DONE = "done", _("已完成")


class EventTask(models.Model):
    """A task spawned from the card when the event opened at (or moved to) its level."""

    event = models.ForeignKey(
        Event, verbose_name=_("事件"), on_delete=models.CASCADE, related_name="tasks"
    )
    level = models.PositiveSmallIntegerField(_("响应级别"), choices=Level.choices)
    title = models.CharField(_("任务"), max_length=200)
    role = models.CharField(_("责任岗位"), max_length=100)
    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("责任单位"), on_delete=models.PROTECT, related_name="+"
    )
    due_at = models.DateTimeField(_("完成时限"))
    status = models.CharField(
        _("状态"), max_length=16, choices=TaskStatus.choices, default=TaskStatus.TODO
    )
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    note = models.CharField(_("处置情况"), max_length=300, blank=True)
    updated_by = models.ForeignKey(
        "orgs.User",
        verbose_name=_("最后修改人"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )

    objects = UnitOwnedQuerySet.as_manager()

    class Meta:
        verbose_name = _("事件任务")
        verbose_name_plural = _("事件任务")
        ordering = ["event", "status", "due_at", "pk"]
        indexes = [models.Index(fields=["unit", "status"], name="response_task_unit")]

    def __str__(self):
        return self.title

    @property
    def is_overdue(self):
        return self.status != TaskStatus.DONE and self.due_at < timezone.now()


# --- 避难场所启用与入住 -------------------------------------------------------------------------


class ShelterOperation(models.Model):
    """A shelter opened for an event. ``occupancy`` (people present) changes only under this
    row's lock (``services.check_in``)."""

    event = models.ForeignKey(
        Event, verbose_name=_("事件"), on_delete=models.CASCADE, related_name="shelters"
    )
    shelter = models.ForeignKey(
        "shelters.Shelter", verbose_name=_("避难场所"), on_delete=models.PROTECT, related_name="+"
    )
    opening = models.OneToOneField(
        "shelters.ShelterOpening",
        verbose_name=_("启用记录"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    capacity = models.PositiveIntegerField(_("容纳上限（人）"))
    hard_limit = models.BooleanField(
        _("严格限额"), default=True, help_text=_("选中后，入住人数达到上限即不再登记。")
    )
    occupancy = models.PositiveIntegerField(_("在场人数"), default=0)
    peak = models.PositiveIntegerField(_("最高在场人数"), default=0)
    opened_at = models.DateTimeField(_("启用时间"))
    closed_at = models.DateTimeField(_("关闭时间"), null=True, blank=True)

    objects = EventChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("避难场所启用")
        verbose_name_plural = _("避难场所启用")
        ordering = ["event", "opened_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(hard_limit=False) | Q(occupancy__lte=models.F("capacity")),
                name="response_operation_within_capacity",
                violation_error_message=_("在场人数不能超过容纳上限。"),
            )
        ]

    def __str__(self):
        return str(self.shelter)

    def get_absolute_url(self):
        return reverse("response:operation", args=[self.pk])

    @property
    def is_open(self):
        return self.closed_at is None

    @property
    def remaining(self):
        return max(self.capacity - self.occupancy, 0)


class CheckInQuerySet(ScopedQuerySet):
    scope_path = "operation__event__org_unit__path"

    def present(self):
        return self.filter(checked_out_at__isnull=True)


class CheckIn(models.Model):
    """A person (and the household with them) checked in at an opened shelter."""

    operation = models.ForeignKey(
        ShelterOperation,
        verbose_name=_("避难场所"),
        on_delete=models.CASCADE,
        related_name="check_ins",
    )
    resident = models.ForeignKey(
        "people.VulnerableResident",
        verbose_name=_("脆弱人群"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    name = models.CharField(_("姓名"), max_length=50)
    phone = models.CharField(_("手机号码"), max_length=11, blank=True)
    id_number = models.CharField(_("身份证号"), max_length=18, blank=True)
    household_size = models.PositiveSmallIntegerField(_("同行人数（含本人）"), default=1)
    elderly = models.PositiveSmallIntegerField(_("老人"), default=0)
    children = models.PositiveSmallIntegerField(_("儿童"), default=0)
    alone = models.PositiveSmallIntegerField(_("孤寡"), default=0)
    disabled = models.PositiveSmallIntegerField(_("残疾人"), default=0)
    pregnant = models.PositiveSmallIntegerField(_("孕妇"), default=0)
    self_registered = models.BooleanField(_("扫码自助登记"), default=False)
    checked_in_at = models.DateTimeField(_("入住时间"), default=timezone.now)
    checked_out_at = models.DateTimeField(_("离开时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        "orgs.User", verbose_name=_("登记人"), on_delete=models.PROTECT, null=True, related_name="+"
    )

    objects = CheckInQuerySet.as_manager()

    class Meta:
        verbose_name = _("入住登记")
        verbose_name_plural = _("入住登记")
        ordering = ["operation", "-checked_in_at", "-pk"]
        indexes = [models.Index(fields=["operation", "checked_out_at"], name="response_present")]
        constraints = [
            models.UniqueConstraint(
                fields=["operation", "resident"],
                condition=Q(checked_out_at__isnull=True, resident__isnull=False),
                name="response_resident_once",
                violation_error_message=_("该居民已在此避难场所登记入住。"),
            )
        ]

    def __str__(self):
        return self.name

    @property
    def is_present(self):
        return self.checked_out_at is None


# --- 转移名单 -------------------------------------------------------------------------------


class TransferStatus(models.TextChoices):
    PENDING = "pending", _("待联系")
    CONTACTED = "contacted", _("已联系")
    MOVED = "moved", _("已转移")
    SAFE_AT_HOME = "safe", _("在家安全")
    SHELTERED = "sheltered", _("已安置")


class Transfer(models.Model):
    """A vulnerable resident of the event's area on the transfer roster (转移名单)."""

    event = models.ForeignKey(
        Event, verbose_name=_("事件"), on_delete=models.CASCADE, related_name="transfers"
    )
    resident = models.ForeignKey(
        "people.VulnerableResident",
        verbose_name=_("脆弱人群"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("所属单位"), on_delete=models.PROTECT, related_name="+"
    )
    helper = models.ForeignKey(
        "people.HelperAssignment",
        verbose_name=_("帮扶人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=TransferStatus.choices, default=TransferStatus.PENDING
    )
    operation = models.ForeignKey(
        ShelterOperation,
        verbose_name=_("安置场所"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    note = models.CharField(_("备注"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    updated_by = models.ForeignKey(
        "orgs.User", verbose_name=_("更新人"), on_delete=models.PROTECT, null=True, related_name="+"
    )

    objects = UnitOwnedQuerySet.as_manager()

    class Meta:
        verbose_name = _("转移安置")
        verbose_name_plural = _("转移安置")
        ordering = ["event", "unit__path", "resident__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "resident"],
                name="response_transfer_once",
                violation_error_message=_("该居民已在本事件的转移名单中。"),
            )
        ]

    def __str__(self):
        return str(self.resident)


# --- 物资申请 -------------------------------------------------------------------------------


class RequestStatus(models.TextChoices):
    REQUESTED = "requested", _("待审批")
    APPROVED = "approved", _("已批准")
    DISPATCHED = "dispatched", _("已出库")
    RECEIVED = "received", _("已签收")
    REJECTED = "rejected", _("未批准")


class SupplyRequest(models.Model):
    """A community (or a task) asks for an item; the street approves (possibly fewer),
    dispatches from a site with stock, and the requester signs for what arrived."""

    event = models.ForeignKey(
        Event, verbose_name=_("事件"), on_delete=models.CASCADE, related_name="requests"
    )
    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("申请单位"), on_delete=models.PROTECT, related_name="+"
    )
    task = models.ForeignKey(
        EventTask,
        verbose_name=_("关联任务"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    item = models.ForeignKey(
        "supplies.Item", verbose_name=_("物资"), on_delete=models.PROTECT, related_name="+"
    )
    quantity = models.PositiveIntegerField(_("申请数量"))
    reason = models.CharField(_("用途"), max_length=200)
    status = models.CharField(
        _("状态"), max_length=16, choices=RequestStatus.choices, default=RequestStatus.REQUESTED
    )
    approved_quantity = models.PositiveIntegerField(_("批准数量"), null=True, blank=True)
    decision_note = models.CharField(_("审批意见"), max_length=200, blank=True)
    site = models.ForeignKey(
        "supplies.Site",
        verbose_name=_("出库储备点"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    voucher = models.CharField(_("出库单号"), max_length=32, blank=True)
    # 跨街道调拨: the site of another street (or the district's) the street asks for, and the
    # district's consent; only then may that site's street (or the district) dispatch.
    source_site = models.ForeignKey(
        "supplies.Site",
        verbose_name=_("跨街道调拨储备点"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    district_approved_at = models.DateTimeField(_("区级审批时间"), null=True, blank=True)
    district_approved_by = models.ForeignKey(
        "orgs.User",
        verbose_name=_("区级审批人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # 调用协议储备 without stock in the ledger: when the supplier promised to deliver.
    promised_at = models.DateTimeField(_("承诺送达时间"), null=True, blank=True)
    received_quantity = models.PositiveIntegerField(_("实收数量"), null=True, blank=True)
    discrepancy = models.CharField(_("差异说明"), max_length=200, blank=True)
    requested_at = models.DateTimeField(_("申请时间"), default=timezone.now)
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    dispatched_at = models.DateTimeField(_("出库时间"), null=True, blank=True)
    received_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    requested_by = models.ForeignKey(
        "orgs.User", verbose_name=_("申请人"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    decided_by = models.ForeignKey(
        "orgs.User", verbose_name=_("审批人"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    received_by = models.ForeignKey(
        "orgs.User", verbose_name=_("签收人"), on_delete=models.PROTECT, null=True, related_name="+"
    )

    objects = UnitOwnedQuerySet.as_manager()

    class Meta:
        verbose_name = _("物资申请")
        verbose_name_plural = _("物资申请")
        ordering = ["event", "-requested_at", "-pk"]

    def __str__(self):
        return f"{self.item.name} × {self.quantity}"

    def get_absolute_url(self):
        return reverse("response:request", args=[self.pk])

    @property
    def lead_time(self):
        """Request to receipt (签收), or None before it is signed for."""
        return self.received_at - self.requested_at if self.received_at else None


class FollowUpQuerySet(EventChildQuerySet):
    def open(self):
        return self.filter(done=False)


class FollowUp(models.Model):
    """A problem found in the response (事后评估) and what is done about it, as drills do."""

    event = models.ForeignKey(
        Event, verbose_name=_("事件"), on_delete=models.CASCADE, related_name="follow_ups"
    )
    problem = models.CharField(_("发现的问题"), max_length=300)
    owner = models.CharField(_("责任人/责任部门"), max_length=100)
    due_date = models.DateField(_("整改期限"))
    done = models.BooleanField(_("已完成"), default=False)

    objects = FollowUpQuerySet.as_manager()

    class Meta:
        verbose_name = _("整改事项")
        verbose_name_plural = _("整改事项")
        ordering = ["event", "done", "due_date", "pk"]

    def __str__(self):
        return self.problem
