"""Demo 预警叫应: 责任人 for 长宁区, 华阳路街道, its communities and their 小区 (huayi_community
is 华一居民区's 居委主任 A, huayi_officer 华一小区's 灾害信息员 A); changning_fxb, the district's
flood office (read-only elsewhere, allowed to issue warnings); a published 黄色暴雨预警 for
长宁区, issued twenty minutes ago, some calls answered and some open (huayi_community's among
them); and a 台风 draft of 华阳路街道 waiting for a second person's approval. Idempotent: holders
by unit, duty and position, warnings by CAP identifier."""

import datetime

from django.conf import settings
from django.contrib.auth.models import Permission
from django.utils import timezone

from apps.orgs.models import OrgKind, OrgUnit, Role, User

from . import services
from .models import (
    CallStatus,
    Channel,
    Duty,
    DutyHolder,
    Level,
    Position,
    Source,
    Warning,
    WarningType,
)
from .reference import ensure_warning_types

PUBLISHED_ID = "urn:demo:changning:rainstorm-yellow"
DRAFT_ID = "urn:demo:huayang:typhoon-draft"
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ["伟", "芳", "敏", "静", "强", "磊", "洋", "艳", "勇", "军", "杰", "娟"]

DUTIES_BY_KIND = {
    OrgKind.DISTRICT: [Duty.DUTY_OFFICER, Duty.FLOOD],
    OrgKind.STREET: [Duty.STREET_LEADER, Duty.FLOOD, Duty.DUTY_OFFICER],
    OrgKind.COMMUNITY: [Duty.COMMUNITY_DIRECTOR, Duty.FLOOD, Duty.DUTY_OFFICER],
    OrgKind.ESTATE: [Duty.ESTATE_OFFICER],
}
LINKED = {("huayi_community", Duty.COMMUNITY_DIRECTOR), ("huayi_officer", Duty.ESTATE_OFFICER)}


def _district_user():
    user, created = User.objects.get_or_create(
        username="changning_fxb",
        defaults={
            "last_name": "长宁区",
            "first_name": "防汛办",
            "email": "changning_fxb@example.org",
            "role": Role.DISTRICT_REVIEWER,
            "org_unit": OrgUnit.objects.get(code="310105"),
        },
    )
    if created:
        user.set_password(settings.DEMO_PASSWORD)
        user.save()
    user.user_permissions.add(
        Permission.objects.get(codename="issue_warning", content_type__app_label="warnings")
    )
    return user


def _holders():
    street = OrgUnit.objects.get(code="310105001")
    units = [OrgUnit.objects.get(code="310105"), *OrgUnit.objects.subtree(street)]
    accounts = {u.org_unit_id: u for u in User.objects.filter(username__in=[n for n, _d in LINKED])}
    number = 0
    for unit in units:
        for duty in DUTIES_BY_KIND[unit.kind]:
            for position in Position.values:
                number += 1
                account = accounts.get(unit.pk)
                linked = (
                    account is not None
                    and position == Position.A
                    and (account.username, duty) in LINKED
                )
                DutyHolder.objects.update_or_create(
                    org_unit=unit,
                    duty=duty,
                    position=position,
                    defaults={
                        "name": account.display_name
                        if linked
                        else SURNAMES[number % len(SURNAMES)] + GIVEN[number % len(GIVEN)],
                        "mobile": f"139{unit.pk % 10000:04d}{number % 10000:04d}",
                        "user": account if linked else None,
                    },
                )


def _published(drafter, approver):
    if Warning.objects.filter(identifier=PUBLISHED_ID).exists():
        return
    district = OrgUnit.objects.get(code="310105")
    issued = timezone.now() - datetime.timedelta(minutes=20)
    warning = services.save_warning(
        drafter,
        Warning(
            org_unit=district,
            warning_type=WarningType.objects.get(code="rainstorm"),
            level=Level.YELLOW,
            source=Source.FLOOD_OFFICE,
            headline="长宁区防汛办发布暴雨黄色预警",
            text="受强对流云团影响，预计未来6小时内本区将出现1小时50毫米以上的短时强降水，"
            "请各街镇做好低洼地区排水、下立交和地下空间的防汛准备。",
            expires_at=issued + datetime.timedelta(hours=12),
            identifier=PUBLISHED_ID,
        ),
        areas=[district],
    )
    services.approve_warning(approver, warning, now=issued)
    services.publish_warning(approver, warning, now=issued)
    answered = (
        warning.calls.filter(status=CallStatus.OPEN, user__isnull=True)
        .exclude(org_unit__code="310105001001")
        .order_by("pk")[:4]
    )
    for minutes, call in enumerate(answered, start=2):
        services.acknowledge_by_link(
            services.ack_token(call, Channel.SMS),
            now=issued + datetime.timedelta(minutes=minutes * 2),
        )


def _draft(drafter):
    if Warning.objects.filter(identifier=DRAFT_ID).exists():
        return
    street = OrgUnit.objects.get(code="310105001")
    services.save_warning(
        drafter,
        Warning(
            org_unit=street,
            warning_type=WarningType.objects.get(code="typhoon"),
            level=Level.ORANGE,
            source=Source.STREET,
            headline="华阳路街道转发台风橙色预警",
            text="今年第8号台风预计明天夜里影响本市，请各居民区做好人员转移和物资准备。",
            expires_at=timezone.now() + datetime.timedelta(days=2),
            identifier=DRAFT_ID,
        ),
        areas=[street],
    )


def seed_demo(stdout):
    ensure_warning_types(WarningType)
    drafter = _district_user()
    _holders()
    _published(drafter, User.objects.get(username="admin"))
    _draft(User.objects.get(username="huayang_staff"))
    stdout.write("Warnings: 责任人 of 华阳路街道, a published 暴雨黄色预警 and a draft.")
