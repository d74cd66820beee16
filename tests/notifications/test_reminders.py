import datetime

import pytest
from django.core.management import call_command
from django.urls import reverse

from apps.notifications.models import Notification, NotificationSettings
from apps.notifications.services import run_sweep
from apps.notifications.tasks import run_reminder_sweep
from apps.orgs.models import Role
from apps.plans.models import Plan
from tests.conftest import make_user
from tests.plans.factories import PlanFactory

TODAY = datetime.date.today()
LONG_AGO = TODAY.replace(year=TODAY.year - 4)


@pytest.fixture
def people(tree):
    return {
        "s1": make_user(tree["s1"], email="s1@example.org"),
        "s1_quiet": make_user(tree["s1"], email="quiet@example.org"),
        "c1": make_user(tree["c1"], email="c1@example.org"),
        "s2": make_user(tree["s2"], email="s2@example.org"),
        "reviewer": make_user(tree["d1"], role=Role.DISTRICT_REVIEWER, email="r@example.org"),
    }


@pytest.fixture
def due_items(tree, people):
    NotificationSettings.objects.create(user=people["s1_quiet"], email_enabled=False)
    return {
        "overdue_s1": PlanFactory(
            org_unit=tree["s1"], title="甲街道总体预案", kind="overall", effective_date=LONG_AGO
        ),
        "overdue_c1": PlanFactory(
            org_unit=tree["c1"], title="甲一居委预案", kind="community", effective_date=LONG_AGO
        ),
        "soon_s2": PlanFactory(
            org_unit=tree["s2"],
            title="乙街道防汛预案",
            effective_date=TODAY.replace(year=TODAY.year - 3) + datetime.timedelta(days=10),
        ),
        "fresh_s1": PlanFactory(org_unit=tree["s1"], title="新预案", effective_date=TODAY),
        "retired_s1": PlanFactory(
            org_unit=tree["s1"],
            title="废止预案",
            effective_date=LONG_AGO,
            status=Plan.Status.RETIRED,
        ),
    }


def titles(user):
    return sorted(Notification.objects.filter(recipient=user).values_list("title", flat=True))


def check_expected(people):
    due = LONG_AGO.replace(year=LONG_AGO.year + 3)
    assert titles(people["s1"]) == [
        f"预案“甲一居委预案”已超过评估修订期（{due}）",
        f"预案“甲街道总体预案”已超过评估修订期（{due}）",
    ]
    assert titles(people["c1"]) == [titles(people["s1"])[0]]  # only their community's plan
    assert len(titles(people["s2"])) == 1 and "将于" in titles(people["s2"])[0]
    assert titles(people["reviewer"]) == []  # plan rules are for the street, not reviewers
    assert not Notification.objects.filter(title__contains="新预案").exists()
    assert not Notification.objects.filter(title__contains="废止预案").exists()


@pytest.mark.django_db(transaction=True)
def test_sweep_on_a_real_worker_notifies_once_and_mails_who_wants_it(
    people, due_items, worker, mailoutbox
):
    first = run_reminder_sweep.delay().get(timeout=30)
    assert first["plans.review_overdue"] == 5  # s1, s1_quiet, c1 (own plan) + s1, s1_quiet
    check_expected(people)
    recipients = sorted(m.to[0] for m in mailoutbox)
    assert recipients == ["c1@example.org", "s1@example.org", "s2@example.org"]
    s1_mail = next(m for m in mailoutbox if m.to == ["s1@example.org"])
    assert "2 条新提醒" in s1_mail.subject and "甲街道总体预案" in s1_mail.body

    second = run_reminder_sweep.delay().get(timeout=30)
    assert set(second.values()) == {0}
    check_expected(people)
    assert len(mailoutbox) == 3


def test_sweep_is_idempotent_under_the_unique_constraint(people, due_items):
    run_sweep()
    count = Notification.objects.count()
    # Even a sweep that forgot what it sent cannot duplicate: the database refuses.
    Notification.objects.update(emailed_at=None)
    run_sweep()
    assert Notification.objects.count() == count


