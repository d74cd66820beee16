import datetime
import time

import pytest
from django.test.client import Client
from django.urls import reverse

from apps.reports.models import ReportRequest
from tests.conftest import make_user


@pytest.mark.django_db(transaction=True)
def test_real_worker_generates_the_report(tree, worker):
    client = Client()
    client.force_login(make_user(tree["s1"]))
    today = datetime.date.today().isoformat()
    client.post(reverse("reports:street"), {"street": "S1", "start": "2026-01-01", "end": today})
    report = ReportRequest.objects.get()
    for _ in range(300):
        report.refresh_from_db()
        if not report.is_pending:
            break
        time.sleep(0.1)
    assert report.state == ReportRequest.State.DONE, report.error
    assert report.file.read(5) == b"%PDF-"
