"""A NUL byte in the request is a 400 with a Chinese message, for every view.

PostgreSQL cannot store or compare text containing NUL; a view that filters on a parameter
(``?unit=``) or saves a field would answer 500. ``BadInputMiddleware`` turns any NUL in the
path, the query string, the form fields or a cookie into a 400 page before a view runs. (On
SQLite the 500 may not happen at all; run with ``DATABASE_URL`` pointing to PostgreSQL and the
table also proves it is gone.)
"""

import pytest
from django.urls import reverse

from .conftest import HUAYANG

PAGES = [
    "plans:system",
    "hazards:stats",
    "supplies:items",
    "shelters:overview",
    "drills:coverage",
    "people:coverage",
    "people:leadership",
    "plans:create",
    "hazards:create",
    "supplies:site_create",
    "shelters:create",
    "drills:create",
    "drills:plan_create",
    "people:team_create",
    "people:officer_create",
    "people:resident_create",
    "people:leadership_create",
]


@pytest.fixture
def staff_client(world, media, login, db):
    return login("huayang_staff")


def _is_bad_request_page(response):
    body = response.content.decode()
    return response.status_code == 400 and "请求无效" in body and "空字符" in body


@pytest.mark.parametrize("name", PAGES)
def test_the_page_still_answers_a_clean_unit_parameter(name, staff_client):
    assert staff_client.get(reverse(name), {"unit": HUAYANG}).status_code == 200


@pytest.mark.parametrize("name", PAGES)
def test_a_nul_byte_in_a_query_parameter_is_a_400_not_a_500(name, staff_client):
    response = staff_client.get(reverse(name), {"unit": f"{HUAYANG}\x00"})
    assert _is_bad_request_page(response), response.status_code


@pytest.mark.parametrize("name", PAGES)
def test_a_nul_byte_in_a_parameter_name_is_a_400(name, staff_client):
    assert _is_bad_request_page(staff_client.get(reverse(name) + "?un%00it=1"))


@pytest.mark.parametrize("name", ["plans:create", "hazards:create", "shelters:create"])
def test_a_nul_byte_in_a_posted_field_is_a_400_and_saves_nothing(name, staff_client, world):
    from apps.hazards.models import Hazard
    from apps.plans.models import Plan
    from apps.shelters.models import Shelter

    counts = [Plan.objects.count(), Hazard.objects.count(), Shelter.objects.count()]
    response = staff_client.post(reverse(name), {"org_unit": world.street.pk, "title": "a\x00b"})
    assert _is_bad_request_page(response)
    assert [Plan.objects.count(), Hazard.objects.count(), Shelter.objects.count()] == counts


def test_a_nul_byte_in_the_path_is_a_400(staff_client):
    assert _is_bad_request_page(staff_client.get(f"/orgs/{HUAYANG}%00/"))


def test_a_nul_byte_in_a_cookie_is_a_400_even_before_log_in(client, db):
    client.cookies["sessionid"] = "abc\x00def"
    assert _is_bad_request_page(client.get(reverse("login")))
