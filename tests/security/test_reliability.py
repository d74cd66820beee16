"""Celery tasks survive transient errors (retry with backoff, idempotent claims) and a worker
killed in the middle of a report leaves a request that can be retried, never one stuck in
生成中 for ever."""

import datetime
import time

import pytest
from django.db import OperationalError
from django.urls import reverse
from django.utils import timezone

# Imported here, at collection: tests.conftest's celery_conf() calls app.close(), which takes
# the app off Celery's list of active apps, and a task module first imported after that would
# never be registered (NotRegistered).
import apps.files.tasks  # noqa: F401
import apps.notifications.tasks  # noqa: F401
from apps.files.models import ImportJob
from apps.reports.models import ReportRequest
from apps.reports.tasks import generate_report
from apps.security.retry import RETRY_POLICY
from tests.conftest import make_user

FAKE_PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture
def staff(tree):
    return make_user(tree["s1"], username="zhang")


@pytest.fixture
def fast_pdf(monkeypatch):
    calls = []

    def render(template, context):
        calls.append(template)
        return FAKE_PDF

    monkeypatch.setattr("apps.reports.tasks.render_pdf", render)
    return calls


def _request(staff, tree, end="2026-12-31", **kw):
    return ReportRequest.objects.create(
        kind="street_summary",
        params={"street": tree["s1"].code, "start": "2026-01-01", "end": end},
        title="甲街道报告",
        org_unit=tree["s1"],
        requested_by=staff,
        **kw,
    )


def test_every_task_retries_on_transient_errors():
    from resilience.celery import app

    app.loader.import_default_modules()  # every app's tasks.py
    tasks = [task for name, task in app.tasks.items() if name.startswith("apps.")]
    assert {"apps.files.tasks.run_import", "apps.warnings.tasks.poll_cap_feeds"} <= {
        task.name for task in tasks
    }
    for task in tasks:
        assert OperationalError in task.autoretry_for, task.name
        assert ConnectionError in task.autoretry_for, task.name
        assert task.max_retries == RETRY_POLICY["max_retries"]
        assert task.acks_late


@pytest.mark.django_db(transaction=True)
def test_a_transient_database_error_is_retried_by_the_worker(tree, monkeypatch, worker):
    """Through a real worker and broker: the first render hits a dropped database
    connection, the task goes back to the queue, the retry completes the report."""
    staff = make_user(tree["s1"], username="zhang")
    attempts = []

    def flaky(template, context):
        attempts.append(1)
        if len(attempts) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return FAKE_PDF

    monkeypatch.setattr("apps.reports.tasks.render_pdf", flaky)
    request = _request(staff, tree)
    generate_report.delay(request.pk).get(timeout=60)
    request.refresh_from_db()
    for _ in range(60):  # the retry is a new message, after a short backoff
        if request.state == ReportRequest.State.DONE:
            break
        time.sleep(0.5)
        request.refresh_from_db()
    assert len(attempts) == 2
    assert request.state == ReportRequest.State.DONE and request.file


def test_in_process_a_transient_error_fails_the_report_retryably_without_an_error_page(
    client, staff, tree, monkeypatch, run_tasks_on_commit
):
    """The embedded default has no broker to retry through: the request is marked failed
    (with the retry button) and the user's page still answers."""

    def down(template, context):
        raise OperationalError("could not connect to server")

    monkeypatch.setattr("apps.reports.tasks.render_pdf", down)
    client.force_login(staff)
    response = client.post(
        reverse("reports:street"),
        {"street": tree["s1"].code, "start": "2026-01-01", "end": "2026-12-31"},
    )
    assert response.status_code == 302
    request = ReportRequest.objects.get()
    assert request.state == ReportRequest.State.FAILED
    assert request.can_retry
    assert "重新生成" in client.get(request.get_absolute_url()).content.decode()


