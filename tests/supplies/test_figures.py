"""The overview's figures (stock per item, shortfalls, expiring lots) computed with grouped
aggregations agree with a count by hand, keep to the user's scope, and cost a fixed number of
queries; an expired lot is neither stock on hand nor "expiring" (it awaits 报损); the movements
list keeps its scope, order and filters."""

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.supplies import services
from apps.supplies.models import Lot, Movement, Site, Standard
from tests.supplies.factories import ItemFactory, stock

pytestmark = pytest.mark.django_db


@pytest.fixture
def figures(world):
    """Stock and standards at both streets, with a lot emptied to 0, an expired lot, an item
    with only a standard and one whose standard is 0."""
    w = world
    tents = ItemFactory(code="M1", name="急救帐篷", category="medical")
    rope = ItemFactory(code="R1", name="救援绳", category="other")
    stock(w["staff"], w["site"], w["bags"], 60, lot_no="A")
    stock(w["staff"], w["site"], w["bags"], 10, lot_no="B")
    stock(w["staff"], w["site"], w["water"], 12, expiry_in=10)
    stock(w["staff"], w["point"], w["bags"], 5, lot_no="EMPTIED")
    services.dispatch(w["staff"], w["point"], w["bags"], 5, recipient="x", purpose="y")
    stock(w["staff"], w["point"], w["water"], 3, expiry_in=60)
    stock(w["staff"], w["point"], w["water"], 3, expiry_in=-1, lot_no="old")
    stock(w["other_staff"], w["foreign"], w["bags"], 9)
    stock(w["other_staff"], w["foreign"], w["water"], 2, expiry_in=5)
    services.set_standard(w["staff"], w["site"], w["bags"], 100)
    services.set_standard(w["staff"], w["point"], w["water"], 10)
    services.set_standard(w["staff"], w["point"], tents, 20)
    services.set_standard(w["other_staff"], w["foreign"], w["water"], 4)
    Standard.objects.create(site=w["site"], item=rope, minimum=0)  # a standard of nothing
    return {**w, "tents": tents, "rope": rope}


def by_hand(sites):
    """Item totals counted row by row in Python, in catalogue order (expired lots left out)."""
    sites = set(sites)
    rows = {}
    today = timezone.localdate()
    for lot in Lot.objects.select_related("item"):
        expired = lot.expiry_date is not None and lot.expiry_date < today
        if lot.site in sites and lot.quantity > 0 and not expired:
            row = rows.setdefault(lot.item, {"total": 0, "sites": set(), "standard": 0})
            row["total"] += lot.quantity
            row["sites"].add(lot.site_id)
    for standard in Standard.objects.select_related("item"):
        if standard.site in sites and standard.minimum:
            row = rows.setdefault(standard.item, {"total": 0, "sites": set(), "standard": 0})
            row["standard"] += standard.minimum
    order = {"living": 0, "flood": 1, "fire": 2, "medical": 3, "lighting": 4, "other": 5}
    return [
        (item.code, row["total"], len(row["sites"]), row["standard"])
        for item, row in sorted(rows.items(), key=lambda kv: (order[kv[0].category], kv[0].code))
    ]


def totals(items):
    return [(i.code, i.total, i.site_count, i.standard_total) for i in items]


def test_item_totals_agree_with_a_count_by_hand(figures, django_assert_num_queries):
    w = figures
    street = Site.objects.visible_to(w["staff"])
    with django_assert_num_queries(3):
        items = services.item_totals(street)
    assert totals(items) == [
        ("W1", 15, 2, 10),  # 生活救助类 first: 12 + 3 (the expired lot is not stock on hand)
        ("B1", 70, 1, 100),  # the emptied lot at the point does not count it as a holder
        ("M1", 0, 0, 20),  # only a standard
    ]  # 救援绳's standard of 0 and no stock: not listed
    assert totals(items) == by_hand(street)
    district = Site.objects.visible_to(w["reviewer"])
    assert totals(services.item_totals(district)) == [
        ("W1", 17, 3, 14),
        ("B1", 79, 2, 100),
        ("M1", 0, 0, 20),
    ]
    assert totals(services.item_totals(district)) == by_hand(district)
    assert totals(services.stock_by_item(w["foreign"])) == [("W1", 2, 1, 4), ("B1", 9, 1, 0)]
    assert services.item_totals(Site.objects.none()) == []


