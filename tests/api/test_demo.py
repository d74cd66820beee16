"""The demo's 一网统管 client of 华阳路街道 works as the README says: ``create_api_token`` prints a
token (seed_demo prints none), and the README's curl requests answer as documented."""

import io
import json

import pytest
from django.core.management import call_command

from apps.api.demo import DEMO_CLIENT
from apps.hazards.models import Hazard

from .conftest import TokenClient

pytestmark = pytest.mark.django_db


def test_seed_demo_prints_no_token(db, settings):
    settings.DEBUG = True
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert DEMO_CLIENT in out.getvalue() and "crp_" not in out.getvalue()


def test_the_readme_requests_work_for_the_demo_client(demo, capsys):
    call_command("create_api_token", DEMO_CLIENT)
    http = TokenClient(capsys.readouterr().out.strip())
    listed = http.get("/api/v1/hazards/?state=assigned")
    assert listed.status_code == 200 and listed.json()["results"]
    assert all(h["state"] == "assigned" for h in listed.json()["results"])
    order = {
        "order_id": "12345-20260701-0001",
        "unit": "310105001001",
        "title": "消防通道堆物",
        "category": "fire-lane",
        "address": "华一小区3号楼",
    }
    created = http.post("/api/v1/hazards/work-orders/", json.dumps(order), "application/json")
    assert created.status_code == 201, created.content
    assert Hazard.objects.get(pk=created.json()["hazard"]["id"]).org_unit.name == "华一居民区"
    # another street's hazard is not there for it
    other = Hazard.objects.exclude(org_unit__path__startswith="/310000/310105/310105001/").first()
    assert http.get(f"/api/v1/hazards/{other.pk}/").status_code == 404
