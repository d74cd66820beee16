"""Webhooks tell a subscribed client, after the commit, of what happens in its unit: hazard
steps, warnings published and their acknowledgement rate by tenths, incidents reported. Each
POST is signed (HMAC-SHA256 over timestamp and body) and its answer logged; an occurrence is
delivered once per subscription; a client of another street, or without the read scope, hears
nothing. Here tasks run in-process; the retries through a real worker: test_webhook_worker."""

import json
import time

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.api import webhooks
from apps.api.models import DeliveryStatus, Scope, WebhookDelivery, WebhookEvent
from apps.api.models import WebhookSubscription as Subscription
from apps.hazards import services as hazard_services
from apps.incidents import services as incident_services
from apps.incidents.models import IncidentType
from apps.warnings import services as warning_services
from tests.warnings.builders import T0, build, draft

from .conftest import report
from .receiver import receiving

pytestmark = pytest.mark.django_db

ALL_EVENTS = [e for e in WebhookEvent.values if e != WebhookEvent.PING]


def subscribe(client, url, events=ALL_EVENTS):
    return Subscription.objects.create(client=client, url=url, events=list(events))


def test_a_signature_verifies_only_for_the_same_secret_body_and_a_recent_time():
    body = b'{"event":"ping"}'
    now = int(time.time())
    signature = webhooks.sign("s3cret", str(now), body)
    assert signature.startswith("sha256=") and len(signature) == 7 + 64
    assert webhooks.verify_signature("s3cret", str(now), body, signature)
    assert not webhooks.verify_signature("other", str(now), body, signature)
    assert not webhooks.verify_signature("s3cret", str(now), body + b" ", signature)
    assert not webhooks.verify_signature("s3cret", str(now + 1), body, signature)
    old = str(now - 600)
    assert not webhooks.verify_signature("s3cret", old, body, webhooks.sign("s3cret", old, body))
    assert not webhooks.verify_signature("s3cret", "yesterday", body, signature)


def test_a_hazard_step_is_posted_signed_to_the_subscribers_who_see_it(
    api, tree, staff, tasks_in_process, django_capture_on_commit_callbacks
):
    mine, _ = api(tree["s1"], name="甲")
    district, _ = api(tree["d1"], name="区")
    theirs, _ = api(tree["s2"], name="乙")
    blind, _ = api(tree["s1"], [Scope.READ_SHELTERS], name="只看场所")
    with receiving() as receiver:
        subs = {c.name: subscribe(c, receiver.url) for c in (mine, district, theirs, blind)}
        with django_capture_on_commit_callbacks(execute=True):
            hazard = report(staff["s1"], tree["c1"])
        assert len(receiver) == 2
    assert not WebhookDelivery.objects.filter(subscription=subs["乙"]).exists()
    assert not WebhookDelivery.objects.filter(subscription=subs["只看场所"]).exists()
    for headers, body, _status in receiver.requests:
        assert headers["X-Portal-Event"] == "hazard.state_changed"
        secret = Subscription.objects.get(
            deliveries__delivery_id=headers["X-Portal-Delivery"]
        ).secret
        assert webhooks.verify_signature(
            secret, headers["X-Portal-Timestamp"], body, headers["X-Portal-Signature"]
        )
        data = json.loads(body)
        assert data["event"] == "hazard.state_changed"
        assert data["data"]["hazard"]["id"] == hazard.pk
        assert data["data"]["step"]["to_state"] == "reported"
    delivery = WebhookDelivery.objects.get(subscription=subs["甲"])
    assert delivery.status == DeliveryStatus.DELIVERED and delivery.attempts == 1
    assert delivery.response_status == 200 and delivery.response_excerpt == "收到 200"


def test_a_rolled_back_step_tells_nobody(api, tree, staff, django_capture_on_commit_callbacks):
    client, _ = api()
    subscribe(client, "http://127.0.0.1:9/never")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        report(staff["s1"], tree["c1"])
    assert callbacks  # queued for the commit, which never comes
    assert not WebhookDelivery.objects.exists()