def test_shortfall_summary_is_the_count_and_the_head_of_shortfalls(
    figures, django_assert_num_queries
):
    w = figures
    for user in ("staff", "reviewer", "other_staff"):
        sites = Site.objects.visible_to(w[user])
        every = [(s.pk, s.on_hand, s.shortfall) for s in services.shortfalls(sites)]
        for limit in (1, 2, 200):
            with django_assert_num_queries(2):
                count, first = services.shortfall_summary(sites, limit)
            assert count == len(every)
            assert [(s.pk, s.on_hand, s.shortfall) for s in first] == every[:limit]
    count, first = services.shortfall_summary(Site.objects.visible_to(w["staff"]), 200)
    assert [(s.site.code, s.item.code, s.minimum, s.on_hand, s.shortfall) for s in first] == [
        ("S1-01", "B1", 100, 70, 30),
        ("S1C1-01", "W1", 10, 3, 7),  # the expired 3 do not count
        ("S1C1-01", "M1", 20, 0, 20),
    ]
    assert services.shortfall_summary(Site.objects.filter(pk=w["foreign"].pk), 200)[0] == 1
    Standard.objects.all().delete()
    with django_assert_num_queries(1):
        assert services.shortfall_summary(Site.objects.all(), 200) == (0, [])


def test_overview_figures_for_a_street_and_its_district(client, figures):
    w = figures
    client.force_login(w["staff"])
    street = client.get(reverse("supplies:overview")).context
    assert (street["site_count"], street["shortfall_count"]) == (2, 3)
    # the expired lot is listed first, to be written off, but not counted as expiring
    assert (street["expiring_30_count"], street["expiring_90_count"]) == (1, 2)
    assert street["expired_count"] == 1
    assert [lot.lot_no for lot in street["expiring"]][0] == "old"
    assert "另有 1 批已过期，待报损" in client.get(reverse("supplies:overview")).content.decode()
    assert totals(street["items"]) == by_hand(Site.objects.visible_to(w["staff"]))
    body = client.get(reverse("supplies:overview")).content.decode()
    assert "乙街道储备库" not in body
    client.force_login(w["reviewer"])
    district = client.get(reverse("supplies:overview")).context
    assert (district["site_count"], district["shortfall_count"]) == (3, 4)
    assert (district["expiring_30_count"], district["expiring_90_count"]) == (2, 3)
    assert totals(district["items"]) == by_hand(Site.objects.visible_to(w["reviewer"]))


def test_movements_list_scope_order_and_site_filter(client, figures):
    w = figures
    client.force_login(w["staff"])
    page = client.get(reverse("supplies:movements"))
    mine = Movement.objects.filter(site__in=[w["site"], w["point"]])
    assert [m.pk for m in page.context["movements"]] == list(
        mine.order_by("-occurred_at", "-pk").values_list("pk", flat=True)
    )
    body = page.content.decode()
    assert "乙街道储备库" not in body  # neither a row nor an option of the site filter
    assert f'<option value="{w["point"].pk}">甲一居委储备点</option>' in body
    page = client.get(reverse("supplies:movements"), {"site": w["point"].pk})
    assert {m.site_id for m in page.context["movements"]} == {w["point"].pk}
    assert f'<option value="{w["point"].pk}" selected>' in page.content.decode()
    page = client.get(reverse("supplies:movements"), {"site": w["foreign"].pk})
    assert "筛选条件有误" in page.content.decode()
    assert len(page.context["movements"]) == mine.count()


def test_overview_says_when_a_list_is_cut(client, figures, monkeypatch):
    from apps.supplies import views

    client.force_login(figures["staff"])
    assert "只显示前" not in client.get(reverse("supplies:overview")).content.decode()
    monkeypatch.setattr(views, "OVERVIEW_ROWS", 2)
    page = client.get(reverse("supplies:overview"))
    assert len(page.context["expiring"]) == 2 and len(page.context["shortfalls"]) == 2
    assert page.content.decode().count("只显示前 2 条。") == 2  # shortfalls and expiring lots
