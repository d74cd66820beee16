"""City-scale 预警叫应 for ``seed_city``: the 责任人 (an A and a B for every duty) of every
district, street, community and 小区, and a year of each district's warnings, each published to
the A persons of its level's duties in the district and 解除 hours later. Most calls were
answered within minutes (by SMS link, in the portal or by phone); the rest closed unanswered
when the warning ended. Nothing is left open, so the escalation tick finds nothing to do."""

import datetime
import uuid

from apps.orgs.models import OrgKind

from .demo import DUTIES_BY_KIND
from .models import (
    LEVEL_DUTIES,
    Call,
    CallStatus,
    Channel,
    DutyHolder,
    Level,
    Position,
    Source,
    Status,
    Tier,
    Warning,
    WarningType,
)

WARNINGS_PER_DISTRICT = 12
LEVELS = [Level.BLUE] * 4 + [Level.YELLOW] * 5 + [Level.ORANGE] * 2 + [Level.RED]
TYPES = ["rainstorm", "rainstorm", "gale", "thunder", "heat", "typhoon", "fog", "cold_wave"]
ANSWERED = 0.9


def seed(city):
    rng = city.rng
    streets_of = {}
    for street, _code, _path, district, _name in city.streets:
        streets_of.setdefault(district, []).append(street)
    # who recorded a district's rows: the staff of its first street (seed_city has no district
    # staff accounts)
    staff = {**city.staff_of, **{d: city.staff_of[s[0]] for d, s in streets_of.items()}}
    district_of = {street: district for street, _c, _p, district, _n in city.streets}
    units = [(d, OrgKind.DISTRICT, d) for d, _code, _path in city.districts]
    units += [(s, OrgKind.STREET, district_of[s]) for s, *_rest in city.streets]
    units += [(c, OrgKind.COMMUNITY, district_of[s]) for c, s in city.communities]
    units += [(e, OrgKind.ESTATE, district_of[s]) for e, _c, s in city.estates]

    holders = city.w.table(DutyHolder)
    called = {}  # district → [(holder, unit, duty, name, mobile)] of the A persons
    for unit, kind, district in units:
        user = staff[unit] if kind == OrgKind.DISTRICT else staff[city.street_of[unit]]
        for duty in DUTIES_BY_KIND[kind]:
            for position in Position.values:
                name, mobile = city.person(), city.phone()
                pk = holders.add_row(
                    org_unit=unit,
                    created_at=city.now,
                    created_by=user,
                    updated_at=city.now,
                    updated_by=user,
                    duty=duty,
                    position=position,
                    name=name,
                    mobile=mobile,
                )
                if position == Position.A:
                    called.setdefault(district, []).append((pk, unit, duty, name, mobile))
    holders.flush()

    types = dict(WarningType.objects.filter(code__in=TYPES).values_list("code", "pk"))
    names = dict(WarningType.objects.filter(code__in=TYPES).values_list("code", "name"))
    warnings = city.w.table(Warning)
    areas = city.w.table(Warning.areas.through)
    calls = city.w.table(Call)
    for district, code, _path in city.districts:
        user = staff[district]
        for _ in range(WARNINGS_PER_DISTRICT):
            level, kind = rng.choice(LEVELS), rng.choice(TYPES)
            issued = city.stamp(city.days_ago(1, 365))
            ended = issued + datetime.timedelta(hours=rng.randint(3, 24))
            headline = f"{names[kind]}{Level(level).label}预警"
            warning = warnings.add_row(
                org_unit=district,
                created_at=issued,
                created_by=user,
                updated_at=ended,
                updated_by=user,
                warning_type=types[kind],
                level=level,
                source=rng.choice([Source.DISTRICT_MET, Source.FLOOD_OFFICE]),
                headline=headline,
                text=f"{code} {headline}",
                issued_at=issued,
                expires_at=issued + datetime.timedelta(hours=24),
                identifier=f"urn:uuid:{uuid.UUID(int=rng.getrandbits(128))}",
                status=Status.CANCELLED,
                approved_by=user,
                approved_at=issued,
                published_by=user,
                cancelled_at=ended,
                cancel_reason="预警解除",
            )
            areas.add_row(warning=warning, orgunit=district)
            duties = set(LEVEL_DUTIES[level])
            for holder, unit, duty, name, mobile in called[district]:
                if duty not in duties:
                    continue
                answered = rng.random() < ANSWERED
                calls.add_row(
                    warning=warning,
                    holder=holder,
                    org_unit=unit,
                    duty=duty,
                    position=Position.A,
                    name=name,
                    mobile=mobile,
                    tier=Tier.INITIAL,
                    status=CallStatus.ACKNOWLEDGED if answered else CallStatus.CLOSED,
                    called_at=issued,
                    notified_at=issued,
                    acknowledged_at=issued
                    + datetime.timedelta(seconds=int(rng.lognormvariate(5.5, 0.8)))
                    if answered
                    else None,
                    channel=rng.choice([Channel.SMS, Channel.SMS, Channel.APP, Channel.PHONE_PAGE])
                    if answered
                    else "",
                )
