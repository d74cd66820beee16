"""Demo drills for 华阳路街道, 新华路街道 and 陆家嘴街道: an annual plan per street for this year
with drills across the year (held before today, planned after it, one late, one cancelled), held
drills with follow-up actions (one overdue), and communities with no drill in the last 12 months.
Dates are relative to today; idempotent (drills by unit and title, actions by drill and problem).
"""

import datetime

from django.utils import timezone

from apps.orgs.models import OrgUnit, User
from apps.plans.models import Plan

from .models import Drill, DrillForm, DrillPlan, DrillStatus, DrillTheme, FollowUpAction

# (month, day, title suffix, form, theme, place, participants, linked plan title suffix)
STREET_PROGRAMME = [
    (
        3,
        20,
        "春季消防安全疏散演练",
        DrillForm.LIVE,
        DrillTheme.FIRE,
        "街道社区文化活动中心",
        120,
        "火灾事故专项应急预案",
    ),
    (
        5,
        12,
        "“5·12”防灾减灾日地震应急疏散演练",
        DrillForm.LIVE,
        DrillTheme.EARTHQUAKE,
        "辖区小学操场",
        300,
        "地震应急专项预案",
    ),
    (
        6,
        16,
        "安全生产月燃气泄漏处置桌面推演",
        DrillForm.TABLETOP,
        DrillTheme.GAS,
        "街道城运中心会议室",
        25,
        "燃气事故专项应急预案",
    ),
    (
        7,
        8,
        "防汛防台综合应急演练",
        DrillForm.SCENARIO,
        DrillTheme.FLOOD,
        "街道防汛物资仓库",
        80,
        "防汛防台专项应急预案",
    ),
    (
        10,
        13,
        "“10·13”国际减灾日避险逃生演练",
        DrillForm.SCENARIO,
        DrillTheme.OTHER,
        "街道应急避难场所",
        150,
        None,
    ),
    (
        11,
        9,
        "“119”消防宣传月高层住宅灭火疏散演练",
        DrillForm.LIVE,
        DrillTheme.FIRE,
        "高层住宅小区",
        90,
        "火灾事故专项应急预案",
    ),
    (
        12,
        10,
        "冬季电梯困人救援演练",
        DrillForm.SCENARIO,
        DrillTheme.ELEVATOR,
        "老旧小区加装电梯点",
        30,
        None,
    ),
]

SUMMARY = (
    "演练按方案完成，参演人员熟悉了报警、疏散、处置和信息报送流程，"
    "居委会、物业、志愿者协同配合顺畅；对发现的问题已明确整改责任人和期限。"
)


def _date(year, month, day):
    return datetime.date(year, month, min(day, 28) if month == 2 else day)


def _drill(unit, title, user, **values):
    values.setdefault("organiser", unit.name)
    drill, _ = Drill.objects.update_or_create(
        org_unit=unit,
        title=title,
        defaults={**values, "created_by": user, "updated_by": user},
    )
    return drill


def _actions(drill, user, today, rows):
    for problem, action, owner, due_offset, done in rows:
        due = today + datetime.timedelta(days=due_offset)
        FollowUpAction.objects.update_or_create(
            drill=drill,
            problem=problem,
            defaults={
                "action": action,
                "owner": owner,
                "due_date": max(due, drill.date),
                "done": done,
                "done_at": (due - datetime.timedelta(days=3)) if done else None,
                "created_by": user,
                "updated_by": user,
            },
        )


