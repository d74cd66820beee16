"""A street with 责任人 for every duty and position, warnings drafted or published there, and
CAP 1.2 alerts for it."""

import datetime

from apps.orgs.models import Role
from apps.warnings import cap, services
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


def alert(
    identifier="urn:test:1",
    *,
    msg_type="Alert",
    references="",
    colour="黄色",
    area="甲街道",
    sent="2026-07-01T08:00:00+08:00",
    expires="2099-07-01T20:00:00+08:00",
):
    """A CAP 1.2 alert (as bytes) of 上海中心气象台 for ``area``."""
    refs = f"<references>{references}</references>" if references else ""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="{cap.CAP_NS}">
  <identifier>{identifier}</identifier>
  <sender>met@example.gov.cn</sender>
  <sent>{sent}</sent>
  <status>Actual</status>
  <msgType>{msg_type}</msgType>
  <scope>Public</scope>{refs}
  <info>
    <event>暴雨{colour}预警</event>
    <severity>Moderate</severity>
    <senderName>上海中心气象台</senderName>
    <headline>上海中心气象台发布暴雨{colour}预警</headline>
    <description>预计未来6小时内将出现短时强降水。</description>
    <expires>{expires}</expires>
    <area><areaDesc>{area}</areaDesc></area>
  </info>
</alert>""".encode()
