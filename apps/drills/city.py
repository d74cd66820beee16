"""City-scale 演练 for ``seed_city``: this year's 演练计划 for every street and community and a
year of drills under them (most done, some planned, a few cancelled), half of the completed ones
with a follow-up action."""

import datetime

from .models import Drill, DrillPlan, FollowUpAction

DRILLS = 60_000  # at scale 1.0: a year's
DRILL_TOPICS = ("消防疏散", "防汛防台", "地震避险", "燃气泄漏处置", "电梯困人救援")


def seed(city):
    rng = city.rng
    scoped = ["org_unit", "created_at", "created_by", "updated_at", "updated_by"]
    plans = city.w.table(DrillPlan, scoped + ["year", "title", "department", "notes"])
    drills = city.w.table(
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
    actions = city.w.table(
        FollowUpAction,
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
    year = city.today.year
    start_of_year = datetime.date(year, 1, 1)
    plan_of = {}
    for street, _c, _p, _d, s_name in city.streets:
        plan_of[street] = plans.add(
            *city.scoped(street, start_of_year),
            year,
            f"{s_name}{year}年度应急演练计划",
            "街道应急办",
            "",
        )
    for community, _street in city.communities:
        plan_of[community] = plans.add(
            *city.scoped(community, start_of_year),
            year,
            f"{year}年度居民区演练计划",
            "居委会",
            "",
        )
    themes = ["fire", "flood", "earthquake", "gas", "elevator", "other"]
    units = list(plan_of)
    for i in range(city.scaled(DRILLS)):
        unit = rng.choice(units)
        date = city.today + datetime.timedelta(days=rng.randint(-330, 35))
        if date > city.today:
            status, summary = "planned", ""
        elif rng.random() < 0.9:
            status, summary = "completed", "演练按方案完成，参演人员熟悉疏散路线。"
        else:
            status, summary = ("planned", "") if rng.random() < 0.5 else ("cancelled", "")
        staff = city.staff_of[city.street_of[unit]]
        pk = drills.add(
            *city.scoped(unit, date - datetime.timedelta(days=30)),
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
            done = due < city.today and rng.random() < 0.8
            when = city.stamp(date)
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
