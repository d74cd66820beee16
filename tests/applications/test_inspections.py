"""Review beyond the desk: a 现场核查 recorded by the district's reviewer while it reviews writes
its scores into the application's scores, with photos (re-encoded); the yearly 动态管理抽查 of an
awarded community, once a year from the year after the award, lists as due until done; the
city's 复审 renews the title for three years."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from apps.applications import inspections
from apps.applications.models import Application, Inspection, InspectionKind, State
from tests.applications.factories import in_state, people, small_standard

pytestmark = pytest.mark.django_db


@pytest.fixture
def users(tree):
    return people(tree)


def png():
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buffer, "PNG")
    return SimpleUploadedFile("现场.png", buffer.getvalue(), content_type="image/png")


def test_an_on_site_check_writes_the_district_scores(client, tree, users):
    app = in_state(State.IN_REVIEW, users, tree["s1"], std=small_standard())
    items = list(app.assessments.order_by("item__aspect__order", "item__order"))
    client.force_login(users["reviewer"])
    url = reverse("applications:inspect", args=[app.pk, "site"])
    assert client.get(url).status_code == 200
    data = {
        "checked_on": timezone.localdate().isoformat(),
        "checkers": "区灾防办 张伟",
        "findings": "微型消防站器材齐全。",
        f"score_{items[0].item_id}": "3.5",
        f"note_{items[0].item_id}": "领导小组文件齐全",
        f"score_{items[1].item_id}": "2",
        "photos": [png()],
    }
    response = client.post(url, data)
    assert response.status_code == 302
    inspection = Inspection.objects.get()
    assert (inspection.kind, inspection.score) == (InspectionKind.SITE, Decimal("5.5"))
    assert inspection.photos.count() == 1
    scores = dict(app.assessments.values_list("item_id", "score"))
    assert scores[items[0].item_id] == Decimal("3.5") and scores[items[1].item_id] == 2
    assert scores[items[2].item_id] is None  # not scored on site: kept as it was
    page = client.get(app.get_absolute_url()).content.decode()
    assert "现场核查" in page and "区灾防办 张伟" in page


def test_bad_scores_and_the_wrong_people_change_nothing(client, tree, users):
    app = in_state(State.IN_REVIEW, users, tree["s1"], std=small_standard())
    item = app.assessments.order_by("pk").first().item
    for raw, message in [("9", "应在 0 到 4.0 分之间"), ("1.3", "0.5 分为单位")]:
        with pytest.raises(ValidationError, match=message):
            inspections.record_inspection(
                users["reviewer"],
                app,
                kind=InspectionKind.SITE,
                checked_on=timezone.localdate(),
                checkers="张伟",
                scores={item.pk: (raw, "")},
            )
    for role in ("staff", "other_reviewer", "city_viewer"):
        with pytest.raises(PermissionDenied):
            inspections.record_inspection(
                users[role],
                app,
                kind=InspectionKind.SITE,
                checked_on=timezone.localdate(),
                checkers="张伟",
            )
    assert not Inspection.objects.exists()
    assert not app.assessments.filter(score__isnull=False).exists()
    client.force_login(users["other_staff"])
    assert client.get(reverse("applications:inspect", args=[app.pk, "site"])).status_code == 404


def test_the_yearly_spot_check_is_due_from_the_year_after_the_award(client, tree, users):
    app = in_state(State.AWARDED, users, tree["c1"], std=small_standard())
    today = timezone.localdate()
    this_year = list(inspections.spot_checks_due(Application.objects.all(), today.year))
    assert this_year == []  # not in the year of the award
    next_year = list(inspections.spot_checks_due(Application.objects.all(), today.year + 1))
    assert [a.pk for a in next_year] == [app.pk] and next_year[0].checked is False
    client.force_login(users["reviewer"])
    page = client.get(reverse("applications:spot_checks"), {"year": today.year + 1})
    assert tree["c1"].name in page.content.decode()
    # a year later the district checks it, once
    Application.objects.filter(pk=app.pk).update(award_date=today - datetime.timedelta(days=400))
    app.refresh_from_db()
    item = app.assessments.order_by("pk").first().item
    inspections.record_inspection(
        users["reviewer"],
        app,
        kind=InspectionKind.SPOT,
        checked_on=today,
        checkers="区灾防办",
        scores={item.pk: ("4", "")},
    )
    due = list(inspections.spot_checks_due(Application.objects.all(), today.year))
    assert due[0].checked is True
    with pytest.raises(ValidationError, match="本年度已有动态管理抽查"):
        inspections.record_inspection(
            users["reviewer"], app, kind=InspectionKind.SPOT, checked_on=today, checkers="x"
        )


def test_a_spot_check_needs_an_awarded_application(tree, users):
    app = in_state(State.IN_REVIEW, users, tree["s1"], std=small_standard())
    with pytest.raises(ValidationError, match="已授牌"):
        inspections.record_inspection(
            users["reviewer"],
            app,
            kind=InspectionKind.SPOT,
            checked_on=timezone.localdate(),
            checkers="x",
        )


def test_the_rereview_by_the_city_renews_the_title_for_three_years(tree, users):
    app = in_state(State.AWARDED, users, tree["c1"], std=small_standard())
    today = timezone.localdate()
    Application.objects.filter(pk=app.pk).update(rereview_date=today + datetime.timedelta(days=90))
    app.refresh_from_db()
    full = {a.item_id: (str(a.item.max_points), "") for a in app.assessments.select_related("item")}

    def rereview(user):
        return inspections.record_inspection(
            user,
            app,
            kind=InspectionKind.REREVIEW,
            checked_on=today,
            checkers="市灾防办",
            scores=full,
        )

    with pytest.raises(ValidationError, match="起可以复审"):
        rereview(users["admin"])  # more than 60 days early
    Application.objects.filter(pk=app.pk).update(rereview_date=today + datetime.timedelta(days=30))
    app.refresh_from_db()
    with pytest.raises(PermissionDenied):
        rereview(users["reviewer"])  # the city's, not the district's
    inspection = rereview(users["admin"])
    assert inspection.passed is True
    app.refresh_from_db()
    assert app.valid_until == app.rereview_date
    assert app.valid_until.year - (today + datetime.timedelta(days=30)).year == 3
    event = app.events.order_by("-pk").first()
    assert event.action == "renew" and "有效期延至" in event.comment
    assert app.state == State.AWARDED
