"""Notices when something happens (apps.notifications.events): each declared event tells the
right people at once, after commit — in the bell and by e-mail with the reason, once per
occurrence, never the actor, and no e-mail to those who turned e-mail off; a rolled-back change
tells nobody."""

from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from apps.applications import services as applications
from apps.applications.models import Action, State
from apps.hazards import services as hazards
from apps.notifications.events import (
    EVENTS,
    Notice,
    deliver,
    label_of,
    notify,
    without_email,
)
from apps.notifications.models import Notification, NotificationSettings
from apps.orgs.models import Role
from apps.reports.models import ReportRequest
from apps.reports.tasks import generate_report
from tests.applications.factories import in_state, people
from tests.conftest import make_user
from tests.hazards.factories import HazardFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def users(tree):
    found = people(tree)
    for user in found.values():
        user.email = f"{user.username}@example.cn"
        user.save(update_fields=["email"])
    found["community"] = make_user(tree["c1"], Role.COMMUNITY_STAFF, email="c1@example.cn")
    found["grid"] = make_user(tree["c1"], Role.GRID_WORKER, email="")
    found["other_community"] = make_user(tree["c2"], Role.COMMUNITY_STAFF)
    return found


def bell(user):
    return list(Notification.objects.filter(recipient=user).order_by("pk"))


def test_every_declared_event_has_a_chinese_label():
    assert {
        "applications.returned",
        "applications.approved",
        "applications.rejected",
        "applications.awarded",
        "applications.submitted",
        "hazards.assigned",
        "reports.finished",
        "notifications.finished",
    } <= set(EVENTS)
    assert str(label_of("applications.returned")) == "申报被退回修改"
    assert str(label_of("something.undeclared")) == "通知"


def test_a_returned_application_tells_the_street_staff_at_once_with_the_reason(
    tree, users, django_capture_on_commit_callbacks
):
    staff, reviewer = users["staff"], users["reviewer"]
    app = in_state(State.IN_REVIEW, users, tree["s1"])
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        applications.transition_application(
            reviewer, app, Action.RETURN, comment="自评材料缺少演练照片"
        )
    [notice] = bell(staff)
    assert notice.rule == "applications.returned" and notice.read_at is None
    assert "退回修改" in notice.title and "自评材料缺少演练照片" in notice.title
    assert notice.url == reverse("applications:detail", args=[app.pk])
    assert notice.emailed_at is not None
    [email] = mail.outbox
    assert email.to == [staff.email] and "自评材料缺少演练照片" in email.body
    # nobody else: not the reviewer who acted, not the other street
    assert bell(users["reviewer"]) == [] and bell(users["other_staff"]) == []


