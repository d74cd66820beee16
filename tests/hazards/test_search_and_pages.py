"""The hazards list's search (one to four characters, any case, exact) and its pages (the ids
first, then the rows: same rows, same order as a plain paginator), for each kind of user."""

from datetime import date, timedelta

import pytest
from django.core.paginator import Paginator
from django.urls import reverse

from apps.hazards.forms import HazardFilterForm
from apps.hazards.models import Hazard
from apps.hazards.views import filtered_hazards
from apps.orgs.models import Role
from apps.orgs.pagination import IdsFirstPaginator
from tests.conftest import make_user
from tests.hazards.factories import HazardFactory

TEXTS = {
    "charging": dict(title="电动车充电", description="楼道内飞线充电桩", address="甲路 1 号"),
    "apart": dict(title="充电 电桩", description="", address=""),  # both pairs, not 充电桩
    "rust": dict(title="栏杆锈蚀", description="", address="", responsible_unit="ABC物业"),
    "other": dict(title="堆物", description="", address="消防通道堆放杂物"),
}


@pytest.fixture
def hazards(tree):
    return {
        key: HazardFactory(org_unit=tree["c1"], **{"responsible_unit": "", **fields})
        for key, fields in TEXTS.items()
    }


@pytest.mark.parametrize(
    "term, found",
    [
        ("电", {"charging", "apart"}),
        ("充电", {"charging", "apart"}),
        ("充电桩", {"charging"}),  # the pairs alone would also find "apart"
        ("锈蚀", {"rust"}),
        ("abc", {"rust"}),  # any case
        ("Abc物", {"rust"}),
        ("消防通道", {"other"}),
        ("飞艇", set()),
        (" 锈蚀 ", {"rust"}),  # stray spaces
        ("%", set()),  # a LIKE wildcard is a character like any other
        ("1 号", {"charging"}),
    ],
)
def test_the_search_finds_exactly_the_rows_holding_the_term(tree, hazards, term, found):
    staff = make_user(tree["s1"])
    qs, form = filtered_hazards(staff, {"q": term})
    assert form.is_valid()
    by_pk = {h.pk: key for key, h in hazards.items()}
    assert {by_pk[pk] for pk in qs.values_list("pk", flat=True)} == found


def test_the_search_keeps_to_the_users_scope(tree, hazards):
    HazardFactory(org_unit=tree["c2"], title="乙街道的充电隐患")
    other = make_user(tree["s2"])
    qs, _form = filtered_hazards(other, {"q": "充电"})
    assert list(qs.values_list("title", flat=True)) == ["乙街道的充电隐患"]


def _users(tree):
    return {
        "street": make_user(tree["s1"]),
        "district": make_user(tree["d1"], role=Role.DISTRICT_REVIEWER),
        "community": make_user(tree["c1"], role=Role.COMMUNITY_STAFF),
        "city": make_user(tree["sh"], role=Role.CITY_VIEWER),
        "admin": make_user(tree["sh"], role=Role.ADMIN, is_superuser=True),
        "inactive": make_user(tree["s1"], is_active=False),
    }


@pytest.mark.parametrize("who", ["street", "district", "community", "city", "admin", "inactive"])
def test_scope_by_unit_ids_is_the_scope(tree, who):
    for unit in ("c1", "e1", "c2", "s3", "s1"):
        HazardFactory.create_batch(2, org_unit=tree[unit])
    user = _users(tree)[who]
    expected = set(Hazard.objects.visible_to(user).values_list("pk", flat=True))
    assert set(Hazard.objects.visible_by_units(user).values_list("pk", flat=True)) == expected


def test_scope_by_unit_ids_for_a_grid_worker_is_the_grid(tree):
    from apps.orgs.models import Grid

    grid = Grid.objects.create(community=tree["c1"], name="第一网格")
    grid.estates.add(tree["e1"])
    worker = make_user(tree["c1"], role=Role.GRID_WORKER, grid=grid)
    in_grid = HazardFactory(org_unit=tree["e1"])
    HazardFactory(org_unit=tree["c1"])  # the community's own: not the grid's
    assert list(Hazard.objects.visible_by_units(worker)) == [in_grid]


def test_pages_by_ids_first_are_the_plain_pages(tree, django_assert_max_num_queries):
    """Same rows, same order (newest first, then newest id on the same day), every page."""
    start = date(2026, 3, 1)
    for n in range(57):
        HazardFactory(org_unit=tree["c1" if n % 3 else "e1"], found_on=start + timedelta(n % 7))
    qs = Hazard.objects.all().select_related("org_unit")
    plain, ids_first = Paginator(qs, 20), IdsFirstPaginator(qs, 20)
    assert ids_first.num_pages == plain.num_pages == 3
    for number in (1, 2, 3):
        with django_assert_max_num_queries(3):  # count (first time), ids, rows
            got = list(ids_first.page(number))
        assert got == list(plain.page(number))
        assert got[0].org_unit.code  # the select_related rows


