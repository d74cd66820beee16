"""Who is on duty, for the pages of this app and for the other apps that need to call the
duty (warnings escalate to the unit's duty officer; incidents are reported to it).

The public functions are ``current_shift(unit, now)`` and ``on_duty(unit, now)``. They take a
unit the caller has already checked, and follow the rule "a unit's duty is its own roster's, or
else the nearest roster above it": a community's duty is its street's duty.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from apps.orgs.models import OrgUnit, User, in_scope

from .models import Roster, Shift


@dataclass(frozen=True)
class DutyPerson:
    """Someone to call: ``role`` is 带班领导 or 值班员, ``mobile`` may be empty."""

    user: User
    role: str | Promise
    mobile: str
    is_leader: bool

    @property
    def name(self):
        return self.user.display_name


def with_people(shifts):
    """``shifts`` with the roster, its unit and the people on them, in a constant number of
    queries."""
    return shifts.select_related("roster__org_unit", "leader").prefetch_related(
        Prefetch("officers", queryset=User.objects.order_by("last_name", "first_name", "pk"))
    )


def roster_for(unit: OrgUnit) -> Roster | None:
    """The roster that covers ``unit``: its own, or the nearest one above it."""
    codes = unit.ancestor_codes + [unit.code]
    return (
        Roster.objects.filter(org_unit__code__in=codes)
        .select_related("org_unit")
        .order_by("-org_unit__depth")
        .first()
    )


def current_shift(unit: OrgUnit, now=None) -> Shift | None:
    """The shift on duty for ``unit`` at ``now`` (default: now), with its people loaded; None
    when no roster covers the unit or no shift is running."""
    roster = roster_for(unit)
    if roster is None:
        return None
    return with_people(roster.shifts.running(now or timezone.now())).first()


def people_of(shift: Shift) -> list[DutyPerson]:
    """The people of one shift to call, the 带班领导 first."""
    people = []
    if shift.leader:
        people.append(DutyPerson(shift.leader, _("带班领导"), shift.leader.mobile, True))
    people += [DutyPerson(u, _("值班员"), u.mobile, False) for u in shift.officers.all()]
    return people


def on_duty(unit: OrgUnit, now=None) -> list[DutyPerson]:
    """The people to call for ``unit`` at ``now`` (default: now): the 带班领导 first, then the
    duty officers; an empty list when nobody is on duty."""
    shift = current_shift(unit, now)
    return people_of(shift) if shift else []


def officers_on_duty(now=None) -> dict[int, User]:
    """The person the warnings' escalation calls as the 值班员 of each unit with its own
    roster, by unit id: the first duty officer with a mobile number on the shift running at
    ``now``, else its 带班领导. Units whose shift has nobody with a number are left out. Three
    queries, whatever the number of rosters."""
    found: dict[int, User] = {}
    for shift in with_people(Shift.objects.running(now or timezone.now())):
        people = [*shift.officers.all(), shift.leader]
        person = next((user for user in people if user and user.mobile), None)
        if person:
            found.setdefault(shift.roster.org_unit_id, person)
    return found


def reveals_phones(user, roster: Roster) -> bool:
    """Phones of a roster's people are shown in full to the users of its unit and above (those
    who call it); anyone else gets them masked (apps.people.privacy)."""
    return in_scope(user, roster.org_unit)


def month_shifts(roster: Roster, first: datetime.date):
    """The shifts of ``roster`` starting in the month of ``first``, in order, with people."""
    tz = timezone.get_current_timezone()
    following = (first + datetime.timedelta(days=32)).replace(day=1)
    start, end = (
        timezone.make_aware(datetime.datetime.combine(d, datetime.time.min), tz)
        for d in (first.replace(day=1), following)
    )
    return with_people(roster.shifts.filter(starts_at__gte=start, starts_at__lt=end)).order_by(
        "starts_at"
    )


def shifts_now(user, now=None):
    """The shifts running at ``now`` that ``user`` may see (the page 今日值班, the dashboard
    card), nearest unit first."""
    return with_people(Shift.objects.visible_to(user).running(now or timezone.now())).order_by(
        "roster__org_unit__depth", "roster__org_unit__path"
    )


def unsigned_shifts(now, *, grace):
    """Shifts that started at least ``grace`` before ``now``, are still running and nobody has
    signed into (the reminder to the 带班领导)."""
    return Shift.objects.running(now).filter(signed_in_at__isnull=True, starts_at__lte=now - grace)


def duty_card(user, unit: OrgUnit, now=None):
    """The 今日值班 card of a unit's dashboard: the shift on duty for ``unit`` and its people,
    with phones as ``user`` may see them; None when nobody is on duty."""
    shift = current_shift(unit, now)
    if shift is None:
        return None
    return {
        "shift": shift,
        "people": people_of(shift),
        "reveal": reveals_phones(user, shift.roster),
    }
