"""Demo people for 华阳路街道 and 陆家嘴街道 (and a little for 新华路街道): leadership groups,
emergency teams with members and training, information officers (a few 小区 left without one),
vulnerable residents with helpers and visits.

Everyone here is fictitious: names are generated from common characters; ID numbers use the
area code 310199, which is not assigned to any district (so they belong to nobody), with a real
birth date and a computed check digit; phone numbers are generated. Idempotent: every record is
looked up by its natural key and brought back to the demo values. Dates are relative to today.

huayang_staff and lujiazui_staff get both personal-data permissions; xinhua_staff gets neither,
so the masking can be seen. The officer of 华一小区 logs in as huayi_officer.
"""

import datetime
import random

from django.contrib.auth.models import Permission
from django.utils import timezone

from apps.orgs.models import OrgKind, OrgUnit, User

from .models import (
    CertificateType,
    EmergencyTeam,
    HelperAssignment,
    InformationOfficer,
    LeadershipGroup,
    LeadershipMember,
    OfficerTraining,
    TeamMember,
    TeamTraining,
    Visit,
    VulnerableResident,
)
from .reference import ensure_certificate_types
from .validators import id_check_char

FICTITIOUS_AREA = "310199"  # not an assigned area code: no real person has these ID numbers
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗沈陆顾钱施姚蒋唐曹许金邵汤"
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀英华慧建国平红玲桂兰"
    + "志刚海燕文斌春梅晓雯佳怡子涵宇轩浩然欣妍"
)
PERMISSIONS = ("view_personal_identifiers", "view_vulnerable_resident")
PERMITTED_USERS = ("huayang_staff", "lujiazui_staff")


class Names:
    """Deterministic fictitious names and numbers (the same on every run)."""

    def __init__(self, seed):
        self.rng = random.Random(seed)  # noqa: S311 (demo names, not secrets)
        self.used = set()

    def name(self):
        while True:
            given = "".join(self.rng.choice(GIVEN) for _ in range(self.rng.choice((1, 2, 2))))
            name = self.rng.choice(SURNAMES) + given
            if name not in self.used:
                self.used.add(name)
                return name

    def phone(self):
        return f"1{self.rng.choice('3456789')}{self.rng.randrange(10**9):09d}"

    def id_number(self, birth_year, gender):
        start = datetime.date(birth_year, 1, 1)
        birth = start + datetime.timedelta(days=self.rng.randrange(365))
        sequence = self.rng.randrange(50) * 2 + (1 if gender == "m" else 0) + 100
        first17 = f"{FICTITIOUS_AREA}{birth:%Y%m%d}{sequence:03d}"
        return first17 + id_check_char(first17)


def _days_ago(days):
    return timezone.localdate() - datetime.timedelta(days=days)


def grant_permissions():
    perms = list(
        Permission.objects.filter(content_type__app_label="people", codename__in=PERMISSIONS)
    )
    for user in User.objects.filter(username__in=PERMITTED_USERS):
        user.user_permissions.add(*perms)  # add() is idempotent


# --- 领导小组 ---------------------------------------------------------------------------------

LEADERSHIP = [
    # post, title
    (LeadershipMember.Post.LEADER, "街道办事处主任"),
    (LeadershipMember.Post.EXECUTIVE_DEPUTY, "街道办事处副主任"),
    (LeadershipMember.Post.DEPUTY, "街道党工委副书记"),
    (LeadershipMember.Post.MEMBER, "党政办主任"),
    (LeadershipMember.Post.MEMBER, "社区管理办主任"),
    (LeadershipMember.Post.MEMBER, "社区服务办主任"),
    (LeadershipMember.Post.MEMBER, "社区平安办主任"),
    (LeadershipMember.Post.MEMBER, "综合行政执法队队长"),
    (LeadershipMember.Post.MEMBER, "城建中心主任"),
    (LeadershipMember.Post.OFFICE_DIRECTOR, "街道应急办主任"),
    (LeadershipMember.Post.OFFICE_MEMBER, "街道应急办工作人员"),
    (LeadershipMember.Post.OFFICE_MEMBER, "城运中心工作人员"),
]


