"""seed_city at a tiny scale: the shape of the data set, stock equal to the movement history,
and scoping still holding for the generated users."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from apps.drills.models import Drill
from apps.hazards.models import Hazard, RiskPoint
from apps.orgs.models import OrgKind, OrgUnit, Role, User
from apps.plans.models import Plan
from apps.shelters.models import Shelter
from apps.supplies.models import Lot, Movement


@pytest.fixture
def city(db, settings):
    settings.DEBUG = True
    out = io.StringIO()
    call_command("seed_city", "--scale", "0.001", stdout=out)
    return out.getvalue()


def test_counts_follow_the_scale(city):
    assert "City data set ready" in city
    root = OrgUnit.objects.get(code="X310000")
    assert root.kind == OrgKind.CITY
    units = OrgUnit.objects.filter(path__startswith=root.path)
    assert units.filter(kind=OrgKind.DISTRICT).count() == 2
    assert units.filter(kind=OrgKind.STREET).count() == 4
    assert units.filter(kind=OrgKind.COMMUNITY).count() == 6
    assert units.filter(kind=OrgKind.ESTATE).count() == 13
    assert Hazard.objects.count() == 1000
    assert RiskPoint.objects.count() == 200
    assert Lot.objects.count() == 500
    assert Shelter.objects.count() == 3
    assert Drill.objects.count() == 60
    assert Plan.objects.filter(kind="overall").count() == 4
    # every unit's path and depth agree with its parent's
    for unit in units.select_related("parent").exclude(pk=root.pk):
        assert unit.path == f"{unit.parent.path}{unit.code}/"
        assert unit.depth == unit.parent.depth + 1
    # districts, streets and communities are placed (the district dashboard's map shows them)
    placed = units.filter(kind__in=[OrgKind.DISTRICT, OrgKind.STREET, OrgKind.COMMUNITY])
    assert not placed.filter(latitude__isnull=True).exists()
    in_shanghai = placed.filter(latitude__range=(30.6, 31.9), longitude__range=(120.8, 122.2))
    assert in_shanghai.count() == 12


def test_stock_equals_the_movement_history(city):
    assert Movement.objects.count() == Lot.objects.count()
    stock = Lot.objects.aggregate(s=Sum("quantity"))["s"]
    assert stock > 0
    assert Movement.objects.aggregate(s=Sum("quantity_change"))["s"] == stock


def test_new_rows_get_fresh_ids_after_seeding(city):
    """Sequences are moved past the explicit ids: an ordinary save still works."""
    street = OrgUnit.objects.filter(kind=OrgKind.STREET, code__startswith="X").first()
    unit = OrgUnit.objects.create(
        code="X-NEW", name="新居委", kind=OrgKind.COMMUNITY, parent=street
    )
    assert unit.pk > OrgUnit.objects.exclude(pk=unit.pk).order_by("-pk").first().pk


def test_refuses_to_run_twice(city):
    with pytest.raises(CommandError):
        call_command("seed_city", "--scale", "0.001", stdout=io.StringIO())
    assert Hazard.objects.count() == 1000


def test_coexists_with_the_demo_data(city, demo):
    assert OrgUnit.objects.filter(code="310105001").exists()
    assert OrgUnit.objects.filter(code="X310000").exists()


def test_a_street_user_sees_only_their_street(city, client):
    staff = User.objects.filter(role=Role.STREET_STAFF, username__startswith="city_staff_")
    first, second = staff.order_by("username")[:2]
    visible = Hazard.objects.visible_to(first)
    assert visible.exists()
    assert not visible.exclude(org_unit__path__startswith=first.org_unit.path).exists()
    assert visible.count() < Hazard.objects.count()
    other = Hazard.objects.filter(org_unit__path__startswith=second.org_unit.path).first()
    own = visible.first()
    client.force_login(first)
    assert client.get(reverse("hazards:detail", args=[own.pk])).status_code == 200
    assert client.get(reverse("hazards:detail", args=[other.pk])).status_code == 404
    response = client.get(reverse("hazards:list"))
    assert response.status_code == 200
    assert response.context["paginator"].count == visible.count()


def test_a_district_reviewer_reads_their_district_only(city):
    reviewer = User.objects.filter(role=Role.DISTRICT_REVIEWER).order_by("username").first()
    district = reviewer.org_unit
    visible = Hazard.objects.visible_to(reviewer)
    assert (
        visible.count() == Hazard.objects.filter(org_unit__path__startswith=district.path).count()
    )
    assert visible.count() < Hazard.objects.count()
    assert not Hazard.objects.editable_by(reviewer).exists()


def test_the_wartime_apps_add_their_city_scale_data(city, client):
    from apps.duty.models import Roster, Shift
    from apps.incidents.models import Incident, IncidentReport
    from apps.response.models import Event
    from apps.warnings import services
    from apps.warnings.models import Call, CallStatus, DutyHolder, Warning

    root = OrgUnit.objects.get(code="X310000")
    units = OrgUnit.objects.filter(path__startswith=root.path)
    # 责任人: A and B of every duty of every district, street, community and 小区
    duties = {OrgKind.DISTRICT: 2, OrgKind.STREET: 3, OrgKind.COMMUNITY: 3, OrgKind.ESTATE: 1}
    expected = sum(
        2 * duties[kind] for kind in units.exclude(kind=OrgKind.CITY).values_list("kind", flat=True)
    )
    assert DutyHolder.objects.count() == expected
    assert Warning.objects.count() == 2 * 12
    assert Call.objects.exists() and not Call.objects.filter(status=CallStatus.OPEN).exists()
    assert services.escalate_calls() == 0
    # a 值班表 per street and district, with today's shift
    assert Roster.objects.count() == 4 + 2
    running = Shift.objects.running(timezone.now())
    assert running.values("roster").distinct().count() == 6
    # incidents over three years, each with its reports; responses of the streets' plans
    assert Incident.objects.count() == 30 and IncidentReport.objects.count() >= 60
    assert not IncidentReport.objects.filter(acknowledged_by__isnull=True).exists()
    assert Event.objects.filter(status="closed").count() == 3 * 4
    client.force_login(User.objects.get(username="city_staff_X310101002"))
    for name in (
        "warnings:list",
        "duty:list",
        "warnings:holders",
        "incidents:list",
        "response:list",
    ):
        assert client.get(reverse(name)).status_code == 200, name


def test_districts_streets_and_communities_are_the_real_ones(city):
    from apps.maps.outlines import contains
    from apps.orgs.divisions import read_divisions

    real = {d.code: d for d in read_divisions()}
    units = OrgUnit.objects.filter(
        code__startswith="X", kind__in=[OrgKind.DISTRICT, OrgKind.STREET, OrgKind.COMMUNITY]
    ).select_related("parent")
    assert list(units.filter(kind=OrgKind.DISTRICT).values_list("code", "name")) == [
        ("X310101", "黄浦区"),
        ("X310104", "徐汇区"),
    ]
    for unit in units:
        division = real[unit.code.removeprefix("X")]  # the real code behind the X
        assert (unit.name, unit.kind) == (division.name, division.kind)
        if unit.kind != OrgKind.DISTRICT:
            assert unit.parent.code == f"X{division.parent}"
    # streets are townships placed inside their district's outline
    for street in units.filter(kind=OrgKind.STREET):
        assert real[street.code[1:]].is_township
        assert contains(street.parent.code[1:], street.latitude, street.longitude)