def test_each_step_once_and_an_occurrence_announced_twice_is_delivered_once(
    api, tree, staff, tasks_in_process, django_capture_on_commit_callbacks
):
    client, _ = api()
    with receiving() as receiver:
        sub = subscribe(client, receiver.url, [WebhookEvent.HAZARD_STATE])
        with django_capture_on_commit_callbacks(execute=True):
            hazard = report(staff["s1"], tree["c1"])
        with django_capture_on_commit_callbacks(execute=True):
            hazard_services.assign_hazard(
                staff["s1"], hazard, responsible_unit="物业", deadline=hazard.found_on
            )
        step = hazard.events.order_by("pk").last()
        with django_capture_on_commit_callbacks(execute=True):
            webhooks.on_hazard_step(None, hazard=hazard, step=step)  # announced again
        assert len(receiver) == 2
    states = [json.loads(body)["data"]["step"]["to_state"] for _h, body, _s in receiver.requests]
    assert states == ["reported", "assigned"]
    assert sub.deliveries.count() == 2


def test_a_failed_answer_without_a_broker_is_failed_and_says_why(
    api, tree, staff, tasks_in_process, django_capture_on_commit_callbacks
):
    client, _ = api()
    with receiving([500]) as receiver:
        subscribe(client, receiver.url)
        with django_capture_on_commit_callbacks(execute=True):
            report(staff["s1"], tree["c1"])
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.FAILED and delivery.response_status == 500
    assert "不自动重试" in delivery.error and delivery.response_excerpt == "收到 500"


def test_warnings_published_and_their_acknowledgement_rate_by_tenths(
    api, tree, tasks_in_process, django_capture_on_commit_callbacks
):
    world = build(tree)
    client, _ = api(tree["s1"])
    warning = draft(world)
    with receiving() as receiver:
        subscribe(
            client,
            receiver.url,
            [WebhookEvent.WARNING_PUBLISHED, WebhookEvent.WARNING_ACKNOWLEDGED],
        )
        with django_capture_on_commit_callbacks(execute=True):
            warning_services.approve_warning(world["second"], warning, now=T0)
            warning_services.publish_warning(world["second"], warning, now=T0)
        for call in warning.calls.order_by("pk"):
            with django_capture_on_commit_callbacks(execute=True):
                if call.user_id:
                    warning_services.acknowledge_call(call.user, call)
                else:
                    token = warning_services.ack_token(call, "sms")
                    warning_services.acknowledge_by_link(token)
        events = [json.loads(body) for _h, body, _s in receiver.requests]
    assert events[0]["event"] == "warning.published"
    assert events[0]["data"]["warning"]["calls"]["rate"] == 0
    steps = [e["data"]["rate_step"] for e in events[1:]]
    assert steps == sorted(set(steps)) and steps[-1] == 100
    assert len(steps) <= 10

    # a step already told costs a count, never a read of every call
    deliveries = WebhookDelivery.objects.count()
    call = warning.calls.first()
    with (
        CaptureQueriesContext(connection) as ctx,
        django_capture_on_commit_callbacks(execute=True),
    ):
        webhooks.on_call_acknowledged(None, call=call)
    assert WebhookDelivery.objects.count() == deliveries
    reads = [q["sql"] for q in ctx.captured_queries if 'FROM "warnings_call"' in q["sql"]]
    assert len(reads) == 1 and "COUNT(" in reads[0]