def test_a_duplicate_message_does_not_render_twice(staff, tree, fast_pdf, tasks_in_process):
    request = _request(staff, tree)
    generate_report.apply(args=[request.pk])
    generate_report.apply(args=[request.pk])
    assert len(fast_pdf) == 1
    # A request being generated right now is not taken by a second worker either.
    running = _request(staff, tree, state=ReportRequest.State.RUNNING, started_at=timezone.now())
    assert generate_report.apply(args=[running.pk]).get() is None
    running.refresh_from_db()
    assert running.state == ReportRequest.State.RUNNING and len(fast_pdf) == 1


def _killed_mid_report(staff, tree, minutes, end="2026-12-31"):
    """What a worker killed while rendering leaves behind: 生成中 since ``minutes`` ago."""
    return _request(
        staff,
        tree,
        end,
        state=ReportRequest.State.RUNNING,
        progress=50,
        started_at=timezone.now() - datetime.timedelta(minutes=minutes),
    )


def test_a_report_whose_worker_died_is_shown_as_retryable(client, staff, tree, settings):
    settings.REPORT_STALE_MINUTES = 15
    fresh = _killed_mid_report(staff, tree, minutes=2)
    # another period: one running request per user, kind and parameters
    stuck = _killed_mid_report(staff, tree, minutes=20, end="2026-06-30")
    assert fresh.is_pending and not fresh.can_retry
    assert stuck.is_stale and stuck.can_retry and not stuck.is_pending
    client.force_login(staff)
    page = client.get(stuck.get_absolute_url()).content.decode()
    assert "报表生成超时" in page and "重新生成" in page
    assert "hx-get" not in page.split('id="report-status"', 1)[1].split(">", 1)[0]
    page = client.get(fresh.get_absolute_url()).content.decode()
    assert "重新生成" not in page


def test_the_retry_button_regenerates_a_stuck_report(
    client, staff, tree, fast_pdf, run_tasks_on_commit
):
    stuck = _killed_mid_report(staff, tree, minutes=60)
    client.force_login(staff)
    client.post(reverse("reports:retry", args=[stuck.pk]))
    stuck.refresh_from_db()
    assert stuck.state == ReportRequest.State.DONE and len(fast_pdf) == 1


def test_a_fresh_running_report_cannot_be_retried(client, staff, tree, run_tasks_on_commit):
    running = _killed_mid_report(staff, tree, minutes=1)
    client.force_login(staff)
    client.post(reverse("reports:retry", args=[running.pk]))
    running.refresh_from_db()
    assert running.state == ReportRequest.State.RUNNING


def test_a_redelivered_message_reclaims_a_stuck_report(staff, tree, fast_pdf, tasks_in_process):
    """With acks_late, the broker redelivers the message of a killed worker: the new worker
    takes over a request that has been 生成中 for too long."""
    stuck = _killed_mid_report(staff, tree, minutes=60)
    generate_report.apply(args=[stuck.pk])
    stuck.refresh_from_db()
    assert stuck.state == ReportRequest.State.DONE


def test_in_process_an_import_hit_by_a_transient_error_can_be_retried(
    client, staff, tree, monkeypatch, run_tasks_on_commit
):
    from apps.files import tasks
    from tests.shelters.test_shelters import csv_upload, row

    real = tasks.read_dataset
    attempts = []

    def flaky(data, name, **kwargs):
        attempts.append(1)
        if len(attempts) == 1:
            raise OperationalError("the database system is starting up")
        return real(data, name, **kwargs)

    monkeypatch.setattr(tasks, "read_dataset", flaky)
    client.force_login(staff)
    client.post(reverse("shelters:import"), {"file": csv_upload([row("S1", "重试测试操场")])})
    job = ImportJob.objects.get()
    assert job.state == ImportJob.State.FAILED
    client.post(reverse("files:import_retry", args=[job.pk]))
    job.refresh_from_db()
    assert len(attempts) == 2
    assert job.state == ImportJob.State.READY, (job.state, job.error)
