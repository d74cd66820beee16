"""Webhook retries through the broker, as deployed: a real ``celery worker`` process on the
test database and Redis delivers a hazard step to a local receiver that answers 500 first and
200 next; the worker retries after the backoff and the delivery is logged as delivered on the
second attempt, both POSTs signed for the same delivery. Needs a broker (REDIS_URL) and
PostgreSQL; its own module, since the test commits."""

import contextlib
import json
import os
import signal
import subprocess
import sys
import time

import pytest
from django.conf import settings
from django.db import connection

from apps.api import webhooks
from apps.api.models import DeliveryStatus, WebhookDelivery, WebhookEvent, WebhookSubscription
from resilience.celery import app as celery_app
from tests.conftest import celery_conf
from tests.warnings.test_worker import ROOT, _database_url

from .conftest import make_client, report
from .receiver import receiving

pytestmark = [
    pytest.mark.skipif(not settings.CELERY_BROKER_URL, reason="needs a broker (REDIS_URL)"),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]


@contextlib.contextmanager
def worker_process(name):
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "CELERY_RESULT_BACKEND": settings.CELERY_RESULT_BACKEND,
        "API_WEBHOOK_RETRY_SECONDS": "1",
        "DJANGO_SETTINGS_MODULE": "resilience.settings",
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "resilience",
            "worker",
            "--pool",
            "solo",
            "--hostname",
            name,
            "--without-mingle",
            "--without-gossip",
            "--without-heartbeat",
            "--loglevel",
            "WARNING",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            assert process.poll() is None, "the worker process stopped while starting"
            if celery_app.control.ping(destination=[name], timeout=1):
                break
        else:
            raise AssertionError("the worker process did not start")
        yield
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_for(delivery_filter, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        delivery = WebhookDelivery.objects.filter(**delivery_filter).first()
        if delivery and delivery.status != DeliveryStatus.PENDING:
            return delivery
        time.sleep(0.2)
    raise AssertionError("the delivery is still pending")


def test_a_refused_delivery_is_retried_by_the_worker_and_delivered(tree):
    from tests.conftest import make_user

    staff = make_user(tree["s1"], username="worker_staff")
    client, _http = make_client(tree["s1"])
    with receiving([500, 200]) as receiver:
        subscription = WebhookSubscription.objects.create(
            client=client, url=receiver.url, events=[WebhookEvent.HAZARD_STATE]
        )
        with celery_conf(task_always_eager=False), worker_process(f"webhooks-{os.getpid()}@test"):
            hazard = report(staff, tree["c1"])  # commits: the delivery is queued on Redis
            delivery = _wait_for({"subscription": subscription})
        assert len(receiver) == 2
    assert delivery.status == DeliveryStatus.DELIVERED
    assert delivery.attempts == 2 and delivery.response_status == 200
    (first, first_body, first_status), (second, second_body, second_status) = receiver.requests
    assert (first_status, second_status) == (500, 200)
    assert first["X-Portal-Delivery"] == second["X-Portal-Delivery"] == str(delivery.delivery_id)
    assert first_body == second_body
    assert int(second["X-Portal-Timestamp"]) >= int(first["X-Portal-Timestamp"])
    for headers, body in ((first, first_body), (second, second_body)):
        assert webhooks.verify_signature(
            subscription.secret,
            headers["X-Portal-Timestamp"],
            body,
            headers["X-Portal-Signature"],
        )
    assert json.loads(second_body)["data"]["hazard"]["id"] == hazard.pk
