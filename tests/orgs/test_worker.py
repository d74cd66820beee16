"""A real Celery worker (in a thread) runs a task through the configured broker: Redis in CI,
Celery's in-memory transport when no broker is configured."""

import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.conf import settings
from django.db import connections

from apps.orgs.tasks import subtree_size
from resilience.celery import app


def _close_worker_connections(**kwargs):
    connections.close_all()  # the worker thread's own connection; lets the test DB be dropped


@pytest.fixture
def worker():
    overrides = {"task_always_eager": False}
    if not settings.CELERY_BROKER_URL:
        overrides |= {"broker_url": "memory://", "result_backend": "cache+memory://"}
    saved = {key: app.conf[key] for key in overrides}
    app.conf.update(overrides)
    task_postrun.connect(_close_worker_connections)
    try:
        # The in-memory transport takes ~10 s to stop; Redis stops at once.
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
            yield app
    finally:
        task_postrun.disconnect(_close_worker_connections)
        app.conf.update(saved)


@pytest.mark.django_db(transaction=True)
def test_real_worker_runs_the_task(tree, worker):
    result = subtree_size.delay("D1")
    assert result.get(timeout=20) == 6
    assert result.successful()
    if settings.CELERY_BROKER_URL:
        assert app.conf.broker_url.startswith("redis://")