def seed_leadership(street, user, names, doc_prefix):
    group, _ = LeadershipGroup.objects.update_or_create(
        org_unit=street,
        defaults={
            "name": f"{street.name}应急管理工作领导小组",
            "established_on": _days_ago(800),
            "document_no": f"{doc_prefix}〔{_days_ago(800).year}〕12号",
            "office_department": "街道应急办",
            "office_phone": "021-00000000",
            "duties": "统筹街道突发事件应对、综合防灾减灾和安全发展示范社区创建工作，"
            "研究部署应急管理重大事项。",
            "created_by": user,
            "updated_by": user,
        },
    )
    for order, (post, title) in enumerate(LEADERSHIP, start=1):
        LeadershipMember.objects.update_or_create(
            group=group,
            title=title,
            defaults={
                "post": post,
                "name": names.name(),
                "phone": names.phone(),
                "sort_order": order * 10,
                "created_by": user,
                "updated_by": user,
            },
        )


# --- 应急队伍 ---------------------------------------------------------------------------------

SKILLS = ["电工", "水电维修", "驾驶", "医护", "物业工程", "游泳", "心理疏导", "无线电通信", ""]
TRAININGS = [
    ("心肺复苏与 AED 使用培训", "区红十字会", 3),
    ("初起火灾扑救与疏散引导", "消防救援站", 2),
    ("防汛防台抢险技能培训", "区应急局", 4),
]


def seed_team(unit, name, kind, user, names, certs, size, equipment, duties, trainings):
    team, _ = EmergencyTeam.objects.update_or_create(
        org_unit=unit,
        name=name,
        defaults={
            "kind": kind,
            "founded_on": _days_ago(600 + size * 10),
            "equipment": equipment,
            "duties": duties,
            "is_active": True,
            "created_by": user,
            "updated_by": user,
        },
    )
    rng = names.rng
    for i in range(size):
        role = (
            TeamMember.Role.LEADER
            if i == 0
            else TeamMember.Role.DEPUTY
            if i == 1
            else TeamMember.Role.MEMBER
        )
        member_name = names.name()
        member, _ = TeamMember.objects.update_or_create(
            team=team,
            name=member_name,
            defaults={
                "role": role,
                "phone": names.phone(),
                "skills": rng.choice(SKILLS),
                "created_by": user,
                "updated_by": user,
            },
        )
        member.certificates.set(rng.sample(certs, k=rng.randrange(0, 3)))
    for j, (topic, trainer, hours) in enumerate(TRAININGS[:trainings]):
        TeamTraining.objects.update_or_create(
            team=team,
            topic=topic,
            defaults={
                "held_on": _days_ago(40 + 90 * j + team.pk % 20),
                "trainer": trainer,
                "hours": hours,
                "participants": size,
                "created_by": user,
                "updated_by": user,
            },
        )
    return team


