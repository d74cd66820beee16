"""Two street staff approve the same swap at the same moment: it is applied once, and the other
gets the clear message. Real concurrent transactions (PostgreSQL row locks)."""

import datetime

import pytest
from django.db import connection
from django.utils import timezone

from apps.duty import services
from apps.duty.models import Roster, SwapRequest, SwapStatus
from tests.conftest import make_user
from tests.supplies.test_concurrency import race

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks"),
]


def test_two_approvals_of_one_swap_at_once_apply_it_once(tree):
    s1 = tree["s1"]
    approvers = [make_user(s1, username=f"staff{i}") for i in range(2)]
    requester, replacement = make_user(s1, username="a"), make_user(s1, username="b")
    roster = Roster.objects.create(org_unit=s1, name="甲街道值班表")
    start = timezone.now() + datetime.timedelta(days=2)
    shift = roster.shifts.create(starts_at=start, ends_at=start + datetime.timedelta(days=1))
    shift.officers.set([requester])
    swap = services.request_swap(requester, shift, replacement=replacement, reason="有事")

    outcomes = race(2, lambda i: services.decide_swap(approvers[i], swap, approve=True))

    assert sorted(o == "ok" for o in outcomes) == [False, True], outcomes
    assert "该换班申请已处理（已同意）" in next(o for o in outcomes if o != "ok")
    assert list(shift.officers.all()) == [replacement]
    assert SwapRequest.objects.get().status == SwapStatus.APPROVED
