"""City-scale 物资储备 for ``seed_city``: two storage sites per street (some under an agreement with
a supermarket) with their 储备标准, one per community, and the stock lots shared out over them,
each with its 入库 movement so stock equals the movement history."""

import datetime
from decimal import Decimal

from django.core.management.base import CommandError

from apps.orgs.citydata import split

from .models import Item, Lot, Movement, Site, Standard

LOTS = 500_000  # at scale 1.0


def seed(city):
    items = list(Item.objects.filter(is_active=True).values_list("pk", "expires", "name"))
    if not items:
        raise CommandError("No supply items: run the migrations first.")
    rng = city.rng
    scoped = ["org_unit", "created_at", "created_by", "updated_at", "updated_by"]
    sites = city.w.table(
        Site,
        scoped
        + [
            "code",
            "name",
            "level",
            "mode",
            "partner",
            "partner_contact",
            "partner_phone",
            "contract_end",
            "address",
            "latitude",
            "longitude",
            "area",
            "keeper",
            "keeper_phone",
            "check_interval_days",
            "next_check_date",
            "is_active",
            "note",
        ],
    )
    owned = ["site", "created_at", "created_by", "updated_at", "updated_by"]
    lots = city.w.table(Lot, owned + ["item", "lot_no", "expiry_date", "quantity", "received_on"])
    movements = city.w.table(
        Movement,
        owned
        + [
            "voucher",
            "kind",
            "item",
            "lot",
            "quantity_change",
            "balance_after",
            "counterpart_site",
            "recipient",
            "purpose",
            "occurred_at",
        ],
    )
    standards = city.w.table(Standard, owned + ["item", "minimum"])

    site_list = []  # (pk, unit)

    def site(unit, code, name, level):
        agreement = level == "street" and rng.random() < 0.3
        lat, lon = city.near(unit)
        pk = sites.add(
            *city.scoped(unit, city.days_ago(300, 900)),
            code,
            name,
            level,
            "agreement" if agreement else "own",
            "某某超市有限公司" if agreement else "",
            city.person() if agreement else "",
            city.phone() if agreement else "",
            city.today + datetime.timedelta(days=rng.randint(-10, 700)) if agreement else None,
            f"某路{rng.randint(1, 2000)}号",
            lat,
            lon,
            Decimal(rng.randint(20, 400)),
            city.person(),
            city.phone(),
            30,
            city.today + datetime.timedelta(days=rng.randint(-5, 30)),
            True,
            "",
        )
        site_list.append((pk, unit))
        return pk

    # District sites belong to the districts but nobody below edits them; every street
    # gets two sites, every community one.
    for street, s_code, _p, _d, s_name in city.streets:
        for i in (1, 2):
            pk = site(street, f"{s_code}-{i:02d}", f"{s_name}应急物资储备点{i}", "street")
            for item_pk, _e, _n in rng.sample(items, min(8, len(items))):
                standards.add(
                    pk, city.now, None, city.now, None, item_pk, rng.choice((20, 50, 100))
                )
    for community, _street in city.communities:
        site(community, f"X-C{community}", f"居委储备点{community}", "community")

    per_site = split(city.scaled(LOTS), len(site_list), rng, 0.8)
    for (site_pk, unit), n_lots in zip(site_list, per_site, strict=True):
        staff = city.staff_of[city.street_of[unit]]
        for j in range(n_lots):
            item_pk, expires, _name = items[j % len(items)]
            received = city.days_ago(0, 700)
            expiry = received + datetime.timedelta(days=rng.randint(180, 1100)) if expires else None
            quantity = rng.randint(1, 400)
            when = city.stamp(received)
            lot = lots.add(
                site_pk,
                when,
                staff,
                when,
                staff,
                item_pk,
                f"L{j:05d}",
                expiry,
                quantity,
                received,
            )
            movements.add(
                site_pk,
                when,
                staff,
                when,
                staff,
                f"RK{received:%Y%m%d}-{lot:07X}",
                "receive",
                item_pk,
                lot,
                quantity,
                quantity,
                None,
                "",
                "城市数据初始库存",
                when,
            )
