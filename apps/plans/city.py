"""City-scale 预案 for ``seed_city``: every street's 总体应急预案 with its special and department
plans under it, and a 居民区综合应急预案 in most communities (some have none: the coverage gap);
most in force with their first version, a few being revised or still drafts."""

from resilience.dates import add_months

from .models import HazardType, Plan, PlanVersion

STREET_DEPARTMENTS = [
    "街道应急办",
    "平安办",
    "社区管理办",
    "社区服务办",
    "城运中心",
    "综合行政执法队",
]
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


def seed(city):
    hazard_types = list(HazardType.objects.values_list("pk", flat=True))
    rng = city.rng
    plans = city.w.table(
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
    versions = city.w.table(
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
        city.w.table(Plan.hazard_types.through, ["plan", "hazardtype"]) if hazard_types else None
    )

    def plan(unit, kind, title, department, parent):
        roll = rng.random()
        status = "in_force" if roll < 0.85 else ("revising" if roll < 0.92 else "draft")
        effective = city.days_ago(30, 1200) if status != "draft" else None
        next_review = add_months(effective, 36) if effective else None
        pk = plans.add(
            *city.scoped(unit, effective or city.today),
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
                city.stamp(effective),
                city.staff_of[city.street_of[unit]],
            )
        if links:
            for ht in rng.sample(hazard_types, min(2, len(hazard_types))):
                links.add(pk, ht)
        return pk

    overall_of = {}
    for street, _code, _path, _d, s_name in city.streets:
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
    for community, street in city.communities:
        if rng.random() < 0.93:  # some communities have no plan: the coverage gap
            plan(
                community,
                "community",
                f"居民区综合应急预案（{community}）",
                "居委会",
                overall_of[street],
            )
