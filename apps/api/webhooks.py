"""Webhooks: a client's subscriptions are told of hazard steps, warnings published (and how
their 叫应 rate goes), and incidents reported.

The domain apps announce those through their own signals (``apps.hazards.signals``,
``apps.warnings.signals``, ``apps.incidents.signals``), inside their transactions; here each is
turned, after the commit (``transaction.on_commit``: a rolled-back change tells nobody), into
one ``WebhookDelivery`` per subscription whose client has the event's scope and sees the record
(``visible_to`` of its unit), and each delivery into one Celery task (``tasks.deliver_webhook``).
The (subscription, occurrence) pair is unique, so an occurrence announced twice is delivered
once. A warning's acknowledgement rate is told at each tenth (10 %, 20 % … 100 %), not at
every answer.

Each POST carries the JSON body and these headers::

    X-Portal-Event: hazard.state_changed
    X-Portal-Delivery: <uuid of the delivery, the same on every attempt>
    X-Portal-Timestamp: <Unix seconds of this attempt>
    X-Portal-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>" with the secret>

A receiver recomputes the HMAC with the subscription's secret, compares in constant time and
refuses a timestamp more than five minutes old (``verify_signature``). Any 2xx answer is
delivered; anything else (or no answer) is retried with exponential backoff
(``API_WEBHOOK_RETRY_SECONDS``, doubled each time up to ``API_WEBHOOK_RETRY_MAX_SECONDS``, at
most ``API_WEBHOOK_MAX_ATTEMPTS`` attempts); every attempt's status and the first 500
characters of the answer are kept. Redirects are not followed.
"""

import hashlib
import hmac
import json
import logging
import time
import urllib.error
import urllib.request

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.hazards.models import Hazard
from apps.hazards.signals import hazard_state_changed
from apps.incidents.models import Incident
from apps.incidents.signals import incident_reported
from apps.warnings.models import Call, Warning
from apps.warnings.selectors import figures
from apps.warnings.signals import call_acknowledged, warning_published

from .auth import actor_for
from .models import (
    EVENT_SCOPES,
    DeliveryStatus,
    WebhookDelivery,
    WebhookEvent,
    WebhookSubscription,
)

logger = logging.getLogger(__name__)

SIGNATURE_TOLERANCE_SECONDS = 300
EXCERPT = 500


# --- signing ------------------------------------------------------------------------------


