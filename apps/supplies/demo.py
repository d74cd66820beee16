"""Demo supplies for 陆家嘴街道, 华阳路街道 and 新华路街道: street stores, community points, an
agreement store, lots near expiry and items below their standard.

Idempotent: sites are keyed by their code, standards by (site, item); a site's opening stock and
sample movements are written (through the services, so stock and movements agree) only when the
site has no movement yet, and its checks only when it has none.
"""

import datetime
import json
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from apps.orgs.models import OrgUnit, User

from . import services
from .models import CheckKind, CheckResult, Item, Lot, Movement, Site, SiteCheck

LJZ, HY, XH = "310115005", "310105001", "310105004"

# code, unit code, name, level, mode, extra fields
SITES = [
    (
        f"{LJZ}-01",
        LJZ,
        "海尚源深综合应急物资储备库",
        "street",
        "own",
        {
            "address": "浦东新区源深路海尚源深小区地下一层",
            "latitude": "31.232100",
            "longitude": "121.525800",
            "area": "320.0",
            "keeper": "陈建国",
            "keeper_phone": "021-58870001",
            "check_interval_days": 30,
        },
    ),
    (
        f"{LJZ}-02",
        LJZ,
        "联华超市陆家嘴协议储备点",
        "street",
        "agreement",
        {
            "address": "浦东新区东昌路联华超市",
            "latitude": "31.236800",
            "longitude": "121.507200",
            "partner": "联华超市股份有限公司",
            "partner_contact": "王经理",
            "partner_phone": "021-58880002",
            "contract_days": 25,
            "keeper": "王经理",
            "check_interval_days": 90,
        },
    ),
    (
        f"{LJZ}001-01",
        f"{LJZ}001",
        "梅园一村居民区应急物资储备点",
        "community",
        "own",
        {"address": "梅园一村居委会一楼", "keeper": "李秀英", "keeper_phone": "13800000101"},
    ),
    (
        f"{LJZ}002-01",
        f"{LJZ}002",
        "崂山一村居民区应急物资储备点",
        "community",
        "own",
        {"address": "崂山一村微型消防站旁", "keeper": "张伟", "keeper_phone": "13800000102"},
    ),
    (
        f"{LJZ}003-01",
        f"{LJZ}003",
        "东园一村居民区应急物资储备点",
        "community",
        "own",
        {"address": "东园一村居委会", "keeper": "刘芳"},
    ),
    (
        f"{HY}-01",
        HY,
        "华阳路街道应急物资储备库",
        "street",
        "own",
        {
            "address": "长宁区华阳路街道社区服务中心地下一层",
            "latitude": "31.219500",
            "longitude": "121.425600",
            "area": "180.0",
            "keeper": "周明",
            "keeper_phone": "021-62520001",
        },
    ),
    (
        f"{HY}-02",
        HY,
        "长宁商贸物流协议储备点",
        "street",
        "agreement",
        {
            "address": "长宁区长宁支路物流仓库",
            "partner": "上海长宁商贸物流有限公司",
            "partner_contact": "赵主管",
            "partner_phone": "021-62520002",
            "contract_days": 200,
        },
    ),
    (
        f"{HY}001-01",
        f"{HY}001",
        "华一居民区应急物资储备点",
        "community",
        "own",
        {"address": "华一居委会活动室", "keeper": "孙丽"},
    ),
    (
        f"{HY}004-01",
        f"{HY}004",
        "姚家角居民区应急物资储备点",
        "community",
        "own",
        {"address": "姚家角居委会", "keeper": "吴强"},
    ),
    (
        f"{XH}-01",
        XH,
        "新华路街道应急物资储备点",
        "street",
        "own",
        {"address": "长宁区新华路街道办事处一楼", "keeper": "郑华"},
    ),
    (
        f"{XH}002-01",
        f"{XH}002",
        "番禺居民区应急物资储备点",
        "community",
        "own",
        {"address": "番禺居委会", "keeper": "冯敏"},
    ),
]

STREET_STORE = [  # item, lot, days to expiry (None: no expiry), quantity
    ("SH001", "2023-01", None, 300),
    ("SH002", "2023-01", None, 120),
    ("SH004", "2022-05", None, 20),
    ("SH005", "W2501", 20, 80),
    ("SH005", "W2508", 200, 150),
    ("SH006", "F2503", 75, 40),
    ("SH007", "B2401", 400, 60),
    ("FX001", "2024", None, 1500),
    ("FX002", "2024", None, 200),
    ("FX004", "2023", None, 4),
    ("FX005", "2023", None, 50),
    ("XF001", "M2021", 45, 30),
    ("YL001", "2024", None, 10),
    ("YL002", "K2405", 12, 30),
    ("TX001", "2024", None, 40),
    ("TX003", "2024", None, 8),
]
STREET_STANDARD = [
    ("SH001", 200),
    ("SH002", 100),
    ("SH005", 300),
    ("SH006", 60),
    ("FX001", 1000),
    ("FX004", 6),
    ("FX005", 50),
    ("XF001", 40),
    ("YL001", 10),
    ("TX001", 30),
    ("TX003", 10),
]
AGREEMENT_STOCK = [
    ("SH005", "LH-2506", 150, 500),
    ("SH006", "LH-2507", 25, 200),
    ("SH007", "LH-2411", 300, 100),
]
AGREEMENT_STANDARD = [("SH005", 400), ("SH006", 150)]
COMMUNITY_STOCK = [
    ("FX001", "2024", None, 100),
    ("FX005", "2024", None, 5),
    ("XF001", "M2022", 80, 6),
    ("XF003", "Y2301", -3, 10),
    ("YL001", "2024", None, 2),
    ("TX001", "2024", None, 6),
    ("QT001", "2024", None, 10),
]
COMMUNITY_STANDARD = [("FX001", 200), ("XF001", 4), ("YL001", 2), ("TX001", 5), ("FX005", 5)]

