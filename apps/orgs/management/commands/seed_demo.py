"""Demo data: 上海市 → 长宁区 (its ten streets/towns, several 居委 each) and 浦东新区 → 陆家嘴街道,
plus one demo user per role. Idempotent: every record is looked up by its natural key
(org unit code, username) and only created or brought back to the demo values.

Later apps add their own demo records by defining ``seed_demo(stdout)`` in
``apps/<app>/demo.py``; this command calls each after the org tree and users exist.
"""

from importlib import import_module

from auditlog.context import disable_auditlog
from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from apps.orgs.models import Grid, OrgKind, OrgUnit, Role, User

# (code, name, population, [communities]) — codes follow the administrative division codes;
# community names and populations are illustrative demo values.
CHANGNING_STREETS = [
    ("310105001", "华阳路街道", 68000, ["华一", "华三", "飞乐", "姚家角", "长宁支路", "秀水"]),
    ("310105002", "江苏路街道", 46000, ["长新", "岐山", "曹家堰", "华山"]),
    ("310105004", "新华路街道", 62000, ["新华", "番禺", "梅泉", "幸福", "法华"]),
    ("310105005", "周家桥街道", 69000, ["天山五村", "中山", "仁恒", "长宁新城"]),
    ("310105006", "天山路街道", 71000, ["天山一村", "天山二村", "紫云", "遵义"]),
    ("310105008", "仙霞新村街道", 78000, ["仙霞", "虹仙", "茅台", "威宁"]),
    ("310105009", "虹桥街道", 75000, ["虹桥", "古北", "荣华", "爱建"]),
    ("310105010", "程家桥街道", 42000, ["程桥一村", "程桥二村", "上航新村", "虹古"]),
    ("310105011", "北新泾街道", 66000, ["北新泾", "新泾一村", "新泾三村", "平塘"]),
    ("310105102", "新泾镇", 160000, ["刘家宅", "淮阴", "新泾北苑", "协和", "绿园"]),
]
LUJIAZUI = (
    "310115005",
    "陆家嘴街道",
    110000,
    ["梅园一村", "崂山一村", "东园一村", "乳山二村", "福山", "仁恒滨江", "市新", "东昌"],
)
# Approximate centres (WGS-84) of the demo streets, for the district map.
CENTRES = {
    "310105001": (31.2215, 121.4260),
    "310105002": (31.2230, 121.4330),
    "310105004": (31.2050, 121.4280),
    "310105005": (31.2180, 121.4120),
    "310105006": (31.2120, 121.4050),
    "310105008": (31.2050, 121.3960),
    "310105009": (31.1990, 121.4140),
    "310105010": (31.1950, 121.3750),
    "310105011": (31.2190, 121.3800),
    "310105102": (31.2150, 121.3620),
    "310115005": (31.2340, 121.5060),
}
# Streets whose communities get a few 小区 in the demo (for coverage views in later apps).
STREETS_WITH_ESTATES = {"310105001", "310115005"}

DEMO_USERS = [
    # username, full name (last, first), role, org unit code, is_staff, is_superuser
    ("admin", ("系统", "管理员"), Role.ADMIN, "310000", True, True),
    ("changning_reviewer", ("长宁区", "审核员"), Role.DISTRICT_REVIEWER, "310105", False, False),
    # 区应急管理局: district staff (edits the district's records, approves cross-street dispatch)
    ("changning_district", ("长宁区", "应急管理局"), Role.STREET_STAFF, "310105", False, False),
    ("huayang_staff", ("华阳路", "工作人员"), Role.STREET_STAFF, "310105001", False, False),
    ("xinhua_staff", ("新华路", "工作人员"), Role.STREET_STAFF, "310105004", False, False),
    ("pudong_reviewer", ("浦东新区", "审核员"), Role.DISTRICT_REVIEWER, "310115", False, False),
    ("lujiazui_staff", ("陆家嘴", "工作人员"), Role.STREET_STAFF, "310115005", False, False),
    # the front line of 华一居民区 (华阳路街道): its staff, the grid worker of 华一第一网格 and
    # the 灾害信息员 of 华一小区 (linked to the officer record by apps.people.demo)
    ("huayi_community", ("华一", "居委"), Role.COMMUNITY_STAFF, "310105001001", False, False),
    ("huayi_grid", ("华一", "网格员"), Role.GRID_WORKER, "310105001001", False, False),
    ("huayi_officer", ("华一", "信息员"), Role.INFO_OFFICER, "31010500100101", False, False),
]
DEMO_GRID_NAME = "第一网格"


