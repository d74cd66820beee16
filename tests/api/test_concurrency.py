"""Two sends of the same work order at the same moment (a work-order system retrying on a
timeout while its first request is still running) make one hazard: the second waits on the
unique index of (client, order id) until the first commits, then answers with the first's
hazard. Needs PostgreSQL (its own module: the test commits)."""

import threading
import time

import pytest
from django.db import connection, connections

from apps.api import services
from apps.api.models import ApiToken
from apps.hazards.models import Hazard

from .conftest import TokenClient, make_client

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]

ORDER = {"order_id": "WG-7", "unit": "S1C1", "title": "楼道堆物", "category": "corridor-clutter"}


def test_two_sends_of_one_work_order_at_once_make_one_hazard(tree, monkeypatch):
    client, _http = make_client(tree["s1"])
    tokens = [ApiToken.issue(client)[1] for _ in range(2)]
    report = services.hazard_services.report_hazard

    def slow_report(*args, **kwargs):
        hazard = report(*args, **kwargs)
        time.sleep(0.5)  # the first send still holds its transaction when the second arrives
        return hazard

    monkeypatch.setattr(services.hazard_services, "report_hazard", slow_report)
    start = threading.Barrier(2)
    results = []

    def send(token):
        http = TokenClient(token)
        start.wait()
        try:
            response = http.post_json("/api/v1/hazards/work-orders/", ORDER)
            results.append((response.status_code, response.json()["hazard"]["id"]))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send, args=(token,)) for token in tokens]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(status for status, _id in results) == [200, 201]
    assert len({hazard for _status, hazard in results}) == 1
    assert Hazard.objects.count() == 1
