"""The escalation tick through the broker: a real Celery worker on Redis running two ticks at
once takes several ``escalate_calls`` messages for the same moment (beat overlapping a slow tick, a
redelivery) and still call each 责任人 once per warning, with one SMS each; together they make
exactly the calls one tick makes. Needs a broker (REDIS_URL) and PostgreSQL's row locks; its
own module, since the test commits."""

import contextlib
import threading
import time

import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun, task_prerun
from django.conf import settings
from django.db import connection
from kombu.exceptions import ChannelError

from apps.warnings import services
from apps.warnings.models import Call, Level, Tier
from apps.warnings.tasks import escalate_calls
from resilience.celery import app as celery_app
from tests.conftest import _close_worker_connections, celery_conf
from tests.warnings.builders import build, minutes, published

pytestmark = [
    pytest.mark.skipif(not settings.CELERY_BROKER_URL, reason="needs a broker (REDIS_URL)"),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks"),
]

TICKS = 6
# The red warning of the builders' street: 5 initial calls (S1's 街镇主要负责人 and 防汛 A, C1's
# 居委主任 and 防汛 A, E1's 灾害信息员 A). Twenty minutes on, one tick makes both steps:
# step 1 calls the B persons and the unit's 值班员 (S1 3, C1 3, E1 1); step 2 the superior
# unit's 值班员 and 防汛 A, of whom only D1's two were not called yet.
ESCALATED = 7 + 2


@contextlib.contextmanager
def two_at_once():
    """One worker with two execution threads, each with its own database connection, on the
    configured broker: two ticks run at once as on two workers. (Two ``start_worker`` in one
    process share Celery's module-level shutdown flag, and one of them sometimes never
    stopped.)"""
    task_postrun.connect(_close_worker_connections)
    try:
        with (
            celery_conf(task_always_eager=False),
            start_worker(
                celery_app,
                pool="threads",
                concurrency=2,
                perform_ping_check=False,
                shutdown_timeout=30,
            ),
        ):
            yield
    finally:
        task_postrun.disconnect(_close_worker_connections)


@contextlib.contextmanager
def first_ticks_start_together():
    """Each thread's first tick waits for the other's: two ticks certainly run at once."""
    barrier, seen = threading.Barrier(2, timeout=30), set()

    def line_up(sender=None, **kwargs):
        if sender is escalate_calls and threading.get_ident() not in seen:
            seen.add(threading.get_ident())
            barrier.wait()

    task_prerun.connect(line_up)
    try:
        yield barrier
    finally:
        task_prerun.disconnect(line_up)


def _queued():
    with celery_app.connection_for_read() as conn:
        queue = celery_app.conf.task_default_queue
        try:
            return conn.default_channel.queue_declare(queue=queue, passive=True).message_count
        except ChannelError:  # Redis drops the key of an empty queue
            return 0


def _wait_until_delivered(warning):
    """The ticks queue deliveries: wait for every call to go out and the queue to empty, so
    no message outlives the test (the worker finishes what it holds before stopping)."""
    for _ in range(300):
        if not Call.objects.filter(warning=warning, notified_at=None).exists() and not _queued():
            return
        time.sleep(0.1)
    raise AssertionError("deliveries still pending")


@pytest.mark.django_db(transaction=True)
def test_two_ticks_at_once_call_each_person_once(tree, monkeypatch):
    data = build(tree)
    warning = published(data, level=Level.RED)  # delivered in-process, before the worker
    assert warning.calls.count() == 5
    texts = []
    monkeypatch.setattr(services, "send_sms", lambda mobile, text: texts.append(mobile))
    now = minutes(20).isoformat()
    with two_at_once(), first_ticks_start_together() as barrier:
        results = [escalate_calls.delay(now=now) for _ in range(TICKS)]
        counts = [result.get(timeout=60) for result in results]
        _wait_until_delivered(warning)
    assert not barrier.broken
    assert sum(counts) == ESCALATED
    assert counts.count(0) >= TICKS - 2  # at most the two first ticks found work
    escalated = warning.calls.exclude(tier=Tier.INITIAL)
    assert escalated.count() == ESCALATED
    assert sorted(escalated.values_list("tier", flat=True)) == [1] * 7 + [2] * 2
    holders = list(warning.calls.values_list("holder_id", flat=True))
    assert len(holders) == len(set(holders)) == 5 + ESCALATED
    assert set(warning.calls.filter(tier=Tier.INITIAL).values_list("escalation", flat=True)) == {2}
    assert sorted(texts) == sorted(escalated.values_list("mobile", flat=True))
