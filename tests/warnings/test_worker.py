"""The escalation tick through the broker: two real Celery worker processes on Redis, as
deployed, take several ``escalate_calls`` messages for the same moment at once (beat
overlapping a slow tick, a redelivery) and still call each 责任人 once per warning, with one
SMS each; together they make exactly the calls one tick makes. Needs a broker (REDIS_URL) and
PostgreSQL's row locks; its own module, since the test commits.

The workers are ``celery worker`` processes on the test database; ``worker_hooks`` (loaded
with ``--include``) holds their first ticks until both have started and collects their SMS in
Redis."""

import contextlib
import os
import signal
import subprocess
import sys
import time
import urllib.parse
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from kombu.exceptions import ChannelError

from apps.warnings.models import Call, Level, Tier
from apps.warnings.tasks import escalate_calls
from resilience.celery import app as celery_app
from tests.conftest import celery_conf
from tests.warnings import worker_hooks
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
ROOT = Path(__file__).resolve().parents[2]


def _database_url():
    """The test database (not the one DATABASE_URL names), for the worker processes."""
    db = connection.settings_dict
    user = urllib.parse.quote(db["USER"] or "")
    password = f":{urllib.parse.quote(db['PASSWORD'])}" if db["PASSWORD"] else ""
    host = db["HOST"] or "localhost"
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgres://{user}{password}@{host}{port}/{db['NAME']}"


@contextlib.contextmanager
def two_worker_processes(key):
    """Two ``celery worker`` processes (solo pool, one message at a time, as
    ``CELERY_WORKER_PREFETCH_MULTIPLIER = 1`` makes it), running until both answer a ping;
    stopped warm (SIGTERM) at the end, each finishing the message it holds."""
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "CELERY_RESULT_BACKEND": settings.CELERY_RESULT_BACKEND,
        "SMS_BACKEND": "tests.warnings.worker_hooks.RedisListBackend",
        "WORKER_TEST_KEY": key,
        "DJANGO_SETTINGS_MODULE": "resilience.settings",
    }
    names = [f"escalation-{n}-{key}@test" for n in (1, 2)]
    workers = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "resilience",
                "worker",
                "--pool",
                "solo",
                "--concurrency",
                "1",
                "--hostname",
                name,
                "--include",
                "tests.warnings.worker_hooks",
                "--without-mingle",
                "--without-gossip",
                "--without-heartbeat",
                "--loglevel",
                "WARNING",
            ],
            cwd=ROOT,
            env=env,
        )
        for name in names
    ]
    try:
        _wait_until_ready(workers, names)
        yield
    finally:
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
        for worker in workers:
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()


def _wait_until_ready(workers, names, seconds=120):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if any(worker.poll() is not None for worker in workers):
            raise AssertionError("a worker process stopped while starting")
        replies = celery_app.control.ping(destination=names, timeout=1)
        if {name for reply in replies for name in reply} == set(names):
            return
    raise AssertionError("the worker processes did not start")


def _queued():
    with celery_app.connection_for_read() as conn:
        queue = celery_app.conf.task_default_queue
        try:
            return conn.default_channel.queue_declare(queue=queue, passive=True).message_count
        except ChannelError:  # Redis drops the key of an empty queue
            return 0


def _wait_until_delivered(warning):
    """The ticks queue deliveries: wait for every call to go out and the queue to empty, so
    no message outlives the test."""
    for _ in range(600):
        if not Call.objects.filter(warning=warning, notified_at=None).exists() and not _queued():
            return
        time.sleep(0.1)
    raise AssertionError("deliveries still pending")


@pytest.mark.django_db(transaction=True)
def test_two_workers_ticking_at_once_call_each_person_once(tree):
    data = build(tree)
    warning = published(data, level=Level.RED)  # delivered in-process, before the workers
    assert warning.calls.count() == 5
    key = f"worker-test-{uuid.uuid4().hex}"
    redis = worker_hooks.client()
    now = minutes(20).isoformat()
    try:
        with celery_conf(task_always_eager=False), two_worker_processes(key):
            results = [escalate_calls.delay(now=now) for _ in range(TICKS)]
            # the in-thread worker of an earlier test (conftest ``worker``) leaves Celery's
            # process-wide "inside a task" flag set when it stops; this test process is no task
            counts = [result.get(timeout=90, disable_sync_subtasks=False) for result in results]
            _wait_until_delivered(warning)
        assert int(redis.get(f"{key}:arrived")) == 2 and not redis.exists(f"{key}:broken")
        texts = [mobile.decode() for mobile in redis.lrange(f"{key}:sms", 0, -1)]
    finally:
        redis.delete(f"{key}:arrived", f"{key}:broken", f"{key}:sms")
    assert sum(counts) == ESCALATED
    assert counts.count(0) >= TICKS - 2  # at most the two first ticks found work
    escalated = warning.calls.exclude(tier=Tier.INITIAL)
    assert escalated.count() == ESCALATED
    assert sorted(escalated.values_list("tier", flat=True)) == [1] * 7 + [2] * 2
    holders = list(warning.calls.values_list("holder_id", flat=True))
    assert len(holders) == len(set(holders)) == 5 + ESCALATED
    assert set(warning.calls.filter(tier=Tier.INITIAL).values_list("escalation", flat=True)) == {2}
    assert sorted(texts) == sorted(escalated.values_list("mobile", flat=True))
