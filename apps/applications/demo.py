"""Demo applications in every state, for 华阳路街道 and 陆家嘴街道 and some of their communities,
driven through the services (so events, snapshots and scores are real) and then dated back
relative to today; and the records the basic conditions and the evidence read first: residents'
questionnaires (华三居民区's a few answers short of the 30 the 满意率 needs, so its draft cannot
be submitted yet), 科普/宣传/培训 activities with their sign-ins, this year's funding and
insurance, and 明白卡 given to vulnerable residents.

Idempotent: an application is looked up by (unit, title, year), a questionnaire by its
community, an activity by (unit, title), funding by (unit, year); what exists is left as it
is."""

import datetime
from decimal import ROUND_FLOOR, Decimal

from django.core.files.base import ContentFile
from django.utils import timezone

from apps.orgs.models import OrgUnit, User
from apps.people.models import Visit, VulnerableResident

from . import services
from .models import (
    Action,
    Activity,
    ActivityKind,
    Application,
    Evidence,
    Funding,
    ItemAssessment,
    NationalDay,
    Satisfaction,
    SignIn,
    Standard,
    Survey,
    SurveyResponse,
    TargetTitle,
)
from .reference import ensure_standard

DEMO_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)

EXPLANATIONS = {
    "organisation": (
        "已成立由街道办事处主任任组长的创建工作推进组，下设创建办，明确任务清单和职责清单。"
    ),
    "risk": (
        "完成辖区灾害风险评估，绘制风险地图并在社区公示栏公示；梳理“老、幼、孤、残”清单并结对帮扶。"
    ),
    "hazard": "建立隐患排查台账，电动自行车飞线充电、楼道堆物等隐患实行闭环整改、按期销号。",
    "infrastructure": "设置室内外应急避难场所，标识清晰；微型消防站物资齐备、人员到位。",
    "supplies": "建成综合应急物资储备库，与企业签订协议储备，定期盘点、更新临期物资。",
    "forces": "组建先期处置、专业处置、志愿服务三支队伍，每个小区落实灾害信息员。",
    "plans-drills": "形成“1+N+M”预案体系，制定年度演练计划，开展消防疏散、防汛防台等演练。",
    "publicity": "利用5·12防灾减灾日、安全生产月开展宣传活动，建设社区科普宣传专区。",
    "highlights": "依托“一网统管”数字底座建设应用场景，提升预警监测能力。",
}

RETURN_REASON = (
    "“风险评估”方面未提供风险地图公示照片；“应急物资保障”方面的物资台账与配置标准不一致，"
    "请补充佐证材料并核实自评分后重新提交。"
)
REJECT_REASON = (
    "评审总分未达到通过分数线，隐患治理和应急力量建设方面短板明显，建议培育一年后再申报。"
)


def _points(max_points, ratio, index):
    share = min(
        Decimal("1"), max(Decimal("0"), Decimal(str(ratio)) + (index % 3 - 1) * Decimal("0.06"))
    )
    return (max_points * share * 2).quantize(Decimal("1"), rounding=ROUND_FLOOR) / 2


def _fill(user, app, ratio, aspects=None):
    blocks = services.scorecard(app)["aspects"]
    for n, block in enumerate(blocks):
        if aspects is not None and n >= aspects:
            break
        aspect = block["aspect"]
        entries = {
            row["item"].pk: (
                _points(row["item"].max_points, ratio, i),
                EXPLANATIONS.get(aspect.code, "") if i == 0 else "",
            )
            for i, row in enumerate(block["rows"])
        }
        services.save_self_assessment(user, app, aspect, entries)
    first = blocks[0]["rows"][0]["item"]
    if not Evidence.objects.filter(application=app, item=first).exists():
        evidence = Evidence(application=app, item=first, uploaded_by=user)
        evidence.original_name = "综合减灾领导小组成立文件.pdf"
        evidence.file.save(evidence.original_name, ContentFile(DEMO_PDF), save=False)
        evidence.size = len(DEMO_PDF)
        evidence.save()


