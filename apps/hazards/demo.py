"""Demo risk points and hazards for 华阳路街道, 新华路街道 and 陆家嘴街道: points of every colour,
hazards in every state of the loop (with their event history), some of them overdue.

Idempotent: risk points are keyed by (unit, name), hazards by (unit, title); a hazard's events
are rebuilt from the spec each run. Dates are relative to today so "overdue" stays true.
"""

from datetime import datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from apps.orgs.models import OrgUnit, User

from .models import (
    Hazard,
    HazardAction,
    HazardCategory,
    HazardEvent,
    HazardState,
    InspectionFrequency,
    InspectionResult,
    RiskLevel,
    RiskPoint,
    RiskPointInspection,
    Severity,
)
from .reference import ensure_categories

# street code → (staff username, centre lat, centre lng) (WGS-84, approximate)
STREETS = {
    "310105001": ("huayang_staff", 31.2196, 121.4262),
    "310105004": ("xinhua_staff", 31.2060, 121.4235),
    "310115005": ("lujiazui_staff", 31.2330, 121.5100),
}

# (street, community no. or None, name, category code, level, address, dlat, dlng,
#  frequency, next inspection in days)
RISK_POINTS = [
    (
        "310105001",
        1,
        "华一小区非机动车集中充电棚",
        "e-bike-charging",
        RiskLevel.RED,
        "长宁路 华一小区 12 号楼北侧",
        0.0021,
        -0.0030,
        InspectionFrequency.WEEKLY,
        -2,
    ),
    (
        "310105001",
        3,
        "飞乐小区老旧住宅楼道",
        "corridor-clutter",
        RiskLevel.ORANGE,
        "安西路 飞乐小区 3—8 号楼",
        -0.0012,
        0.0024,
        InspectionFrequency.MONTHLY,
        12,
    ),
    (
        "310105001",
        4,
        "姚家角沿街商铺店招",
        "signboard",
        RiskLevel.YELLOW,
        "定西路 姚家角段 沿街商铺",
        0.0030,
        0.0041,
        InspectionFrequency.QUARTERLY,
        40,
    ),
    (
        "310105001",
        6,
        "秀水小区地下车库防汛挡板",
        "flood-control",
        RiskLevel.BLUE,
        "秀水路 秀水小区 地下车库入口",
        -0.0035,
        -0.0015,
        InspectionFrequency.MONTHLY,
        5,
    ),
    (
        "310105001",
        2,
        "华三小区燃气管道立管",
        "gas",
        RiskLevel.ORANGE,
        "华阳路 华三小区 5 号楼",
        0.0008,
        0.0011,
        InspectionFrequency.MONTHLY,
        -1,
    ),
    (
        "310105004",
        1,
        "新华路沿线老洋房群租集中点",
        "group-rental",
        RiskLevel.RED,
        "新华路 211 弄",
        0.0010,
        -0.0025,
        InspectionFrequency.WEEKLY,
        3,
    ),
    (
        "310105004",
        2,
        "番禺路消防通道",
        "fire-lane",
        RiskLevel.ORANGE,
        "番禺路 390 弄 小区主通道",
        -0.0020,
        0.0018,
        InspectionFrequency.MONTHLY,
        -5,
    ),
    (
        "310105004",
        4,
        "幸福小区高层外立面",
        "falling-objects",
        RiskLevel.YELLOW,
        "幸福路 幸福小区 1—3 号楼",
        0.0027,
        0.0030,
        InspectionFrequency.QUARTERLY,
        60,
    ),
    (
        "310105004",
        5,
        "法华镇路积水点",
        "flood-control",
        RiskLevel.BLUE,
        "法华镇路 定西路口",
        -0.0031,
        -0.0009,
        InspectionFrequency.MONTHLY,
        20,
    ),
    (
        "310115005",
        1,
        "梅园一村电动自行车停放点",
        "e-bike-charging",
        RiskLevel.RED,
        "浦东南路 梅园一村 18 号楼",
        0.0025,
        0.0040,
        InspectionFrequency.WEEKLY,
        1,
    ),
    (
        "310115005",
        2,
        "崂山一村老旧公房",
        "load-bearing",
        RiskLevel.ORANGE,
        "崂山路 崂山一村 7 号楼",
        -0.0018,
        0.0030,
        InspectionFrequency.MONTHLY,
        -3,
    ),
    (
        "310115005",
        6,
        "仁恒滨江园高层消防设施",
        "fire-equipment",
        RiskLevel.YELLOW,
        "浦明路 仁恒滨江园",
        0.0040,
        -0.0050,
        InspectionFrequency.MONTHLY,
        15,
    ),
    (
        "310115005",
        8,
        "东昌路沿街店招店牌",
        "signboard",
        RiskLevel.BLUE,
        "东昌路 沿街商铺",
        -0.0042,
        -0.0030,
        InspectionFrequency.QUARTERLY,
        70,
    ),
    (
        "310115005",
        5,
        "福山路燃气调压站",
        "gas",
        RiskLevel.RED,
        "福山路 福山居民区 燃气调压站",
        0.0005,
        0.0062,
        InspectionFrequency.WEEKLY,
        -1,
    ),
]

