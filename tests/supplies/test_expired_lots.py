"""An expired lot is not stock: it counts neither as on hand nor among the lots "expiring within
30 days", cannot be chosen for 出库 or 调拨 (only for 报损), and its reminder says where it is,
which lot, its date and "已过期，请报损" once the date has passed; reminder lines never read the
same."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.dashboards.indicators import unit_facts
from apps.notifications.models import Notification
from apps.notifications.services import run_sweep
from apps.supplies import reminders, services
from apps.supplies.forms import DispatchForm, TransferForm, WriteOffForm
from apps.supplies.models import Lot, Site
from tests.supplies.factories import stock

pytestmark = pytest.mark.django_db


@pytest.fixture
def lots(world):
    w = world
    return {
        **w,
        "expired": stock(w["staff"], w["site"], w["water"], 5, lot_no="OLD", expiry_in=-3),
        "soon": stock(w["staff"], w["site"], w["water"], 7, lot_no="SOON", expiry_in=10),
        "later": stock(w["staff"], w["site"], w["water"], 9, lot_no="LATER", expiry_in=200),
        "bag_lot": stock(w["staff"], w["site"], w["bags"], 50, lot_no="BAGS"),
        "point_soon": stock(w["staff"], w["point"], w["water"], 4, lot_no="P1", expiry_in=10),
    }


def test_expired_lots_are_not_on_hand_nor_expiring_on_the_dashboard_and_site_list(lots):
    w = lots
    facts = unit_facts(w["s1"])["supplies"]
    assert facts["lots_expiring_30d"] == 2  # SOON and P1, not OLD
    site = services.sites_with_figures(Site.objects.filter(pk=w["site"].pk)).get()
    assert (site.total_quantity, site.expiring_count, site.expired_count) == (66, 1, 1)
    [water] = [row for row in services.stock_by_item(w["site"]) if row.code == "W1"]
    assert water.total == 16


def test_a_standard_is_not_met_by_expired_stock(lots):
    w = lots
    services.set_standard(w["staff"], w["site"], w["water"], 20)
    [row] = services.shortfalls(Site.objects.filter(pk=w["site"].pk))
    assert (row.on_hand, row.shortfall) == (16, 4)


def test_site_page_lists_the_expired_lot_to_write_off_but_does_not_count_it(client, lots):
    w = lots
    client.force_login(w["staff"])
    page = client.get(reverse("supplies:site_detail", args=[w["site"].pk]))
    assert [lot.lot_no for lot in page.context["expiring_30"]] == ["SOON"]
    assert [lot.lot_no for lot in page.context["expired"]] == ["OLD"]
    body = page.content.decode()
    assert "30天内 1" in body and "已过期待报损 1" in body


@pytest.mark.parametrize("form_class", [DispatchForm, TransferForm])
def test_dispatch_and_transfer_offer_only_usable_lots_each_marked_with_its_item(lots, form_class):
    w = lots
    extra = {"user": w["staff"]} if form_class is TransferForm else {}
    form = form_class(site=w["site"], **extra)
    assert {lot.lot_no for lot in form.fields["lot"].queryset} == {"SOON", "LATER", "BAGS"}
    html = str(form["lot"])
    assert f'data-item="{w["water"].pk}"' in html and f'data-item="{w["bags"].pk}"' in html
    # a hand-made post of the expired lot is refused in Chinese and nothing moves
    bound = form_class(
        {"item": w["water"].pk, "lot": w["expired"].pk, "quantity": 1, "recipient": "x"},
        site=w["site"],
        **extra,
    )
    assert not bound.is_valid() and "选择一个有效的选项" in str(bound.errors["lot"])
    assert Lot.objects.get(pk=w["expired"].pk).quantity == 5


def test_write_off_offers_the_expired_lot(lots):
    form = WriteOffForm(site=lots["site"])
    assert "OLD" in {lot.lot_no for lot in form.fields["lot"].queryset}


def test_the_action_page_loads_the_lot_filter_script(client, lots):
    client.force_login(lots["staff"])
    body = client.get(reverse("supplies:dispatch", args=[lots["site"].pk])).content.decode()
    assert "supplies/lot_filter.js" in body and "<script>" not in body


def test_lot_reminders_say_site_lot_and_date_and_expired_ones_ask_for_a_write_off(lots):
    today = timezone.localdate()
    titles = {f.key.split(":")[0]: f.title for f in reminders.lot_expiring(today)}
    old, soon = titles[str(lots["expired"].pk)], titles[str(lots["soon"].pk)]
    assert "甲街道储备库" in old and "OLD" in old and "已过期，请报损" in old
    assert str(today - datetime.timedelta(days=3)) in old and "将于" not in old
    assert "甲街道储备库" in soon and "SOON" in soon and "将于" in soon
    assert str(today + datetime.timedelta(days=10)) in soon


def test_a_lot_that_passes_its_date_is_reminded_again_as_expired(lots):
    today = timezone.localdate()
    soon = lots["soon"]
    run_sweep(today, rules=["supplies.lot_expiring"], send_email=False)
    run_sweep(
        today + datetime.timedelta(days=11), rules=["supplies.lot_expiring"], send_email=False
    )
    mine = Notification.objects.filter(recipient=lots["staff"], key__contains=f":{soon.pk}:")
    assert sorted("已过期，请报损" in n.title for n in mine) == [False, True]


def test_every_supplies_reminder_line_has_a_date_and_none_read_the_same(lots):
    w = lots
    services.set_standard(w["staff"], w["site"], w["water"], 100)
    services.set_standard(w["staff"], w["point"], w["water"], 100)
    today = timezone.localdate()
    rules = ["supplies.lot_expiring", "supplies.below_standard", "supplies.check_due"]
    for day in (today, today + datetime.timedelta(days=40)):
        run_sweep(day, rules=rules, send_email=False)
    titles = list(Notification.objects.filter(recipient=w["staff"]).values_list("title", flat=True))
    assert titles and len(titles) == len(set(titles))
    assert all(re.search(r"\d{4}-\d{2}-\d{2}", t) for t in titles), titles