def _score(reviewer, app, ratio, aspects=None):
    rows = list(
        ItemAssessment.objects.filter(application=app)
        .select_related("item__aspect")
        .order_by("item__aspect__order", "item__order")
    )
    scores = {}
    for i, row in enumerate(rows):
        if aspects is not None and row.item.aspect.order > aspects:
            continue
        scores[row.item_id] = _points(row.item.max_points, ratio, i + 1)
    comments = {
        row.item.aspect_id: "材料齐全，工作扎实。" for row in rows if row.item.aspect.order <= 3
    }
    services.save_review(reviewer, app, scores=scores, comments=comments)


def _date_back(app, days_ago):
    """Give the events (in order) the dates ``days_ago`` and the submission its date."""
    now = timezone.now()
    events = list(app.events.order_by("pk"))
    for event, days in zip(events, days_ago, strict=False):
        event.created_at = now - datetime.timedelta(days=days, hours=3)
        event.save(update_fields=["created_at"])
    submitted = [e for e in events if e.action == Action.SUBMIT]
    if submitted:
        Application.objects.filter(pk=app.pk).update(submitted_at=submitted[-1].created_at)


def _application(code, title, year, staff, contact, stages_year):
    unit = OrgUnit.objects.get(code=code)
    existing = Application.objects.filter(org_unit=unit, title=title, year=year).first()
    if existing:
        return existing, False
    app = services.create_application(
        staff,
        org_unit=unit,
        standard=Standard.objects.get(
            code="cn-2020" if title == TargetTitle.NATIONAL else "sh-2024"
        ),
        title=title,
        year=year,
        contact_name=contact[0],
        contact_phone=contact[1],
        summary=f"{unit.name}对照创建标准九个方面逐项落实，形成组织管理、风险评估、隐患治理、"
        "预案演练等工作台账。",
        cultivate_start=datetime.date(stages_year - 1, 9, 1),
        cultivate_end=datetime.date(stages_year - 1, 12, 31),
        evaluate_start=datetime.date(stages_year, 1, 1),
        evaluate_end=datetime.date(stages_year, 12, 31),
        accept_start=datetime.date(stages_year + 1, 1, 1),
        accept_end=datetime.date(stages_year + 1, 6, 30),
    )
    return app, True


# community code → (households, answers, of them satisfied): 华三's draft is 3 answers short
SURVEYS = {
    "310105001001": (620, 40, 36),
    "310105001002": (540, 27, 24),
    "310105001003": (480, 35, 31),
    "310105001004": (510, 31, 27),
    "310115005001": (900, 45, 39),
    "310115005002": (760, 38, 33),
    "310115005003": (820, 33, 29),
    "310115005004": (700, 32, 28),
}
# (unit code, title, kind, national day, days ago, place, sign-ins)
ACTIVITIES = [
    ("310105001", "“5·12”防灾减灾日社区宣传咨询", ActivityKind.PUBLICITY, NationalDay.MAY12,
     None, "华阳路街道社区文化活动中心广场", 86),
    ("310105001001", "居民应急避险与自救互救技能培训", ActivityKind.TRAINING, "",
     40, "华一居民区活动室", 38),
    ("310105001002", "“119”消防宣传月：家庭火灾逃生科普", ActivityKind.SCIENCE,
     NationalDay.FIRE119, None, "华三居民区睦邻点", 24),
    ("310115005", "安全生产月“安全宣传进社区”", ActivityKind.PUBLICITY, NationalDay.SAFETY_MONTH,
     None, "陆家嘴街道滨江步道", 120),
    ("310115005001", "防汛防台居民培训", ActivityKind.TRAINING, "", 60, "梅园一村居民区活动室", 45),
]  # fmt: skip
# unit code → (amount in yuan, insured households, policy)
FUNDING = {
    "310105001": (128000, 5200, "居民住房灾害保险（区政府统保）"),
    "310115005": (186000, 9100, "居民住房灾害保险（区政府统保）"),
    "310105001001": (30000, 610, "居民住房灾害保险（区政府统保）"),
}


def _staff(code):
    """The street staff who keep a demo unit's records."""
    return User.objects.get(
        username="huayang_staff" if code.startswith("310105") else "lujiazui_staff"
    )


