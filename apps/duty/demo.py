"""Demo duty for 华阳路街道 and 长宁区: their duty people (fictitious names and mobiles 177…),
a roster each with a rotation, the shifts of this month (and of last month while its last shift
is still running), today's shift of 华阳路街道 signed in with a few log entries, and one pending
swap on tomorrow's shift. Idempotent: people by user name, rosters by unit, shifts fill the
gaps only, the sign-in, the log and the swap are made once."""

import datetime

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from apps.orgs.models import OrgUnit, Role, User

from . import services
from .models import LogKind, Roster, SwapRequest, SwapStatus

# unit code, roster name, officers per shift, duty phone,
# [(username, (last, first), is_leader)] in rotation order
ROSTERS = [
    (
        "310105001",
        "华阳路街道值班表",
        1,
        "021-62520000",
        [
            ("huayang_leader1", ("王", "建国"), True),
            ("huayang_leader2", ("陈", "静"), True),
            ("huayang_duty1", ("李", "明"), False),
            ("huayang_duty2", ("张", "伟"), False),
            ("huayang_duty3", ("刘", "洋"), False),
            ("huayang_staff", None, False),
        ],
    ),
    (
        "310105",
        "长宁区应急值班表",
        2,
        "021-62510000",
        [
            ("changning_leader1", ("周", "强"), True),
            ("changning_leader2", ("吴", "敏"), True),
            ("changning_duty1", ("郑", "磊"), False),
            ("changning_duty2", ("孙", "丽"), False),
            ("changning_duty3", ("赵", "军"), False),
        ],
    ),
]

LOG = [
    (
        LogKind.CALL,
        "华一居民区",
        "居民反映华一小区3号楼地下车库进水。",
        "已通知物业抽水，网格员到场查看。",
    ),
    (LogKind.ACTION, "", "巡查辖区防汛物资仓库，物资齐全。", ""),
    (
        LogKind.CALL,
        "区应急局值班室",
        "转发暴雨蓝色预警，要求做好防范。",
        "已转发各居民区，落实叫应。",
    ),
]


def _people(unit, members, role, password):
    users = []
    for n, (username, name, is_leader) in enumerate(members, start=1):
        user, created = User.objects.get_or_create(username=username)
        if name:  # an account of the demo org tree keeps its own values
            user.last_name, user.first_name = name
            user.role, user.org_unit = role, unit
            user.mobile = f"177{unit.code[-6:]}{n:02d}"
            user.email = f"{username}@example.org"
            if created:
                user.password = password
            user.save()
        users.append((user, is_leader))
    return users


def seed_demo(stdout):
    admin = User.objects.get(username="admin")
    password = make_password(settings.DEMO_PASSWORD)
    now = timezone.now()
    months = {
        (d.year, d.month)
        for d in (timezone.localdate(), timezone.localdate(now - datetime.timedelta(days=1)))
    }
    rosters = {}
    for code, name, per_shift, phone, members in ROSTERS:
        unit = OrgUnit.objects.get(code=code)
        role = Role.DISTRICT_REVIEWER if code == "310105" else Role.STREET_STAFF
        people = _people(unit, members, role, password)
        roster = Roster.objects.filter(org_unit=unit).first() or Roster(org_unit=unit)
        roster.name, roster.officers_per_shift, roster.duty_phone = name, per_shift, phone
        services.save_roster(admin, roster)
        services.set_rotation(
            admin,
            roster,
            leaders=[u for u, is_leader in people if is_leader],
            officers=[u for u, is_leader in people if not is_leader],
        )
        created = sum(
            services.generate_month(admin, roster, year=year, month=month)
            for year, month in sorted(months)
        )
        rosters[code] = roster
        stdout.write(f"  值班表 {name}: {created} new shifts")

    roster = rosters["310105001"]
    shift = roster.shifts.running(now).first()
    if shift.signed_in_at is None:
        officer = shift.officers.order_by("pk").first()
        services.sign_in(officer, shift, now=shift.starts_at + datetime.timedelta(minutes=5))
        shift.refresh_from_db()
        step = (now - shift.starts_at) / (len(LOG) + 1)
        for i, (kind, caller, content, action) in enumerate(LOG, start=1):
            services.add_log_entry(
                officer,
                shift,
                kind=kind,
                caller=caller,
                content=content,
                action=action,
                at=shift.starts_at + step * i,
                now=now,
            )
    tomorrow = roster.shifts.filter(starts_at__gte=shift.ends_at).order_by("starts_at").first()
    if (
        tomorrow
        and not SwapRequest.objects.filter(shift__roster=roster, status=SwapStatus.PENDING).exists()
    ):
        requester = tomorrow.officers.order_by("pk").first()
        replacement = (
            services.unit_people(roster)
            .exclude(pk__in=[requester.pk, tomorrow.leader_id])
            .filter(username__startswith="huayang_duty")
            .first()
        )
        services.request_swap(
            requester, tomorrow, replacement=replacement, reason="家中有事，请同事替班。", now=now
        )
