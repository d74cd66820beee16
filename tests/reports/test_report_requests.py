"""One report request per user, kind and parameters while one is queued or generating: a
double click (or a second tab) returns the request already running, never a second report —
kept by the service and by the partial unique constraint ``report_running_once``, also when
two requests arrive at the same moment. The button says it is busy (static JS, no inline
script) and the page shows the progress."""

import threading
from datetime import timedelta

import pytest
from django.db import IntegrityError, connection, connections, transaction
from django.urls import reverse
from django.utils import timezone

from apps.reports import services
from apps.reports.models import ReportRequest
from tests.conftest import make_user

PARAMS = {"street": "S1", "start": "2026-01-01", "end": "2026-06-30"}


@pytest.fixture
def no_worker(monkeypatch):
    """Requests stay queued: nothing generates them."""
    monkeypatch.setattr(services.generate_report, "delay_on_commit", lambda pk: None)


@pytest.fixture
def staff(tree):
    return make_user(tree["s1"], username="s1_staff")


def post(client, params=PARAMS):
    return client.post(reverse("reports:street"), params)


@pytest.mark.django_db
def test_a_double_click_makes_one_report_and_both_clicks_land_on_it(client, staff, no_worker):
    client.force_login(staff)
    first, second = post(client), post(client)
    report = ReportRequest.objects.get()
    assert first.url == second.url == report.get_absolute_url()
    assert report.state == ReportRequest.State.QUEUED


@pytest.mark.django_db
def test_other_parameters_another_kind_or_another_user_make_their_own(
    client, tree, staff, no_worker
):
    client.force_login(staff)
    post(client)
    post(client, {**PARAMS, "end": "2026-12-31"})
    colleague = make_user(tree["s1"], username="s1_colleague")
    services.request_report(colleague, "street_summary", PARAMS)
    assert ReportRequest.objects.count() == 3


@pytest.mark.django_db
def test_the_same_parameters_in_another_order_are_the_same_request(staff, no_worker):
    one = services.request_report(staff, "street_summary", PARAMS)
    two = services.request_report(staff, "street_summary", dict(reversed(PARAMS.items())))
    assert one.pk == two.pk


@pytest.mark.django_db
def test_a_finished_or_failed_request_does_not_block_a_new_one(staff, no_worker):
    first = services.request_report(staff, "street_summary", PARAMS)
    ReportRequest.objects.filter(pk=first.pk).update(state=ReportRequest.State.DONE)
    second = services.request_report(staff, "street_summary", PARAMS)
    ReportRequest.objects.filter(pk=second.pk).update(state=ReportRequest.State.FAILED)
    third = services.request_report(staff, "street_summary", PARAMS)
    assert len({first.pk, second.pk, third.pk}) == 3


@pytest.mark.django_db
def test_the_constraint_refuses_a_second_running_row(staff, tree):
    values = {
        "kind": "street_summary",
        "params": PARAMS,
        "title": "报告",
        "org_unit": tree["s1"],
        "requested_by": staff,
    }
    ReportRequest.objects.create(**values)
    with pytest.raises(IntegrityError), transaction.atomic():
        ReportRequest.objects.create(**values, state=ReportRequest.State.RUNNING)
    ReportRequest.objects.create(**values, state=ReportRequest.State.DONE)  # history is free


@pytest.mark.django_db
def test_losing_the_race_to_the_constraint_returns_the_winner(staff, monkeypatch, no_worker):
    winner = services.request_report(staff, "street_summary", PARAMS)
    lookups = iter([None])  # the loser's first look saw nothing: the winner had not committed
    real = services.running_request
    monkeypatch.setattr(services, "running_request", lambda *a: next(lookups, None) or real(*a))
    assert services.request_report(staff, "street_summary", PARAMS).pk == winner.pk
    assert ReportRequest.objects.count() == 1


@pytest.mark.django_db
def test_a_stale_request_is_queued_again_not_duplicated(staff, no_worker, settings):
    report = services.request_report(staff, "street_summary", PARAMS)
    long_ago = timezone.now() - timedelta(minutes=settings.REPORT_STALE_MINUTES + 5)
    ReportRequest.objects.filter(pk=report.pk).update(
        state=ReportRequest.State.RUNNING, started_at=long_ago
    )
    again = services.request_report(staff, "street_summary", PARAMS)
    assert again.pk == report.pk and ReportRequest.objects.count() == 1
    assert ReportRequest.objects.get().state == ReportRequest.State.QUEUED


@pytest.mark.django_db
def test_retrying_a_failed_one_while_the_same_runs_is_refused_in_chinese(client, staff, no_worker):
    failed = services.request_report(staff, "street_summary", PARAMS)
    ReportRequest.objects.filter(pk=failed.pk).update(state=ReportRequest.State.FAILED)
    running = services.request_report(staff, "street_summary", PARAMS)
    client.force_login(staff)
    page = client.post(reverse("reports:retry", args=[failed.pk]), follow=True)
    assert "相同参数的报表正在生成，请稍候。" in page.content.decode()
    assert ReportRequest.objects.get(pk=failed.pk).state == ReportRequest.State.FAILED
    assert ReportRequest.objects.get(pk=running.pk).state == ReportRequest.State.QUEUED


@pytest.mark.django_db
def test_the_page_shows_the_progress_and_the_button_says_it_is_busy(client, staff, no_worker):
    client.force_login(staff)
    report = services.request_report(staff, "street_summary", PARAMS)
    ReportRequest.objects.filter(pk=report.pk).update(
        state=ReportRequest.State.RUNNING, started_at=timezone.now(), progress=50
    )
    page = client.get(report.get_absolute_url()).content.decode()
    assert '<progress class="w-100 report-progress" max="100" value="50"' in page
    assert "生成中 · 50%" in page and "hx-get" in page
    form = client.get(reverse("reports:list")).content.decode()
    assert "data-report-request" in form and "reports/request.js" in form
    assert "<script>" not in form  # code in the static file only (CSP)


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent transactions")
def test_two_requests_at_the_same_moment_make_one_report(tree, monkeypatch):
    monkeypatch.setattr(services.generate_report, "delay_on_commit", lambda pk: None)
    staff = make_user(tree["s1"], username="s1_racer")
    barrier = threading.Barrier(4)
    found = [None] * 4

    def run(i):
        try:
            barrier.wait(timeout=10)
            found[i] = services.request_report(staff, "street_summary", PARAMS).pk
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            found[i] = repr(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert ReportRequest.objects.count() == 1, found
    assert set(found) == {ReportRequest.objects.get().pk}


@pytest.mark.django_db
def test_the_form_offers_its_dates_in_the_format_a_date_input_takes(client, staff):
    client.force_login(staff)
    page = client.get(reverse("reports:list")).content.decode()
    year = timezone.localdate().year
    assert f'type="date" name="start" value="{year}-01-01"' in page
