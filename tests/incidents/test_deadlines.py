"""Deadlines and escalation with the clock injected: a phone report not recorded by its
deadline and a 续报 not filed by the time the district set are found by the reminder rules
(once per occurrence, to the street and the district reviewers); the 零报告 at 16:00: every
community under a period in force reports daily, the street sees who has not, the district the
roll-up per street, and the /m/ home page lists what is owed."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from apps.incidents import mobile, reminders, selectors, services
from apps.incidents.models import ReportKind, ZeroReport
from apps.notifications.models import Notification
from apps.notifications.services import run_sweep
from apps.orgs.models import OrgKind, OrgUnit
from tests.conftest import make_user
from tests.factories import child

from .conftest import NOW, report_values

pytestmark = pytest.mark.django_db
MINUTE = datetime.timedelta(minutes=1)
TODAY = NOW.date()


def keys(findings):
    return [f.key.split(":")[0] for f in findings]


def test_a_phone_report_is_overdue_only_after_its_deadline_and_until_recorded(people, file_initial):
    incident = file_initial(people["staff"])  # occurred 09:50: by phone before 10:20
    assert list(reminders.phone_overdue(TODAY, now=incident.phone_due - MINUTE)) == []
    late = list(reminders.phone_overdue(TODAY, now=incident.phone_due + MINUTE))
    assert keys(late) == [str(incident.pk)]
    assert late[0].title == "突发事件“甲一小区火灾”未在 06-15 10:20 前电话报告"
    services.record_phone_report(people["staff"], incident, now=incident.phone_due + 2 * MINUTE)
    assert list(reminders.phone_overdue(TODAY, now=incident.phone_due + 3 * MINUTE)) == []
    with pytest.raises(ValidationError, match="已登记电话报告"):
        services.record_phone_report(people["staff"], incident)


def test_a_closed_incident_is_never_escalated(people, file_initial):
    incident = file_initial(people["staff"])
    services.add_report(
        people["staff"], incident, kind=ReportKind.FINAL, now=NOW, **report_values(incident)
    )
    assert list(reminders.phone_overdue(TODAY, now=NOW + datetime.timedelta(hours=5))) == []


def test_a_follow_up_asked_for_is_overdue_after_its_deadline_until_filed(people, file_initial):
    incident = file_initial(people["staff"])
    due = NOW + datetime.timedelta(hours=1)
    request = services.request_follow_up(
        people["reviewer"], incident, note="核实伤亡", due=due, now=NOW
    )
    assert list(reminders.follow_up_overdue(TODAY, now=due - MINUTE)) == []
    assert keys(reminders.follow_up_overdue(TODAY, now=due + MINUTE)) == [str(request.pk)]
    services.add_report(
        people["staff"],
        incident,
        kind=ReportKind.FOLLOW_UP,
        now=due + MINUTE,
        **report_values(incident),
    )
    assert list(reminders.follow_up_overdue(TODAY, now=due + 2 * MINUTE)) == []


def test_the_deadlines_show_met_late_and_open(people, file_initial):
    incident = file_initial(people["staff"], occurred_at=NOW - datetime.timedelta(minutes=90))
    incident = services.record_phone_report(people["staff"], incident, now=NOW)
    services.request_follow_up(
        people["reviewer"], incident, note="核实", due=NOW + datetime.timedelta(hours=1), now=NOW
    )
    phone, written, follow_up = selectors.incident_deadlines(incident)
    assert (phone.met, phone.late) == (True, True)  # 90 minutes after, 30 allowed
    assert (written.met, written.late) == (True, True)  # the 初报 came after the hour
    assert (follow_up.met, follow_up.due) == (False, NOW + datetime.timedelta(hours=1))


def test_the_sweep_escalates_a_missed_phone_report_to_street_and_district_once(
    people, file_initial
):
    from django.utils import timezone

    now = timezone.now()
    incident = file_initial(people["staff"], occurred_at=now - datetime.timedelta(hours=1), now=now)
    assert run_sweep(rules=["incidents.phone_overdue"], send_email=False) == {
        "incidents.phone_overdue": 2
    }
    notified = set(
        Notification.objects.filter(rule="incidents.phone_overdue").values_list(
            "recipient", flat=True
        )
    )
    assert notified == {people["staff"].pk, people["reviewer"].pk}
    assert Notification.objects.get(recipient=people["staff"]).url == incident.get_absolute_url()
    assert run_sweep(rules=["incidents.phone_overdue"], send_email=False) == {
        "incidents.phone_overdue": 0
    }


# --- 零报告 ---------------------------------------------------------------------------------


def test_each_community_files_one_zero_report_a_day_in_a_period(tree, people, flood_season):
    report = services.file_zero_report(people["community"], community=tree["c1"], now=NOW)
    assert (report.org_unit, report.date, report.has_disaster) == (tree["c1"], TODAY, False)
    with pytest.raises(ValidationError, match="该居委/村今天已报送零报告。"):
        services.file_zero_report(people["staff"], community=tree["c1"], now=NOW)
    assert ZeroReport.objects.count() == 1


BAD_ZERO = [
    ({"has_disaster": True, "note": " "}, "有灾情时请简要说明"),
    ({"now": NOW.replace(month=12)}, "今天不在零报告期内，无需报送。"),
]


@pytest.mark.parametrize("changes, message", BAD_ZERO)
def test_a_bad_zero_report_says_why_and_saves_nothing(tree, people, flood_season, changes, message):
    with pytest.raises(ValidationError, match=message):
        services.file_zero_report(
            people["community"], **({"community": tree["c1"], "now": NOW} | changes)
        )
    assert not ZeroReport.objects.exists()


def test_only_the_community_and_its_street_file_its_zero_report(tree, people, flood_season):
    for user in (
        people["reviewer"],
        people["other_staff"],
        make_user(tree["c2"], "community_staff"),
    ):
        with pytest.raises(PermissionDenied):
            services.file_zero_report(user, community=tree["c1"], now=NOW)
    # an information officer reports for the community of their 小区
    assert services.file_zero_report(people["officer"], community=tree["c1"], now=NOW)


def test_who_has_not_reported_is_found_at_the_deadline_hour(tree, people, flood_season):
    services.file_zero_report(people["community"], community=tree["c1"], now=NOW)
    four = NOW.replace(hour=16)
    assert list(reminders.zero_report_missing(TODAY, now=four - MINUTE)) == []
    missing = list(reminders.zero_report_missing(TODAY, now=four))
    assert [f.unit_path for f in missing] == [tree["c2"].path]  # 乙一居委; 丙街道 is in 二区
    assert missing[0].title == f"乙一居委未报送 {TODAY} 的零报告"


def test_the_district_sees_the_street_roll_up(
    tree, people, flood_season, django_assert_max_num_queries
):
    child(tree["s1"], OrgKind.COMMUNITY, code="S1C2", name="甲二居委")
    services.file_zero_report(people["community"], community=tree["c1"], now=NOW)
    streets = OrgUnit.objects.filter(kind=OrgKind.STREET).order_by("path")
    with django_assert_max_num_queries(4):
        rows = selectors.zero_report_rollup(streets, TODAY)
    figures = {street.code: (f["due"], f["reported"], f["missing"]) for street, f in rows}
    assert figures == {"S1": (2, 1, 1), "S2": (1, 0, 1)}  # S3 (二区) owes nothing
    status = selectors.zero_report_status(tree["s1"], TODAY)
    assert [(c.code, c.report is not None) for c in status] == [("S1C1", True), ("S1C2", False)]


def test_a_period_during_an_active_warning_is_in_force_only_while_the_warning_is(tree, people):
    from apps.incidents.models import ZeroReportPeriod

    period = ZeroReportPeriod.objects.create(
        org_unit=tree["s1"], name="预警期间", during_warning=True
    )
    assert not selectors.communities_due(TODAY).exists()
    period.warning_active = True
    period.save()
    assert list(selectors.communities_due(TODAY)) == [tree["c1"]]


def test_the_phone_home_lists_todays_zero_report_and_follow_ups_asked(
    tree, people, flood_season, file_initial
):
    tasks = mobile.tasks(people["community"], now=NOW)
    assert [(t["kind"], t["title"], t["urgent"]) for t in tasks] == [
        ("零报告", "甲一居委今日零报告", False)
    ]
    assert mobile.tasks(people["community"], now=NOW.replace(hour=17))[0]["urgent"] is True
    services.file_zero_report(people["community"], community=tree["c1"], now=NOW)
    assert mobile.tasks(people["community"], now=NOW) == []
    incident = file_initial(people["community"])
    services.request_follow_up(
        people["reviewer"], incident, note="核实", due=NOW + datetime.timedelta(hours=1), now=NOW
    )
    staff_tasks = [t for t in mobile.tasks(people["staff"], now=NOW) if t["kind"] == "续报"]
    assert [t["url"] for t in staff_tasks] == [f"/incidents/{incident.pk}/report/"]
    assert all(t["kind"] != "续报" for t in mobile.tasks(people["community"], now=NOW))


def test_the_five_minute_task_sweeps_only_the_escalation_rules(people, file_initial):
    from apps.incidents.tasks import ESCALATION_RULES, escalate_incidents

    assert set(escalate_incidents()) == set(ESCALATION_RULES)
