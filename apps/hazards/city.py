"""City-scale 风险点 and 隐患 for ``seed_city``: risk points in the streets and communities, each
inspected once (a few inspections due or late), and a year of hazards, most in the communities,
each with its 上报 event and the one that led into its state; old ones almost all 销号."""

import datetime

from django.core.management.base import CommandError

from .models import Hazard, HazardCategory, HazardEvent, RiskPoint, RiskPointInspection

# At scale 1.0, a year of work.
RISK_POINTS = 200_000
HAZARDS = 1_000_000
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


def seed(city):
    categories = list(HazardCategory.objects.values_list("pk", "code", "name"))
    if not categories:
        raise CommandError("No hazard categories: run the migrations first.")
    rng = city.rng
    scoped = ["org_unit", "created_at", "created_by", "updated_at", "updated_by"]
    points = city.w.table(
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
    inspections = city.w.table(
        RiskPointInspection,
        ["risk_point", "date", "inspector", "result", "note", "created_at", "created_by"],
    )
    frequencies = [("monthly", 30), ("quarterly", 91), ("weekly", 7), ("half_yearly", 182)]
    units = [c for c, _s in city.communities] + [s[0] for s in city.streets]
    point_ids_by_unit = {}
    for i in range(city.scaled(RISK_POINTS)):
        unit = rng.choice(units)
        cat_pk, _code, cat_name = rng.choice(categories)
        level = rng.choices(["red", "orange", "yellow", "blue"], [2, 8, 30, 60])[0]
        freq, days = rng.choice(frequencies)
        last = city.days_ago(0, days)
        nxt = last + datetime.timedelta(days=days)
        if rng.random() < 0.03:
            nxt = city.days_ago(1, 20)  # a few inspections are due or late
        lat, lon = city.near(unit)
        staff = city.staff_of[city.street_of[unit]]
        pk = points.add(
            *city.scoped(unit, city.days_ago(200, 700)),
            f"{cat_name}风险点{i + 1}",
            cat_pk,
            level,
            f"某路{rng.randint(1, 2000)}号",
            lat,
            lon,
            city.person(),
            city.phone(),
            freq,
            nxt,
            "",
            True,
        )
        point_ids_by_unit.setdefault(unit, []).append(pk)
        inspections.add(pk, last, city.person(), "normal", "", city.stamp(last), staff)

    hazards = city.w.table(
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
    events = city.w.table(
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
    community_units = [c for c, _s in city.communities]
    for _ in range(city.scaled(HAZARDS)):
        unit = rng.choice(community_units) if rng.random() < 0.85 else rng.choice(units)
        cat_pk, code, _name = rng.choice(categories)
        age = rng.randint(0, 364)
        found = city.today - datetime.timedelta(days=age)
        deadline = found + datetime.timedelta(days=rng.choice((7, 15, 30, 45)))
        if age > 60:
            closed = rng.random() < 0.99
        elif age > 20:
            closed = rng.random() < 0.8
        else:
            closed = rng.random() < 0.3
        if closed:
            state = "closed"
            closed_day = min(city.today, found + datetime.timedelta(days=rng.randint(1, 50)))
            closed_at = city.stamp(closed_day)
        else:
            state = rng.choice(("reported", "assigned", "in_progress", "awaiting_check"))
            closed_at = None
        if state == "reported":
            deadline = None
        staff = city.staff_of[city.street_of[unit]]
        points_here = point_ids_by_unit.get(unit)
        point = rng.choice(points_here) if points_here and rng.random() < 0.3 else None
        lat, lon = city.near(unit)
        responsible = "" if state == "reported" else "物业公司"
        pk = hazards.add(
            *city.scoped(unit, found),
            rng.choice(titles[code]),
            cat_pk,
            "major" if rng.random() < 0.03 else "general",
            "",
            point,
            f"某路{rng.randint(1, 2000)}弄{rng.randint(1, 80)}号",
            lat,
            lon,
            city.person(),
            found,
            state,
            responsible,
            city.person() if responsible else "",
            deadline,
            closed_at,
        )
        events.add(pk, "report", "", "reported", "", staff, city.stamp(found), "", None)
        if state != "reported":
            action, before = last_step[state]
            when = closed_at or city.stamp(min(city.today, found + datetime.timedelta(days=1)))
            events.add(pk, action, before, state, "", staff, when, responsible, deadline)
