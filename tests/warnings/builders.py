"""A street with 责任人 for every duty and position, and warnings drafted or published there."""

import datetime

from apps.orgs.models import Role
from apps.warnings import services
from apps.warnings.models import Duty, DutyHolder, Level, Position, Source, Warning, WarningType
from tests.conftest import make_user

T0 = datetime.datetime(2026, 7, 1, 8, 0, tzinfo=datetime.UTC)


def minutes(n):
    return T0 + datetime.timedelta(minutes=n)


def build(tree):
    s1, c1, e1 = tree["s1"], tree["c1"], tree["e1"]
    staff = make_user(s1, username="staff", email="staff@example.org")
    second = make_user(s1, username="second")
    officer = make_user(e1, role=Role.INFO_OFFICER, username="officer", mobile="13900000009")
    holders = {}
    number = 0
    for unit, duties in (
        (tree["d1"], [Duty.DUTY_OFFICER, Duty.FLOOD]),
        (s1, [Duty.STREET_LEADER, Duty.FLOOD, Duty.DUTY_OFFICER]),
        (c1, [Duty.COMMUNITY_DIRECTOR, Duty.FLOOD, Duty.DUTY_OFFICER]),
        (e1, [Duty.ESTATE_OFFICER]),
        (tree["c2"], [Duty.COMMUNITY_DIRECTOR]),
    ):
        for duty in duties:
            for position in Position.values:
                number += 1
                holders[(unit.code, duty, position)] = DutyHolder.objects.create(
                    org_unit=unit,
                    duty=duty,
                    position=position,
                    name=f"责任人{number}",
                    mobile=f"1390000{number:04d}",
                    user=officer if (unit == e1 and position == "A") else None,
                    email="a@example.org"
                    if (unit, duty, position) == (s1, Duty.FLOOD, "A")
                    else "",
                )
    return {**tree, "staff": staff, "second": second, "officer": officer, "holders": holders}


def draft(world, *, level=Level.YELLOW, issuer=None, areas=None, user=None):
    issuer = issuer or world["s1"]
    return services.save_warning(
        user or world["staff"],
        Warning(
            org_unit=issuer,
            warning_type=WarningType.objects.get(code="rainstorm"),
            level=level,
            source=Source.STREET,
            headline="暴雨预警",
            text="预计短时强降水。",
            expires_at=T0 + datetime.timedelta(hours=12),
        ),
        areas=areas or [issuer],
    )


def published(world, **kwargs):
    warning = draft(world, **kwargs)
    services.approve_warning(world["second"], warning, now=T0)
    services.publish_warning(world["second"], warning, now=T0)
    warning.refresh_from_db()
    return warning
