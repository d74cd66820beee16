"""Two people dispatch the last units at the same moment: exactly one succeeds.

Real concurrent transactions: two threads, each with its own database connection, released
together by a barrier. Needs PostgreSQL's row locks (SQLite locks the whole file and has no
SELECT ... FOR UPDATE)."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from apps.supplies import services
from apps.supplies.models import Lot, Movement, MovementKind
from tests.supplies.factories import stock

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks"),
]


def race(n, action):
    barrier = threading.Barrier(n)
    outcomes = [None] * n

    def run(i):
        try:
            barrier.wait(timeout=10)
            action(i)
            outcomes[i] = "ok"
        except ValidationError as exc:
            outcomes[i] = exc.messages[0]
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            outcomes[i] = repr(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return outcomes


def test_two_dispatches_of_the_last_units_only_one_succeeds(world):
    w = world
    stock(w["staff"], w["site"], w["water"], 3, lot_no="A", expiry_in=30)
    stock(w["staff"], w["site"], w["water"], 2, lot_no="B", expiry_in=60)

    def dispatch(i):
        services.dispatch(
            w["staff"], w["site"], w["water"], 5, recipient=f"领用人{i}", purpose="抢险"
        )

    outcomes = race(2, dispatch)
    assert sorted(o == "ok" for o in outcomes) == [False, True], outcomes
    refused = next(o for o in outcomes if o != "ok")
    assert "库存不足" in refused
    assert list(Lot.objects.order_by("lot_no").values_list("quantity", flat=True)) == [0, 0]
    dispatched = Movement.objects.filter(kind=MovementKind.DISPATCH)
    assert sum(m.quantity_change for m in dispatched) == -5
    assert len({m.recipient for m in dispatched}) == 1


def test_opposite_transfers_at_once_do_not_deadlock_and_stay_consistent(world):
    w = world
    stock(w["staff"], w["site"], w["bags"], 10, lot_no="X")
    stock(w["staff"], w["point"], w["bags"], 10, lot_no="X")

    def transfer(i):
        a, b = (w["site"], w["point"]) if i % 2 == 0 else (w["point"], w["site"])
        services.transfer(w["staff"], a, b, w["bags"], 7)

    outcomes = race(4, transfer)
    assert outcomes.count("ok") >= 2, outcomes
    assert all(o == "ok" or "库存不足" in o for o in outcomes), outcomes
    lots = list(Lot.objects.values_list("quantity", flat=True))
    assert sum(lots) == 20 and min(lots) >= 0
