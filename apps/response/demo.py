"""Demo response for 华阳路街道: the response card (Ⅰ–Ⅳ级) of its 防汛防台专项应急预案, and an
exercise (演练) activated at Ⅱ级 with the 社区文化活动中心 shelter open, a few people checked in
(two of them vulnerable residents from the register), one task done and a pending request for
防汛沙袋. The community staff of 华一居民区 may read the vulnerable-resident register: they are
the helpers who update the transfer roster on their phone. Idempotent: the card by plan and
level, the exercise by its title.

The exercise names no warning or incident: an exercise answers none, and naming the district's
real 暴雨 warning would list it on that warning's page as a response to it. The warning and
the 积水 incident linked to it (apps.incidents.demo) each offer 启动应急响应 instead."""

from django.contrib.auth.models import Permission

from apps.orgs.models import OrgKind, OrgUnit, User
from apps.people.models import VulnerableResident
from apps.plans.models import Plan
from apps.shelters.models import Shelter, ShelterStatus
from apps.supplies.models import Item

from . import services
from .models import CardLevel, CardSupply, CardTask, Event, TaskStatus

STREET = "310105001"
PLAN_TITLE = "华阳路街道防汛防台专项应急预案"
EXERCISE = "2026年防汛防台Ⅱ级响应演练"
SHELTER = "华阳路街道社区文化活动中心"

# level: (trigger, [(task, role, "street" or "community", hours)], [(item code, quantity)])
CARD = {
    1: (
        "发布台风红色预警，或市防汛指挥部启动Ⅰ级响应",
        [
            ("街道防汛防台指挥部全员到岗，主要领导坐镇指挥", "街道应急办", "street", 1),
            ("危旧房屋、低洼地区、临时简易房屋人员全部转移", "居委会", "community", 2),
            ("启用全部预置避难场所，做好生活保障", "社区服务办", "street", 3),
        ],
        [("FX001", 1000), ("SH001", 300)],
    ),
    2: (
        "发布台风橙色预警，或区防汛指挥部启动Ⅱ级响应",
        [
            ("召开防汛防台会商，明确分工，24小时值守", "街道应急办", "street", 1),
            ("排查低洼地区、地下空间、工地，落实转移名单", "居委会", "community", 2),
            ("检查防汛沙袋、排水泵，疏通雨水口", "居委会", "community", 3),
            ("开放社区文化活动中心避难点", "社区服务办", "street", 3),
        ],
        [("FX001", 500)],
    ),
    3: (
        "发布台风黄色预警",
        [
            ("加强值班值守，跟踪台风动态", "街道应急办", "street", 2),
            ("通知结对帮扶人联系脆弱人群", "居委会", "community", 4),
        ],
        [("FX001", 200)],
    ),
    4: (
        "发布台风蓝色预警",
        [("发布防台提示，检查户外广告牌和高空坠物隐患", "街道城运中心", "street", 4)],
        [],
    ),
}
WALK_INS = [
    ("陈建华", "13916200001", 3),
    ("刘美玲", "13916200002", 2),
    ("王国庆", "13916200003", 1),
]


def _card(plan, street):
    communities = list(
        OrgUnit.objects.filter(parent=street, kind=OrgKind.COMMUNITY).order_by("code")[:2]
    )
    items = {i.code: i for i in Item.objects.all()}
    shelters = list(Shelter.objects.filter(org_unit__path__startswith=street.path))
    for level, (trigger, tasks, supplies) in CARD.items():
        card_level, _created = CardLevel.objects.update_or_create(
            plan=plan, level=level, defaults={"trigger": trigger}
        )
        if level <= 2:
            card_level.shelters.set(shelters)
        card_level.tasks.all().delete()
        for title, role, owner, hours in tasks:
            units = [street] if owner == "street" else communities
            CardTask.objects.bulk_create(
                CardTask(card_level=card_level, title=title, role=role, unit=u, due_hours=hours)
                for u in units
            )
        for code, quantity in supplies:
            if code in items:
                CardSupply.objects.update_or_create(
                    card_level=card_level, item=items[code], defaults={"quantity": quantity}
                )


def seed_demo(stdout):
    street = OrgUnit.objects.get(code=STREET)
    staff = User.objects.get(username="huayang_staff")
    community_staff = User.objects.filter(username="huayi_community").first()
    if community_staff is not None:
        community_staff.user_permissions.add(
            Permission.objects.get(
                content_type__app_label="people", codename="view_vulnerable_resident"
            )
        )
    plan = Plan.objects.get(org_unit=street, title=PLAN_TITLE)
    _card(plan, street)
    if Event.objects.filter(org_unit=street, title=EXERCISE).exists():
        stdout.write("Response: demo card and exercise already present.")
        return
    event = services.open_event(staff, plan, level=2, title=EXERCISE, is_exercise=True)
    task = event.tasks.order_by("due_at", "pk").first()
    services.update_task(staff, task, status=TaskStatus.DONE, note="会商已召开，分工到人")
    shelter = Shelter.objects.get(org_unit=street, name=SHELTER)
    if shelter.status != ShelterStatus.AVAILABLE:
        stdout.write("Response: demo exercise opened (shelter not available).")
        return
    operation = services.open_shelter(staff, event, shelter, capacity=200)
    for name, phone, size in WALK_INS:
        services.check_in(staff, operation, name=name, phone=phone, household_size=size)
    for resident in VulnerableResident.objects.filter(
        org_unit__path__startswith=street.path, is_active=True
    ).order_by("pk")[:2]:
        services.check_in(staff, operation, resident=resident, household_size=1)
    community = OrgUnit.objects.get(code=f"{STREET}001")
    services.request_supplies(
        staff,
        event,
        unit=community,
        item=Item.objects.get(code="FX001"),
        quantity=100,
        reason="华阳路低洼路段封堵",
    )
    stdout.write(f"Response: demo card of {PLAN_TITLE} and the exercise “{EXERCISE}”.")
