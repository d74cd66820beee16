"""Incident reports follow each other 初报 → 续报一、续报二… → 终报, each with every required
element (and the 灾情 figures for natural disasters); the 终报 closes the incident and nothing
is filed after it; deadlines come from the district's rule for the level (or 30/60 minutes);
the district signs for reports and asks for a 续报, which the next report answers. Bad input
gets a clear message and saves nothing. An incident names the warning it comes of only when
the reporter sees it, it is published and its area covers the incident's unit; a 续报 may name,
change or drop it."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from apps.incidents import services
from apps.incidents.models import (
    DeadlineRule,
    Incident,
    IncidentReport,
    IncidentState,
    ReportKind,
    chinese_number,
)
from apps.orgs.models import Role
from apps.warnings.models import Status
from tests.conftest import make_user
from tests.warnings.factories import make_warning

from .conftest import FIGURES, NOW, report_values

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "n, text",
    [(1, "一"), (2, "二"), (9, "九"), (10, "十"), (11, "十一"), (20, "二十"), (23, "二十三")],
)
def test_follow_up_numbers_are_chinese_numerals(n, text):
    assert chinese_number(n) == text


def test_reports_are_numbered_initial_follow_ups_then_final(people, file_initial):
    incident = file_initial(people["community"])
    for minutes in (20, 40, 60):
        services.add_report(
            people["staff"],
            incident,
            kind=ReportKind.FOLLOW_UP,
            now=NOW + datetime.timedelta(minutes=minutes),
            **report_values(incident),
        )
    final = services.add_report(
        people["staff"],
        incident,
        kind=ReportKind.FINAL,
        now=NOW + datetime.timedelta(hours=2),
        **report_values(incident),
    )
    labels = [str(r.label) for r in incident.reports.order_by("sequence")]
    assert labels == ["初报", "续报一", "续报二", "续报三", "终报"]
    incident.refresh_from_db()
    assert incident.state == IncidentState.CLOSED
    assert incident.closed_at == final.submitted_at


@pytest.mark.parametrize("kind", [ReportKind.FOLLOW_UP, ReportKind.FINAL])
def test_nothing_can_be_filed_after_the_final_report(people, file_initial, kind):
    incident = file_initial(people["staff"])
    services.add_report(
        people["staff"], incident, kind=ReportKind.FINAL, now=NOW, **report_values(incident)
    )
    with pytest.raises(ValidationError) as caught:
        services.add_report(
            people["staff"], incident, kind=kind, now=NOW, **report_values(incident)
        )
    assert caught.value.messages == ["该事件已终报，不能再报送。"]
    assert incident.reports.count() == 2


def test_deadlines_are_the_district_rule_for_the_level_or_30_and_60_minutes(
    tree, people, file_initial
):
    DeadlineRule.objects.create(
        district=tree["d1"], level="3", phone_minutes=15, written_minutes=45
    )
    occurred = NOW - datetime.timedelta(minutes=10)
    default = file_initial(people["staff"], level="4")
    assert default.phone_due == occurred + datetime.timedelta(minutes=30)
    assert default.written_due == occurred + datetime.timedelta(minutes=60)
    serious = file_initial(people["staff"], level="3", title="较大火灾")
    assert serious.phone_due == occurred + datetime.timedelta(minutes=15)
    assert serious.written_due == occurred + datetime.timedelta(minutes=45)
    s3_staff = make_user(tree["s3"])
    elsewhere = file_initial(s3_staff, unit=tree["s3"], level="3", title="二区火灾")
    assert elsewhere.phone_due == occurred + datetime.timedelta(minutes=30)


def test_natural_disasters_carry_the_disaster_figures(people, file_initial, flood_type):
    incident = file_initial(people["staff"], incident_type=flood_type, **FIGURES)
    initial = incident.reports.get()
    assert initial.relocated_people == 30 and initial.direct_loss == 12
    with pytest.raises(ValidationError) as caught:
        services.add_report(
            people["staff"], incident, kind=ReportKind.FOLLOW_UP, now=NOW, **report_values(incident)
        )
    assert set(caught.value.message_dict) == set(FIGURES)
    assert incident.reports.count() == 1


BAD_INITIAL = [
    ({"title": "  "}, "title", "请填写事件名称。"),
    ({"nature": ""}, "nature", "请填写此项，报告须包含全部要素。"),
    ({"measures": " "}, "measures", "请填写此项，报告须包含全部要素。"),
    ({"address": ""}, "place", "请填写此项，报告须包含全部要素。"),
    (
        {"occurred_at": NOW + datetime.timedelta(minutes=5)},
        "event_time",
        "事件发生时间不能晚于当前时间。",
    ),
    ({"latitude": 31.2}, "latitude", "经度和纬度需同时填写。"),
    ({"level": "9"}, "level", "请选择事件等级。"),
]


@pytest.mark.parametrize("changes, field, message", BAD_INITIAL)
def test_a_bad_initial_report_says_why_and_saves_nothing(
    people, file_initial, changes, field, message
):
    with pytest.raises(ValidationError) as caught:
        file_initial(people["staff"], **changes)
    assert caught.value.message_dict[field] == [message]
    assert not Incident.objects.exists() and not IncidentReport.objects.exists()


def test_a_natural_disaster_without_figures_is_refused(people, file_initial, flood_type):
    with pytest.raises(ValidationError) as caught:
        file_initial(
            people["staff"], incident_type=flood_type, **(FIGURES | {"damaged_houses": None})
        )
    assert caught.value.message_dict == {"damaged_houses": ["自然灾害须填写灾情数据（无则填 0）。"]}
    assert not Incident.objects.exists()


def test_who_may_file_an_initial_report_and_for_which_unit(tree, people, file_initial):
    assert file_initial(people["officer"], unit=tree["e1"]).org_unit == tree["e1"]
    assert file_initial(people["community"], title="居委报送").org_unit == tree["c1"]
    refused = [
        (people["reviewer"], tree["c1"]),
        (people["officer"], tree["c1"]),  # above the officer's 小区
        (people["community"], tree["c2"]),  # another street's community
        (people["other_staff"], tree["c1"]),
        (make_user(tree["c1"], Role.GRID_WORKER), tree["c1"]),
    ]
    for user, unit in refused:
        with pytest.raises(PermissionDenied):
            file_initial(user, unit=unit, title="不应保存")
    assert not Incident.objects.filter(title="不应保存").exists()


def test_only_the_street_adds_follow_ups(people, file_initial):
    incident = file_initial(people["community"])
    for user in (people["reviewer"], people["community"], people["other_staff"]):
        with pytest.raises(PermissionDenied):
            services.add_report(
                user, incident, kind=ReportKind.FOLLOW_UP, now=NOW, **report_values(incident)
            )
    assert incident.reports.count() == 1


def test_the_district_reviewer_signs_for_a_report_once(people, file_initial):
    incident = file_initial(people["staff"])
    initial = incident.reports.get()
    for user in (people["staff"], people["other_reviewer"]):
        with pytest.raises(PermissionDenied):
            services.acknowledge_report(user, initial)
    services.acknowledge_report(people["reviewer"], initial, now=NOW)
    initial.refresh_from_db()
    assert initial.acknowledged_by == people["reviewer"] and initial.acknowledged_at == NOW
    with pytest.raises(ValidationError, match="该报告已签收"):
        services.acknowledge_report(people["reviewer"], initial)


def test_a_follow_up_request_is_answered_by_the_next_report(people, file_initial):
    incident = file_initial(people["staff"])
    request = services.request_follow_up(
        people["reviewer"],
        incident,
        note="核实疏散人数",
        due=NOW + datetime.timedelta(hours=1),
        now=NOW,
    )
    report = services.add_report(
        people["staff"],
        incident,
        kind=ReportKind.FOLLOW_UP,
        now=NOW + datetime.timedelta(minutes=30),
        **report_values(incident),
    )
    request.refresh_from_db()
    assert request.answered_by == report


BAD_REQUESTS = [
    ({"note": " "}, "note", "请写明需要续报的内容。"),
    ({"due": NOW}, "due", "续报时限须晚于当前时间。"),
    ({"due": NOW - datetime.timedelta(hours=1)}, "due", "续报时限须晚于当前时间。"),
]


@pytest.mark.parametrize("changes, field, message", BAD_REQUESTS)
def test_a_bad_follow_up_request_says_why(people, file_initial, changes, field, message):
    incident = file_initial(people["staff"])
    values = {"note": "核实", "due": NOW + datetime.timedelta(hours=1), "now": NOW} | changes
    with pytest.raises(ValidationError) as caught:
        services.request_follow_up(people["reviewer"], incident, **values)
    assert caught.value.message_dict == {field: [message]}
    assert not incident.requests.exists()


def test_street_staff_cannot_ask_themselves_for_a_follow_up(people, file_initial):
    incident = file_initial(people["staff"])
    with pytest.raises(PermissionDenied):
        services.request_follow_up(
            people["staff"], incident, note="x", due=NOW + datetime.timedelta(hours=1), now=NOW
        )


def test_no_follow_up_can_be_asked_after_the_final_report(people, file_initial):
    incident = file_initial(people["staff"])
    services.add_report(
        people["staff"], incident, kind=ReportKind.FINAL, now=NOW, **report_values(incident)
    )
    with pytest.raises(ValidationError, match="该事件已终报，不能再要求续报。"):
        services.request_follow_up(
            people["reviewer"], incident, note="x", due=NOW + datetime.timedelta(hours=1), now=NOW
        )


# --- the year's incidents in other apps ----------------------------------------------------


def test_serious_incidents_of_the_last_three_years_answer_the_basic_condition(
    tree, people, file_initial
):
    from apps.applications.facts import group_rows
    from apps.dashboards.indicators import unit_facts
    from apps.incidents.selectors import incident_figures

    today = NOW.date()
    file_initial(people["staff"], title="一般火灾")  # Ⅳ级: not 较大
    file_initial(people["staff"], title="四年前", level="3", occurred_at=NOW.replace(year=2022))
    figures = incident_figures([tree["s1"], tree["s2"]], today=today)
    assert figures[tree["s1"].pk] == {"this_year": 1, "serious_3y": 0, "no_serious_3y": True}
    file_initial(people["staff"], title="较大事故", level="3", occurred_at=NOW.replace(year=2024))
    figures = incident_figures([tree["s1"], tree["s2"], tree["d1"]], today=today)
    assert figures[tree["s1"].pk]["serious_3y"] == 1
    assert figures[tree["d1"].pk]["no_serious_3y"] is False
    assert figures[tree["s2"].pk] == {"this_year": 0, "serious_3y": 0, "no_serious_3y": True}
    rows = group_rows(unit_facts(tree["s1"], today=today), "incidents")
    assert [(r["label"], r["value"], r["warn"]) for r in rows][:2] == [
        ("近3年无因灾较大事故", "否", True),
        ("近3年较大及以上突发事件", "1", True),
    ]


# --- the warning an incident comes of -------------------------------------------------------


def test_an_incident_names_the_warning_it_comes_of(tree, people, file_initial):
    warning = make_warning(tree["d1"])
    incident = file_initial(people["officer"], unit=tree["e1"], warning=warning)
    assert incident.warning == warning
    assert list(warning.incidents.all()) == [incident]


# who files, the warning (issuer, its areas, its state), where the incident is, the message
BAD_WARNINGS = [
    ("community", "d2", None, Status.PUBLISHED, "c1", "找不到该预警"),  # 二区's
    ("community", "s1", None, Status.DRAFT, "c1", "找不到该预警"),  # a draft reaches no one
    ("staff", "s1", None, Status.DRAFT, "c1", "只能关联已发布的预警"),  # its drafter's street
    ("staff", "d1", None, Status.CANCELLED, "c1", "只能关联已发布的预警"),
    ("staff", "d1", None, Status.SUPERSEDED, "c1", "只能关联已发布的预警"),
    ("staff", "s1", "c1", Status.PUBLISHED, "s1", "该预警的预警范围不包括甲街道"),
]


@pytest.mark.parametrize("who, issuer, area, status, unit, message", BAD_WARNINGS)
def test_an_initial_report_names_only_a_published_warning_covering_it(
    tree, people, file_initial, who, issuer, area, status, unit, message
):
    warning = make_warning(tree[issuer], [tree[area or issuer]], status=status)
    with pytest.raises(ValidationError) as exc:
        file_initial(people[who], unit=tree[unit], warning=warning)
    assert message in " ".join(exc.value.message_dict["warning"])
    assert not Incident.objects.exists() and not IncidentReport.objects.exists()


def test_a_follow_up_names_keeps_or_drops_the_warning(tree, people, file_initial):
    incident = file_initial(people["community"])
    warning = make_warning(tree["d1"])

    def follow_up(minutes, **link):
        services.add_report(
            people["staff"],
            incident,
            kind=ReportKind.FOLLOW_UP,
            now=NOW + datetime.timedelta(minutes=minutes),
            **link,
            **report_values(incident),
        )
        incident.refresh_from_db()

    follow_up(10, warning=warning)
    assert incident.warning == warning
    warning.status = Status.CANCELLED  # 解除 later: the link it had stays
    warning.save()
    follow_up(20)
    follow_up(30, warning=warning)
    assert incident.warning == warning and incident.reports.count() == 4
    with pytest.raises(ValidationError, match="只能关联已发布的预警"):
        follow_up(40, warning=make_warning(tree["d1"], status=Status.CANCELLED))
    assert incident.warning == warning and incident.reports.count() == 4
    follow_up(50, warning=None)
    assert incident.warning is None