def sign(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return f"sha256={digest.hexdigest()}"


def verify_signature(secret, timestamp, body, signature, *, now=None) -> bool:
    """What a receiver does: the signature matches and the timestamp is recent."""
    try:
        age = abs((now or time.time()) - int(timestamp))
    except (TypeError, ValueError):
        return False
    if age > SIGNATURE_TOLERANCE_SECONDS:
        return False
    return hmac.compare_digest(sign(secret, str(timestamp), body), signature or "")


def body_of(delivery: WebhookDelivery) -> bytes:
    envelope = {
        "event": delivery.event,
        "delivery": str(delivery.delivery_id),
        "created_at": delivery.created_at.isoformat(),
        "data": delivery.payload,
    }
    return json.dumps(envelope, ensure_ascii=False, separators=(",", ":")).encode()


# --- from domain events to deliveries -------------------------------------------------------


def _json(data):
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


def _subscriptions(event):
    """Active subscriptions to ``event`` (few rows; the events list is read here, as SQLite
    cannot look inside JSON)."""
    return [
        sub
        for sub in WebhookSubscription.objects.filter(
            is_active=True, client__is_active=True
        ).select_related("client__actor__org_unit", "client__org_unit")
        if event in (sub.events or [])
        and (event not in EVENT_SCOPES or sub.client.has_scope(EVENT_SCOPES[event]))
    ]


def _deliver(subscription, event, key, payload):
    """A delivery of one occurrence to one subscription, queued once (its key is unique).
    ``payload`` may be a function, called only when the occurrence is new to the subscriber."""
    key = f"{event}:{key}"
    delivery = WebhookDelivery.objects.filter(subscription=subscription, key=key).first()
    if delivery is not None:
        return delivery
    delivery, created = WebhookDelivery.objects.get_or_create(
        subscription=subscription,
        key=key,
        defaults={"event": event, "payload": _json(payload() if callable(payload) else payload)},
    )
    if created:
        from .tasks import deliver_webhook

        deliver_webhook.delay_on_commit(delivery.pk)
    return delivery


def _announce(event, model, pk, build):
    """After the commit: each subscriber that sees record ``pk`` of ``model`` gets
    ``build(record, actor)`` → ``(key, payload)`` (or None: nothing to tell it)."""
    subscriptions = _subscriptions(event)
    if not subscriptions:
        return
    for subscription in subscriptions:
        actor = actor_for(subscription.client)
        record = model.objects.visible_to(actor).filter(pk=pk).first()
        if record is None:
            continue
        built = build(record, actor)
        if built is not None:
            with transaction.atomic():
                _deliver(subscription, event, *built)


def _after_commit(event, model, pk, build):
    # robust: the change is committed; a broker or receiver fault is logged, never the
    # user's (or the calling client's) error
    transaction.on_commit(lambda: _announce(event, model, pk, build), robust=True)


def on_hazard_step(sender, hazard, step, **kwargs):
    def build(record, actor):
        from .serializers import HazardSerializer

        record = Hazard.objects.with_flags().select_related("org_unit", "category").get(pk=pk)
        return step_id, {
            "hazard": HazardSerializer(record).data,
            "step": {
                "action": step_action,
                "from_state": from_state,
                "to_state": to_state,
                "note": note,
                "at": at,
            },
        }

    pk, step_id = hazard.pk, step.pk
    step_action, from_state, to_state = step.action, step.from_state, step.to_state
    note, at = step.note, step.created_at
    _after_commit(WebhookEvent.HAZARD_STATE, Hazard, pk, build)


def _warning_data(warning, actor):
    from .serializers import WarningSerializer

    warning = (
        Warning.objects.select_related("org_unit", "warning_type")
        .prefetch_related("areas")
        .get(pk=warning.pk)
    )
    calls = list(
        Call.objects.visible_to(actor)
        .filter(warning=warning)
        .only("status", "called_at", "acknowledged_at")
    )
    warning.call_figures = figures(calls)
    return WarningSerializer(warning).data


def on_warning_published(sender, warning, **kwargs):
    def build(record, actor):
        return record.pk, {"warning": _warning_data(record, actor)}

    _after_commit(WebhookEvent.WARNING_PUBLISHED, Warning, warning.pk, build)


def on_call_acknowledged(sender, call, **kwargs):
    """Subscribers hear the acknowledgement rate at each 10 % step. Thousands of people answer
    a city-wide warning within minutes: each answer counts the calls (one aggregate), and only
    the first to reach a step the subscriber has not been told of reads every call."""

    def build(record, actor):
        counts = (
            Call.objects.visible_to(actor)
            .filter(warning=record)
            .aggregate(
                total=Count("pk"), answered=Count("pk", filter=Q(acknowledged_at__isnull=False))
            )
        )
        if not counts["total"]:
            return None
        rate = round(100 * counts["answered"] / counts["total"])
        step = 100 if rate >= 100 else rate // 10 * 10
        if step == 0:
            return None
        return f"{record.pk}:{step}", lambda: {
            "warning": _warning_data(record, actor),
            "rate_step": step,
        }

    _after_commit(WebhookEvent.WARNING_ACKNOWLEDGED, Warning, call.warning_id, build)


def on_incident_reported(sender, incident, **kwargs):
    def build(record, actor):
        from .serializers import IncidentDetailSerializer

        record = (
            Incident.objects.select_related("org_unit", "incident_type__parent")
            .prefetch_related("reports")
            .get(pk=record.pk)
        )
        return record.pk, {"incident": IncidentDetailSerializer(record).data}

    _after_commit(WebhookEvent.INCIDENT_REPORTED, Incident, incident.pk, build)


def connect():
    hazard_state_changed.connect(on_hazard_step, dispatch_uid="api.webhooks.hazard")
    warning_published.connect(on_warning_published, dispatch_uid="api.webhooks.warning")
    call_acknowledged.connect(on_call_acknowledged, dispatch_uid="api.webhooks.ack")
    incident_reported.connect(on_incident_reported, dispatch_uid="api.webhooks.incident")


def send_test(subscription: WebhookSubscription) -> WebhookDelivery:
    """测试推送 from admin: a ``ping`` delivery, signed and retried like any other."""
    with transaction.atomic():
        return _deliver(
            subscription,
            WebhookEvent.PING,
            f"{timezone.now().timestamp()}",
            {"message": _("社区韧性工作平台测试推送"), "client": subscription.client.name},
        )


def resend(delivery: WebhookDelivery) -> None:
    """重新推送 from admin: a failed (or stuck) delivery is queued again."""
    from .tasks import deliver_webhook

    with transaction.atomic():
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            status=DeliveryStatus.PENDING, attempts=0, error=""
        )
        deliver_webhook.delay_on_commit(delivery.pk)


