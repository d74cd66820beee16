"""Names and codes of org units are reference data: only an admin changes them.

Street staff keep the other figures of their units (the resident population) on the org unit
edit page; there the name is shown read-only, the code is not a field at all, and a forged POST
that carries a new name or code changes neither.
"""

import pytest
from django.urls import reverse

from apps.orgs.models import OrgUnit, Role
from tests.conftest import make_user


@pytest.fixture
def staff(tree):
    return make_user(tree["s1"], role=Role.STREET_STAFF)


@pytest.fixture
def admin(tree):
    return make_user(tree["sh"], role=Role.ADMIN)


def _edit(client, unit, data):
    return client.post(reverse("orgs:edit", args=[unit.code]), data)


def test_street_staff_see_the_name_read_only_and_no_code_field(client, staff, tree):
    client.force_login(staff)
    response = client.get(reverse("orgs:edit", args=[tree["s1"].code]))
    assert response.status_code == 200
    form = response.context["form"]
    assert form.fields["name"].disabled
    assert "code" not in form.fields
    assert not form.fields["population"].disabled
    body = response.content.decode()
    assert 'name="name"' in body and "disabled" in body and "甲街道" in body


def test_a_forged_post_from_street_staff_changes_neither_name_nor_code(client, staff, tree):
    client.force_login(staff)
    street = tree["s1"]
    response = _edit(client, street, {"name": "改名街道", "code": "HACK", "population": 55000})
    assert response.status_code == 302
    street.refresh_from_db()
    assert (street.name, street.code, street.population) == ("甲街道", "S1", 55000)


def test_street_staff_cannot_rename_a_community_of_their_street_either(client, staff, tree):
    client.force_login(staff)
    community = tree["c1"]
    assert _edit(client, community, {"name": "改名居委", "population": 3000}).status_code == 302
    community.refresh_from_db()
    assert (community.name, community.population) == ("甲一居委", 3000)


def test_street_staff_still_get_a_clear_message_for_a_bad_population(client, staff, tree):
    client.force_login(staff)
    response = _edit(client, tree["s1"], {"population": -5})
    assert response.status_code == 200
    assert response.context["form"].errors["population"]
    assert OrgUnit.objects.get(pk=tree["s1"].pk).population == tree["s1"].population


def test_an_admin_renames_a_unit(client, admin, tree):
    client.force_login(admin)
    street = tree["s1"]
    response = client.get(reverse("orgs:edit", args=[street.code]))
    assert not response.context["form"].fields["name"].disabled
    assert _edit(client, street, {"name": "新甲街道", "population": 100}).status_code == 302
    street.refresh_from_db()
    assert (street.name, street.code, street.population) == ("新甲街道", "S1", 100)
