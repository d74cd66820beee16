"""Shanghai's real divisions load idempotently: units are matched by their national code, the
units and users already there are kept, and a second run changes nothing. The demo streets'
codes are the official ones."""

import io

import pytest
from django.core.management import call_command

from apps.orgs.divisions import read_divisions
from apps.orgs.models import OrgKind, OrgUnit, Role, User


def _load(*args):
    out = io.StringIO()
    call_command("load_divisions", *args, stdout=out)
    return out.getvalue()


def _snapshot():
    return list(OrgUnit.objects.order_by("code").values_list("pk", "code", "name", "path"))


def test_the_fixture_holds_the_official_codes_of_the_demo_streets():
    by_code = {d.code: d for d in read_divisions()}
    assert by_code["310105001"].name == "华阳路街道"
    assert by_code["310105004"].name == "新华路街道"
    assert by_code["310115005"].name == "陆家嘴街道"
    assert by_code["310115005"].parent == "310115"
    kinds = [d.kind for d in by_code.values()]
    assert kinds.count(OrgKind.DISTRICT) == 16
    assert kinds.count(OrgKind.STREET) == 234
    assert kinds.count(OrgKind.COMMUNITY) == 6509
    assert sum(d.is_township for d in by_code.values()) == 215
    # every parent is in the file (or is the city)
    assert {d.parent for d in by_code.values()} <= set(by_code) | {"310000"}


@pytest.mark.django_db
def test_an_empty_database_gets_the_whole_tree_under_the_city():
    assert "Created 16 district, 234 street, 6509 community" in _load()
    city = OrgUnit.objects.get(code="310000")
    assert city.kind == OrgKind.CITY and city.name == "上海市"
    assert OrgUnit.objects.filter(kind=OrgKind.DISTRICT).count() == 16
    assert OrgUnit.objects.filter(kind=OrgKind.STREET).count() == 234
    assert OrgUnit.objects.filter(kind=OrgKind.COMMUNITY).count() == 6509
    lujiazui = OrgUnit.objects.get(code="310115005")
    assert (lujiazui.name, lujiazui.kind, lujiazui.parent.code) == (
        "陆家嘴街道",
        OrgKind.STREET,
        "310115",
    )
    assert lujiazui.path == "/310000/310115/310115005/" and lujiazui.depth == 2
    community = OrgUnit.objects.get(code="310105001001")
    assert community.name == "华一居委会"
    assert community.path == "/310000/310105/310105001/310105001001/" and community.depth == 3
    # subtree queries work on the bulk-written paths
    in_file = sum(1 for d in read_divisions() if d.parent == "310115005")
    assert OrgUnit.objects.subtree(lujiazui, include_self=False).count() == in_file == 35


def test_running_twice_changes_nothing_and_keeps_the_demo_units_and_users(demo):
    huayang = OrgUnit.objects.get(code="310105001")
    staff = User.objects.get(username="huayang_staff")
    demo_community = OrgUnit.objects.get(code="310105001001")  # 华一居民区 in the demo
    _load()
    first = _snapshot()
    out = _load()
    assert "Created 0 district, 0 street, 0 community; renamed 0" in out
    assert _snapshot() == first
    # the demo's units stay what they were (same rows, names and places); users untouched
    huayang.refresh_from_db()
    assert huayang.name == "华阳路街道" and huayang.path == "/310000/310105/310105001/"
    demo_community.refresh_from_db()
    assert demo_community.name == "华一居民区"
    assert demo_community.children.filter(kind=OrgKind.ESTATE).exists()
    staff.refresh_from_db()
    assert staff.org_unit_id == huayang.pk and staff.role == Role.STREET_STAFF
    # the missing ones were added beside them
    assert OrgUnit.objects.filter(kind=OrgKind.STREET, path__startswith="/310000/").count() == 234
    assert OrgUnit.objects.get(code="310105002001").parent.code == "310105002"


def test_update_names_adopts_the_official_names_only_when_asked(demo):
    _load()
    assert OrgUnit.objects.get(code="310105001001").name == "华一居民区"
    out = _load("--update-names")
    assert "renamed" in out
    unit = OrgUnit.objects.get(code="310105001001")
    assert unit.name == "华一居委会"
    assert unit.children.filter(kind=OrgKind.ESTATE).exists()  # renamed, not replaced
    assert "renamed 0" in _load("--update-names")
