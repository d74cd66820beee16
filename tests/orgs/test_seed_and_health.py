import io

import pytest
from django.core.management import CommandError, call_command
from django.forms.models import model_to_dict

from apps.orgs.models import Grid, OrgKind, OrgUnit, Role, User


def snapshot():
    units = [model_to_dict(u, exclude=["id"]) | {"path": u.path} for u in OrgUnit.objects.all()]
    users = [
        (u.username, u.password, u.role, u.org_unit_id, u.is_staff, u.is_superuser)
        for u in User.objects.order_by("username")
    ]
    return units, users


def test_seed_demo_twice_changes_nothing(demo, settings):
    first = snapshot()
    assert len(first[0]) > 60
    usernames = {u[0] for u in first[1]}
    assert {
        "admin",
        "changning_reviewer",
        "huayang_staff",
        "xinhua_staff",
        "pudong_reviewer",
        "lujiazui_staff",
        "huayi_community",
        "huayi_grid",
        "huayi_officer",
    } <= usernames
    # the front line of every demo community: its staff, and a grid worker per grid
    communities = OrgUnit.objects.filter(kind=OrgKind.COMMUNITY)
    staff = User.objects.filter(role=Role.COMMUNITY_STAFF, org_unit__kind=OrgKind.COMMUNITY)
    assert set(staff.values_list("org_unit", flat=True)) == set(
        communities.values_list("pk", flat=True)
    )
    assert {"huayang_c2", "lujiazui_c8", "xinjing_c5", "huayang_g2", "lujiazui_g1"} <= usernames
    assert not Grid.objects.exclude(workers__role=Role.GRID_WORKER).exists()
    assert User.objects.get(username="huayi_officer").officer.org_unit.code == "31010500100101"
    call_command("seed_demo", stdout=io.StringIO())
    assert snapshot() == first


def test_demo_users_log_in_with_demo_password(client, demo):
    assert client.login(username="lujiazui_staff", password="resilience-demo")


def test_seed_demo_refuses_production_without_force(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("seed_demo", stdout=io.StringIO())
    assert not OrgUnit.objects.exists()
    call_command("seed_demo", "--force", stdout=io.StringIO())
    assert OrgUnit.objects.filter(name="陆家嘴街道").exists()


def test_healthz_answers_when_the_database_does(client, db, settings):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["checks"]["database"] is True


def test_healthz_fails_when_the_broker_is_down(client, db, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"] == {"database": True, "broker": False}
