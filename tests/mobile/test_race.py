"""Two sends of the same offline report at the same moment (the outbox retrying while the
first answer is still on its way) create one hazard: both get past the "already received?"
look-up, and the unique key lets one transaction commit and rolls the other back, which then
answers with the first one's hazard. Real concurrent transactions: needs PostgreSQL."""

import threading
import uuid

import pytest
from django.db import connection, connections

from apps.hazards.models import Hazard, Severity
from apps.mobile import services
from apps.mobile.models import Submission
from apps.orgs.models import Role
from tests.conftest import make_user
from tests.hazards.factories import category

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent transactions"),
]


def test_two_sends_at_once_make_one_hazard(tree, monkeypatch):
    officer = make_user(tree["e1"], role=Role.INFO_OFFICER)
    key = uuid.uuid4()
    kind = category()
    barrier = threading.Barrier(2)
    report_hazard = services.report_hazard

    def both_past_the_look_up(user, **report):
        barrier.wait(timeout=10)
        return report_hazard(user, **report)

    monkeypatch.setattr(services, "report_hazard", both_past_the_look_up)
    answers = [None, None]

    def send(i):
        try:
            answers[i] = services.submit_hazard_report(
                officer,
                key=key,
                org_unit=tree["e1"],
                title="消防通道堵塞",
                category=kind,
                severity=Severity.GENERAL,
            )
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert Hazard.objects.filter(title="消防通道堵塞").count() == 1
    hazard = Submission.objects.get(key=key).hazard
    assert sorted(created for _, created in answers) == [False, True]
    assert {h.pk for h, _ in answers} == {hazard.pk}