def _street(code, staff, communities_with_drills, stale_community, plan_titles=True):
    today = timezone.localdate()
    year = today.year
    street = OrgUnit.objects.get(code=code)
    user = User.objects.get(username=staff)
    annual, _ = DrillPlan.objects.update_or_create(
        org_unit=street,
        year=year,
        title=f"{street.name}{year}年度应急演练计划",
        defaults={
            "department": "街道应急办",
            "notes": "围绕“5·12”防灾减灾日、安全生产月、“10·13”国际减灾日和“119”消防宣传月，"
            "街道每季度至少组织一次综合演练，各居民区每年至少组织一次。",
            "created_by": user,
            "updated_by": user,
        },
    )
    plans = {p.title: p for p in Plan.objects.filter(org_unit__path__startswith=street.path)}
    for index, (month, day, suffix, form, theme, place, people, plan) in enumerate(
        STREET_PROGRAMME
    ):
        date = _date(year, month, day)
        # Past drills were held, except the July one (its result never recorded: late);
        # future ones are planned.
        held = date <= today and index != 3
        status = DrillStatus.COMPLETED if held else DrillStatus.PLANNED
        values = {
            "annual_plan": annual,
            "form": form,
            "theme": theme,
            "date": date,
            "place": place,
            "organiser": "街道应急办",
            "participants": people if status == DrillStatus.COMPLETED else None,
            "status": status,
            "summary": SUMMARY if status == DrillStatus.COMPLETED else "",
            "cancel_reason": "",
        }
        if index == 4 and date <= today:
            values.update(status=DrillStatus.CANCELLED, summary="", participants=None)
            values["cancel_reason"] = "台风预警期间，人员转入防汛防台值守，演练取消。"
        drill = _drill(street, f"{street.name}{suffix}", user, **values)
        if plan and plan_titles:
            linked = plans.get(f"{street.name}{plan}")
            drill.plans.set([linked] if linked else [])
    # A recent held drill (not tied to the calendar) with open, overdue and done actions.
    recent = _drill(
        street,
        f"{street.name}高层住宅消防疏散实战演练",
        user,
        annual_plan=annual if (today - datetime.timedelta(days=40)).year == year else None,
        form=DrillForm.LIVE,
        theme=DrillTheme.FIRE,
        date=today - datetime.timedelta(days=40),
        place="高层住宅小区 12 号楼",
        organiser="街道应急办、消防救援站",
        participants=160,
        status=DrillStatus.COMPLETED,
        summary=SUMMARY,
        cancel_reason="",
    )
    _actions(
        recent,
        user,
        today,
        [
            (
                "12 号楼楼道堆物，影响疏散通道",
                "清理楼道堆物并建立每周巡查",
                "物业服务中心",
                -10,
                False,
            ),
            ("应急广播在地下车库听不清", "增设车库应急广播扬声器", "街道平安办", 20, False),
            ("部分疏散引导员不熟悉疏散路线", "组织引导员专项培训", "居委会", -20, True),
        ],
    )
    communities = list(OrgUnit.objects.filter(parent=street).order_by("code"))
    for offset, community in enumerate(communities[:communities_with_drills]):
        date = today - datetime.timedelta(days=30 + 45 * offset)
        drill = _drill(
            community,
            f"{community.name}{'电梯困人' if offset % 2 else '消防疏散'}应急演练",
            user,
            annual_plan=annual if date.year == year else None,
            form=DrillForm.SCENARIO if offset % 2 else DrillForm.LIVE,
            theme=DrillTheme.ELEVATOR if offset % 2 else DrillTheme.FIRE,
            date=date,
            place=f"{community.name}活动室及周边楼栋",
            organiser=f"{community.name}居委会",
            participants=40 + 5 * offset,
            status=DrillStatus.COMPLETED,
            summary=SUMMARY,
            cancel_reason="",
        )
        if offset == 0:
            _actions(
                drill,
                user,
                today,
                [("微型消防站灭火器压力不足", "更换灭火器", "居委会", 5, False)],
            )
    if stale_community is not None and stale_community < len(communities):
        community = communities[stale_community]
        _drill(
            community,
            f"{community.name}防汛防台应急演练",
            user,
            annual_plan=None,
            form=DrillForm.TABLETOP,
            theme=DrillTheme.FLOOD,
            date=today - datetime.timedelta(days=430),
            place=f"{community.name}居委会会议室",
            organiser=f"{community.name}居委会",
            participants=18,
            status=DrillStatus.COMPLETED,
            summary=SUMMARY,
            cancel_reason="",
        )
        # Planned for next month, not yet held.
        _drill(
            community,
            f"{community.name}消防疏散应急演练（计划）",
            user,
            annual_plan=annual if (today + datetime.timedelta(days=20)).year == year else None,
            form=DrillForm.LIVE,
            theme=DrillTheme.FIRE,
            date=today + datetime.timedelta(days=20),
            place=f"{community.name}小区",
            organiser=f"{community.name}居委会",
            participants=None,
            status=DrillStatus.PLANNED,
            summary="",
            cancel_reason="",
        )


def seed_demo(stdout):
    # 华阳路: 华一…姚家角 held drills recently; 长宁支路 last held 14 months ago; 秀水 never.
    _street("310105001", "huayang_staff", communities_with_drills=4, stale_community=4)
    _street("310105004", "xinhua_staff", communities_with_drills=2, stale_community=None)
    _street("310115005", "lujiazui_staff", communities_with_drills=6, stale_community=6)
    stdout.write("Drills: demo annual plans, drills and follow-up actions for three streets.")
