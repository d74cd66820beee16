"""Racing requests on PostgreSQL: people checked in at once never exceed a hard capacity (the
check-ins serialise on the ShelterOperation row), two dispatches of the last sandbags never
take the stock below zero (the supplies movement service's lot locks), and two call-offs of an
agreement reserve never exceed its agreed quantity (they serialise on the term's row).

Real concurrent transactions: threads with their own connections released together by a
barrier. Needs PostgreSQL's row locks (SQLite locks the whole file)."""

import pytest
from django.db import connection

from apps.response import services
from apps.response.models import CheckIn, RequestStatus, SupplyRequest
from apps.supplies import services as supply_services
from apps.supplies.models import Lot, Movement, MovementKind, StorageMode
from tests.supplies.factories import SiteFactory, days
from tests.supplies.test_concurrency import race

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks"),
]


def test_simultaneous_check_ins_never_exceed_a_hard_capacity(world):
    w = world
    event = services.open_event(w["staff"], w["plan"], level=2, title="台风响应")
    operation = services.open_shelter(w["staff"], event, w["shelter"])  # 5 places

    def check_in(i):
        services.check_in(
            w["staff"], operation, name=f"居民{i}", phone="13912345678", household_size=2
        )

    outcomes = race(6, check_in)
    assert outcomes.count("ok") == 2, outcomes
    assert all(o == "ok" or "已满" in o for o in outcomes), outcomes
    operation.refresh_from_db()
    assert operation.occupancy == 4 == sum(c.household_size for c in CheckIn.objects.all())
    assert operation.peak == 4


def test_two_dispatches_of_the_last_sandbags_leave_the_stock_at_zero_not_below(world):
    w = world
    event = services.open_event(w["staff"], w["plan"], level=2, title="台风响应")
    requests = []
    for unit in (w["c1"], w["c3"]):
        request = services.request_supplies(
            w["staff"], event, unit=unit, item=w["sandbags"], quantity=30, reason="封堵"
        )
        requests.append(services.decide_request(w["staff"], request, approve=True))

    def dispatch(i):
        services.dispatch_request(w["staff"], requests[i], site=w["site"])

    outcomes = race(2, dispatch)
    assert sorted(o == "ok" for o in outcomes) == [False, True], outcomes
    assert "库存不足" in next(o for o in outcomes if o != "ok")
    assert Lot.objects.get(site=w["site"]).quantity == 20
    assert Movement.objects.filter(kind=MovementKind.DISPATCH).count() == 1
    statuses = sorted(SupplyRequest.objects.values_list("status", flat=True))
    assert statuses == [RequestStatus.APPROVED, RequestStatus.DISPATCHED]


def test_two_call_offs_of_an_agreement_reserve_never_exceed_its_agreed_quantity(world):
    w = world
    reserve = SiteFactory(
        org_unit=w["s1"], mode=StorageMode.AGREEMENT, partner="联华超市", contract_end=days(365)
    )
    supply_services.set_agreement_term(
        w["staff"], reserve, w["sandbags"], quantity=50, promised_hours=4
    )
    event = services.open_event(w["staff"], w["plan"], level=2, title="台风响应")
    requests = []
    for unit in (w["c1"], w["c3"]):
        request = services.request_supplies(
            w["staff"], event, unit=unit, item=w["sandbags"], quantity=30, reason="封堵"
        )
        requests.append(services.decide_request(w["staff"], request, approve=True))

    def call_off(i):
        services.dispatch_request(w["staff"], requests[i], site=reserve)

    outcomes = race(2, call_off)
    assert sorted(o == "ok" for o in outcomes) == [False, True], outcomes
    assert "超出协议数量" in next(o for o in outcomes if o != "ok")
    assert SupplyRequest.objects.filter(promised_at__isnull=False).count() == 1
