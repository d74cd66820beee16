"""City-scale 应急响应 for ``seed_city``: for every street, responses of the last year on its
overall plan (a Ⅳ级 response to a flood-season warning, sometimes a drill of the plan), each
with the tasks of the card done and its timeline, closed with the figures of the 事后评估."""

import datetime

from apps.plans.models import Plan

from .models import Event, EventLog, EventStatus, EventTask, Level, Origin, TaskStatus

EVENTS_PER_STREET = 3
TASKS = [
    ("启动应急响应，通知各居委", "街道应急办"),
    ("排查低洼地区和地下空间", "各居委会"),
    ("转移安置危房和低洼地区居民", "街道社区管理办"),
    ("开放应急避难场所", "街道应急办"),
]


def seed(city):
    rng = city.rng
    plans = dict(
        Plan.objects.filter(kind=Plan.Kind.OVERALL, org_unit__in=city.staff_of).values_list(
            "org_unit", "pk"
        )
    )
    events = city.w.table(Event)
    tasks = city.w.table(EventTask)
    logs = city.w.table(EventLog)
    for street, staff in city.staff_of.items():
        if street not in plans:
            continue
        for _ in range(EVENTS_PER_STREET):
            opened = city.stamp(city.days_ago(2, 365))
            closed = opened + datetime.timedelta(hours=rng.randint(6, 36))
            exercise = rng.random() < 0.3
            event = events.add_row(
                org_unit=street,
                created_at=opened,
                created_by=staff,
                updated_at=closed,
                updated_by=staff,
                plan=plans[street],
                title="防汛防台Ⅳ级响应演练" if exercise else "暴雨防汛Ⅳ级应急响应",
                level=Level.IV,
                is_exercise=exercise,
                origin=Origin.MANUAL,
                status=EventStatus.CLOSED,
                opened_at=opened,
                closed_at=closed,
                people_evacuated=rng.randint(0, 120),
                casualties=0,
                summary="各项任务按时完成，未发生人员伤亡。",
            )
            logs.add_row(
                event=event, at=opened, kind=EventLog.Kind.OPENED, text="启动Ⅳ级响应", user=staff
            )
            for title, role in TASKS:
                done = opened + datetime.timedelta(minutes=rng.randint(20, 240))
                tasks.add_row(
                    event=event,
                    level=Level.IV,
                    title=title,
                    role=role,
                    unit=street,
                    due_at=opened + datetime.timedelta(hours=2),
                    status=TaskStatus.DONE,
                    done_at=done,
                    note="已完成",
                    updated_by=staff,
                )
                logs.add_row(
                    event=event, at=done, kind=EventLog.Kind.TASK, text=f"完成：{title}", user=staff
                )
