"""The read endpoints answer what the pages know, within the client's unit: hazards (and as
GeoJSON), shelters with their live occupancy, stock per site and item, plans in force, warnings
with their 叫应 figures, incidents and today's duty; lists page by cursor, filter by unit,
state and updated_since, answer 304 to a matching If-None-Match, and cost the same number of
queries whatever the number of rows."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.hazards import services as hazard_services
from apps.hazards.models import Hazard
from apps.response.models import Event, ShelterOperation
from apps.shelters.models import ShelterOpening, ShelterStatus
from apps.supplies.services import set_standard
from tests.incidents.factories import make_incident
from tests.plans.factories import PlanFactory
from tests.shelters.factories import ShelterFactory
from tests.supplies.factories import ItemFactory, SiteFactory, stock
from tests.warnings.builders import build, published

from .conftest import report

pytestmark = pytest.mark.django_db


def test_hazards_filter_by_state_unit_and_updated_since(api, tree, staff):
    old = report(staff["s1"], tree["s1"], title="旧")
    Hazard.objects.filter(pk=old.pk).update(updated_at=timezone.now() - datetime.timedelta(days=3))
    new = report(staff["s1"], tree["e1"], title="新")
    hazard_services.assign_hazard(
        staff["s1"], new, responsible_unit="物业", deadline=timezone.localdate()
    )
    _client, http = api()

    def ids(query):
        response = http.get(f"/api/v1/hazards/?{query}")
        assert response.status_code == 200, response.content
        return [h["id"] for h in response.json()["results"]]

    assert ids("") == [new.pk, old.pk]
    assert ids("state=assigned") == [new.pk]
    assert ids("state=reported,assigned") == [new.pk, old.pk]
    assert ids("unit=S1C1E1") == [new.pk]
    since = (timezone.now() - datetime.timedelta(days=1)).isoformat()
    assert ids(f"updated_since={since.replace('+', '%2B')}") == [new.pk]
    assert ids("updated_since=2000-01-01") == [new.pk, old.pk]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("state=open", "state"),
        ("severity=huge", "severity"),
        ("updated_since=yesterday", "updated_since"),
        ("updated_since=2026-13-01", "updated_since"),
    ],
)
def test_a_bad_filter_is_a_problem_naming_the_parameter(api, query, field):
    _client, http = api()
    response = http.get(f"/api/v1/hazards/?{query}")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert field in body["errors"] and body["status"] == 400 and body["detail"]


def test_pages_follow_the_cursor_with_a_constant_number_of_queries(api, tree, staff):
    for n in range(5):
        report(staff["s1"], tree["c1"], title=f"隐患{n}")
    _client, http = api()
    with CaptureQueriesContext(connection) as few:
        first = http.get("/api/v1/hazards/?page_size=2").json()
    assert len(first["results"]) == 2 and first["next"]
    second = http.get(first["next"]).json()
    third = http.get(second["next"]).json()
    seen = [h["id"] for page in (first, second, third) for h in page["results"]]
    assert len(seen) == len(set(seen)) == 5 and third["next"] is None
    for n in range(20):
        report(staff["s1"], tree["c1"], title=f"更多{n}")
    with CaptureQueriesContext(connection) as many:
        assert len(http.get("/api/v1/hazards/?page_size=25").json()["results"]) == 25
    assert len(many.captured_queries) == len(few.captured_queries)


def test_a_matching_etag_is_answered_304(api, tree, staff):
    report(staff["s1"], tree["c1"])
    _client, http = api()
    response = http.get("/api/v1/hazards/")
    etag = response["ETag"]
    assert etag and response["X-Server-Time"]
    again = http.get("/api/v1/hazards/", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again["ETag"] == etag and not again.content
    report(staff["s1"], tree["c1"], title="又一处")
    changed = http.get("/api/v1/hazards/", HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag


def test_hazards_and_risk_points_as_geojson(api, tree, staff):
    report(staff["s1"], tree["c1"], latitude="31.22", longitude="121.43")
    report(staff["s1"], tree["c1"], title="无坐标")
    _client, http = api()
    response = http.get("/api/v1/hazards/geojson/")
    assert response["Content-Type"] == "application/geo+json"
    body = response.json()
    assert body["type"] == "FeatureCollection" and len(body["features"]) == 1
    feature = body["features"][0]
    assert feature["geometry"] == {"type": "Point", "coordinates": [121.43, 31.22]}
    assert feature["properties"]["state"] == "reported"
    assert http.get("/api/v1/risk-points/geojson/").json()["features"] == []


def test_shelters_carry_their_live_occupancy(api, tree, staff):
    quiet = ShelterFactory(org_unit=tree["c1"])
    busy = ShelterFactory(org_unit=tree["c1"], status=ShelterStatus.ACTIVATED)
    now = timezone.now()
    event = Event.objects.create(
        org_unit=tree["s1"],
        plan=PlanFactory(org_unit=tree["s1"]),
        title="台风",
        level=2,
        opened_at=now,
        created_by=staff["s1"],
    )
    opening = ShelterOpening.objects.create(shelter=busy, opened_at=now, reason="台风")
    ShelterOperation.objects.create(
        event=event, shelter=busy, opening=opening, capacity=300, occupancy=42, opened_at=now
    )
    _client, http = api()
    rows = {s["id"]: s for s in http.get("/api/v1/shelters/").json()["results"]}
    assert rows[busy.pk]["occupancy"] == 42 and rows[busy.pk]["open_capacity"] == 300
    assert rows[quiet.pk]["occupancy"] is None
    assert http.get("/api/v1/shelters/?status=activated").json()["results"][0]["id"] == busy.pk


def test_stock_per_site_and_item(api, tree, staff):
    site = SiteFactory(org_unit=tree["s1"])
    item = ItemFactory()
    stock(staff["s1"], site, item, 30)
    stock(staff["s1"], site, item, 12, lot_no="B2")
    set_standard(staff["s1"], site, item, 50)
    _client, http = api()
    rows = http.get("/api/v1/supplies/stock/").json()["results"]
    assert len(rows) == 1
    assert rows[0]["site_code"] == site.code and rows[0]["item_code"] == item.code
    assert rows[0]["quantity"] == 42 and rows[0]["expired_quantity"] == 0
    assert rows[0]["minimum"] == 50
    later = (timezone.now() + datetime.timedelta(minutes=1)).isoformat().replace("+", "%2B")
    assert http.get(f"/api/v1/supplies/stock/?updated_since={later}").json()["results"] == []


def test_plans_in_force_by_default(api, tree):
    in_force = PlanFactory(org_unit=tree["s1"], status="in_force")
    draft = PlanFactory(org_unit=tree["s1"], status="draft")
    _client, http = api()
    assert [p["id"] for p in http.get("/api/v1/plans/").json()["results"]] == [in_force.pk]
    drafts = http.get("/api/v1/plans/?status=draft").json()["results"]
    assert [p["id"] for p in drafts] == [draft.pk]


def test_warnings_with_their_call_figures(api, tree):
    world = build(tree)
    warning = published(world)
    call = warning.calls.order_by("pk").first()
    call.acknowledged_at, call.status = (
        call.called_at + datetime.timedelta(minutes=4),
        "acknowledged",
    )
    call.save()
    _client, http = api()
    row = http.get("/api/v1/warnings/").json()["results"][0]
    total = warning.calls.filter(org_unit__path__startswith=tree["s1"].path).count()
    assert {k: row["calls"][k] for k in ("total", "answered", "open", "rate")} == {
        "total": total,
        "answered": 1,
        "open": total - 1,
        "rate": round(100 / total),
    }
    detail = http.get(f"/api/v1/warnings/{warning.pk}/").json()
    assert detail["calls"]["median_minutes"] == 4.0
    assert detail["areas"] == ["S1"] and detail["status"] == "published"


def test_incidents_and_their_reports(api, tree):
    mine = make_incident(tree["c1"])
    make_incident(tree["c2"])
    _client, http = api()
    rows = http.get("/api/v1/incidents/?state=open").json()["results"]
    assert [r["id"] for r in rows] == [mine.pk]
    assert http.get(f"/api/v1/incidents/{mine.pk}/").json()["reports"] == []


def test_today_s_duty(api, tree, staff):
    from apps.duty.models import Roster, Shift

    roster = Roster.objects.create(org_unit=tree["s1"], name="甲街道值班表", duty_phone="021-1")
    now = timezone.now()
    shift = Shift.objects.create(
        roster=roster,
        starts_at=now - datetime.timedelta(hours=1),
        ends_at=now + datetime.timedelta(hours=7),
        leader=staff["s1"],
    )
    _client, http = api()
    rows = http.get("/api/v1/duty/today/").json()
    assert [r["id"] for r in rows] == [shift.pk]
    assert rows[0]["people"][0]["role"] == "带班领导" and rows[0]["duty_phone"] == "021-1"
    _client, other = api(tree["s2"], name="乙")
    assert other.get("/api/v1/duty/today/").json() == []