@pytest.mark.parametrize(
    "state, code, words",
    [
        (State.APPROVED, "applications.approved", "通过区级审核"),
        (State.REJECTED, "applications.rejected", "未达标准"),
        (State.AWARDED, "applications.awarded", "授牌"),
        (State.CITY_FAILED, "applications.city_failed", "市级评定未通过"),
    ],
)
def test_approved_rejected_and_awarded_tell_the_street_staff(
    tree, users, state, code, words, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        in_state(state, users, tree["s1"])
    notices = [n for n in bell(users["staff"]) if n.rule == code]
    assert len(notices) == 1 and words in notices[0].title
    assert timezone.localdate().isoformat() in notices[0].title  # the day it happened


def test_a_submission_tells_the_district_reviewers_only(
    tree, users, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        app = in_state(State.SUBMITTED, users, tree["c1"])
    [notice] = bell(users["reviewer"])
    assert notice.rule == "applications.submitted"
    assert "甲一居委" in notice.title and "请审核" in notice.title
    assert bell(users["other_reviewer"]) == [] and bell(users["staff"]) == []
    assert notice.url == reverse("applications:detail", args=[app.pk])


def test_nothing_is_sent_before_commit_nor_after_a_rollback(tree, users):
    app = in_state(State.IN_REVIEW, users, tree["s1"])
    try:
        with transaction.atomic():
            applications.transition_application(
                users["reviewer"], app, Action.RETURN, comment="补充"
            )
            assert bell(users["staff"]) == []  # not before commit
            raise RuntimeError("rolled back")
    except RuntimeError:
        pass
    assert bell(users["staff"]) == [] and mail.outbox == []


def test_a_reason_on_several_lines_is_mailed_whole(tree, users, django_capture_on_commit_callbacks):
    app = in_state(State.IN_REVIEW, users, tree["s1"])
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        applications.transition_application(
            users["reviewer"], app, Action.RETURN, comment="第一，补照片。\r\n第二，补签到表。"
        )
    [email] = mail.outbox
    assert "\n" not in email.subject and "第二，补签到表。" in email.body


def test_e_mail_opt_out_keeps_the_bell_and_drops_the_e_mail(
    tree, users, django_capture_on_commit_callbacks
):
    staff = users["staff"]
    NotificationSettings.objects.create(user=staff, email_enabled=False)
    app = in_state(State.IN_REVIEW, users, tree["s1"])
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        applications.transition_application(users["reviewer"], app, Action.RETURN, comment="补")
    [notice] = bell(staff)
    assert notice.emailed_at is None and mail.outbox == []


def test_an_event_delivered_twice_notifies_and_mails_once(users):
    staff = users["staff"]
    notice = Notice(key="x1", title="测试", url="/", unit_path="/", recipients=(staff.pk,) * 2)
    assert len(deliver("notifications.finished", [notice])) == 1
    assert deliver("notifications.finished", [notice]) == []
    assert len(bell(staff)) == 1 and len(mail.outbox) == 1


def test_hazard_assigned_to_a_community_tells_its_users_with_the_deadline(
    tree, users, django_capture_on_commit_callbacks
):
    staff = users["staff"]
    hazard = HazardFactory(org_unit=tree["e1"], created_by=staff)
    deadline = timezone.localdate() + timedelta(days=10)
    with django_capture_on_commit_callbacks(execute=True):
        hazards.assign_hazard(
            staff, hazard, responsible_unit="甲一居委", deadline=deadline, note="尽快清理"
        )
    [desk_or_phone] = bell(users["community"])
    assert desk_or_phone.rule == "hazards.assigned"
    assert hazard.title in desk_or_phone.title and str(deadline) in desk_or_phone.title
    assert "尽快清理" in desk_or_phone.title
    # the front line opens the phone page
    assert desk_or_phone.url == reverse("mobile:hazard", args=[hazard.pk])
    assert len(bell(users["grid"])) == 1
    assert bell(users["other_community"]) == [] and bell(staff) == []
    assert [m.to for m in mail.outbox] == [["c1@example.cn"]]  # the grid worker has no address


def test_hazard_assigned_to_an_outside_company_tells_the_community_it_lies_in(
    tree, users, django_capture_on_commit_callbacks
):
    hazard = HazardFactory(org_unit=tree["e1"], created_by=users["staff"])
    with django_capture_on_commit_callbacks(execute=True):
        hazards.assign_hazard(
            users["staff"],
            hazard,
            responsible_unit="某物业公司",
            deadline=timezone.localdate() + timedelta(days=3),
        )
    assert [n.rule for n in bell(users["community"])] == ["hazards.assigned"]


def test_hazard_assigned_to_the_street_tells_its_staff_on_the_desk_page(
    tree, users, django_capture_on_commit_callbacks
):
    colleague = make_user(tree["s1"])
    hazard = HazardFactory(org_unit=tree["c1"], created_by=users["staff"])
    with django_capture_on_commit_callbacks(execute=True):
        hazards.assign_hazard(
            users["staff"],
            hazard,
            responsible_unit="甲街道",
            deadline=timezone.localdate() + timedelta(days=3),
        )
    [notice] = bell(colleague)
    assert notice.url == reverse("hazards:detail", args=[hazard.pk])
    assert bell(users["staff"]) == []  # the actor is not told of their own step


def test_a_finished_report_tells_its_requester(
    tree, users, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr("apps.reports.tasks.render_pdf", lambda *a, **k: b"%PDF-1.4 test")
    staff = users["staff"]
    report = ReportRequest.objects.create(
        kind="drill_summary",
        params={},
        title="演练总结报告：测试",
        org_unit=tree["s1"],
        requested_by=staff,
    )
    monkeypatch.setattr(
        "apps.drills.report.DrillSummary.build", lambda self, request: {"street": tree["s1"]}
    )
    with django_capture_on_commit_callbacks(execute=True):
        generate_report(report.pk)
    [notice] = bell(staff)
    assert notice.rule == "reports.finished" and "已生成" in notice.title
    assert notice.url == report.get_absolute_url()
    assert bell(users["other_staff"]) == []


def test_the_generic_finished_hook_tells_one_person(users, django_capture_on_commit_callbacks):
    staff = users["staff"]
    with django_capture_on_commit_callbacks(execute=True):
        notify(
            "notifications.finished",
            staff,
            key="import:7",
            title="物资台账导入完成：共 12 行",
            url="/supplies/",
        )
    [notice] = bell(staff)
    assert notice.title == "物资台账导入完成：共 12 行" and notice.unit_path == tree_path(staff)


def tree_path(user):
    return user.org_unit.path


def test_an_unknown_event_is_a_programming_error(users):
    with pytest.raises(KeyError):
        notify("nope.unknown", users["staff"])


def test_the_bell_page_labels_event_notices_and_shows_their_date(client, users):
    staff = users["staff"]
    notice = Notice(
        key="r1", title="某申报被退回修改", url="/", unit_path="/", recipients=(staff.pk,)
    )
    deliver("applications.returned", [notice])
    client.force_login(staff)
    page = client.get(reverse("notifications:list")).content.decode()
    assert "申报被退回修改" in page and timezone.localdate().strftime("%Y-%m-%d") in page


def test_notices_announced_without_email_reach_the_bell_only(
    tree, users, django_capture_on_commit_callbacks
):
    app = in_state(State.IN_REVIEW, users, tree["s1"])
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True), without_email():
        applications.transition_application(users["reviewer"], app, Action.RETURN, comment="补")
    assert len(bell(users["staff"])) == 1 and mail.outbox == []
