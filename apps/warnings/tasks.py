"""The warnings' Celery tasks: each takes ids (or nothing) and calls ``services`` or
``feeds``; the beat entries are in ``CELERY_BEAT_SCHEDULE``."""

from celery import shared_task
from django.utils.dateparse import parse_datetime

from apps.security.retry import RETRY_POLICY

from . import feeds, services


@shared_task(acks_late=True, **RETRY_POLICY)
def deliver_calls(warning_id):
    """Send the calls of a warning not sent yet (after publication or an escalation). Claims
    its rows with SKIP LOCKED: a retry or a second worker sends nothing twice."""
    return services.deliver_calls(warning_id)


@shared_task(acks_late=True, **RETRY_POLICY)
def escalate_calls(now=None):
    """Every minute (Celery beat, see CELERY_BEAT_SCHEDULE): over the database state, never an
    ETA task; two workers at once call nobody twice. ``now`` (ISO 8601, messages are JSON) is
    for tests and replays; beat sends none."""
    return services.escalate_calls(now=parse_datetime(now) if now else None)


@shared_task(acks_late=True, **RETRY_POLICY)
def poll_cap_feeds(feed_ids=None):
    """Every CAP_FEED_POLL_MINUTES (Celery beat): fetch the active CAP feeds and import their
    new alerts as drafts. Idempotent (an alert already imported is skipped): a retry, a slow
    poll overlapping the next or a second worker imports nothing twice."""
    return feeds.poll_cap_feeds(ids=feed_ids)
