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

The apps added later contribute their own data from ``apps/<app>/city.py`` (``seed(command)``,
called with this command for its writer, random generator and the units it made), after the
steps here.

Rows are written in large batches with explicit primary keys (so children can point at
parents without reading ids back): PostgreSQL ``COPY`` when the database is PostgreSQL,
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
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.module_loading import module_has_submodule

from apps.maps.outlines import district_outlines, random_point
from apps.orgs.divisions import read_divisions
from apps.orgs.models import OrgKind, OrgUnit, Role

ROOT_CODE = "X310000"

# Per year of work, at scale 1.0.
SIZES = {
    "streets": 215,
    "communities": 6_000,
    "estates": 13_000,
    "hazards": 1_000_000,
    "risk_points": 200_000,
    "lots": 500_000,
    "shelters": 3_000,
    "drills": 60_000,
    "residents": 120_000,
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
HAZARD_TITLES = {
    "e-bike-charging": ["电动自行车飞线充电", "楼道内电动自行车充电", "电瓶车入户充电"],
    "corridor-clutter": ["楼道堆物", "楼梯间堆放杂物", "地下室堆放可燃物"],
    "group-rental": ["群租", "违规分隔出租", "一房多租"],
    "illegal-construction": ["违法搭建", "屋顶违建", "天井违章搭建"],
    "fire-lane-blocked": ["消防通道堵塞", "消防车通道被占用", "安全出口锁闭"],
    "gas": ["燃气软管老化", "餐饮店燃气未装报警器", "液化气钢瓶违规存放"],
    "signboard": ["店招店牌松动", "户外广告牌锈蚀", "空调外机支架锈蚀"],
    "structure": ["房屋承重墙被拆改", "老旧房屋墙体开裂", "阳台栏杆松动"],
}
DRILL_TOPICS = ("消防疏散", "防汛防台", "地震避险", "燃气泄漏处置", "电梯困人救援")
STREET_DEPARTMENTS = [
    "街道应急办",
    "平安办",
    "社区管理办",
    "社区服务办",
    "城运中心",
    "综合行政执法队",
]  # noqa: E501
SPECIAL_PLAN_TOPICS = [
    "防汛防台",
    "火灾事故",
    "地震灾害",
    "燃气事故",
    "大客流",
    "危险化学品",
    "公共卫生事件",
    "极端天气",
    "地下空间",
    "高空坠物",
    "电梯困人",
    "建筑工地",
    "群租房火灾",
    "停水停电",
    "道路塌陷",
    "食品安全",
    "学校安全",
    "养老机构",
    "人员密集场所",
]


class Table:
    """Rows of one model, written in batches with explicit primary keys."""

    def __init__(self, writer, model, fields, batch=50_000):
        self.writer, self.model, self.fields = writer, model, list(fields)
        self.columns = ["id"] + [model._meta.get_field(f).column for f in self.fields]
        self.attnames = ["id"] + [model._meta.get_field(f).attname for f in self.fields]
        self.next_id = (model.objects.aggregate(m=models.Max("pk"))["m"] or 0) + 1
        self.rows = []
        self.count = 0
        self.batch = batch
        writer.tables.append(self)

    def add_row(self, **values):
        """``add`` by field name; a field not given takes its default."""
        return self.add(
            *(
                values[name] if name in values else self.model._meta.get_field(name).get_default()
                for name in self.fields
            )
        )

    def add(self, *values):
        pk = self.next_id
        self.next_id += 1
        self.rows.append((pk, *values))
        if len(self.rows) >= self.batch:
            self.flush()
        return pk

    def flush(self):
        if not self.rows:
            return
        rows, self.rows = self.rows, []
        self.count += len(rows)
        if connection.vendor == "postgresql":
            table = connection.ops.quote_name(self.model._meta.db_table)
            columns = ", ".join(connection.ops.quote_name(c) for c in self.columns)
            sql = f"COPY {table} ({columns}) FROM STDIN"
            with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            objs = [self.model(**dict(zip(self.attnames, row, strict=True))) for row in rows]
            self.model.objects.bulk_create(objs, batch_size=500)


class Writer:
    def __init__(self):
        self.tables = []

    def table(self, model, fields=None, **kw):
        """Rows of ``model``: of ``fields``, or of every column but the primary key."""
        if fields is None:
            fields = [f.name for f in model._meta.concrete_fields if not f.primary_key]
        return Table(self, model, fields, **kw)

    def flush(self):
        for table in self.tables:
            table.flush()

    def finish(self):
        self.flush()
        touched = list(dict.fromkeys(t.model for t in self.tables))
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), touched):
                cursor.execute(sql)


