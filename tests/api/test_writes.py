"""Writes through the API go through the apps' own services as the client: a work order is
reported once whatever the resends, a CAP 1.2 alert becomes a draft warning, an incident's 初报
is filed with its deadlines, 社区云's population reaches the area per resident. A bad payload
is an RFC 7807 problem in Chinese naming what is wrong, and nothing is saved."""

import datetime
import json

import pytest
from django.utils import timezone

from apps.api.models import PopulationFigure, WorkOrder
from apps.hazards.models import Hazard, HazardEvent
from apps.incidents.models import Incident, IncidentReport
from apps.orgs.models import OrgUnit
from apps.shelters.services import area_per_resident
from apps.warnings.models import Status, Warning
from tests.shelters.factories import ShelterFactory
from tests.warnings.builders import alert

pytestmark = pytest.mark.django_db

ORDER = {
    "order_id": "12345-2026-0001",
    "unit": "S1C1",
    "title": "消防通道堆物",
    "category": "fire-lane",
    "description": "3号楼消防通道堆放杂物",
    "address": "甲一小区3号楼",
    "latitude": "31.221500",
    "longitude": "121.426000",
}


def test_a_work_order_is_reported_once_whatever_the_resends(api):
    client, http = api()
    first = http.post_json("/api/v1/hazards/work-orders/", ORDER)
    assert first.status_code == 201, first.content
    body = first.json()
    assert body["created"] is True and body["hazard"]["state"] == "reported"
    assert body["hazard"]["unit"]["code"] == "S1C1"
    again = http.post_json("/api/v1/hazards/work-orders/", {**ORDER, "title": "改了标题"})
    assert again.status_code == 200 and again["Idempotent-Replayed"] == "true"
    assert again.json()["created"] is False
    assert again.json()["hazard"]["id"] == body["hazard"]["id"]
    assert again.json()["hazard"]["title"] == "消防通道堆物"
    assert Hazard.objects.count() == 1 and WorkOrder.objects.get().client == client
    step = HazardEvent.objects.get()
    assert "12345-2026-0001" in step.note and client.name in step.note


def test_the_same_order_id_of_another_client_is_another_hazard(api, tree):
    _one, first = api(tree["s1"], name="12345 热线")
    _two, second = api(tree["s1"], name="网格化平台")
    assert first.post_json("/api/v1/hazards/work-orders/", ORDER).status_code == 201
    assert second.post_json("/api/v1/hazards/work-orders/", ORDER).status_code == 201
    assert Hazard.objects.count() == 2


def test_a_refused_work_order_claims_nothing_and_may_be_sent_again(api):
    _client, http = api()
    bad = http.post_json("/api/v1/hazards/work-orders/", {**ORDER, "found_on": "2099-01-01"})
    assert bad.status_code == 400 and "发现日期" in bad.json()["detail"]
    assert not WorkOrder.objects.exists() and not Hazard.objects.exists()
    assert http.post_json("/api/v1/hazards/work-orders/", ORDER).status_code == 201


BAD_ORDERS = [
    ({**ORDER, "order_id": ""}, "order_id"),
    ({k: v for k, v in ORDER.items() if k != "title"}, "title"),
    ({**ORDER, "unit": "S2C1"}, "unit"),  # another street's community
    ({**ORDER, "unit": "NOPE"}, "unit"),
    ({**ORDER, "category": "ghosts"}, "category"),
    ({**ORDER, "severity": "apocalyptic"}, "severity"),
    ({**ORDER, "latitude": "91", "longitude": None}, "__all__"),
    ({**ORDER, "latitude": "abc"}, "latitude"),
    ({**ORDER, "found_on": "not a date"}, "found_on"),
    ({**ORDER, "coordinate_system": "bd09"}, "coordinate_system"),
]


@pytest.mark.parametrize(("payload", "field"), BAD_ORDERS)
def test_a_bad_work_order_is_a_problem_and_saves_nothing(api, payload, field):
    _client, http = api()
    response = http.post_json("/api/v1/hazards/work-orders/", payload)
    assert response.status_code == 400, response.content
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == 400 and problem["type"].endswith(":invalid")
    assert problem["title"] == "请求内容有误"
    assert field in problem["errors"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in problem["detail"]), problem["detail"]
    assert not Hazard.objects.exists() and not WorkOrder.objects.exists()


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ("{not json", "application/json"),
        ("[1, 2]", "application/json"),
        ("order_id=1", "application/x-www-form-urlencoded"),
    ],
)
def test_a_payload_that_is_not_a_json_object_is_a_problem(api, body, content_type):
    _client, http = api()
    response = http.post("/api/v1/hazards/work-orders/", body, content_type=content_type)
    assert response.status_code in (400, 415)
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["detail"]
    assert not Hazard.objects.exists()


# --- CAP 1.2 ------------------------------------------------------------------------------