def _surveys(today):
    for code, (households, answers, satisfied) in SURVEYS.items():
        unit = OrgUnit.objects.get(code=code)
        if Survey.objects.filter(org_unit=unit).exists():
            continue
        staff = _staff(code)
        survey = Survey.objects.create(
            org_unit=unit,
            households=households,
            opened_on=today - datetime.timedelta(days=50),
            created_by=staff,
            updated_by=staff,
        )
        SurveyResponse.objects.bulk_create(
            SurveyResponse(
                survey=survey,
                answered_on=today - datetime.timedelta(days=45 - i % 40),
                satisfaction=(Satisfaction.SATISFIED if i % 3 else Satisfaction.FAIR)
                if i < satisfied
                else Satisfaction.UNSATISFIED,
                knows_shelter=i % 5 != 0,
                joined_activity=i % 2 == 0,
                has_kit=i % 3 == 0,
                got_warning=i % 4 != 0,
            )
            for i in range(answers)
        )


def _last(today, month, day):
    """The last ``month``/``day`` on or before today."""
    date = datetime.date(today.year, month, day)
    return date if date <= today else datetime.date(today.year - 1, month, day)


NATIONAL_DAY_DATES = {
    NationalDay.MAY12: (5, 12),
    NationalDay.SAFETY_MONTH: (6, 16),
    NationalDay.FIRE119: (11, 9),
}


def _activities(today):
    for code, title, kind, national_day, days_ago, place, sign_ins in ACTIVITIES:
        unit = OrgUnit.objects.get(code=code)
        if Activity.objects.filter(org_unit=unit, title=title).exists():
            continue
        staff = _staff(code)
        if days_ago is None:
            held_on = _last(today, *NATIONAL_DAY_DATES[national_day])
        else:
            held_on = today - datetime.timedelta(days=days_ago)
        activity = Activity.objects.create(
            org_unit=unit,
            title=title,
            kind=kind,
            national_day=national_day,
            held_on=held_on,
            place=place,
            summary="发放宣传折页，现场讲解家庭应急物资储备和避险逃生要点。",
            sign_in_open=False,
            created_by=staff,
            updated_by=staff,
        )
        SignIn.objects.bulk_create(
            SignIn(activity=activity, signed_on=held_on) for _i in range(sign_ins)
        )


def _funding(today):
    for code, (amount, insured, policy) in FUNDING.items():
        unit = OrgUnit.objects.get(code=code)
        staff = _staff(code)
        Funding.objects.get_or_create(
            org_unit=unit,
            year=today.year,
            defaults={
                "amount": amount,
                "purpose": "应急物资储备、演练培训、避难场所标识和微型消防站维护",
                "insured_households": insured,
                "insurance": policy,
                "created_by": staff,
                "updated_by": staff,
            },
        )


def _cards(today):
    """明白卡 given to the vulnerable residents of 华一居民区 (a 走访 of that kind)."""
    huayi = OrgUnit.objects.get(code="310105001001")
    for resident in VulnerableResident.objects.filter(
        org_unit__path__startswith=huayi.path, is_active=True
    ):
        Visit.objects.get_or_create(
            resident=resident,
            occasion=Visit.Occasion.CARD,
            defaults={
                "visited_on": today - datetime.timedelta(days=20),
                "visitor": "华一居委会",
                "findings": "上门发放防汛防台避险转移明白卡，讲解转移路线和安置点。",
            },
        )


