"""Pages of the shell and the org tree, as each demo role sees them."""

import pytest
from django.urls import reverse

from apps.orgs.models import OrgKind, OrgUnit, User
from tests.conftest import make_user
from tests.factories import child

CHANGNING_STREETS = [
    "310105001",
    "310105002",
    "310105004",
    "310105005",
    "310105006",
    "310105008",
    "310105009",
    "310105010",
    "310105011",
    "310105102",
]
XINHUA = "310105004"
HUAYANG = "310105001"
LUJIAZUI = "310115005"


def detail(code):
    return reverse("orgs:detail", args=[code])


def test_anonymous_users_are_sent_to_login(client, demo):
    for url in ["/", detail(HUAYANG), reverse("orgs:edit", args=[HUAYANG])]:
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_huayang_staff_cannot_read_xinhua(login, demo):
    client = login("huayang_staff")
    assert client.get(detail(HUAYANG)).status_code == 200
    assert client.get(detail(f"{HUAYANG}001")).status_code == 200
    assert client.get(detail(XINHUA)).status_code == 404
    assert client.get(detail(f"{XINHUA}001")).status_code == 404
    assert client.get(reverse("orgs:edit", args=[XINHUA])).status_code == 404
    # nor the district above it
    assert client.get(detail("310105")).status_code == 404


def test_changning_reviewer_reads_every_changning_street_but_not_lujiazui(login, demo):
    client = login("changning_reviewer")
    for code in CHANGNING_STREETS:
        assert client.get(detail(code)).status_code == 200, code
    assert client.get(detail(LUJIAZUI)).status_code == 404
    assert client.get(detail(f"{LUJIAZUI}001")).status_code == 404
    home = client.get("/").content.decode()
    for name in ["华阳路街道", "新泾镇", "仙霞新村街道"]:
        assert name in home
    assert "陆家嘴街道" not in home


def test_reviewer_cannot_edit(login, demo):
    client = login("changning_reviewer")
    url = reverse("orgs:edit", args=[HUAYANG])
    assert client.get(url).status_code == 403
    assert client.post(url, {"name": "改名", "population": 1}).status_code == 403
    unit = OrgUnit.objects.get(code=HUAYANG)
    assert (unit.name, unit.population) == ("华阳路街道", 68000)


def test_staff_update_population_of_their_community(login, demo):
    client = login("huayang_staff")
    url = reverse("orgs:edit", args=[f"{HUAYANG}001"])
    response = client.post(url, {"name": "华一居民区", "population": 12345}, follow=True)
    assert response.status_code == 200
    assert "已保存" in response.content.decode()
    assert OrgUnit.objects.get(code=f"{HUAYANG}001").population == 12345


def test_bad_population_is_refused_in_chinese_and_changes_nothing(login, demo):
    client = login("huayang_staff")
    url = reverse("orgs:edit", args=[f"{HUAYANG}001"])
    response = client.post(url, {"name": "", "population": -5})
    assert response.status_code == 200
    assert response.context["form"].errors["population"] == ["确保该值大于或等于0。"]
    unit = OrgUnit.objects.get(code=f"{HUAYANG}001")
    assert (unit.name, unit.population) != ("", -5) and unit.name == "华一居民区"


def test_home_shows_the_users_unit_and_children(login, demo):
    body = login("huayang_staff").get("/").content.decode()
    assert "华阳路街道" in body
    assert "华一居民区" in body and "秀水居民区" in body
    assert "新华居民区" not in body
    assert 'lang="zh-hans"' in body


def test_home_query_count_does_not_grow_with_children(client, tree, django_assert_max_num_queries):
    staff = make_user(tree["s1"])
    client.force_login(staff)
    with django_assert_max_num_queries(26) as few:  # the street dashboard's figures included
        client.get("/")
    for i in range(15):
        c = child(tree["s1"], OrgKind.COMMUNITY, code=f"S1X{i}", name=f"新居委{i}")
        child(c, OrgKind.ESTATE, code=f"S1X{i}E", name=f"新小区{i}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/")
    assert response.content.decode().count("新居委") == 15


def test_english_is_available_through_the_switcher(login, demo):
    client = login("huayang_staff")
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    body = client.get("/").content.decode()
    assert 'lang="en"' in body
    assert "Workbench" in body


def test_browser_language_does_not_override_the_default(login, demo):
    body = login("huayang_staff").get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert 'lang="zh-hans"' in body
    assert "工作台" in body


def test_login_page_is_chinese_and_wrong_password_says_so(client, demo):
    assert "登录" in client.get(reverse("login")).content.decode()
    response = client.post(reverse("login"), {"username": "huayang_staff", "password": "wrong"})
    assert response.status_code == 200
    assert "请输入一个正确的" in response.content.decode()
    response = client.post(
        reverse("login"), {"username": "huayang_staff", "password": "resilience-demo"}
    )
    assert response.status_code == 302


@pytest.mark.parametrize("term,expected", [("华阳", "华阳路街道"), ("310115005", "陆家嘴街道")])
def test_admin_org_unit_picker_is_an_autocomplete(login, demo, term, expected):
    client = login("admin")
    staff = User.objects.get(username="huayang_staff")
    page = client.get(reverse("admin:orgs_user_change", args=[staff.pk])).content.decode()
    assert "admin-autocomplete" in page
    response = client.get(
        "/admin/autocomplete/",
        {"app_label": "orgs", "model_name": "user", "field_name": "org_unit", "term": term},
    )
    assert response.status_code == 200
    assert expected in [r["text"] for r in response.json()["results"]]


def test_admin_changelists_load(login, demo):
    client = login("admin")
    for name in ["admin:orgs_orgunit_changelist", "admin:orgs_user_changelist"]:
        assert client.get(reverse(name), {"q": "华阳"}).status_code == 200