def test_an_incident_reported_is_posted(
    api, tree, staff, tasks_in_process, django_capture_on_commit_callbacks
):
    from django.utils import timezone

    client, _ = api()
    with receiving() as receiver:
        subscribe(client, receiver.url, [WebhookEvent.INCIDENT_REPORTED])
        with django_capture_on_commit_callbacks(execute=True):
            incident = incident_services.file_initial_report(
                staff["s1"],
                unit=tree["c1"],
                title="地下车库进水",
                incident_type=IncidentType.objects.get(code="fire"),
                level="4",
                occurred_at=timezone.now(),
                address="甲一小区",
                source="网格员",
                nature="火灾",
                impact="一户",
                casualties="无",
                trend="已扑灭",
                measures="已处置",
            )
        (_headers, body, _status) = receiver.requests[0]
    data = json.loads(body)
    assert data["event"] == "incident.reported"
    assert data["data"]["incident"]["id"] == incident.pk
    assert data["data"]["incident"]["reports"][0]["kind"] == "initial"


def test_admin_test_send_and_resend(
    api, tree, client, tasks_in_process, django_capture_on_commit_callbacks
):
    from tests.conftest import make_user

    admin = make_user(tree["sh"], role="admin", is_superuser=True, is_staff=True)
    client.force_login(admin)
    api_client, _ = api()
    with receiving([503, 200]) as receiver:
        sub = subscribe(api_client, receiver.url)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse("admin:api_webhooksubscription_changelist"),
                {"action": "test_send", ACTION_CHECKBOX_NAME: [sub.pk]},
            )
        assert response.status_code == 302
        delivery = WebhookDelivery.objects.get(event=WebhookEvent.PING)
        assert delivery.status == DeliveryStatus.FAILED and delivery.response_status == 503
        with django_capture_on_commit_callbacks(execute=True):
            client.post(
                reverse("admin:api_webhookdelivery_changelist"),
                {"action": "resend", ACTION_CHECKBOX_NAME: [delivery.pk]},
            )
        delivery.refresh_from_db()
        assert delivery.status == DeliveryStatus.DELIVERED and len(receiver) == 2
    assert json.loads(receiver.requests[0][1])["event"] == "ping"


def test_admin_shows_a_new_token_once(api, tree, client):
    from tests.conftest import make_user

    admin = make_user(tree["sh"], role="admin", is_superuser=True, is_staff=True)
    client.force_login(admin)
    api_client, http = api()
    response = client.post(
        reverse("admin:api_apiclient_changelist"),
        {"action": "rotate_tokens", ACTION_CHECKBOX_NAME: [api_client.pk]},
    )
    assert response.status_code == 200
    page = response.content.decode()
    token = page.split("<code>crp_", 1)[1].split("</code>", 1)[0]
    assert "只显示这一次" in page
    from .conftest import TokenClient

    assert TokenClient(f"crp_{token}").get("/api/v1/org-units/").status_code == 200
    assert http.get("/api/v1/org-units/").status_code == 401  # rotated out
    assert (
        "crp_" + token
        not in client.get(
            reverse("admin:api_apiclient_change", args=[api_client.pk])
        ).content.decode()
    )


def test_the_backoff_doubles_up_to_its_ceiling(settings):
    settings.API_WEBHOOK_RETRY_SECONDS = 30
    settings.API_WEBHOOK_RETRY_MAX_SECONDS = 900
    assert [webhooks.backoff(n) for n in range(1, 8)] == [30, 60, 120, 240, 480, 900, 900]


def test_the_subscription_page_has_a_test_send_button(
    api, tree, client, tasks_in_process, django_capture_on_commit_callbacks
):
    from tests.conftest import make_user

    client.force_login(make_user(tree["sh"], role="admin", is_superuser=True, is_staff=True))
    api_client, _ = api()
    with receiving() as receiver:
        sub = subscribe(api_client, receiver.url)
        page = client.get(reverse("admin:api_webhooksubscription_change", args=[sub.pk]))
        url = reverse("admin:api_webhooksubscription_test_send", args=[sub.pk])
        assert f'action="{url}"' in page.content.decode()
        assert client.get(url).status_code == 405
        with django_capture_on_commit_callbacks(execute=True):
            assert client.post(url).status_code == 302
        assert len(receiver) == 1
    assert WebhookDelivery.objects.get().status == DeliveryStatus.DELIVERED