def seed_demo(stdout):
    from .models import Aspect, Condition, Item

    ensure_standard(Standard, Aspect, Item, Condition)
    today = timezone.localdate()
    _surveys(today)
    _activities(today)
    _funding(today)
    _cards(today)
    year = today.year
    users = {u.username: u for u in User.objects.filter(username__endswith="_staff")}
    users |= {u.username: u for u in User.objects.filter(username__endswith="_reviewer")}
    admin = User.objects.get(username="admin")
    huayang, lujiazui = users["huayang_staff"], users["lujiazui_staff"]
    changning, pudong = users["changning_reviewer"], users["pudong_reviewer"]
    act = services.transition_application
    city, national = TargetTitle.CITY, TargetTitle.NATIONAL
    created = 0

    # 华阳路街道: 区级审核中, submitted three weeks ago (waiting beyond 14 days), half scored.
    app, new = _application("310105001", city, year, huayang, ("王敏", "021-62511234"), year)
    if new:
        _fill(huayang, app, 0.9)
        act(huayang, app, Action.SUBMIT)
        act(changning, app, Action.ACCEPT)
        _score(changning, app, 0.86, aspects=5)
        _date_back(app, [40, 21, 19])
        created += 1

    # 华一居民区: 授牌 nearly three years ago; re-review within 60 days.
    app, new = _application(
        "310105001001", city, year - 3, huayang, ("李娟", "021-62520001"), year - 3
    )
    if new:
        _fill(huayang, app, 0.95)
        act(huayang, app, Action.SUBMIT)
        act(changning, app, Action.ACCEPT)
        _score(changning, app, 0.9)
        act(changning, app, Action.APPROVE, comment="九个方面均达到标准要求，同意推荐。")
        award = today - datetime.timedelta(days=3 * 365 - 40)
        act(admin, app, Action.AWARD, award_date=award, validity_years=3)
        _date_back(app, [3 * 365 + 120, 3 * 365 + 90, 3 * 365 + 80, 3 * 365 + 60, 3 * 365 - 40])
        created += 1

    # 飞乐居民区: 区级通过, waiting for the city's result.
    app, new = _application("310105001003", city, year, huayang, ("陈洁", "021-62520003"), year)
    if new:
        _fill(huayang, app, 0.93)
        act(huayang, app, Action.SUBMIT)
        act(changning, app, Action.ACCEPT)
        _score(changning, app, 0.9)
        act(changning, app, Action.APPROVE, comment="同意通过区级审核，报市灾防办评定。")
        _date_back(app, [60, 45, 40, 30])
        created += 1

    # 华三居民区: a draft, four aspects filled so far.
    app, new = _application("310105001002", city, year, huayang, ("周静", "021-62520002"), year)
    if new:
        _fill(huayang, app, 0.85, aspects=4)
        _date_back(app, [7])
        created += 1

    # 陆家嘴街道: 授牌 last year (创建周期 2023-2025), and applying for the national title now.
    app, new = _application(
        "310115005", city, year - 1, lujiazui, ("姜文杰", "021-58881234"), year - 1
    )
    if new:
        _fill(lujiazui, app, 0.95)
        act(lujiazui, app, Action.SUBMIT)
        act(pudong, app, Action.ACCEPT)
        _score(pudong, app, 0.92)
        act(pudong, app, Action.APPROVE, comment="创建工作扎实，特色亮点鲜明，同意通过。")
        act(admin, app, Action.AWARD, award_date=today - datetime.timedelta(days=120))
        _date_back(app, [300, 200, 190, 170, 120])
        created += 1
    app, new = _application("310115005", national, year, lujiazui, ("姜文杰", "021-58881234"), year)
    if new:
        _fill(lujiazui, app, 0.94)
        act(lujiazui, app, Action.SUBMIT)
        _date_back(app, [30, 5])
        created += 1

    # 梅园一村居民区: 退回修改 with the district's reasons.
    app, new = _application("310115005001", city, year, lujiazui, ("张丽", "021-58880001"), year)
    if new:
        _fill(lujiazui, app, 0.9)
        act(lujiazui, app, Action.SUBMIT)
        act(pudong, app, Action.ACCEPT)
        _score(pudong, app, 0.8, aspects=6)
        act(pudong, app, Action.RETURN, comment=RETURN_REASON)
        _date_back(app, [50, 30, 28, 10])
        created += 1

    # 崂山一村居民区: 不通过 last year.
    app, new = _application(
        "310115005002", city, year - 1, lujiazui, ("刘芳", "021-58880002"), year - 1
    )
    if new:
        _fill(lujiazui, app, 0.8)
        act(lujiazui, app, Action.SUBMIT)
        act(pudong, app, Action.ACCEPT)
        _score(pudong, app, 0.68)
        act(pudong, app, Action.REJECT, comment=REJECT_REASON)
        _date_back(app, [330, 300, 295, 280])
        created += 1

    stdout.write(f"Applications: {created} demo applications created.")
