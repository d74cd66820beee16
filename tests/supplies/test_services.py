"""Stock rules: movements keep stock consistent and never negative; transfers are both-or-none."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Sum

from apps.supplies import services
from apps.supplies.models import Item, Lot, Movement, MovementKind, Site, SiteCheck
from tests.supplies.factories import ItemFactory, SiteFactory, days, stock

pytestmark = pytest.mark.django_db


def ledger_agrees():
    """Every lot holds exactly the sum of its movements."""
    for lot in Lot.objects.annotate(moved=Sum("movements__quantity_change")):
        assert lot.quantity == (lot.moved or 0), lot
    return True


def quantities():
    return dict(Lot.objects.values_list("pk", "quantity"))


def test_receive_creates_lot_and_movement_and_merges_same_lot(world):
    w = world
    lot = stock(w["staff"], w["site"], w["bags"], 100, lot_no="2024")
    again = stock(w["staff"], w["site"], w["bags"], 50, lot_no="2024")
    assert again.pk == lot.pk
    lot.refresh_from_db()
    assert lot.quantity == 150
    moves = list(Movement.objects.filter(lot=lot).order_by("pk"))
    assert [(m.kind, m.quantity_change, m.balance_after) for m in moves] == [
        (MovementKind.RECEIVE, 100, 100),
        (MovementKind.RECEIVE, 50, 150),
    ]
    assert moves[0].created_by == w["staff"] and moves[0].voucher.startswith("RK")
    assert ledger_agrees()


def test_item_with_shelf_life_needs_an_expiry_date(world):
    w = world
    with pytest.raises(ValidationError, match="有保质期，请填写有效期至"):
        services.receive(w["staff"], w["site"], w["water"], 10)
    assert not Lot.objects.exists() and not Movement.objects.exists()


def test_dispatch_is_first_expiring_first_and_skips_expired(world):
    w = world
    late = stock(w["staff"], w["site"], w["water"], 10, expiry_in=200)
    soon = stock(w["staff"], w["site"], w["water"], 5, expiry_in=20)
    expired = stock(w["staff"], w["site"], w["water"], 7, expiry_in=-1)
    moves = services.dispatch(
        w["staff"], w["site"], w["water"], 8, recipient="甲一居委", purpose="高温慰问"
    )
    assert [(m.lot_id, m.quantity_change) for m in moves] == [(soon.pk, -5), (late.pk, -3)]
    assert len({m.voucher for m in moves}) == 1 and moves[0].voucher.startswith("CK")
    assert quantities() == {late.pk: 7, soon.pk: 0, expired.pk: 7}
    assert ledger_agrees()


def test_dispatch_more_than_stock_is_refused_and_changes_nothing(world):
    w = world
    stock(w["staff"], w["site"], w["water"], 5, expiry_in=100)
    stock(w["staff"], w["site"], w["water"], 4, expiry_in=-2)  # expired: not dispatchable
    before, count = quantities(), Movement.objects.count()
    with pytest.raises(ValidationError) as exc:
        services.dispatch(w["staff"], w["site"], w["water"], 6, recipient="x", purpose="y")
    message = exc.value.messages[0]
    assert "库存不足" in message and "可用 5箱" in message and "另有已过期 4箱" in message
    assert "未做任何变动" in message
    assert quantities() == before and Movement.objects.count() == count


def test_dispatch_from_a_chosen_lot(world):
    w = world
    late = stock(w["staff"], w["site"], w["water"], 10, expiry_in=200)
    stock(w["staff"], w["site"], w["water"], 10, expiry_in=20)
    services.dispatch(w["staff"], w["site"], w["water"], 4, recipient="x", purpose="y", lot=late)
    late.refresh_from_db()
    assert late.quantity == 6
    with pytest.raises(ValidationError, match="库存不足：批次"):
        services.dispatch(
            w["staff"], w["site"], w["water"], 7, recipient="x", purpose="y", lot=late
        )
    other = stock(w["staff"], w["point"], w["water"], 3, expiry_in=50)
    with pytest.raises(ValidationError, match="不属于该储备点"):
        services.dispatch(
            w["staff"], w["site"], w["water"], 1, recipient="x", purpose="y", lot=other
        )


@pytest.mark.parametrize("bad", [0, -3, 2.5, "5", True])
def test_quantities_must_be_positive_integers(world, bad):
    w = world
    stock(w["staff"], w["site"], w["bags"], 10)
    with pytest.raises(ValidationError, match="数量"):
        services.dispatch(w["staff"], w["site"], w["bags"], bad, recipient="x", purpose="y")
    assert Lot.objects.get().quantity == 10


def test_the_database_refuses_a_negative_lot(world):
    w = world
    lot = stock(w["staff"], w["site"], w["bags"], 1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Lot.objects.filter(pk=lot.pk).update(quantity=F("quantity") - 2)
    lot.refresh_from_db()
    assert lot.quantity == 1


def test_transfer_moves_both_sides_in_one_voucher(world):
    w = world
    src = stock(w["staff"], w["site"], w["water"], 10, lot_no="A", expiry_in=100)
    moves = services.transfer(w["staff"], w["site"], w["point"], w["water"], 4, note="汛前补充")
    out, into = moves
    assert (out.kind, out.site, out.quantity_change, out.counterpart_site) == (
        MovementKind.TRANSFER_OUT,
        w["site"],
        -4,
        w["point"],
    )
    assert (into.kind, into.site, into.quantity_change, into.counterpart_site) == (
        MovementKind.TRANSFER_IN,
        w["point"],
        4,
        w["site"],
    )
    assert out.voucher == into.voucher
    dest = Lot.objects.get(site=w["point"])
    assert (dest.lot_no, dest.expiry_date, dest.quantity) == ("A", src.expiry_date, 4)
    src.refresh_from_db()
    assert src.quantity == 6
    assert ledger_agrees()


def test_transfer_failing_half_way_changes_neither_side(world):
    """The second lot of the plan clashes at the destination: the first lot's moves, already
    written in the transaction, are rolled back with it."""
    w = world
    stock(w["staff"], w["site"], w["water"], 5, lot_no="A", expiry_in=30)
    stock(w["staff"], w["site"], w["water"], 5, lot_no="B", expiry_in=60)
    stock(w["staff"], w["point"], w["water"], 1, lot_no="B", expiry_in=999)  # same no., other date
    before, count = quantities(), Movement.objects.count()
    with pytest.raises(ValidationError, match="批次号“B”"):
        services.transfer(w["staff"], w["site"], w["point"], w["water"], 8)
    assert quantities() == before
    assert Movement.objects.count() == count
    assert not Lot.objects.filter(site=w["point"], lot_no="A").exists()


def test_transfer_short_of_stock_changes_nothing(world):
    w = world
    stock(w["staff"], w["site"], w["bags"], 3)
    before, count = quantities(), Movement.objects.count()
    with pytest.raises(ValidationError, match="库存不足"):
        services.transfer(w["staff"], w["site"], w["point"], w["bags"], 4)
    assert quantities() == before and Movement.objects.count() == count
    assert not Lot.objects.filter(site=w["point"]).exists()


def test_transfer_only_between_sites_the_user_may_edit(world):
    w = world
    stock(w["staff"], w["site"], w["bags"], 10)
    with pytest.raises(PermissionDenied, match="无权向储备点"):
        services.transfer(w["staff"], w["site"], w["foreign"], w["bags"], 1)
    with pytest.raises(ValidationError, match="同一个储备点"):
        services.transfer(w["staff"], w["site"], w["site"], w["bags"], 1)
    assert Lot.objects.get(site=w["site"]).quantity == 10
    assert not Lot.objects.filter(site=w["foreign"]).exists()


def test_reviewers_and_other_streets_cannot_move_stock(world):
    w = world
    stock(w["staff"], w["site"], w["bags"], 10)
    for user in (w["reviewer"], w["other_staff"]):
        with pytest.raises(PermissionDenied):
            services.dispatch(user, w["site"], w["bags"], 1, recipient="x", purpose="y")
        with pytest.raises(PermissionDenied):
            services.receive(user, w["site"], w["bags"], 1)
    assert Lot.objects.get().quantity == 10 and Movement.objects.count() == 1


def test_write_off_takes_expired_lots_first_and_needs_a_reason(world):
    w = world
    good = stock(w["staff"], w["site"], w["water"], 5, expiry_in=100)
    old = stock(w["staff"], w["site"], w["water"], 3, expiry_in=-10)
    with pytest.raises(ValidationError, match="报损原因"):
        services.write_off(w["staff"], w["site"], w["water"], 3, reason=" ")
    moves = services.write_off(w["staff"], w["site"], w["water"], 4, reason="过期")
    assert [(m.lot_id, m.quantity_change, m.kind) for m in moves] == [
        (old.pk, -3, MovementKind.WRITE_OFF),
        (good.pk, -1, MovementKind.WRITE_OFF),
    ]
    assert ledger_agrees()


def test_adjust_records_the_difference(world):
    w = world
    lot = stock(w["staff"], w["site"], w["bags"], 100)
    [move] = services.adjust(w["staff"], lot, 97, note="盘点短少 3 只")
    assert (move.kind, move.quantity_change, move.balance_after) == (MovementKind.ADJUST, -3, 97)
    with pytest.raises(ValidationError, match="无需调整"):
        services.adjust(w["staff"], lot, 97, note="再盘")
    with pytest.raises(ValidationError, match="不能为负数"):
        services.adjust(w["staff"], lot, -1, note="x")
    assert ledger_agrees()


def test_set_lot_balance_is_idempotent(world):
    w = world
    services.set_lot_balance(w["staff"], w["site"], w["bags"], 40, lot_no="X")
    services.set_lot_balance(w["staff"], w["site"], w["bags"], 40, lot_no="X")
    assert Movement.objects.count() == 1
    services.set_lot_balance(w["staff"], w["site"], w["bags"], 35, lot_no="X")
    kinds = list(Movement.objects.order_by("pk").values_list("kind", "quantity_change"))
    assert kinds == [(MovementKind.RECEIVE, 40), (MovementKind.ADJUST, -5)]
    assert services.set_lot_balance(w["staff"], w["site"], w["bags"], 0, lot_no="NEW") == []
    assert not Lot.objects.filter(lot_no="NEW").exists()
    assert ledger_agrees()


def test_shortfalls_and_expiring_are_computed_in_sql(world, django_assert_num_queries):
    w = world
    services.set_standard(w["staff"], w["site"], w["bags"], 100)
    services.set_standard(w["staff"], w["site"], w["water"], 10)
    services.set_standard(w["staff"], w["point"], w["bags"], 5)
    stock(w["staff"], w["site"], w["bags"], 60)
    stock(w["staff"], w["site"], w["bags"], 10, lot_no="2")
    stock(w["staff"], w["site"], w["water"], 12, expiry_in=10)
    stock(w["staff"], w["point"], w["water"], 3, expiry_in=60)
    stock(w["staff"], w["point"], w["water"], 3, expiry_in=-1, lot_no="old")
    stock(w["staff"], w["point"], w["water"], 3, expiry_in=200, lot_no="far")
    sites = Site.objects.visible_to(w["staff"])
    with django_assert_num_queries(1):
        rows = [
            (s.site.code, s.item.code, s.minimum, s.on_hand, s.shortfall)
            for s in services.shortfalls(sites)
        ]
    assert rows == [("S1-01", "B1", 100, 70, 30), ("S1C1-01", "B1", 5, 0, 5)]
    with django_assert_num_queries(1):
        soon = [(lot.site.code, lot.expired) for lot in services.expiring_lots(sites, 30)]
    assert soon == [("S1C1-01", True), ("S1-01", False)]
    assert services.expiring_lots(sites, 90).count() == 3
    assert services.shortfalls(Site.objects.visible_to(w["other_staff"])).count() == 0


def test_set_standard_zero_removes_it(world):
    w = world
    services.set_standard(w["staff"], w["site"], w["bags"], 10)
    services.set_standard(w["staff"], w["site"], w["bags"], 20)
    assert w["site"].standard_set.get().minimum == 20
    services.set_standard(w["staff"], w["site"], w["bags"], 0)
    assert not w["site"].standard_set.exists()
    with pytest.raises(PermissionDenied):
        services.set_standard(w["reviewer"], w["site"], w["bags"], 5)


def test_record_check_moves_the_next_check_date(world):
    w = world
    site = w["site"]
    site.check_interval_days = 30
    check = services.record_check(
        w["staff"], site, kind="stocktake", checked_on=days(-2), checker="李四", result="ok"
    )
    site.refresh_from_db()
    assert site.next_check_date == days(28)
    assert check.created_by == w["staff"]
    services.record_check(
        w["staff"], site, kind="maintenance", checked_on=days(-10), checker="李四", result="ok"
    )  # an older check, entered late, does not move the date back
    site.refresh_from_db()
    assert site.next_check_date == days(28)
    with pytest.raises(ValidationError, match="不能晚于今天"):
        services.record_check(
            w["staff"], site, kind="maintenance", checked_on=days(1), checker="x", result="ok"
        )
    assert SiteCheck.objects.count() == 2


def test_agreement_storage_needs_partner_and_contract_end(world):
    w = world
    site = Site(org_unit=w["s1"], name="协议点", level="street", mode="agreement")
    with pytest.raises(ValidationError) as exc:
        services.save_site(w["staff"], site)
    assert "协议单位" in str(exc.value) and "协议到期日" in str(exc.value)
    site.partner, site.contract_end = "联华超市", days(100)
    services.save_site(w["staff"], site)
    assert site.code == "S1-02" and site.created_by == w["staff"]
    with pytest.raises(PermissionDenied):
        services.save_site(w["staff"], Site(org_unit=w["s2"], name="x", level="street"))


def test_catalogue_fixture_is_loaded_by_the_migration(db):
    assert Item.objects.filter(code="SH005", name="瓶装饮用水", expires=True).exists()
    assert Item.objects.filter(category="flood").count() >= 5
    assert ItemFactory(code="SH005").name == "瓶装饮用水"  # natural key, not a duplicate
    assert SiteFactory._meta.model is Site
