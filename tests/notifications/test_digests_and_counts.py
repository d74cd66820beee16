"""What a person is told stays readable however much is due: a digest lists the most urgent
lines (earliest due first) and says how many more there are; where one rule finds more than
``FOLD_ABOVE`` things for the people of one unit, they get one line counting them, linked to
the list, which later sweeps refresh (unread again) when the count changes and retire (marked
read) when the unit is back to a few lines each; and the sweep's queries do not grow with the
records it finds."""

import datetime
import threading

import pytest
from django.db import connection, connections, transaction
from django.urls import reverse
from django.utils import timezone

from apps.hazards.models import Hazard, HazardState
from apps.notifications.models import Notification
from apps.notifications.rules import FOLD_ABOVE
from apps.notifications.services import DIGEST_LINES, run_sweep, send_email_digests
from apps.orgs.models import Role
from tests.conftest import make_user
from tests.hazards.factories import HazardFactory
from tests.plans.factories import PlanFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
LONG_AGO = TODAY.replace(year=TODAY.year - 5)
OVERDUE = ["hazards.deadline_passed"]


@pytest.fixture
def people(tree):
    return {
        "s1": make_user(tree["s1"], email="s1@example.org"),
        "c1": make_user(tree["c1"], email="c1@example.org"),
        "reviewer": make_user(tree["d1"], role=Role.DISTRICT_REVIEWER, email="r@example.org"),
    }


def overdue_hazards(unit, n, start=0):
    return [
        HazardFactory(
            org_unit=unit,
            title=f"楼道堆物{start + i}",
            state=HazardState.ASSIGNED,
            deadline=TODAY - datetime.timedelta(days=30 + start + i),
        )
        for i in range(n)
    ]


def lines(user):
    return list(
        Notification.objects.filter(recipient=user).order_by("pk").values_list("title", flat=True)
    )


def test_a_digest_lists_the_most_urgent_lines_and_says_how_many_more(tree, people, mailoutbox):
    plans = [
        PlanFactory(
            org_unit=tree["s1"],
            title=f"预案{i:02d}",
            effective_date=LONG_AGO + datetime.timedelta(days=i),
        )
        for i in range(DIGEST_LINES + 5)
    ]
    run_sweep(rules=["plans.review_overdue"])
    [mail] = [m for m in mailoutbox if m.to == ["s1@example.org"]]
    assert f"{DIGEST_LINES + 5} 条新提醒" in mail.subject
    listed = [plan.title for plan in plans if f"“{plan.title}”" in mail.body]
    assert listed == [plan.title for plan in plans[:DIGEST_LINES]]  # the earliest due ones
    assert "还有 5 条提醒" in mail.body
    assert reverse("notifications:list") in mail.body
    # every row was e-mailed, listed or counted: the next sweep sends nothing
    assert not Notification.objects.filter(emailed_at=None).exists()
    run_sweep(rules=["plans.review_overdue"])
    assert len(mailoutbox) == 1


def test_a_short_digest_has_no_more_line(tree, people, mailoutbox):
    PlanFactory(org_unit=tree["s1"], title="甲街道总体预案", effective_date=LONG_AGO)
    run_sweep(rules=["plans.review_overdue"])
    [mail] = mailoutbox
    assert "甲街道总体预案" in mail.body and "还有" not in mail.body


def test_a_unit_with_many_overdue_hazards_gets_one_line_that_counts_them(tree, people):
    overdue_hazards(tree["c1"], FOLD_ABOVE + 5)
    earliest = TODAY - datetime.timedelta(days=30 + FOLD_ABOVE + 4)
    run_sweep(rules=OVERDUE)
    n = FOLD_ABOVE + 5
    assert lines(people["s1"]) == [
        f"甲街道有 {n} 项隐患已超过整改期限未销号，最早的期限为 {earliest}"
    ]
    assert lines(people["c1"]) == [
        f"甲一居委有 {n} 项隐患已超过整改期限未销号，最早的期限为 {earliest}"
    ]
    assert lines(people["reviewer"]) == [
        f"一区有 {n} 项隐患已超过整改期限未销号，最早的期限为 {earliest}"
    ]
    line = Notification.objects.get(recipient=people["s1"])
    assert line.url == reverse("hazards:list") + "?overdue=on" and line.due == earliest
    assert run_sweep(rules=OVERDUE) == {OVERDUE[0]: 0}


