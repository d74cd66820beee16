"""City-scale 值班值守 for ``seed_city``: a 值班表 for every street and district with its
rotation (two 带班领导 and three 值班员, each an account ``city_duty_<unit code>_<n>``), and the
24-hour shifts of last month, this month and next month. The shifts already over were signed
into, handed over and taken over by the next shift's officer."""

import datetime

from django.utils import timezone

from apps.orgs.models import OrgUnit, Role, User

from .models import Roster, RotationMember, Shift

LEADERS, OFFICERS = 2, 3


def _months(today):
    first = today.replace(day=1)
    start = (first - datetime.timedelta(days=1)).replace(day=1)
    end = (first + datetime.timedelta(days=62)).replace(day=1)  # the first of the month after next
    return start, end


def seed(city):
    rng = city.rng
    district_staff = {}
    for street, _code, _path, district, _name in city.streets:
        district_staff.setdefault(district, city.staff_of[street])
    units = [(s, code, name, city.staff_of[s]) for s, code, _p, _d, name in city.streets]
    district_names = dict(OrgUnit.objects.filter(pk__in=district_staff).values_list("pk", "name"))
    for district, code, _path in city.districts:
        units.append((district, code, district_names[district], district_staff[district]))

    users = city.w.table(User)
    rosters = city.w.table(Roster)
    rotation = city.w.table(RotationMember)
    shifts = city.w.table(Shift)
    officers_of = city.w.table(Shift.officers.through)
    start, end = _months(city.today)
    tz = timezone.get_current_timezone()
    now = city.now
    for unit, code, name, staff in units:
        people = []
        for n in range(LEADERS + OFFICERS):
            person = city.person()
            people.append(
                users.add_row(
                    password=city.password,
                    username=f"city_duty_{code}_{n + 1}",
                    first_name=person[1:],
                    last_name=person[0],
                    is_active=True,
                    date_joined=now,
                    org_unit=unit,
                    role=Role.STREET_STAFF,
                    mobile=city.phone(),
                )
            )
        leaders, officers = people[:LEADERS], people[LEADERS:]
        roster = rosters.add_row(
            org_unit=unit,
            created_at=now,
            created_by=staff,
            updated_at=now,
            updated_by=staff,
            name=f"{name}值班表",
            duty_phone=f"021-{rng.randrange(5000_0000, 6999_9999)}",
        )
        for position, user in enumerate(leaders):
            rotation.add_row(roster=roster, user=user, is_leader=True, position=position)
        for position, user in enumerate(officers):
            rotation.add_row(roster=roster, user=user, is_leader=False, position=position)
        day, index = start, 0
        while day < end:
            starts_at = timezone.make_aware(datetime.datetime.combine(day, datetime.time(8)), tz)
            ends_at = starts_at + datetime.timedelta(hours=24)
            officer, taker = officers[index % OFFICERS], officers[(index + 1) % OFFICERS]
            over = ends_at <= now
            begun = starts_at <= now
            shift = shifts.add_row(
                roster=roster,
                starts_at=starts_at,
                ends_at=ends_at,
                leader=leaders[index % LEADERS],
                signed_in_at=starts_at + datetime.timedelta(minutes=rng.randint(-20, 10))
                if begun
                else None,
                signed_in_by=officer if begun else None,
                handover_note="本班无异常情况。" if over else "",
                handed_over_at=ends_at if over else None,
                handed_over_by=officer if over else None,
                acknowledged_at=ends_at + datetime.timedelta(minutes=5) if over else None,
                acknowledged_by=taker if over else None,
                updated_at=now,
                updated_by=staff,
            )
            officers_of.add_row(shift=shift, user=officer)
            day += datetime.timedelta(days=1)
            index += 1
