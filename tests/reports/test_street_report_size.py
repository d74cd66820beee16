"""The street report reads the same for the largest street: a list that grows with the records
(the period's drills and incidents) shows its first ``LIST_ROWS`` rows and counts the rest
("另有 N 项"), the figures and groupings above it cover every record, and building it takes the
same number of queries however many records the street has."""

import datetime
from types import SimpleNamespace

import pytest
from django.template.loader import render_to_string
from django.utils import timezone

from apps.incidents.models import IncidentLevel
from apps.reports.kinds import KINDS
from apps.reports.report import LIST_ROWS
from tests.conftest import make_user
from tests.drills.factories import HeldDrillFactory
from tests.incidents.factories import make_incident

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
START = TODAY - datetime.timedelta(days=365)


@pytest.fixture
def request_of(tree):
    staff = make_user(tree["s1"])
    params = {"street": tree["s1"].code, "start": str(START), "end": str(TODAY)}
    return SimpleNamespace(requested_by=staff, org_unit=tree["s1"], params=params)


def add_records(tree, n, start=0):
    for i in range(n):
        HeldDrillFactory(
            org_unit=tree["c1"],
            title=f"消防疏散演练{start + i}",
            date=TODAY - datetime.timedelta(days=start + i),
            participants=10,
        )
        make_incident(tree["c1"], title=f"积水{start + i}")


def build(request):
    return KINDS["street_summary"].build(request)


def test_long_lists_show_their_first_rows_and_count_the_rest(tree, request_of):
    add_records(tree, LIST_ROWS + 7)
    make_incident(tree["s1"], title="较大火灾", level=IncidentLevel.III)
    context = build(request_of)
    drills, incidents = context["drills"], context["incidents"]
    assert drills["total"] == LIST_ROWS + 7 and drills["people"] == 10 * (LIST_ROWS + 7)
    assert [row["total"] for row in drills["by_form"]] == [LIST_ROWS + 7]
    assert drills["communities"] == 1
    assert len(drills["recent"]["rows"]) == LIST_ROWS and drills["recent"]["more"] == 7
    assert drills["recent"]["rows"][0].title == "消防疏散演练0"  # the most recent first
    assert (incidents["total"], incidents["serious"]) == (LIST_ROWS + 8, 1)
    assert incidents["listed"]["rows"][0].title == "较大火灾"  # the most serious first
    assert incidents["listed"]["more"] == 8
    html = render_to_string(
        "reports/pdf/street_summary.html", {**context, "report": request_of, "static_root": ""}
    )
    assert "另有 7 项未列出" in html and "另有 8 项未列出" in html


def test_a_short_list_is_shown_whole(tree, request_of):
    add_records(tree, 3)
    context = build(request_of)
    assert len(context["drills"]["recent"]["rows"]) == 3
    assert context["drills"]["recent"]["more"] == 0
    html = render_to_string(
        "reports/pdf/street_summary.html", {**context, "report": request_of, "static_root": ""}
    )
    assert "另有" not in html


def test_building_the_report_takes_the_same_queries_for_more_records(
    tree, request_of, django_assert_max_num_queries
):
    add_records(tree, LIST_ROWS + 1)
    with django_assert_max_num_queries(60) as few:
        build(request_of)
    add_records(tree, 3 * LIST_ROWS, start=100)
    with django_assert_max_num_queries(len(few.captured_queries)):
        build(request_of)