def test_overdue_hazard_notifies_the_district_reviewer_too(tree, people):
    from tests.hazards.factories import HazardFactory

    HazardFactory(
        org_unit=tree["c1"],
        title="楼道堆物",
        state="assigned",
        deadline=TODAY - datetime.timedelta(days=2),
    )
    run_sweep(rules=["hazards.deadline_passed"])
    assert len(titles(people["reviewer"])) == 1
    assert len(titles(people["c1"])) == 1
    assert titles(people["s2"]) == []


def test_the_sweep_uses_a_fixed_number_of_queries(tree, people, django_assert_max_num_queries):
    for i in range(3):
        PlanFactory(org_unit=tree["s1"], effective_date=LONG_AGO, title=f"预案{i}")
    with django_assert_max_num_queries(40) as few:
        run_sweep(rules=["plans.review_overdue"])
    for i in range(30):
        PlanFactory(org_unit=tree["s1"], effective_date=LONG_AGO, title=f"更多预案{i}")
    Notification.objects.all().delete()
    with django_assert_max_num_queries(len(few.captured_queries)):
        run_sweep(rules=["plans.review_overdue"])
    assert Notification.objects.filter(recipient=people["s1"]).count() == 33


def test_management_command(people, due_items, capsys):
    call_command("run_reminders", "--rule", "plans.review_overdue")
    assert "plans.review_overdue: 5 new" in capsys.readouterr().out


# --- pages -----------------------------------------------------------------------------------


def test_users_see_only_their_own_notifications(client, people, due_items):
    run_sweep()
    client.force_login(people["s2"])
    body = client.get(reverse("notifications:list")).content.decode()
    assert "乙街道防汛预案" in body and "甲街道总体预案" not in body
    someone_elses = Notification.objects.filter(recipient=people["s1"]).first()
    response = client.post(reverse("notifications:open", args=[someone_elses.pk]))
    assert response.status_code == 404
    someone_elses.refresh_from_db()
    assert someone_elses.read_at is None


def test_bell_count_open_and_mark_all_read(client, people, due_items):
    run_sweep()
    client.force_login(people["s1"])
    page = client.get("/").content.decode()
    assert "notification-bell" in page and ">2</span>" in page
    mine = Notification.objects.filter(recipient=people["s1"]).order_by("pk").first()
    response = client.post(reverse("notifications:open", args=[mine.pk]))
    assert response.status_code == 302 and response.url == mine.url
    mine.refresh_from_db()
    assert mine.read_at is not None
    unread = client.get(reverse("notifications:list"), {"state": "unread"}).content.decode()
    assert unread.count("处理</button>") == 1  # the one still unread
    client.post(reverse("notifications:read_all"))
    assert not Notification.objects.filter(recipient=people["s1"], read_at=None).exists()


def test_email_can_be_turned_off(client, people, due_items, mailoutbox):
    client.force_login(people["s1"])
    client.post(reverse("notifications:settings"), {})  # checkbox absent = off
    assert NotificationSettings.objects.get(user=people["s1"]).email_enabled is False
    run_sweep()
    assert "s1@example.org" not in [m.to[0] for m in mailoutbox]
    assert Notification.objects.filter(recipient=people["s1"]).count() == 2


def test_anonymous_is_sent_to_login(client, db):
    response = client.get(reverse("notifications:list"))
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_demo_due_items_of_every_app_are_found_once(demo):
    """seed_demo runs the sweep; each app's rules found its seeded due items, and a second
    sweep finds nothing new."""
    found = set(Notification.objects.values_list("rule", flat=True))
    assert {
        "plans.review_overdue",
        "hazards.deadline_passed",
        "hazards.inspection_due",
        "supplies.check_due",
        "supplies.lot_expiring",
        "supplies.contract_ending",
        "supplies.below_standard",
        "shelters.inspection_due",
        "drills.action_overdue",
    } <= found
    assert set(run_sweep(send_email=False).values()) == {0}
    lujiazui = Notification.objects.filter(recipient__username="lujiazui_staff")
    assert lujiazui.exists()
    assert not lujiazui.filter(unit_path__contains="/310105/").exists()
