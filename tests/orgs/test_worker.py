"""A real Celery worker (in a thread) runs a task through the configured broker: Redis in CI,
Celery's in-memory transport when no broker is configured."""

import pytest
from django.conf import settings

from apps.orgs.tasks import subtree_size
from resilience.celery import app


@pytest.mark.django_db(transaction=True)
def test_real_worker_runs_the_task(tree, worker):
    result = subtree_size.delay("D1")
    assert result.get(timeout=20) == 6
    assert result.successful()
    if settings.CELERY_BROKER_URL:
        assert app.conf.broker_url.startswith("redis://")
