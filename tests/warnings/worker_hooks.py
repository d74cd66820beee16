"""Loaded into the worker processes of ``test_worker.py`` (``celery worker --include``): a
barrier in Redis that holds each worker's first tick until the other's has started, and an
SMS backend that writes to a Redis list the test reads. Both use ``WORKER_TEST_KEY``."""

import os
import time

import redis
from celery.signals import task_prerun
from django.conf import settings

KEY = os.environ.get("WORKER_TEST_KEY", "")
WORKERS = 2
BARRIER_SECONDS = 30


def client():
    return redis.Redis.from_url(settings.CELERY_BROKER_URL)


class RedisListBackend:
    """SMS_BACKEND of the worker processes: each text's number, in order, in ``<key>:sms``."""

    def send(self, mobile, text):
        client().rpush(f"{KEY}:sms", mobile)


_waited = False


@task_prerun.connect
def line_up(sender=None, **kwargs):
    """The first ``escalate_calls`` of each process counts itself in and waits (at most
    ``BARRIER_SECONDS``) until both have: two ticks certainly run at once. A barrier that
    times out is recorded under ``<key>:broken``."""
    global _waited
    if not KEY or _waited or sender.name != "apps.warnings.tasks.escalate_calls":
        return
    _waited = True
    redis_client = client()
    redis_client.incr(f"{KEY}:arrived")
    deadline = time.monotonic() + BARRIER_SECONDS
    while int(redis_client.get(f"{KEY}:arrived")) < WORKERS:
        if time.monotonic() > deadline:
            redis_client.set(f"{KEY}:broken", 1)
            return
        time.sleep(0.05)
