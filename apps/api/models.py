"""The open API's own records: integration clients (一网统管, 社区云, a 12345 or 网格 work-order
system) and their tokens, the idempotency keys of work orders, the 社区云 population figures,
and webhook subscriptions with their delivery log.

The rules kept here:

- A client is bound to one org unit and a set of scopes; it sees what a user of that unit
  sees (``visible_to``), through its *service account* (``ApiClient.actor``), a ``User`` of the
  unit that every write is stamped and audited with. The account is stored inactive: nobody can
  log in as it and no notice, roster or recipient list ever finds it; the token authentication
  activates it in memory for the request it authenticates (``actor_for``).
- A token is shown once and stored as the SHA-256 of its secret (the secret has 256 bits of
  entropy, so a slow hash adds nothing); it is found by its public prefix.
- A work order's external id is unique per client: a resend finds the record the first send
  made, whatever two sends do at once.
"""

import hashlib
import secrets
import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.orgs.models import OrgUnit, Role, User


class Scope(models.TextChoices):
    """What a token may do. Org units are readable with any token."""

    READ_HAZARDS = "read:hazards", _("读取风险点和隐患")
    WRITE_HAZARDS = "write:hazards", _("上报隐患（工单）")
    READ_SHELTERS = "read:shelters", _("读取避难场所")
    READ_SUPPLIES = "read:supplies", _("读取应急物资库存")
    READ_PLANS = "read:plans", _("读取应急预案")
    READ_WARNINGS = "read:warnings", _("读取预警和叫应")
    WRITE_WARNINGS = "write:warnings", _("导入预警（CAP 1.2）")
    READ_INCIDENTS = "read:incidents", _("读取突发事件")
    WRITE_INCIDENTS = "write:incidents", _("报送突发事件")
    READ_DUTY = "read:duty", _("读取今日值班")
    WRITE_POPULATION = "write:population", _("更新人口户数（社区云）")


WRITE_SCOPES = frozenset(s for s in Scope.values if s.startswith("write:"))


class ApiClient(models.Model):
    """An integration client (接入系统)."""

    name = models.CharField(_("接入系统名称"), max_length=100, unique=True)
    org_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("所属单位"), on_delete=models.PROTECT, related_name="+"
    )
    scopes = models.JSONField(_("权限范围"), default=list, blank=True)
    requests_per_minute = models.PositiveIntegerField(
        _("每分钟请求上限"),
        default=600,
        validators=[MinValueValidator(1), MaxValueValidator(100000)],
    )
    contact = models.CharField(_("联系人及电话"), max_length=100, blank=True)
    note = models.TextField(_("备注"), blank=True)
    is_active = models.BooleanField(_("启用"), default=True)
    actor = models.OneToOneField(
        User,
        verbose_name=_("服务账号"),
        on_delete=models.PROTECT,
        related_name="api_client",
        editable=False,
        help_text=_("接口写入的记录以此账号署名并记入审计日志；该账号不能登录。"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("接入系统")
        verbose_name_plural = _("接入系统")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        """The service account follows the client: its unit, its role, its name."""
        if self.actor_id is None:
            self.actor = User(username=f"api-{uuid.uuid4().hex[:12]}", is_active=False)
        actor = self.actor
        actor.org_unit = self.org_unit
        actor.role = self.actor_role
        actor.last_name = str(_("接口·%(name)s")) % {"name": self.name}
        actor.first_name = ""
        actor.is_active = False
        if actor.pk is None or actor.has_usable_password():
            actor.set_unusable_password()  # a new random one each time: only when needed
        actor.save()
        self.actor = actor
        super().save(*args, **kwargs)

    def has_scope(self, scope):
        return scope in (self.scopes or [])

    @property
    def actor_role(self):
        """Street staff when the client writes (the services' editing rule), else read only."""
        return Role.STREET_STAFF if WRITE_SCOPES & set(self.scopes or []) else Role.CITY_VIEWER


TOKEN_PREFIX = "crp"


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def usable(self, now=None):
        now = now or timezone.now()
        return self.filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now),
            revoked_at__isnull=True,
            client__is_active=True,
        )