def test_a_few_overdue_hazards_are_told_one_line_each(tree, people):
    overdue_hazards(tree["c1"], FOLD_ABOVE)
    run_sweep(rules=OVERDUE)
    assert len(lines(people["s1"])) == FOLD_ABOVE
    assert all(t.startswith("隐患“楼道堆物") for t in lines(people["s1"]))


def test_a_counting_line_is_refreshed_when_its_count_changes_and_retired_when_few_remain(
    tree, people
):
    hazards = overdue_hazards(tree["c1"], FOLD_ABOVE + 1)
    run_sweep(rules=OVERDUE)
    line = Notification.objects.get(recipient=people["s1"])
    Notification.objects.filter(pk=line.pk).update(read_at=timezone.now(), emailed_at=None)
    overdue_hazards(tree["c1"], 1, start=100)
    # s1, c1 and the reviewer each have their line refreshed; nothing else is new
    assert run_sweep(rules=OVERDUE, send_email=False) == {OVERDUE[0]: 3}
    line.refresh_from_db()
    assert f"有 {FOLD_ABOVE + 2} 项" in line.title and line.read_at is None
    assert Notification.objects.filter(recipient=people["s1"]).count() == 1

    Hazard.objects.filter(pk__in=[h.pk for h in hazards[3:]]).update(state=HazardState.CLOSED)
    run_sweep(rules=OVERDUE, send_email=False)
    line.refresh_from_db()
    assert line.read_at is not None  # retired: the unit's hazards are told one line each
    unread = Notification.objects.filter(recipient=people["s1"], read_at=None)
    assert len(unread) == 4 and all("楼道堆物" in n.title for n in unread)


def test_counting_lines_never_read_the_same(tree, people):
    overdue_hazards(tree["c1"], FOLD_ABOVE + 1)
    overdue_hazards(tree["c2"], FOLD_ABOVE + 1, start=50)
    make_user(tree["s2"])
    run_sweep(rules=OVERDUE, send_email=False)
    reviewer = lines(people["reviewer"])
    assert len(reviewer) == 1 and f"{2 * FOLD_ABOVE + 2} 项" in reviewer[0]
    titles = list(Notification.objects.values_list("recipient", "title"))
    assert len(titles) == len(set(titles))


def test_the_sweep_runs_a_fixed_number_of_queries_however_many_records_it_finds(
    tree, people, mailoutbox, django_assert_max_num_queries
):
    PlanFactory(org_unit=tree["s1"], title="预案", effective_date=LONG_AGO)
    overdue_hazards(tree["c1"], FOLD_ABOVE + 1)
    overdue_hazards(tree["c2"], 1, start=50)
    with django_assert_max_num_queries(60) as few:
        run_sweep()
    Notification.objects.all().delete()
    for i in range(15):
        PlanFactory(org_unit=tree["s1"], title=f"更多预案{i}", effective_date=LONG_AGO)
    overdue_hazards(tree["c1"], 3 * FOLD_ABOVE, start=100)
    overdue_hazards(tree["c2"], 2 * FOLD_ABOVE, start=200)
    with django_assert_max_num_queries(len(few.captured_queries)):
        run_sweep()
    assert len(lines(people["s1"])) == 16 + 1  # each plan, one line counting the hazards
    assert len(mailoutbox) == 2 * 3


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent transactions")
def test_a_digest_skips_the_rows_another_sweep_is_mailing(tree, people, mailoutbox):
    PlanFactory(org_unit=tree["s1"], title="甲街道总体预案", effective_date=LONG_AGO)
    PlanFactory(org_unit=tree["c1"], title="甲一居委预案", effective_date=LONG_AGO)
    run_sweep(rules=["plans.review_overdue"], send_email=False)
    locked, release = threading.Event(), threading.Event()

    def another_sweep_mailing_s1():
        try:
            with transaction.atomic():
                rows = Notification.objects.select_for_update().filter(recipient=people["s1"])
                assert len(rows) == 2
                locked.set()
                release.wait(timeout=30)
        finally:
            connections.close_all()

    other = threading.Thread(target=another_sweep_mailing_s1)
    other.start()
    try:
        assert locked.wait(timeout=30)
        assert send_email_digests() == 1  # c1's; s1's rows are being mailed elsewhere
        assert [m.to for m in mailoutbox] == [["c1@example.org"]]
    finally:
        release.set()
        other.join(timeout=30)
    assert send_email_digests() == 1
    assert [m.to for m in mailoutbox] == [["c1@example.org"], ["s1@example.org"]]
    assert send_email_digests() == 0
