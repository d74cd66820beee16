"""The demo duty: a month of shifts for 华阳路街道 and 长宁区, today's shift of 华阳路街道 signed
in with its log, one pending swap; the 今日值班 card of the dashboards shows who to call."""

from django.urls import reverse
from django.utils import timezone

from apps.duty import selectors
from apps.duty.models import Roster, SwapRequest, SwapStatus
from apps.orgs.models import OrgUnit


def test_the_demo_has_rosters_today_signed_in_with_a_log_and_a_pending_swap(demo):
    now = timezone.now()
    huayang = Roster.objects.get(org_unit__code="310105001")
    changning = Roster.objects.get(org_unit__code="310105")
    for roster in (huayang, changning):
        assert roster.shifts.filter(starts_at__month=timezone.localdate().month).count() >= 28
        assert roster.rotation.filter(is_leader=True).count() == 2
    today = huayang.shifts.running(now).get()
    assert today.signed_in_at and today.log.count() == 3
    assert changning.shifts.running(now).get().officers.count() == 2
    swap = SwapRequest.objects.get(status=SwapStatus.PENDING)
    assert swap.shift.roster == huayang and swap.shift.starts_at == today.ends_at


def test_the_dashboards_show_who_is_on_duty_with_phones(demo, login):
    street = OrgUnit.objects.get(code="310105001")
    people = selectors.on_duty(street)
    assert people[0].is_leader and all(p.mobile.startswith("177") for p in people)
    page = login("huayang_staff").get(reverse("home")).content.decode()
    assert "今日值班" in page and people[0].name in page and people[0].mobile in page
    district = login("changning_reviewer").get(reverse("home")).content.decode()
    assert "今日值班" in district and "021-62510000" in district