class ApiToken(models.Model):
    """One token of a client: ``crp_<prefix>_<secret>``; only the prefix and the SHA-256 of the
    secret are kept."""

    client = models.ForeignKey(
        ApiClient, verbose_name=_("接入系统"), on_delete=models.CASCADE, related_name="tokens"
    )
    prefix = models.CharField(_("令牌前缀"), max_length=16, unique=True, editable=False)
    secret_hash = models.CharField(_("密钥摘要"), max_length=64, editable=False)
    label = models.CharField(_("说明"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    expires_at = models.DateTimeField(_("失效时间"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True, editable=False)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True, editable=False)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("接口令牌")
        verbose_name_plural = _("接口令牌")
        ordering = ["client", "-created_at"]

    def __str__(self):
        return f"{TOKEN_PREFIX}_{self.prefix}_…"

    @property
    def is_usable(self):
        return (
            self.revoked_at is None
            and (self.expires_at is None or self.expires_at > timezone.now())
            and self.client.is_active
        )

    @classmethod
    def revoke_all(cls, tokens):
        """Revoke ``tokens`` one by one (``save()``: each revocation is in the audit trail)."""
        count = 0
        for token in tokens.filter(revoked_at__isnull=True).order_by("pk"):
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
            count += 1
        return count

    @classmethod
    def issue(cls, client, *, user=None, label="", expires_at=None):
        """A new token of ``client``: ``(token, plaintext)``; the plaintext is never stored."""
        prefix = secrets.token_hex(6)
        secret = secrets.token_urlsafe(32)
        token = cls.objects.create(
            client=client,
            prefix=prefix,
            secret_hash=hash_secret(secret),
            label=label,
            created_by=user,
            expires_at=expires_at,
        )
        return token, f"{TOKEN_PREFIX}_{prefix}_{secret}"


# --- idempotency of work orders -------------------------------------------------------------


class WorkOrder(models.Model):
    """A hazard reported by a client's work-order system (12345, 网格): the external order id
    names it, once per client."""

    client = models.ForeignKey(
        ApiClient, verbose_name=_("接入系统"), on_delete=models.PROTECT, related_name="+"
    )
    order_id = models.CharField(_("外部工单号"), max_length=100)
    hazard = models.ForeignKey(
        "hazards.Hazard",
        verbose_name=_("隐患"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("接收时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("工单")
        verbose_name_plural = _("工单")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["client", "order_id"],
                name="api_workorder_once_per_client",
                violation_error_message=_("该工单号已上报过。"),
            )
        ]

    def __str__(self):
        return f"{self.client} · {self.order_id}"


# --- 社区云 population ---------------------------------------------------------------------


class PopulationFigure(models.Model):
    """人房 data of one unit as 社区云 last sent it: the resident population (which also goes to
    ``OrgUnit.population``, the base of the area per resident) and the households."""

    org_unit = models.OneToOneField(
        OrgUnit, verbose_name=_("单位"), on_delete=models.CASCADE, related_name="population_figure"
    )
    population = models.PositiveIntegerField(_("常住人口"))
    households = models.PositiveIntegerField(_("户数"), null=True, blank=True)
    as_of = models.DateField(_("统计日期"))
    client = models.ForeignKey(
        ApiClient,
        verbose_name=_("来源系统"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("人口户数")
        verbose_name_plural = _("人口户数")
        ordering = ["org_unit__path"]

    def __str__(self):
        return f"{self.org_unit} · {self.as_of}"


# --- webhooks -------------------------------------------------------------------------------


class WebhookEvent(models.TextChoices):
    HAZARD_STATE = "hazard.state_changed", _("隐患状态变化")
    WARNING_PUBLISHED = "warning.published", _("预警发布")
    WARNING_ACKNOWLEDGED = "warning.acknowledged", _("预警叫应进展（叫应率）")
    INCIDENT_REPORTED = "incident.reported", _("突发事件初报")
    PING = "ping", _("测试推送")


# The scope a client needs to be told of each event (and the record must be visible to it).
EVENT_SCOPES = {
    WebhookEvent.HAZARD_STATE: Scope.READ_HAZARDS,
    WebhookEvent.WARNING_PUBLISHED: Scope.READ_WARNINGS,
    WebhookEvent.WARNING_ACKNOWLEDGED: Scope.READ_WARNINGS,
    WebhookEvent.INCIDENT_REPORTED: Scope.READ_INCIDENTS,
}


def new_webhook_secret():
    return secrets.token_urlsafe(32)


class WebhookSubscription(models.Model):
    client = models.ForeignKey(
        ApiClient,
        verbose_name=_("接入系统"),
        on_delete=models.CASCADE,
        related_name="subscriptions",
    )
    url = models.URLField(_("推送地址"), max_length=500)
    events = models.JSONField(_("订阅事件"), default=list)
    secret = models.CharField(
        _("签名密钥"),
        max_length=100,
        default=new_webhook_secret,
        editable=False,
        help_text=_("接收方用它校验 X-Portal-Signature。"),
    )
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("推送订阅")
        verbose_name_plural = _("推送订阅")
        ordering = ["client", "pk"]

    def __str__(self):
        return f"{self.client} → {self.url}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("待推送")
    DELIVERED = "delivered", _("已送达")
    FAILED = "failed", _("失败")


class WebhookDelivery(models.Model):
    """One event for one subscription, and what became of it. ``key`` names the occurrence (the
    hazard step, the warning, the incident): the same occurrence is delivered once."""

    subscription = models.ForeignKey(
        WebhookSubscription,
        verbose_name=_("推送订阅"),
        on_delete=models.CASCADE,
        related_name="deliveries",
    )
    event = models.CharField(_("事件"), max_length=40, choices=WebhookEvent.choices)
    key = models.CharField(_("事件标识"), max_length=100)
    delivery_id = models.UUIDField(_("推送编号"), default=uuid.uuid4, unique=True, editable=False)
    payload = models.JSONField(_("内容"))
    status = models.CharField(
        _("状态"), max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    response_status = models.PositiveSmallIntegerField(_("响应状态码"), null=True, blank=True)
    response_excerpt = models.CharField(_("响应内容摘录"), max_length=500, blank=True)
    error = models.CharField(_("错误"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    last_attempt_at = models.DateTimeField(_("最近尝试"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("送达时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("推送记录")
        verbose_name_plural = _("推送记录")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "key"],
                name="api_delivery_once_per_occurrence",
                violation_error_message=_("该事件已推送给此订阅。"),
            )
        ]
        indexes = [models.Index(fields=["status", "created_at"], name="api_delivery_status")]

    def __str__(self):
        return f"{self.get_event_display()} → {self.subscription.url}"