# --- sending ------------------------------------------------------------------------------


def _opener():
    """http and https only, no redirects (a 3xx is an answer like any other non-2xx)."""
    opener = urllib.request.OpenerDirector()
    for handler in (
        urllib.request.ProxyHandler(),
        urllib.request.UnknownHandler(),
        urllib.request.HTTPHandler(),
        urllib.request.HTTPSHandler(),
        urllib.request.HTTPDefaultErrorHandler(),  # non-2xx: HTTPError, read below
        urllib.request.HTTPErrorProcessor(),
    ):
        opener.add_handler(handler)
    return opener


def _post(url, body, headers):
    """``(status, excerpt)`` of one POST; ``(None, error)`` when nothing came back."""
    # http(s) only: _opener has no other handler
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310
    try:
        with _opener().open(request, timeout=settings.API_WEBHOOK_TIMEOUT) as response:
            return response.status, response.read(EXCERPT).decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read(EXCERPT).decode("utf-8", "replace")
    except (urllib.error.URLError, OSError, ValueError) as exc:
        return None, str(getattr(exc, "reason", exc))[:300]


RETRY, DONE = "retry", "done"


def attempt(delivery_id: int) -> str | None:
    """One attempt of one delivery: ``DONE`` (delivered, or failed for good), ``RETRY`` (try
    again later) or None (not pending: delivered already, or another worker holds it). The
    row stays locked during the POST, so a redelivered message never sends it twice at once."""
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(skip_locked=True)
            .select_related("subscription")
            .filter(pk=delivery_id, status=DeliveryStatus.PENDING)
            .first()
        )
        if delivery is None:
            return None
        timestamp = str(int(time.time()))
        body = body_of(delivery)
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "community-resilience-portal-webhooks/1",
            "X-Portal-Event": delivery.event,
            "X-Portal-Delivery": str(delivery.delivery_id),
            "X-Portal-Timestamp": timestamp,
            "X-Portal-Signature": sign(delivery.subscription.secret, timestamp, body),
        }
        status, text = _post(delivery.subscription.url, body, headers)
        delivery.attempts += 1
        delivery.last_attempt_at = timezone.now()
        delivery.response_status = status
        delivery.response_excerpt = text[:EXCERPT] if status is not None else ""
        delivery.error = "" if status is not None else text
        if status is not None and 200 <= status < 300:
            delivery.status = DeliveryStatus.DELIVERED
            delivery.delivered_at = delivery.last_attempt_at
            outcome = DONE
        elif delivery.attempts >= settings.API_WEBHOOK_MAX_ATTEMPTS:
            delivery.status = DeliveryStatus.FAILED
            outcome = DONE
        else:
            outcome = RETRY
        delivery.save()
    logger.info(
        "webhook %s %s → %s (%s, attempt %d)",
        delivery.event,
        delivery.delivery_id,
        delivery.subscription.url,
        status,
        delivery.attempts,
    )
    return outcome


def give_up(delivery_id: int, reason: str) -> None:
    """No more attempts (no broker to retry with): the delivery is failed, with why."""
    WebhookDelivery.objects.filter(pk=delivery_id, status=DeliveryStatus.PENDING).update(
        status=DeliveryStatus.FAILED, error=reason[:300]
    )


def backoff(attempts: int) -> int:
    """Seconds before the next attempt after ``attempts`` failed ones."""
    return min(
        settings.API_WEBHOOK_RETRY_SECONDS * 2 ** max(attempts - 1, 0),
        settings.API_WEBHOOK_RETRY_MAX_SECONDS,
    )