def test_a_cap_alert_becomes_a_draft_warning_of_the_client_s_unit(api, tree):
    client, http = api()
    response = http.post(
        "/api/v1/warnings/cap/", alert(area="甲街道"), content_type="application/cap+xml"
    )
    assert response.status_code == 201, response.content
    warning = Warning.objects.get()
    assert warning.status == Status.DRAFT and warning.org_unit == tree["s1"]
    assert warning.created_by_id == client.actor_id
    assert response.json()["warning"]["identifier"] == warning.identifier


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"<not xml", "XML"),
        (b"<alert/>", "CAP 1.2"),
        (
            b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x "y">]>'
            b'<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">&x;</alert>',
            "实体",
        ),
    ],
)
def test_a_bad_cap_alert_is_a_problem_and_saves_nothing(api, data, words):
    _client, http = api()
    response = http.post("/api/v1/warnings/cap/", data, content_type="application/cap+xml")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert words in response.json()["detail"]
    assert not Warning.objects.exists()


def test_a_cap_alert_outside_the_client_s_area_saves_nothing(api):
    _client, http = api()
    response = http.post(
        "/api/v1/warnings/cap/", alert(area="丙街道"), content_type="application/cap+xml"
    )
    assert response.status_code == 400 and "辖区" in response.json()["detail"]
    assert not Warning.objects.exists()


# --- incidents ----------------------------------------------------------------------------

INCIDENT = {
    "unit": "S1C1",
    "title": "甲一小区地下车库进水",
    "incident_type": "waterlogging",
    "level": "4",
    "address": "甲一小区地下车库",
    "source": "一网统管 城运中心",
    "nature": "暴雨积水",
    "impact": "地下车库",
    "casualties": "无",
    "trend": "水位下降",
    "measures": "已抽排",
    "affected_people": 0,
    "relocated_people": 0,
    "relief_needed_people": 0,
    "collapsed_houses": 0,
    "damaged_houses": 0,
    "direct_loss": "0",
}


def test_an_incident_is_filed_with_its_first_report(api, tree):
    client, http = api()
    occurred = (timezone.now() - datetime.timedelta(minutes=20)).isoformat()
    response = http.post_json("/api/v1/incidents/", {**INCIDENT, "occurred_at": occurred})
    assert response.status_code == 201, response.content
    incident = Incident.objects.get()
    assert incident.org_unit == tree["c1"] and incident.created_by_id == client.actor_id
    assert response.json()["reports"][0]["kind"] == "initial"
    assert IncidentReport.objects.get().submitted_by_id == client.actor_id


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"nature": ""}, "nature"),
        ({"occurred_at": "2099-01-01T00:00:00+08:00"}, "event_time"),
        ({"incident_type": "alien"}, "incident_type"),
        ({"level": "9"}, "level"),
        ({"unit": "S2C1"}, "unit"),
        ({"affected_people": None}, "affected_people"),
    ],
)
def test_a_bad_incident_is_a_problem_and_saves_nothing(api, change, field):
    _client, http = api()
    payload = {**INCIDENT, "occurred_at": timezone.now().isoformat(), **change}
    response = http.post_json("/api/v1/incidents/", payload)
    assert response.status_code == 400, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert field in response.json()["errors"]
    assert not Incident.objects.exists() and not IncidentReport.objects.exists()


# --- population ---------------------------------------------------------------------------


def test_population_from_community_cloud_feeds_the_area_per_resident(api, tree):
    ShelterFactory(org_unit=tree["c1"])  # 1,200 m² effective
    _client, http = api()
    rows = [
        {"unit": "S1C1", "population": 1000, "households": 420, "as_of": "2026-11-30"},
        {"unit": "S1C1E1", "population": 300, "households": 120, "as_of": "2026-11-30"},
    ]
    response = http.post_json("/api/v1/population/", {"rows": rows})
    assert response.status_code == 200 and response.json() == {"updated": 2}
    c1 = OrgUnit.objects.get(code="S1C1")
    assert c1.population == 1000
    assert PopulationFigure.objects.get(org_unit=c1).households == 420
    assert str(area_per_resident([c1])[c1.pk].per_resident) == "1.20"
    unit = http.get("/api/v1/org-units/S1C1/").json()
    assert unit["population"] == 1000 and unit["households"] == 420


@pytest.mark.parametrize(
    ("rows", "words"),
    [
        ([{"unit": "S2C1", "population": 1, "as_of": "2026-11-30"}], "第 2 行"),
        ([{"unit": "S1C1", "population": 10, "households": 11, "as_of": "2026-11-30"}], "户数"),
        ([{"unit": "S1C1", "population": 10, "as_of": "2099-01-01"}], "统计日期"),
        ([{"unit": "S1C1E1", "population": 10, "as_of": "2026-11-30"}], "重复"),
        ([{"unit": "S1C1", "population": -1, "as_of": "2026-11-30"}], "population"),
    ],
)
def test_a_bad_population_batch_saves_nothing_and_names_its_rows(api, tree, rows, words):
    _client, http = api()
    good = {"unit": "S1C1E1", "population": 99, "as_of": "2026-11-30"}
    response = http.post_json("/api/v1/population/", {"rows": [good, *rows]})
    assert response.status_code == 400, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert words in json.dumps(response.json(), ensure_ascii=False)
    assert OrgUnit.objects.get(code="S1C1E1").population == 10000
    assert not PopulationFigure.objects.exists()
