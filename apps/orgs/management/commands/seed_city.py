"""A fictitious data set shaped like all of Shanghai, for benchmarks and capacity planning.

At ``--scale 1.0``: 16 districts, 215 streets/towns, 6,000 居委/村, ~13,000 小区 and one year
of work — ~1,000,000 hazards (each with its events), ~200,000 risk points (each inspected once),
~500,000 stock lots (each with its 入库 movement, so stock equals the movement history),
~3,000 shelters, ~60,000 drills — plus plans, drill plans, storage sites and standards, teams
and members, information officers, vulnerable residents and their helpers, in proportion.
``--scale 0.001`` builds a tiny copy for tests.

The districts, streets and communities are Shanghai's real ones, with their real names and
national codes (``fixtures/shanghai_divisions.csv``, see apps/orgs/divisions.py): all 16
districts and 215 街道/镇/乡 at scale 1.0 (not the development zones and farms coded at the same
level), 6,000 of their 6,395 居委/村 shared out in proportion to each street's real number, and at
smaller scales the first districts, streets and communities in code order. Their codes carry an
``X`` before the real code (root ``X310000``, 黄浦区 ``X310101``, 南京东路街道 ``X310101002``)
so the data set never collides with ``seed_demo`` or ``load_divisions`` (the bare real codes);
both can live in one database. The 小区 and everything else are generated; streets are placed
at random inside their district's outline (apps/maps/outlines.py), communities near their
street. Users: ``city_staff_<street code>`` (street staff, one per street),
``city_reviewer_<district code>`` (district reviewers) and ``city_viewer``; password
``--password`` (default ``DEMO_PASSWORD``).

This command builds the org tree and the users; everything else comes from the apps. Each
``apps/<app>/city.py`` has ``seed(command)``, called with this command for its writer (``w``),
random generator (``rng``), the units it made and its helpers (``scaled``, ``person``,
``scoped`` …), one app after another in the order of INSTALLED_APPS, so one ``--seed`` always
gives the same data and an app reading another's rows comes after it.

Rows are written in large batches with explicit primary keys (apps/orgs/citydata.py; children
point at parents without reading ids back): PostgreSQL ``COPY`` when the database is PostgreSQL,
``bulk_create`` otherwise. Everything happens in one transaction; afterwards the sequences are
moved past the new ids and PostgreSQL's statistics are refreshed (``ANALYZE``).
"""

import datetime
import random
import time
from collections import defaultdict
from decimal import Decimal
from functools import partial
from importlib import import_module

from django.apps import apps
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.module_loading import module_has_submodule

from apps.maps.outlines import district_outlines, random_point
from apps.orgs.citydata import Writer, share, split
from apps.orgs.divisions import read_divisions
from apps.orgs.models import OrgKind, OrgUnit, Role

ROOT_CODE = "X310000"

# At scale 1.0 (the apps size their own records in their ``city.py``).
SIZES = {
    "streets": 215,
    "communities": 6_000,
    "estates": 13_000,
}

# Resident population of each district (2020 census, rounded), by code.
DISTRICT_POPULATION = {
    "310101": 660_000,
    "310104": 1_110_000,
    "310105": 690_000,
    "310106": 970_000,
    "310107": 1_240_000,
    "310109": 760_000,
    "310110": 1_240_000,
    "310112": 2_650_000,
    "310113": 2_240_000,
    "310114": 1_830_000,
    "310115": 5_780_000,
    "310116": 820_000,
    "310117": 1_910_000,
    "310118": 1_270_000,
    "310120": 1_140_000,
    "310151": 630_000,
}
COMMUNITY_WORDS = (  # noqa: SIM905
    "一村 二村 三村 新村 花园 苑 公寓 坊 里 小区 家园 新苑 东村 西村 南村 北村 雅苑 名邸 佳园 景苑"
).split()
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦傅方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"  # noqa: E501
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国志文斌辉鹏飞宇浩然俊"


