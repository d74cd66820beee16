"""Two escalation ticks at once (two Celery workers, or beat overlapping a slow tick) call
each person once: the row locks hold across connections. Its own module: the test commits,
so it cannot share the demo transaction of the other warnings tests."""

import threading

import pytest
from django.db import connection, connections

from apps.warnings import services
from apps.warnings.models import Level, Tier
from tests.warnings.builders import build, minutes, published


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks")
def test_two_ticks_at_once_call_each_person_once(tree):
    data = build(tree)
    warning = published(data, level=Level.RED)
    results, barrier = [], threading.Barrier(2)

    def tick():
        barrier.wait()
        try:
            results.append(services.escalate_calls(now=minutes(10)))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=tick) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    escalated = warning.calls.filter(tier=Tier.ESCALATED)
    assert sum(results) == escalated.count() > 0
    holders = list(warning.calls.values_list("holder_id", flat=True))
    assert len(holders) == len(set(holders))