def _unit(code, name, kind, parent, population=None):
    latitude, longitude = CENTRES.get(code, (None, None))
    unit, _ = OrgUnit.objects.update_or_create(
        code=code,
        defaults={
            "name": name,
            "kind": kind,
            "parent": parent,
            "population": population,
            "latitude": latitude,
            "longitude": longitude,
        },
    )
    return unit


def build_org_tree():
    city = _unit("310000", "上海市", OrgKind.CITY, None, 24_870_000)
    changning = _unit("310105", "长宁区", OrgKind.DISTRICT, city, 690_000)
    pudong = _unit("310115", "浦东新区", OrgKind.DISTRICT, city, 5_780_000)
    for parent, streets in ((changning, CHANGNING_STREETS), (pudong, [LUJIAZUI])):
        for code, name, population, communities in streets:
            street = _unit(code, name, OrgKind.STREET, parent, population)
            share = population // len(communities)
            for i, community in enumerate(communities, start=1):
                c_code = f"{code}{i:03d}"
                c_unit = _unit(c_code, f"{community}居民区", OrgKind.COMMUNITY, street, share)
                if code in STREETS_WITH_ESTATES:
                    for j, suffix in enumerate(("小区", "苑"), start=1):
                        _unit(f"{c_code}{j:02d}", f"{community}{suffix}", OrgKind.ESTATE, c_unit)
    return city


def build_grids():
    """One grid per community that has 小区, covering them all."""
    for community in OrgUnit.objects.filter(
        kind=OrgKind.COMMUNITY, children__kind=OrgKind.ESTATE
    ).distinct():
        grid, _ = Grid.objects.get_or_create(community=community, name=DEMO_GRID_NAME)
        grid.estates.set(community.children.filter(kind=OrgKind.ESTATE))


def build_users(password):
    units = {u.code: u for u in OrgUnit.objects.filter(code__in=[u[3] for u in DEMO_USERS])}
    for username, (last, first), role, code, is_staff, is_superuser in DEMO_USERS:
        user, created = User.objects.get_or_create(username=username)
        user.last_name, user.first_name = last, first
        user.email = f"{username}@example.org"
        user.role, user.org_unit = role, units[code]
        user.grid = (
            Grid.objects.get(community=units[code], name=DEMO_GRID_NAME)
            if role == Role.GRID_WORKER
            else None
        )
        user.is_staff, user.is_superuser, user.is_active = is_staff, is_superuser, True
        if created or not user.check_password(password):
            user.set_password(password)
        user.save()


class Command(BaseCommand):
    help = "Create or refresh the demo org tree, users and each app's demo records."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true", help="Run even when DEBUG is false (production)."
        )

    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "DEBUG is false: refusing to write demo data into what looks like production. "
                "Use --force if you really mean it."
            )
        # Demo records are not anyone's work: no audit entries (and seeding stays fast), and
        # the notices their steps send reach the bell only, no e-mail.
        from apps.notifications.events import without_email

        with transaction.atomic(), disable_auditlog(), without_email():
            build_org_tree()
            build_grids()
            build_users(settings.DEMO_PASSWORD)
            for config in apps.get_app_configs():
                if not config.name.startswith("apps."):
                    continue
                try:
                    module = import_module(f"{config.name}.demo")
                except ModuleNotFoundError as exc:
                    if exc.name != f"{config.name}.demo":
                        raise
                    continue
                module.seed_demo(self.stdout)
        # Today's reminders, so the demo users find their to-do list filled (no e-mail).
        from apps.notifications.services import run_sweep

        run_sweep(send_email=False)
        self.stdout.write(self.style.SUCCESS("Demo data is ready."))