def _share(total, sizes):
    """``total`` shared out in proportion to ``sizes``: at least 1 and at most ``size`` each
    (largest remainders first); every size in full when ``total`` reaches their sum."""
    whole = sum(sizes)
    if total >= whole:
        return list(sizes)
    quotas = [total * size / whole for size in sizes]
    counts = [min(size, max(1, int(q))) for q, size in zip(quotas, sizes, strict=True)]
    order = sorted(range(len(sizes)), key=lambda i: counts[i] - quotas[i])
    while sum(counts) < total:
        i = next(i for i in order if counts[i] < sizes[i])
        counts[i] += 1
        order.sort(key=lambda i: counts[i] - quotas[i])
    while sum(counts) > total:
        i = next(i for i in reversed(order) if counts[i] > 1)
        counts[i] -= 1
        order.sort(key=lambda i: counts[i] - quotas[i])
    return counts


def _split(total, parts, rng, spread=0.6):
    """``total`` split into ``parts`` positive integers of uneven size."""
    weights = [1 + spread * (rng.random() * 2 - 1) for _ in range(parts)]
    scale = total / sum(weights)
    counts = [max(1, int(w * scale)) for w in weights]
    i = 0
    while sum(counts) < total:
        counts[i % parts] += 1
        i += 1
    while sum(counts) > total and max(counts) > 1:
        j = counts.index(max(counts))
        counts[j] -= 1
    return counts


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
            steps = [
                ("org tree and users", self.org_tree),
                ("plans", self.plans),
                ("risk points and hazards", self.hazards),
                ("supplies", self.supplies),
                ("shelters", self.shelters),
                ("drills", self.drills),
                ("people", self.people),
            ]
            # the later apps contribute their own: ``seed(command)`` in ``apps/<app>/city.py``
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
            streets_per_district = _share(n_streets, sizes)
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
        communities_per_street = _share(max(n_streets, wanted), room)
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
        estates_per_community = _split(n_estates, n_communities, rng, 0.9)
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

    # --- plans ---------------------------------------------------------------------------------

    def plans(self):
        Plan = apps.get_model("plans", "Plan")
        PlanVersion = apps.get_model("plans", "PlanVersion")
        HazardType = apps.get_model("plans", "HazardType")
        hazard_types = list(HazardType.objects.values_list("pk", flat=True))
        rng = self.rng
        plans = self.w.table(
            Plan,
            [
                "org_unit",
                "created_at",
                "created_by",
                "updated_at",
                "updated_by",
                "kind",
                "title",
                "department",
                "status",
                "effective_date",
                "review_cycle_months",
                "next_review_date",
                "parent",
                "retired_reason",
            ],
        )
        versions = self.w.table(
            PlanVersion,
            [
                "plan",
                "number",
                "version_date",
                "change_summary",
                "is_current",
                "created_at",
                "created_by",
            ],
        )
        links = (
            self.w.table(Plan.hazard_types.through, ["plan", "hazardtype"])
            if hazard_types
            else None
        )
        from resilience.dates import add_months

        def plan(unit, kind, title, department, parent):
            roll = rng.random()
            status = "in_force" if roll < 0.85 else ("revising" if roll < 0.92 else "draft")
            effective = self.days_ago(30, 1200) if status != "draft" else None
            next_review = add_months(effective, 36) if effective else None
            pk = plans.add(
                *self.scoped(unit, effective or self.today),
                kind,
                title,
                department,
                status,
                effective,
                36,
                next_review,
                parent,
                "",
            )
            if effective:
                versions.add(
                    pk,
                    1,
                    effective,
                    "首次发布",
                    True,
                    self.stamp(effective),
                    self.staff_of[self.street_of[unit]],
                )
            if links:
                for ht in rng.sample(hazard_types, min(2, len(hazard_types))):
                    links.add(pk, ht)
            return pk

        overall_of = {}
        for street, _code, _path, _d, s_name in self.streets:
            overall = plan(street, "overall", f"{s_name}突发事件总体应急预案", "街道应急办", None)
            overall_of[street] = overall
            for topic in SPECIAL_PLAN_TOPICS:
                kind = "special" if rng.random() < 0.7 else "department"
                plan(
                    street,
                    kind,
                    f"{s_name}{topic}应急预案",
                    rng.choice(STREET_DEPARTMENTS),
                    overall,
                )
        for community, street in self.communities:
            if rng.random() < 0.93:  # some communities have no plan: the coverage gap
                plan(
                    community,
                    "community",
                    f"居民区综合应急预案（{community}）",
                    "居委会",
                    overall_of[street],
                )

    # --- risk points and hazards ----------------------------------------------------------------

    def hazards(self):
        HazardCategory = apps.get_model("hazards", "HazardCategory")
        RiskPoint = apps.get_model("hazards", "RiskPoint")
        Inspection = apps.get_model("hazards", "RiskPointInspection")
        Hazard = apps.get_model("hazards", "Hazard")
        HazardEvent = apps.get_model("hazards", "HazardEvent")
        categories = list(HazardCategory.objects.values_list("pk", "code", "name"))
        if not categories:
            raise CommandError("No hazard categories: run the migrations first.")
        rng = self.rng
        scoped = ["org_unit", "created_at", "created_by", "updated_at", "updated_by"]
        points = self.w.table(
            RiskPoint,
            scoped
            + [
                "name",
                "category",
                "level",
                "address",
                "latitude",
                "longitude",
                "responsible_person",
                "responsible_phone",
                "inspection_frequency",
                "next_inspection_date",
                "description",
                "is_active",
            ],
        )
        inspections = self.w.table(
            Inspection,
            ["risk_point", "date", "inspector", "result", "note", "created_at", "created_by"],
        )
        frequencies = [("monthly", 30), ("quarterly", 91), ("weekly", 7), ("half_yearly", 182)]
        units = [c for c, _s in self.communities] + [s[0] for s in self.streets]
        point_ids_by_unit = {}
        for i in range(self.n("risk_points")):
            unit = rng.choice(units)
            cat_pk, _code, cat_name = rng.choice(categories)
            level = rng.choices(["red", "orange", "yellow", "blue"], [2, 8, 30, 60])[0]
            freq, days = rng.choice(frequencies)
            last = self.days_ago(0, days)
            nxt = last + datetime.timedelta(days=days)
            if rng.random() < 0.03:
                nxt = self.days_ago(1, 20)  # a few inspections are due or late
            lat, lon = self.near(unit)
            staff = self.staff_of[self.street_of[unit]]
            pk = points.add(
                *self.scoped(unit, self.days_ago(200, 700)),
                f"{cat_name}风险点{i + 1}",
                cat_pk,
                level,
                f"某路{rng.randint(1, 2000)}号",
                lat,
                lon,
                self.person(),
                self.phone(),
                freq,
                nxt,
                "",
                True,
            )
            point_ids_by_unit.setdefault(unit, []).append(pk)
            inspections.add(pk, last, self.person(), "normal", "", self.stamp(last), staff)

        hazards = self.w.table(
            Hazard,
            scoped
            + [
                "title",
                "category",
                "severity",
                "description",
                "risk_point",
                "address",
                "latitude",
                "longitude",
                "found_by",
                "found_on",
                "state",
                "responsible_unit",
                "responsible_person",
                "deadline",
                "closed_at",
            ],
        )
        events = self.w.table(
            HazardEvent,
            [
                "hazard",
                "action",
                "from_state",
                "to_state",
                "note",
                "actor",
                "created_at",
                "responsible_unit",
                "deadline",
            ],
            batch=100_000,
        )
        titles = {code: HAZARD_TITLES.get(code, [name]) for _pk, code, name in categories}
        # action that led into each open state, and the state before it
        last_step = {
            "assigned": ("assign", "reported"),
            "in_progress": ("start", "assigned"),
            "awaiting_check": ("complete", "in_progress"),
            "closed": ("verify", "awaiting_check"),
        }
        community_units = [c for c, _s in self.communities]
        for _ in range(self.n("hazards")):
            unit = rng.choice(community_units) if rng.random() < 0.85 else rng.choice(units)
            cat_pk, code, _name = rng.choice(categories)
            age = rng.randint(0, 364)
            found = self.today - datetime.timedelta(days=age)
            deadline = found + datetime.timedelta(days=rng.choice((7, 15, 30, 45)))
            if age > 60:
                closed = rng.random() < 0.99
            elif age > 20:
                closed = rng.random() < 0.8
            else:
                closed = rng.random() < 0.3
            if closed:
                state = "closed"
                closed_day = min(self.today, found + datetime.timedelta(days=rng.randint(1, 50)))
                closed_at = self.stamp(closed_day)
            else:
                state = rng.choice(("reported", "assigned", "in_progress", "awaiting_check"))
                closed_at = None
            if state == "reported":
                deadline = None
            staff = self.staff_of[self.street_of[unit]]
            points_here = point_ids_by_unit.get(unit)
            point = rng.choice(points_here) if points_here and rng.random() < 0.3 else None
            lat, lon = self.near(unit)
            responsible = "" if state == "reported" else "物业公司"
            pk = hazards.add(
                *self.scoped(unit, found),
                rng.choice(titles[code]),
                cat_pk,
                "major" if rng.random() < 0.03 else "general",
                "",
                point,
                f"某路{rng.randint(1, 2000)}弄{rng.randint(1, 80)}号",
                lat,
                lon,
                self.person(),
                found,
                state,
                responsible,
                self.person() if responsible else "",
                deadline,
                closed_at,
            )
            events.add(pk, "report", "", "reported", "", staff, self.stamp(found), "", None)
            if state != "reported":
                action, before = last_step[state]
                when = closed_at or self.stamp(min(self.today, found + datetime.timedelta(days=1)))
                events.add(pk, action, before, state, "", staff, when, responsible, deadline)

    # --- supplies -----------------------------------------------------------------------------

    def supplies(self):
        Item = apps.get_model("supplies", "Item")
        Site = apps.get_model("supplies", "Site")
        Lot = apps.get_model("supplies", "Lot")
        Movement = apps.get_model("supplies", "Movement")
        Standard = apps.get_model("supplies", "Standard")
        items = list(Item.objects.filter(is_active=True).values_list("pk", "expires", "name"))
        if not items:
            raise CommandError("No supply items: run the migrations first.")
        rng = self.rng
        scoped = ["org_unit", "created_at", "created_by", "updated_at", "updated_by"]
        sites = self.w.table(
            Site,
            scoped
            + [
                "code",
                "name",
                "level",
                "mode",
                "partner",
                "partner_contact",
                "partner_phone",
                "contract_end",
                "address",
                "latitude",
                "longitude",
                "area",
                "keeper",
                "keeper_phone",
                "check_interval_days",
                "next_check_date",
                "is_active",
                "note",
            ],
        )
        owned = ["site", "created_at", "created_by", "updated_at", "updated_by"]
        lots = self.w.table(
            Lot, owned + ["item", "lot_no", "expiry_date", "quantity", "received_on"]
        )
        movements = self.w.table(
            Movement,
            owned
            + [
                "voucher",
                "kind",
                "item",
                "lot",
                "quantity_change",
                "balance_after",
                "counterpart_site",
                "recipient",
                "purpose",
                "occurred_at",
            ],
        )
        standards = self.w.table(Standard, owned + ["item", "minimum"])

        site_list = []  # (pk, unit)

        def site(unit, code, name, level):
            agreement = level == "street" and rng.random() < 0.3
            lat, lon = self.near(unit)
            pk = sites.add(
                *self.scoped(unit, self.days_ago(300, 900)),
                code,
                name,
                level,
                "agreement" if agreement else "own",
                "某某超市有限公司" if agreement else "",
                self.person() if agreement else "",
                self.phone() if agreement else "",
                self.today + datetime.timedelta(days=rng.randint(-10, 700)) if agreement else None,
                f"某路{rng.randint(1, 2000)}号",
                lat,
                lon,
                Decimal(rng.randint(20, 400)),
                self.person(),
                self.phone(),
                30,
                self.today + datetime.timedelta(days=rng.randint(-5, 30)),
                True,
                "",
            )
            site_list.append((pk, unit))
            return pk

        # District sites belong to the districts but nobody below edits them; every street
        # gets two sites, every community one.
        for street, s_code, _p, _d, s_name in self.streets:
            for i in (1, 2):
                pk = site(street, f"{s_code}-{i:02d}", f"{s_name}应急物资储备点{i}", "street")
                for item_pk, _e, _n in rng.sample(items, min(8, len(items))):
                    standards.add(
                        pk, self.now, None, self.now, None, item_pk, rng.choice((20, 50, 100))
                    )
        for community, _street in self.communities:
            site(community, f"X-C{community}", f"居委储备点{community}", "community")

        per_site = _split(self.n("lots"), len(site_list), rng, 0.8)
        for (site_pk, unit), n_lots in zip(site_list, per_site, strict=True):
            staff = self.staff_of[self.street_of[unit]]
            for j in range(n_lots):
                item_pk, expires, _name = items[j % len(items)]
                received = self.days_ago(0, 700)
                expiry = (
                    received + datetime.timedelta(days=rng.randint(180, 1100)) if expires else None
                )
                quantity = rng.randint(1, 400)
                when = self.stamp(received)
                lot = lots.add(
                    site_pk,
                    when,
                    staff,
                    when,
                    staff,
                    item_pk,
                    f"L{j:05d}",
                    expiry,
                    quantity,
                    received,
                )
                movements.add(
                    site_pk,
                    when,
                    staff,
                    when,
                    staff,
                    f"RK{received:%Y%m%d}-{lot:07X}",
                    "receive",
                    item_pk,
                    lot,
                    quantity,
                    quantity,
                    None,
                    "",
                    "城市数据初始库存",
                    when,
                )

    # --- shelters ---------------------------------------------------------------------------

    def shelters(self):
        ShelterType = apps.get_model("shelters", "ShelterType")
        ShelterClass = apps.get_model("shelters", "ShelterClass")
        Facility = apps.get_model("shelters", "Facility")
        Shelter = apps.get_model("shelters", "Shelter")
        Inspection = apps.get_model("shelters", "ShelterInspection")
        types = list(ShelterType.objects.values_list("pk", "name"))
        classes = list(ShelterClass.objects.values_list("pk", flat=True))
        facilities = list(Facility.objects.values_list("pk", flat=True))
        if not (types and classes):
            raise CommandError("No shelter types or classes: run the migrations first.")
        rng = self.rng
        shelters = self.w.table(
            Shelter,
            [
                "org_unit",
                "created_at",
                "created_by",
                "updated_at",
                "updated_by",
                "name",
                "setting",
                "shelter_type",
                "shelter_class",
                "address",
                "latitude",
                "longitude",
                "total_area",
                "effective_area",
                "capacity",
                "managing_unit",
                "contact_name",
                "contact_phone",
                "status",
                "next_inspection_date",
                "notes",
            ],
        )
        inspections = self.w.table(
            Inspection,
            [
                "shelter",
                "inspected_on",
                "inspector",
                "result",
                "findings",
                "next_inspection_date",
                "created_at",
                "created_by",
            ],
        )
        links = self.w.table(Shelter.facilities.through, ["shelter", "facility"])
        units = [c for c, _s in self.communities] + [s[0] for s in self.streets] * 3
        for i in range(self.n("shelters")):
            unit = rng.choice(units)
            type_pk, type_name = rng.choice(types)
            total = Decimal(rng.randint(1_000, 40_000))
            effective = (total * Decimal(rng.uniform(0.5, 0.95))).quantize(Decimal("0.01"))
            last = self.days_ago(0, 200)
            nxt = last + datetime.timedelta(days=180)
            lat, lon = self.near(unit, 0.02)
            staff = self.staff_of[self.street_of[unit]]
            pk = shelters.add(
                *self.scoped(unit, self.days_ago(300, 1500)),
                f"{type_name}避难场所{i + 1}",
                "outdoor" if rng.random() < 0.6 else "indoor",
                type_pk,
                rng.choice(classes),
                f"某路{rng.randint(1, 2000)}号",
                lat,
                lon,
                total,
                effective,
                int(effective / 2),
                "街道办事处",
                self.person(),
                self.phone(),
                "available" if rng.random() < 0.95 else "maintenance",
                nxt,
                "",
            )
            inspections.add(pk, last, self.person(), "passed", "", nxt, self.stamp(last), staff)
            for f in rng.sample(facilities, min(4, len(facilities))):
                links.add(pk, f)

    # --- drills -------------------------------------------------------------------------------

    def drills(self):
        DrillPlan = apps.get_model("drills", "DrillPlan")
        Drill = apps.get_model("drills", "Drill")
        Action = apps.get_model("drills", "FollowUpAction")
        rng = self.rng
        scoped = ["org_unit", "created_at", "created_by", "updated_at", "updated_by"]
        plans = self.w.table(DrillPlan, scoped + ["year", "title", "department", "notes"])
        drills = self.w.table(
            Drill,
            scoped
            + [
                "annual_plan",
                "title",
                "form",
                "theme",
                "date",
                "place",
                "organiser",
                "participants",
                "status",
                "summary",
                "cancel_reason",
            ],
        )
        actions = self.w.table(
            Action,
            [
                "drill",
                "problem",
                "action",
                "owner",
                "due_date",
                "done",
                "done_at",
                "created_at",
                "created_by",
                "updated_at",
                "updated_by",
            ],
        )
        year = self.today.year
        start_of_year = datetime.date(year, 1, 1)
        plan_of = {}
        for street, _c, _p, _d, s_name in self.streets:
            plan_of[street] = plans.add(
                *self.scoped(street, start_of_year),
                year,
                f"{s_name}{year}年度应急演练计划",
                "街道应急办",
                "",
            )
        for community, _street in self.communities:
            plan_of[community] = plans.add(
                *self.scoped(community, start_of_year),
                year,
                f"{year}年度居民区演练计划",
                "居委会",
                "",
            )
        themes = ["fire", "flood", "earthquake", "gas", "elevator", "other"]
        units = list(plan_of)
        for i in range(self.n("drills")):
            unit = rng.choice(units)
            date = self.today + datetime.timedelta(days=rng.randint(-330, 35))
            if date > self.today:
                status, summary = "planned", ""
            elif rng.random() < 0.9:
                status, summary = "completed", "演练按方案完成，参演人员熟悉疏散路线。"
            else:
                status, summary = ("planned", "") if rng.random() < 0.5 else ("cancelled", "")
            staff = self.staff_of[self.street_of[unit]]
            pk = drills.add(
                *self.scoped(unit, date - datetime.timedelta(days=30)),
                plan_of[unit],
                f"{rng.choice(DRILL_TOPICS)}演练{i + 1}",
                rng.choice(("live", "tabletop", "scenario")),
                rng.choice(themes),
                date,
                "居委会活动室",
                "居委会",
                rng.randint(10, 200),
                status,
                summary,
                "天气原因" if status == "cancelled" else "",
            )
            if status == "completed" and rng.random() < 0.5:
                due = date + datetime.timedelta(days=30)
                done = due < self.today and rng.random() < 0.8
                when = self.stamp(date)
                actions.add(
                    pk,
                    "疏散通道指示不清",
                    "补设疏散指示标志",
                    "物业",
                    due,
                    done,
                    due if done else None,
                    when,
                    staff,
                    when,
                    staff,
                )

    # --- people -------------------------------------------------------------------------------

    def people(self):
        Group = apps.get_model("people", "LeadershipGroup")
        Member = apps.get_model("people", "LeadershipMember")
        Team = apps.get_model("people", "EmergencyTeam")
        TeamMember = apps.get_model("people", "TeamMember")
        Officer = apps.get_model("people", "InformationOfficer")
        Resident = apps.get_model("people", "VulnerableResident")
        Helper = apps.get_model("people", "HelperAssignment")
        rng = self.rng
        scoped = ["org_unit", "created_at", "created_by", "updated_at", "updated_by"]
        child = ["created_at", "created_by", "updated_at", "updated_by"]
        groups = self.w.table(
            Group,
            scoped
            + [
                "name",
                "established_on",
                "document_no",
                "office_department",
                "office_phone",
                "duties",
            ],
        )
        members = self.w.table(
            Member, child + ["group", "post", "name", "title", "phone", "sort_order"]
        )
        teams = self.w.table(
            Team, scoped + ["name", "kind", "founded_on", "duties", "equipment", "is_active"]
        )
        team_members = self.w.table(
            TeamMember, child + ["team", "name", "role", "phone", "skills", "note"]
        )
        officers = self.w.table(
            Officer, scoped + ["name", "phone", "affiliation", "appointed_on", "is_active", "note"]
        )
        residents = self.w.table(
            Resident,
            scoped
            + [
                "name",
                "gender",
                "id_number",
                "phone",
                "category",
                "address",
                "mobility",
                "needs",
                "emergency_contact",
                "emergency_phone",
                "is_active",
            ],
        )
        helpers = self.w.table(
            Helper,
            child
            + [
                "resident",
                "helper_name",
                "helper_phone",
                "relation",
                "started_on",
                "ended_on",
                "note",
            ],
        )

        def stamp(unit):
            user = self.staff_of[self.street_of[unit]]
            return (self.now, user, self.now, user)

        for street, _c, _p, _d, s_name in self.streets:
            group = groups.add(
                *self.scoped(street),
                f"{s_name}应急管理工作领导小组",
                self.days_ago(300, 1500),
                "",
                "街道应急办",
                "",
                "",
            )
            for order, post in enumerate(
                (
                    "leader",
                    "executive_deputy",
                    "deputy",
                    "member",
                    "office_director",
                    "office_member",
                )
            ):
                members.add(
                    *stamp(street), group, post, self.person(), "街道干部", self.phone(), order
                )
            for kind in ("first_response", "professional", "volunteer"):
                team = teams.add(
                    *self.scoped(street),
                    f"{s_name}{kind}队",
                    kind,
                    self.days_ago(300, 2000),
                    "",
                    "",
                    True,
                )
                for m in range(8):
                    team_members.add(
                        *stamp(street),
                        team,
                        self.person(),
                        "leader" if m == 0 else "member",
                        self.phone(),
                        "",
                        "",
                    )
        for community, _street in self.communities:
            team = teams.add(
                *self.scoped(community),
                f"居民区志愿服务队{community}",
                "volunteer",
                self.days_ago(300, 2000),
                "",
                "",
                True,
            )
            for m in range(5):
                team_members.add(
                    *stamp(community),
                    team,
                    self.person(),
                    "leader" if m == 0 else "member",
                    self.phone(),
                    "",
                    "",
                )
        for estate, _community, _street in self.estates:
            if rng.random() < 0.9:  # the one-per-小区 target is not met everywhere
                officers.add(
                    *self.scoped(estate),
                    self.person(),
                    self.phone(),
                    "物业经理",
                    self.days_ago(30, 1500),
                    True,
                    "",
                )
        community_units = [c for c, _s in self.communities]
        categories = ["elderly", "elderly", "elderly", "alone", "disabled", "child"]
        for _ in range(self.n("residents")):
            unit = rng.choice(community_units)
            pk = residents.add(
                *self.scoped(unit),
                self.person(),
                rng.choice("mf"),
                "",
                "",
                rng.choice(categories),
                f"某路{rng.randint(1, 2000)}弄{rng.randint(1, 80)}号",
                rng.choice(("independent", "partial", "dependent")),
                "",
                self.person(),
                self.phone(),
                True,
            )
            helpers.add(
                *stamp(unit),
                pk,
                self.person(),
                self.phone(),
                "volunteer",
                self.days_ago(10, 700),
                None,
                "",
            )