def seed_teams(street, user, names, certs, communities):
    seed_team(
        street,
        f"{street.name}应急处突队",
        EmergencyTeam.Kind.FIRST_RESPONSE,
        user,
        names,
        certs,
        8,
        "应急照明灯 10 台、对讲机 8 部、警戒带 20 卷、救生衣 20 件",
        "突发事件先期处置、现场警戒、人员疏散。",
        3,
    )
    seed_team(
        street,
        f"{street.name}综合行政执法队应急分队",
        EmergencyTeam.Kind.PROFESSIONAL,
        user,
        names,
        certs,
        6,
        "抽水泵 2 台、发电机 1 台、沙袋 300 只",
        "防汛防台抢险、违法搭建和消防通道等专项处置。",
        2,
    )
    seed_team(
        street,
        f"{street.name}应急志愿服务队",
        EmergencyTeam.Kind.VOLUNTEER,
        user,
        names,
        certs,
        10,
        "志愿者马甲 50 件、急救包 10 个",
        "协助转移安置、走访脆弱人群、防灾减灾宣传。",
        1,
    )
    for k, community in enumerate(communities):
        short = community.name.removesuffix("居民区")
        if k % 2 == 0:
            seed_team(
                community,
                f"{short}微型消防站",
                EmergencyTeam.Kind.MICRO_FIRE_STATION,
                user,
                names,
                certs,
                5,
                "灭火器 20 具、消防水带 4 盘、AED 1 台、破拆工具 1 套",
                "初起火灾“灭早、灭小、灭初期”，消防巡查。",
                2,
            )
        if k < 4:
            seed_team(
                community,
                f"{short}社区应急响应队",
                EmergencyTeam.Kind.FIRST_RESPONSE,
                user,
                names,
                certs,
                6,
                "扩音喇叭 2 个、手电筒 10 个",
                "居民区先期处置、楼组通知和疏散引导。",
                1,
            )


# --- 灾害信息员 -------------------------------------------------------------------------------


def seed_officers(street, user, names, uncovered):
    affiliations = ["居委干部", "物业经理", "楼组长", "网格员", "业委会成员"]
    units = [street, *OrgUnit.objects.filter(path__startswith=street.path).exclude(pk=street.pk)]
    estates = [u for u in units if u.kind == OrgKind.ESTATE]
    skip = {e.pk for e in estates[-uncovered:]} if uncovered else set()
    for i, unit in enumerate(units):
        if unit.pk in skip:
            continue
        officer, _ = InformationOfficer.objects.update_or_create(
            org_unit=unit,
            affiliation="街道应急办" if unit.kind == OrgKind.STREET else affiliations[i % 5],
            defaults={
                "name": names.name(),
                "phone": names.phone(),
                "appointed_on": _days_ago(300 + i * 7),
                "is_active": True,
                "created_by": user,
                "updated_by": user,
            },
        )
        OfficerTraining.objects.update_or_create(
            officer=officer,
            topic="灾害信息员业务培训（灾情统计报送）",
            defaults={
                "held_on": _days_ago(60 + i),
                "organizer": "区应急局",
                "hours": 4,
                "created_by": user,
                "updated_by": user,
            },
        )


# --- 脆弱人群 ---------------------------------------------------------------------------------

PROFILES = [
    # category, birth year, gender, mobility, needs
    ("elderly", 1938, "f", "partial", "独居高龄，行动不便，台风暴雨时需协助转移至安置点。"),
    ("alone", 1947, "m", "independent", "孤老，听力较差，预警信息需上门告知。"),
    ("disabled", 1969, "m", "dependent", "肢体残疾，使用轮椅，住六楼无电梯，需提前转移。"),
    ("child", 2016, "f", "independent", "父母长期外地务工，由祖父母照看。"),
    ("elderly", 1942, "m", "partial", "患慢性病，需保障药品，停电时需关注制氧机用电。"),
    ("other", 1985, "f", "independent", "孕晚期，汛期需关注就医通道。"),
]
RELATIONS = ["cadre", "block_leader", "volunteer", "grid", "doctor"]


