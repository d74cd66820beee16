"""Demo front line: a 居委/村工作人员 account for every demo community (``<street>_c<n>``, n the
community's number in its street) and a grid worker for every demo grid (``<street>_g<n>``;
华一's grid has ``huayi_grid`` already). Password ``DEMO_PASSWORD``, no forced change, a
fictitious mobile number each for log-in by mobile number: 13 (staff) or 15 (grid workers)
followed by the community code without its leading 310 (huayang_c2: 13105001002).

Idempotent: accounts are looked up by user name and brought back to the demo values. The
password is set when an account is created (one hash for all: checking sixty passwords on every
run would take half a minute with the production hasher)."""

from django.conf import settings
from django.contrib.auth.hashers import make_password

from .models import Grid, OrgKind, OrgUnit, Role, User

STREET_NAMES = {
    "310105001": "huayang",
    "310105002": "jiangsu",
    "310105004": "xinhua",
    "310105005": "zhoujiaqiao",
    "310105006": "tianshan",
    "310105008": "xianxia",
    "310105009": "hongqiao",
    "310105010": "chengjiaqiao",
    "310105011": "beixinjing",
    "310105102": "xinjing",
    "310115005": "lujiazui",
}


def _account(username, *, name, role, unit, mobile, grid=None, password):
    user, created = User.objects.get_or_create(username=username)
    user.last_name, user.first_name = name
    user.role, user.org_unit, user.grid, user.mobile = role, unit, grid, mobile
    user.email = f"{username}@example.org"
    user.is_active, user.is_staff, user.is_superuser = True, False, False
    if created:
        user.password = password
    user.save()


def _number(unit):
    """A community's number in its street (the last three digits of its code)."""
    return int(unit.code[-3:])


def seed_demo(stdout):
    password = make_password(settings.DEMO_PASSWORD)
    communities = OrgUnit.objects.filter(
        kind=OrgKind.COMMUNITY, parent__code__in=STREET_NAMES
    ).select_related("parent")
    for community in communities.order_by("code"):
        street, n = STREET_NAMES[community.parent.code], _number(community)
        short = community.name.removesuffix("居民区")
        _account(
            f"{street}_c{n}",
            name=(short, "居委"),
            role=Role.COMMUNITY_STAFF,
            unit=community,
            mobile=f"13{community.code[3:]}",
            password=password,
        )
    grids = Grid.objects.filter(community__in=communities).select_related("community__parent")
    count = 0
    for grid in grids:
        community = grid.community
        username = f"{STREET_NAMES[community.parent.code]}_g{_number(community)}"
        if grid.workers.exclude(username=username).exists():
            continue  # a demo user of seed_demo's own (huayi_grid)
        _account(
            username,
            name=(community.name.removesuffix("居民区"), "网格员"),
            role=Role.GRID_WORKER,
            unit=community,
            grid=grid,
            mobile=f"15{community.code[3:]}",
            password=password,
        )
        count += 1
    stdout.write(
        f"Front line: {communities.count()} community staff and {count} grid worker accounts."
    )