# (street, community no., title, category, severity, final state, found days ago,
#  deadline in days (relative to today, None before assignment), closed days ago, risk point,
#  reopened once?, description)
HAZARDS = [
    (
        "310105001",
        1,
        "12 号楼楼道内电动自行车飞线充电",
        "e-bike-charging",
        Severity.MAJOR,
        HazardState.REPORTED,
        1,
        None,
        None,
        "华一小区非机动车集中充电棚",
        False,
        "12 号楼 2 单元一楼楼道有电线从窗口拉出给电动自行车充电。",
    ),
    (
        "310105001",
        3,
        "飞乐小区 5 号楼楼道堆放纸箱杂物",
        "corridor-clutter",
        Severity.GENERAL,
        HazardState.ASSIGNED,
        6,
        8,
        None,
        "飞乐小区老旧住宅楼道",
        False,
        "5 号楼 3—5 层楼道堆放纸箱、旧家具，影响疏散。",
    ),
    (
        "310105001",
        4,
        "姚家角商铺店招松动",
        "signboard",
        Severity.GENERAL,
        HazardState.IN_PROGRESS,
        20,
        -4,
        None,
        "姚家角沿街商铺店招",
        False,
        "定西路 2 家商铺店招固定件锈蚀松动，存在坠落风险。",
    ),
    (
        "310105001",
        2,
        "华三小区 5 号楼燃气立管锈蚀",
        "gas",
        Severity.MAJOR,
        HazardState.AWAITING_CHECK,
        15,
        5,
        None,
        "华三小区燃气管道立管",
        False,
        "立管外壁锈蚀严重，已通知燃气公司。",
    ),
    (
        "310105001",
        6,
        "秀水小区地下车库防汛挡板缺失",
        "flood-control",
        Severity.GENERAL,
        HazardState.CLOSED,
        40,
        -20,
        25,
        "秀水小区地下车库防汛挡板",
        False,
        "车库入口防汛挡板缺失 2 块，汛前需补齐。",
    ),
    (
        "310105001",
        5,
        "长宁支路违法搭建阳光房",
        "illegal-building",
        Severity.GENERAL,
        HazardState.CLOSED,
        60,
        -30,
        22,
        None,
        True,
        "底层住户在公共绿地违法搭建阳光房约 12 平方米。",
    ),
    (
        "310105001",
        1,
        "华一小区消防通道被车辆占用",
        "fire-lane",
        Severity.MAJOR,
        HazardState.IN_PROGRESS,
        30,
        -10,
        None,
        None,
        False,
        "夜间私家车长期停放在消防通道上。",
    ),
    (
        "310105004",
        1,
        "新华路 211 弄群租（隔断 8 间）",
        "group-rental",
        Severity.MAJOR,
        HazardState.ASSIGNED,
        12,
        -2,
        None,
        "新华路沿线老洋房群租集中点",
        False,
        "一套住房被隔断为 8 间出租，居住 14 人。",
    ),
    (
        "310105004",
        2,
        "番禺路 390 弄消防通道堵塞",
        "fire-lane",
        Severity.GENERAL,
        HazardState.CLOSED,
        35,
        -15,
        18,
        "番禺路消防通道",
        False,
        "小区主通道被共享单车和杂物堵塞。",
    ),
    (
        "310105004",
        3,
        "梅泉小区消火栓箱损坏",
        "fire-equipment",
        Severity.GENERAL,
        HazardState.REPORTED,
        2,
        None,
        None,
        None,
        False,
        "3 号楼消火栓箱门损坏、水带缺失。",
    ),
    (
        "310105004",
        4,
        "幸福小区高层空调外机支架锈蚀",
        "falling-objects",
        Severity.GENERAL,
        HazardState.AWAITING_CHECK,
        18,
        3,
        None,
        "幸福小区高层外立面",
        True,
        "12 层空调外机支架锈蚀，存在高空坠物风险。",
    ),
    (
        "310115005",
        1,
        "梅园一村电动自行车进楼入户",
        "e-bike-charging",
        Severity.MAJOR,
        HazardState.IN_PROGRESS,
        9,
        6,
        None,
        "梅园一村电动自行车停放点",
        False,
        "18 号楼有住户将电动自行车推入电梯带回家中充电。",
    ),
    (
        "310115005",
        2,
        "崂山一村装修拆改承重墙",
        "load-bearing",
        Severity.MAJOR,
        HazardState.ASSIGNED,
        25,
        -7,
        None,
        "崂山一村老旧公房",
        False,
        "7 号楼 302 室装修时拆除部分承重墙。",
    ),
    (
        "310115005",
        6,
        "仁恒滨江园自动喷淋系统故障",
        "fire-equipment",
        Severity.GENERAL,
        HazardState.CLOSED,
        50,
        -35,
        38,
        "仁恒滨江园高层消防设施",
        False,
        "地下一层喷淋系统压力不足。",
    ),
    (
        "310115005",
        3,
        "东园一村楼道堆物",
        "corridor-clutter",
        Severity.GENERAL,
        HazardState.CLOSED,
        45,
        -30,
        20,
        None,
        False,
        "多个楼道堆放杂物，已组织集中清搬。",
    ),
    (
        "310115005",
        5,
        "福山路燃气调压站周边违规堆放",
        "gas",
        Severity.GENERAL,
        HazardState.REPORTED,
        0,
        None,
        None,
        "福山路燃气调压站",
        False,
        "调压站围栏外堆放木料等可燃物。",
    ),
]

