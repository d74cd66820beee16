import pytest
from django.urls import reverse

from apps.orgs.models import OrgKind
from tests.conftest import make_user
from tests.factories import child

HUAYANG, XINHUA, CHANGNING, LUJIAZUI = "310105001", "310105004", "310105", "310115005"


def test_street_staff_get_the_street_dashboard(login, demo):
    body = login("huayang_staff").get("/").content.decode()
    assert "华阳路街道 · 工作台" in body
    assert "“六有”建设情况" in body and 'data-code="yanlian"' in body
    assert "人均避难场所有效面积" in body and "0.91 m²" in body
    assert "华一居民区" in body  # the units below are still listed


def test_reviewers_get_every_street_side_by_side(login, demo):
    body = login("changning_reviewer").get("/").content.decode()
    assert "长宁区各街镇综合减灾情况" in body
    for name in ["华阳路街道", "新华路街道", "新泾镇"]:
        assert name in body
    assert "陆家嘴街道" not in body
    sorted_body = login("changning_reviewer").get("/", {"sort": "per_resident:desc"})
    text = sorted_body.content.decode()
    assert text.index("华阳路街道") < text.index("新华路街道")  # 0.91 before 0.42


@pytest.mark.parametrize(
    "user,code,status",
    [
        ("huayang_staff", HUAYANG, 200),
        ("huayang_staff", f"{HUAYANG}001", 200),
        ("huayang_staff", XINHUA, 404),
        ("huayang_staff", CHANGNING, 404),
        ("changning_reviewer", XINHUA, 200),
        ("changning_reviewer", LUJIAZUI, 404),
        ("pudong_reviewer", HUAYANG, 404),
    ],
)
def test_json_endpoints_respect_scope(login, demo, user, code, status):
    client = login(user)
    for name in ["dashboards:facts", "dashboards:trend"]:
        assert client.get(reverse(name, args=[code])).status_code == status, name


def test_facts_endpoint_matches_the_indicators(login, demo):
    data = login("huayang_staff").get(reverse("dashboards:facts", args=[HUAYANG])).json()
    assert data["unit"]["name"] == "华阳路街道"
    assert data["facts"]["shelters"]["per_resident"] == 0.91
    assert len(data["facts"]["readiness"]) == 6


def test_district_endpoints(login, demo):
    client = login("changning_reviewer")
    streets = client.get(reverse("dashboards:streets", args=[CHANGNING])).json()["streets"]
    assert len(streets) == 10 and {"华阳路街道", "新泾镇"} <= {s["name"] for s in streets}
    features = client.get(reverse("dashboards:map", args=[CHANGNING])).json()["features"]
    assert len(features) == 10
    assert all(f["properties"]["score"] in "0123456" for f in features)
    assert client.get(reverse("dashboards:map", args=["310115"])).status_code == 404
    # a street is not a district
    assert client.get(reverse("dashboards:map", args=[HUAYANG])).status_code == 404


def test_anonymous_gets_nothing(client, demo):
    response = client.get(reverse("dashboards:facts", args=[HUAYANG]))
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_district_dashboard_query_count_does_not_grow_with_streets(
    client, tree, django_assert_max_num_queries
):
    from apps.orgs.models import Role

    client.force_login(make_user(tree["d1"], role=Role.DISTRICT_REVIEWER))
    with django_assert_max_num_queries(30) as few:
        client.get("/")
    for i in range(20):
        street = child(tree["d1"], OrgKind.STREET, code=f"N{i}", name=f"新街道{i}")
        child(street, OrgKind.COMMUNITY, code=f"N{i}C", name=f"新居委{i}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/")
    assert response.content.decode().count("新街道") == 20
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("dashboards:map", args=["D1"]))


def test_reviewer_opens_a_street_dashboard_of_the_district_only(login, demo):
    client = login("changning_reviewer")
    response = client.get(reverse("dashboards:unit", args=[HUAYANG]))
    body = response.content.decode()
    assert response.status_code == 200 and "华阳路街道 · 综合减灾情况" in body
    assert "去完善" not in body  # reviewers read; fixing is the street's job
    assert client.get(reverse("dashboards:unit", args=[LUJIAZUI])).status_code == 404
    assert login("xinhua_staff").get(reverse("dashboards:unit", args=[HUAYANG])).status_code == 404


def test_district_dashboard_links_the_applications_waiting_for_review(login, demo):
    from apps.applications.models import Application, State

    waiting = Application.objects.filter(
        org_unit__path__startswith="/310000/310105/",
        state__in=[State.SUBMITTED, State.IN_REVIEW],
    ).count()
    assert waiting  # the demo has one in review
    body = login("changning_reviewer").get("/").content.decode()
    assert f"待审核的示范社区申报 {waiting} 件" in body