def seed_residents(street, user, names, per_community):
    communities = OrgUnit.objects.filter(parent=street, kind=OrgKind.COMMUNITY).order_by("code")
    n = 0
    for c_index, community in enumerate(communities):
        estates = list(community.children.filter(kind=OrgKind.ESTATE).order_by("code"))
        for k in range(per_community):
            category, year, gender, mobility, needs = PROFILES[(c_index + k) % len(PROFILES)]
            unit = estates[k % len(estates)] if estates else community
            name = names.name()
            building = 3 + (n * 7) % 40
            address = f"{unit.name.removesuffix('居民区')}{building}号{101 + (n * 3) % 6 * 100}室"
            resident, _ = VulnerableResident.objects.update_or_create(
                org_unit=unit,
                name=name,
                address=address,
                defaults={
                    "gender": gender,
                    "id_number": names.id_number(year, gender),
                    "phone": names.phone() if category != "child" else "",
                    "category": category,
                    "mobility": mobility,
                    "needs": needs,
                    "emergency_contact": names.name(),
                    "emergency_phone": names.phone(),
                    "is_active": True,
                    "created_by": user,
                    "updated_by": user,
                },
            )
            n += 1
            if n % 5 != 0:  # every fifth has no helper yet
                HelperAssignment.objects.update_or_create(
                    resident=resident,
                    relation=RELATIONS[n % len(RELATIONS)],
                    defaults={
                        "helper_name": names.name(),
                        "helper_phone": names.phone(),
                        "started_on": _days_ago(200 + n),
                        "note": "每月走访，预警时电话确认并上门查看。",
                        "created_by": user,
                        "updated_by": user,
                    },
                )
            Visit.objects.update_or_create(
                resident=resident,
                occasion=Visit.Occasion.ROUTINE,
                defaults={
                    "visited_on": _days_ago(20 + (n * 11) % 60),
                    "visitor": f"{community.name.removesuffix('居民区')}居委",
                    "findings": "身体状况稳定，家中燃气、电线无明显隐患，已告知应急联系电话。",
                    "created_by": user,
                    "updated_by": user,
                },
            )
            if n % 3 == 0:
                Visit.objects.update_or_create(
                    resident=resident,
                    occasion=Visit.Occasion.TYPHOON,
                    defaults={
                        "visited_on": _days_ago(5 + n % 7),
                        "visitor": f"{community.name.removesuffix('居民区')}居委",
                        "findings": "台风蓝色预警发布后上门查看，门窗已加固，备有饮用水和手电筒。",
                        "follow_up": "如升级为橙色预警，由帮扶人协助转移至街道临时安置点。",
                        "created_by": user,
                        "updated_by": user,
                    },
                )


def _street_people(code, username, *, uncovered, per_community, doc_prefix):
    street = OrgUnit.objects.get(code=code)
    user = User.objects.get(username=username)
    names = Names(f"people-demo-{code}")
    certs = list(CertificateType.objects.all())
    communities = list(
        OrgUnit.objects.filter(parent=street, kind=OrgKind.COMMUNITY).order_by("code")
    )
    seed_leadership(street, user, names, doc_prefix)
    seed_teams(street, user, names, certs, communities)
    seed_officers(street, user, names, uncovered)
    seed_residents(street, user, names, per_community)


def seed_demo(stdout):
    ensure_certificate_types(CertificateType)
    grant_permissions()
    _street_people("310105001", "huayang_staff", uncovered=2, per_community=4, doc_prefix="华街")
    _street_people("310115005", "lujiazui_staff", uncovered=3, per_community=4, doc_prefix="陆街")
    # 新华路街道: one micro fire station and a few residents, no leadership group; its staff
    # have neither permission, so they see masked numbers and no resident list.
    xinhua = OrgUnit.objects.get(code="310105004")
    user = User.objects.get(username="xinhua_staff")
    names = Names("people-demo-310105004")
    community = OrgUnit.objects.get(code="310105004001")
    seed_team(
        community,
        "新华微型消防站",
        EmergencyTeam.Kind.MICRO_FIRE_STATION,
        user,
        names,
        list(CertificateType.objects.all()),
        5,
        "灭火器 16 具、消防水带 4 盘",
        "初起火灾扑救、消防巡查。",
        1,
    )
    seed_residents(xinhua, user, names, per_community=1)
    link_officer_account()
    stdout.write("People: demo teams, officers, leadership groups and vulnerable residents.")


def link_officer_account():
    """huayi_officer is the log-in of 华一小区's 灾害信息员."""
    account = User.objects.get(username="huayi_officer")
    officer = InformationOfficer.objects.filter(org_unit=account.org_unit).order_by("pk").first()
    officer.user = account
    officer.save()