RESPONSIBLE = {
    "e-bike-charging": "居委会、物业公司",
    "corridor-clutter": "物业公司",
    "signboard": "街道城管中队",
    "gas": "燃气公司",
    "flood-control": "物业公司",
    "illegal-building": "街道城管中队",
    "fire-lane": "物业公司、派出所",
    "group-rental": "房管办、派出所",
    "fire-equipment": "物业公司",
    "falling-objects": "房管办、物业公司",
    "load-bearing": "房管办",
}

LOOP = [
    (HazardAction.ASSIGN, HazardState.REPORTED, HazardState.ASSIGNED),
    (HazardAction.START, HazardState.ASSIGNED, HazardState.IN_PROGRESS),
    (HazardAction.COMPLETE, HazardState.IN_PROGRESS, HazardState.AWAITING_CHECK),
    (HazardAction.VERIFY, HazardState.AWAITING_CHECK, HazardState.CLOSED),
]
STATE_STEPS = {
    HazardState.REPORTED: 0,
    HazardState.ASSIGNED: 1,
    HazardState.IN_PROGRESS: 2,
    HazardState.AWAITING_CHECK: 3,
    HazardState.CLOSED: 4,
}
NOTES = {
    HazardAction.REPORT: "网格巡查发现，已拍照留存。",
    HazardAction.ASSIGN: "请责任单位按期整改并反馈。",
    HazardAction.START: "已接收，正在整改。",
    HazardAction.COMPLETE: "已整改完毕，附整改后照片。",
    HazardAction.VERIFY: "现场核查，整改到位，同意销号。",
    HazardAction.REOPEN: "现场核查仍未整改到位，退回继续整改。",
}


def _at(day, hour):
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


def _unit(street, community):
    return f"{street}{community:03d}" if community else street