class Command(BaseCommand):
    help = "Generate a fictitious Shanghai-sized data set (benchmarks); --scale 0.001 for tests."

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=float, default=1.0)
        parser.add_argument("--seed", type=int, default=12)
        parser.add_argument("--password", default=None)
        parser.add_argument(
            "--force", action="store_true", help="Run even when DEBUG is false (production)."
        )

    def handle(self, *args, scale, seed, password, force, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "DEBUG is false: refusing to write benchmark data into what looks like "
                "production. Use --force if you really mean it."
            )
        if scale <= 0:
            raise CommandError("--scale must be positive.")
        if OrgUnit.objects.filter(code=ROOT_CODE).exists():
            raise CommandError(
                f"The city data set ({ROOT_CODE}) is already in this database; "
                "use a fresh database to build it again."
            )
        self.rng = random.Random(seed)  # noqa: S311 (fictitious data, not security)
        self.scale = scale
        self.today = timezone.localdate()
        self.now = timezone.now()
        self.password = make_password(password or settings.DEMO_PASSWORD)
        started = time.perf_counter()
        self.w = Writer()
        with transaction.atomic():
            steps = [("org tree and users", self.org_tree)]
            # then every app's ``seed(command)`` in ``apps/<app>/city.py``, in the order of
            # INSTALLED_APPS: an app that reads another's rows (hazards point at risk points,
            # lots at sites) is listed after it, and the random generator is drawn from in the
            # same order every time, so a seed always gives the same data
            for config in apps.get_app_configs():
                if config.name.startswith("apps.") and module_has_submodule(config.module, "city"):
                    module = import_module(f"{config.name}.city")
                    steps.append((str(config.verbose_name), partial(module.seed, self)))
            for label, step in steps:
                t0 = time.perf_counter()
                step()
                self.w.flush()
                self.stdout.write(f"  {label}: {time.perf_counter() - t0:.1f} s")
            self.w.finish()
        if connection.vendor == "postgresql":
            t0 = time.perf_counter()
            with connection.cursor() as cursor:
                # statistics, and (VACUUM) the visibility map for index-only scans; VACUUM
                # cannot run inside a transaction (e.g. a test's), where ANALYZE is enough
                cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE")
            self.stdout.write(f"  vacuum analyze: {time.perf_counter() - t0:.1f} s")
        counts = ", ".join(f"{t.model._meta.label}={t.count:,}" for t in self.w.tables if t.count)
        self.stdout.write(counts)
        self.stdout.write(
            self.style.SUCCESS(f"City data set ready in {time.perf_counter() - started:.0f} s.")
        )

    # --- helpers ---------------------------------------------------------------------------

    def n(self, key, minimum=1):
        return self.scaled(SIZES[key], minimum)

    def scaled(self, count, minimum=1):
        """``count`` at ``--scale``."""
        return max(minimum, round(count * self.scale))

    def person(self):
        rng = self.rng
        return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.randint(1, 2)))

    def phone(self):
        return f"1{self.rng.choice('3589')}{self.rng.randrange(10**9):09d}"

    def near(self, unit_id, spread=0.01):
        lat, lon = self.coords[unit_id]
        rng = self.rng
        return (
            Decimal(f"{lat + rng.uniform(-spread, spread):.6f}"),
            Decimal(f"{lon + rng.uniform(-spread, spread):.6f}"),
        )

    def days_ago(self, low, high):
        return self.today - datetime.timedelta(days=self.rng.randint(low, high))

    def stamp(self, day):
        return timezone.make_aware(
            datetime.datetime.combine(day, datetime.time(9 + self.rng.randrange(8)))
        )

    def scoped(self, unit_id, day=None):
        """org_unit, created_at, created_by, updated_at, updated_by."""
        user = self.staff_of[self.street_of[unit_id]]
        when = self.stamp(day) if day else self.now
        return (unit_id, when, user, when, user)

    # --- org tree and users ------------------------------------------------------------------

    def org_tree(self):
        rng = self.rng
        units = self.w.table(
            OrgUnit,
            [
                "kind",
                "code",
                "name",
                "parent",
                "path",
                "depth",
                "population",
                "latitude",
                "longitude",
            ],
        )
        self.coords, self.street_of = {}, {}
        districts, streets_of, communities_of = [], defaultdict(list), defaultdict(list)
        for d in read_divisions():
            if d.kind == OrgKind.DISTRICT:
                districts.append(d)
            elif d.is_township:
                streets_of[d.parent].append(d)
            elif d.kind == OrgKind.COMMUNITY:
                communities_of[d.parent].append(d)
        n_streets = min(self.n("streets", 4), sum(map(len, streets_of.values())))
        wanted = max(n_streets, self.n("communities"))
        # enough districts, in code order, to hold the streets and their communities
        n_districts = min(len(districts), max(2, n_streets // 13))
        while True:
            sizes = [len(streets_of[d.code]) for d in districts[:n_districts]]
            streets_per_district = share(n_streets, sizes)
            chosen = [
                street
                for d, n in zip(districts, streets_per_district, strict=False)
                for street in streets_of[d.code][:n]
            ]
            room = [len(communities_of[s.code]) for s in chosen]
            enough = len(chosen) == n_streets and sum(room) >= wanted
            if enough or n_districts >= min(len(districts), n_streets):
                break
            n_districts += 1
        districts = districts[:n_districts]
        n_streets = len(chosen)
        communities_per_street = share(max(n_streets, wanted), room)
        n_communities = sum(communities_per_street)
        n_estates = max(n_communities, self.n("estates"))
        root_path = f"/{ROOT_CODE}/"
        root = units.add(
            OrgKind.CITY,
            ROOT_CODE,
            "上海市（压测数据）",
            None,
            root_path,
            0,
            24_870_000,
            None,
            None,
        )
        self.coords[root] = (31.2304, 121.4737)
        self.districts, self.streets, self.communities, self.estates = [], [], [], []
        estates_per_community = split(n_estates, n_communities, rng, 0.9)
        outlines = district_outlines()
        s_index = c_index = 0
        for real, n_s in zip(districts, streets_per_district, strict=True):
            d_code = f"X{real.code}"
            d_path = f"{root_path}{d_code}/"
            centre = outlines[real.code]["label"]
            population = DISTRICT_POPULATION.get(real.code)
            district = units.add(
                OrgKind.DISTRICT, d_code, real.name, root, d_path, 1, population, *centre
            )
            self.coords[district] = centre
            self.districts.append((district, d_code, d_path))
            for real_street in streets_of[real.code][:n_s]:
                s_code = f"X{real_street.code}"
                s_path = f"{d_path}{s_code}/"
                s_name = real_street.name
                n_c = communities_per_street[s_index]
                s_index += 1
                population = n_c * rng.randint(2500, 5500)
                at = random_point(real.code, rng)
                street = units.add(
                    OrgKind.STREET, s_code, s_name, district, s_path, 2, population, *at
                )
                self.coords[street] = at
                self.street_of[street] = street
                self.streets.append((street, s_code, s_path, district, s_name))
                for c, real_community in enumerate(communities_of[real_street.code][:n_c], 1):
                    c_code = f"X{real_community.code}"
                    c_path = f"{s_path}{c_code}/"
                    c_name = real_community.name
                    stem = c_name.removesuffix("居委会").removesuffix("村委会")
                    stem = stem.removesuffix("社区") or c_name
                    at = tuple(float(x) for x in self.near(street, 0.01))
                    community = units.add(
                        OrgKind.COMMUNITY, c_code, c_name, street, c_path, 3, population // n_c, *at
                    )
                    self.coords[community] = at
                    self.street_of[community] = street
                    self.communities.append((community, street))
                    for e in range(1, estates_per_community[c_index] + 1):
                        e_code = f"{c_code}{e:02d}"
                        estate = units.add(
                            OrgKind.ESTATE,
                            e_code,
                            f"{stem}{rng.choice(COMMUNITY_WORDS)}{c}-{e}",
                            community,
                            f"{c_path}{e_code}/",
                            4,
                            None,
                            None,
                            None,
                        )
                        self.street_of[estate] = street
                        self.estates.append((estate, community, street))
                    c_index += 1
        from apps.orgs.models import User

        users = self.w.table(
            User,
            [
                "password",
                "username",
                "first_name",
                "last_name",
                "email",
                "is_staff",
                "is_superuser",
                "is_active",
                "date_joined",
                "org_unit",
                "role",
                "mobile",  # COPY skips the field's default: none for the city's accounts
            ],
        )

        def user(username, last, first, unit, role):
            return users.add(
                self.password,
                username,
                first,
                last,
                f"{username}@example.org",
                False,
                False,
                True,
                self.now,
                unit,
                role,
                "",
            )

        self.staff_of = {}
        for street, s_code, _p, _d, s_name in self.streets:
            self.staff_of[street] = user(
                f"city_staff_{s_code}", s_name, "工作人员", street, Role.STREET_STAFF
            )
        for district, d_code, _p in self.districts:
            user(f"city_reviewer_{d_code}", "区", "审核员", district, Role.DISTRICT_REVIEWER)
        user("city_viewer", "市级", "查看", root, Role.CITY_VIEWER)
        units.flush()
        users.flush()