def test_a_deep_page_of_the_list_keeps_its_query_count(
    client, tree, django_assert_max_num_queries, django_assert_num_queries
):
    staff = make_user(tree["s1"])
    HazardFactory.create_batch(60, org_unit=tree["c1"], severity="major")
    client.force_login(staff)
    client.get(reverse("hazards:list"), {"page": 2})  # warm caches (session, menus)
    with django_assert_max_num_queries(9) as first:
        client.get(reverse("hazards:list"), {"page": 2, "severity": "major"})
    HazardFactory.create_batch(60, org_unit=tree["c1"], severity="major")
    with django_assert_num_queries(len(first.captured_queries)):
        response = client.get(reverse("hazards:list"), {"page": 3, "severity": "major"})
    assert len(response.context["hazards"]) == 20


def test_a_district_picks_among_its_streets_a_street_among_its_communities(tree):
    """Above a street the drop-down lists the streets (and the one chosen); any 居委 in scope
    is still accepted, as other pages link to a list of one 居委."""
    district = make_user(tree["d1"], role=Role.DISTRICT_REVIEWER)
    street = make_user(tree["s1"])

    def offered(form):
        return [label for value, label in form.fields["unit"].widget.choices if value]

    assert offered(HazardFilterForm(user=district)) == ["甲街道", "乙街道"]
    chosen = HazardFilterForm({"unit": tree["c1"].pk}, user=district)
    assert chosen.is_valid()
    assert chosen.cleaned_data["unit"] == tree["c1"]
    assert offered(chosen) == ["甲街道", "甲一居委", "乙街道"]
    assert offered(HazardFilterForm(user=street)) == ["甲街道", "甲一居委"]
    assert not HazardFilterForm({"unit": tree["c2"].pk}, user=street).is_valid()


@pytest.mark.parametrize(
    "term, found", [("仓库", ["物资仓库"]), ("库", ["物资仓库"]), ("张", ["变电站"]), ("飞艇", [])]
)
def test_the_risk_points_search_by_one_or_two_characters(client, tree, term, found):
    from tests.hazards.factories import RiskPointFactory

    RiskPointFactory(org_unit=tree["c1"], name="物资仓库", address="甲路")
    RiskPointFactory(org_unit=tree["c1"], name="变电站", responsible_person="张三")
    RiskPointFactory(org_unit=tree["c2"], name="乙街道的仓库")  # another street's
    client.force_login(make_user(tree["s1"]))
    response = client.get(reverse("hazards:points"), {"q": term})
    assert [p.name for p in response.context["points"]] == found


def test_pages_by_the_date_walk_are_the_plain_pages(tree, django_assert_max_num_queries):
    """A large share of the table (here all of it) is paged by the date index walked from the
    newest on PostgreSQL; the rows and their order are the plain paginator's, and so is the
    count, read with the table's size in one query."""
    from django.db import connection

    start = date(2026, 3, 1)
    for n in range(57):
        HazardFactory(org_unit=tree["c1" if n % 3 else "e1"], found_on=start + timedelta(n % 7))
    qs = Hazard.objects.all().select_related("org_unit")
    plain, walked = Paginator(qs, 20), IdsFirstPaginator(qs, 20, walk=True)
    assert plain.count == 57
    with django_assert_max_num_queries(1):
        assert walked.count == 57
    for number in (1, 2, 3):
        with django_assert_max_num_queries(2):  # ids, rows
            got = list(walked.page(number))
        assert got == list(plain.page(number))
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE hazards_hazard")
        walked = IdsFirstPaginator(qs, 20, walk=True)
        assert walked.count == 57 and walked.table_rows == 57
        assert walked.walks(3)
        assert not IdsFirstPaginator(qs, 20).walks(1)


def test_a_search_pages_by_the_scope_not_the_walk(client, tree):
    staff = make_user(tree["s1"])
    HazardFactory.create_batch(3, org_unit=tree["c1"], title="电动车充电")
    client.force_login(staff)
    searched = client.get(reverse("hazards:list"), {"q": "充电"}).context["paginator"]
    listed = client.get(reverse("hazards:list")).context["paginator"]
    assert not searched.walk and searched.count == 3
    assert listed.walk == (connection_vendor() == "postgresql")


def connection_vendor():
    from django.db import connection

    return connection.vendor