PLANS = {
    "street": (STREET_STORE, STREET_STANDARD),
    "agreement": (AGREEMENT_STOCK, AGREEMENT_STANDARD),
    "community": (COMMUNITY_STOCK, COMMUNITY_STANDARD),
}
STAFF = {LJZ: "lujiazui_staff", HY: "huayang_staff", XH: "xinhua_staff"}


def _plan(site):
    if site.mode == "agreement":
        return PLANS["agreement"]
    return PLANS["street" if site.level == "street" else "community"]


def ensure_catalogue():
    """The catalogue comes with migration 0002; a flushed database (transactional tests) has
    lost it, so the demo puts back any missing item from the same fixture."""
    rows = json.loads(
        (Path(settings.BASE_DIR) / "fixtures" / "supplies_items.json").read_text(encoding="utf-8")
    )
    for row in rows:
        fields = dict(row["fields"])
        Item.objects.get_or_create(code=fields.pop("code"), defaults=fields)


def seed_demo(stdout):
    ensure_catalogue()
    today = timezone.localdate()
    units = {u.code: u for u in OrgUnit.objects.filter(code__in={s[1] for s in SITES})}
    users = {u.username: u for u in User.objects.filter(username__in=STAFF.values())}
    items = {i.code: i for i in Item.objects.all()}
    sites = []
    for code, unit_code, name, level, mode, extra in SITES:
        extra = dict(extra)
        contract_days = extra.pop("contract_days", None)
        staff = users[STAFF[unit_code[:9]]]
        site, created = Site.objects.update_or_create(
            code=code,
            defaults={
                "org_unit": units[unit_code],
                "name": name,
                "level": level,
                "mode": mode,
                "updated_by": staff,
                **extra,
            },
        )
        if created:
            site.created_by = staff
            site.contract_end = (
                today + datetime.timedelta(days=contract_days) if contract_days else None
            )
            site.save(update_fields=["created_by", "contract_end"])
        sites.append((site, staff))

    for site, staff in sites:
        stock, standards = _plan(site)
        for item_code, minimum in standards:
            services.set_standard(staff, site, items[item_code], minimum)
        if not Movement.objects.filter(site=site).exists():
            for item_code, lot_no, days, quantity in stock:
                expiry = today + datetime.timedelta(days=days) if days is not None else None
                services.receive(
                    staff,
                    site,
                    items[item_code],
                    quantity,
                    lot_no=lot_no,
                    expiry_date=expiry,
                    note="期初库存",
                )
            _sample_movements(site, staff, items)
        if not SiteCheck.objects.filter(site=site).exists():
            overdue = site.level == "community" and site.code.endswith("001-01")
            checked_on = today - datetime.timedelta(days=40 if overdue else 10)
            services.record_check(
                staff,
                site,
                kind=CheckKind.STOCKTAKE if site.level == "street" else CheckKind.MAINTENANCE,
                checked_on=checked_on,
                checker=site.keeper or staff.get_full_name(),
                result=CheckResult.ISSUES if overdue else CheckResult.OK,
                findings="灭火器压力表指针接近黄区，已报街道更换。"
                if overdue
                else "物资码放整齐，账实相符。",
                next_check_date=checked_on + datetime.timedelta(days=30),
            )
    stdout.write(f"  supplies: {len(sites)} sites, {Lot.objects.count()} lots")


def _sample_movements(site, staff, items):
    """A few realistic movements at the street stores: a dispatch for a flood-season drill, a
    transfer to a community point, a write-off."""
    if site.code == f"{LJZ}-01":
        services.dispatch(
            staff,
            site,
            items["FX001"],
            200,
            recipient="梅园一村居委会",
            purpose="防汛防台演练",
        )
    if site.code == f"{LJZ}001-01":  # seeded after the street store
        store = Site.objects.get(code=f"{LJZ}-01")
        services.transfer(staff, store, site, items["FX005"], 5, note="汛前补充救生衣")
    if site.code == f"{HY}-01":
        services.dispatch(
            staff,
            site,
            items["SH005"],
            20,
            recipient="华阳路街道临时安置点",
            purpose="高温慰问",
        )
        services.write_off(staff, site, items["FX004"], 1, reason="潜水泵电机损坏，无法修复")