def seed_demo(stdout):
    today = timezone.localdate()
    ensure_categories(HazardCategory)
    categories = {c.code: c for c in HazardCategory.objects.all()}
    codes = {_unit(s, c) for s, c, *_rest in RISK_POINTS} | {_unit(s, c) for s, c, *_r in HAZARDS}
    units = {u.code: u for u in OrgUnit.objects.filter(code__in=codes)}
    users = {
        u.username: u for u in User.objects.filter(username__in=[v[0] for v in STREETS.values()])
    }

    points = {}
    for street, community, name, cat, level, address, dlat, dlng, freq, next_days in RISK_POINTS:
        unit = units[_unit(street, community)]
        user = users[STREETS[street][0]]
        lat0, lng0 = STREETS[street][1:]
        point, _created = RiskPoint.objects.update_or_create(
            org_unit=unit,
            name=name,
            defaults={
                "category": categories[cat],
                "level": level,
                "address": address,
                "latitude": Decimal(f"{lat0 + dlat:.6f}"),
                "longitude": Decimal(f"{lng0 + dlng:.6f}"),
                "responsible_person": "网格长",
                "responsible_phone": "021-6251" + f"{len(points):04d}",
                "inspection_frequency": freq,
                "next_inspection_date": today + timedelta(days=next_days),
                "description": "纳入街道风险隐患排查清单，按频次巡查。",
                "is_active": True,
                "created_by": user,
                "updated_by": user,
            },
        )
        RiskPointInspection.objects.update_or_create(
            risk_point=point,
            date=today - timedelta(days=7),
            defaults={
                "inspector": user.get_full_name(),
                "result": InspectionResult.NORMAL,
                "note": "例行巡查，未发现新增隐患。",
                "created_by": user,
            },
        )
        points[name] = point

    for spec in HAZARDS:
        (
            street,
            community,
            title,
            cat,
            severity,
            state,
            found_ago,
            deadline_days,
            closed_ago,
            point_name,
            reopened,
            description,
        ) = spec
        unit = units[_unit(street, community)]
        user = users[STREETS[street][0]]
        point = points.get(point_name)
        found_on = today - timedelta(days=found_ago)
        steps = STATE_STEPS[state]
        deadline = today + timedelta(days=deadline_days) if deadline_days is not None else None
        closed_at = _at(today - timedelta(days=closed_ago), 16) if closed_ago is not None else None
        lat0, lng0 = STREETS[street][1:]
        if point is not None:
            lat, lng = point.latitude, point.longitude
        else:
            lat = Decimal(f"{lat0 + 0.0009 * (len(title) % 5) - 0.002:.6f}")
            lng = Decimal(f"{lng0 - 0.0011 * (len(title) % 4) + 0.001:.6f}")
        hazard, _created = Hazard.objects.update_or_create(
            org_unit=unit,
            title=title,
            defaults={
                "category": categories[cat],
                "severity": severity,
                "description": description,
                "risk_point": point,
                "address": point.address if point else unit.name,
                "latitude": lat,
                "longitude": lng,
                "found_by": "网格员",
                "found_on": found_on,
                "state": state,
                "responsible_unit": RESPONSIBLE[cat] if steps >= 1 else "",
                "responsible_person": "" if steps < 1 else "王建国",
                "deadline": deadline if steps >= 1 else None,
                "closed_at": closed_at if state == HazardState.CLOSED else None,
                "created_by": user,
                "updated_by": user,
            },
        )
        hazard.events.all().delete()
        # Rebuild the history: report, then each step up to the current state (with a failed
        # check and a second round where the spec says so). Event times run from the day found
        # to the close (or to yesterday for open hazards).
        history = [(HazardAction.REPORT, "", HazardState.REPORTED)]
        for step in LOOP[:steps]:
            history.append(step)
            if reopened and step[0] == HazardAction.COMPLETE:
                history.append(
                    (HazardAction.REOPEN, HazardState.AWAITING_CHECK, HazardState.IN_PROGRESS)
                )
                history.append(
                    (HazardAction.COMPLETE, HazardState.IN_PROGRESS, HazardState.AWAITING_CHECK)
                )
        end = (today - timedelta(days=closed_ago)) if closed_ago is not None else today
        span = max((end - found_on).days, 0)
        for n, (action, source, target) in enumerate(history):
            offset = round(span * n / max(len(history) - 1, 1)) if len(history) > 1 else 0
            when = _at(found_on + timedelta(days=offset), 9 + n)
            if action == HazardAction.VERIFY and closed_at is not None:
                when = closed_at
            HazardEvent.objects.create(
                hazard=hazard,
                action=action,
                from_state=source,
                to_state=target,
                note=NOTES[action],
                actor=user,
                created_at=min(when, timezone.now()),
                responsible_unit=hazard.responsible_unit if action == HazardAction.ASSIGN else "",
                deadline=hazard.deadline if action == HazardAction.ASSIGN else None,
            )
    stdout.write(f"hazards: {len(points)} risk points, {len(HAZARDS)} hazards")
