"""Facts the portal already knows about the applicant unit, shown beside the matching aspects.

The figures come from ``apps.orgs.facts.unit_facts(unit, today)`` (one JSON-safe dict
per unit: plans, hazards, supplies, shelters, drills, people, grids, incidents, 叫应 and the 六有
readiness) and from the application's own records (``apps.applications.selectors``: the
residents' questionnaire, 因灾较大事故, risk points and vulnerable residents, teams, activities,
funding and insurance, the records behind 防汛防台"六有"). A draft shows them live; at
submission they are stored on the application (``facts_snapshot``) and a submitted application
only ever shows that snapshot. This module turns either into rows for the page and the PDF,
tolerating keys that an older snapshot may lack.
"""

from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as gettext_now
from django.utils.translation import gettext_lazy as _

# Which fact groups an aspect's ``facts`` code shows.
ASPECT_GROUPS = {
    "organisation": ("people", "grids", "funding"),
    "people": ("people", "forces"),
    "risk": ("risk", "hazards", "disaster"),
    "hazards": ("hazards", "grids", "incidents", "disaster"),
    "shelters": ("shelters", "warnings"),
    "supplies": ("supplies", "stock"),
    "plans_drills": ("plans", "drills", "warnings"),
    "outreach": ("outreach", "survey"),
}

GROUP_TITLES = {
    "plans": _("应急预案"),
    "drills": _("应急演练"),
    "hazards": _("风险隐患（近12个月）"),
    "supplies": _("应急物资"),
    "shelters": _("应急避难场所"),
    "people": _("组织与队伍"),
    "incidents": _("突发事件（信息报送）"),
    "warnings": _("预警叫应（今年）"),
    "grids": _("网格化管理"),
    "survey": _("居民问卷（近12个月）"),
    "disaster": _("因灾较大事故（信息报送）"),
    "risk": _("风险点与脆弱人群"),
    "forces": _("应急队伍"),
    "stock": _("物资储备与维护"),
    "outreach": _("宣传教育活动（近12个月）"),
    "funding": _("经费投入与灾害保险（今年）"),
}

# (key, label, format, "warn when"): formats are bool, int, float, percent, date, or
# "of:<key>" (a count out of another figure). "warn" marks a figure that needs attention.
ROWS = {
    "plans": [
        ("overall_in_force", _("总体预案生效"), "bool", "false"),
        ("in_force", _("生效预案"), "int", None),
        ("review_overdue", _("评估修订逾期的预案"), "int", "positive"),
        ("communities_covered", _("有生效预案的居委/村"), "of:communities", "short"),
    ],
    "drills": [
        ("held_12m", _("近12个月开展演练"), "int", "zero"),
        ("last_held", _("最近一次演练"), "date", None),
        ("communities_without_drill", _("近12个月未演练的居委/村"), "int", "positive"),
    ],
    "hazards": [
        ("total", _("发现隐患"), "int", None),
        ("closed", _("已销号"), "int", None),
        ("open", _("未销号"), "int", None),
        ("overdue", _("逾期未销号"), "int", "positive"),
        ("closure_rate", _("销号率"), "percent", None),
    ],
    "supplies": [
        ("sites", _("储备库/储备点"), "int", "zero"),
        ("items_below_standard", _("低于配置标准的物资"), "int", "positive"),
        ("lots_expiring_30d", _("30天内到期的批次"), "int", "positive"),
    ],
    "shelters": [
        ("effective_area", _("有效避难面积（m²）"), "float", None),
        ("population", _("常住人口"), "int", None),
        ("per_resident", _("人均有效避难面积（m²）"), "float", None),
        ("meets_target", _("达到人均 1.2 m²"), "bool", "false"),
    ],
    "people": [
        ("leadership_group", _("综合减灾领导小组"), "bool", "false"),
        ("mechanism", _("领导小组发文成立并设办公室"), "bool", "false"),
        ("teams_with_members", _("有队员的应急队伍"), "int", "zero"),
        ("team_members", _("应急队员"), "int", None),
        ("estates_with_officer", _("有灾害信息员的小区"), "of:estates", "short"),
    ],
    "incidents": [
        ("no_serious_3y", _("近3年无因灾较大事故"), "bool", "false"),
        ("serious_3y", _("近3年较大及以上突发事件"), "int", "positive"),
        ("this_year", _("今年报送的突发事件"), "int", None),
    ],
    "grids": [
        ("estates_covered", _("有网格员的小区"), "of:estates", "short"),
        ("coverage_rate", _("网格化覆盖率"), "percent", None),
        ("hazards_found", _("网格员近12个月发现隐患"), "int", None),
        ("handling_rate", _("网格员发现隐患处理率"), "percent", None),
    ],
    "survey": [
        ("answers", _("答卷数"), "int", "zero"),
        ("satisfaction_rate", _("满意率"), "percent", None),
        ("participation_rate", _("参与率"), "percent", None),
        ("knows_shelter_rate", _("知晓避难场所"), "percent", None),
        ("has_kit_rate", _("家中备有应急包"), "percent", None),
    ],
    "disaster": [
        ("serious_3y", _("近3年因灾较大及以上事故"), "int", "positive"),
        ("last_serious", _("最近一次因灾较大事故"), "date", None),
    ],
    "risk": [
        ("points", _("在管风险点"), "int", "zero"),
        ("mapped", _("已在风险地图上定位"), "of:points", "short"),
        ("inspected_6m", _("近半年已巡查"), "of:points", "short"),
        ("vulnerable_helped", _("脆弱人群已结对帮扶"), "of:vulnerable", "short"),
        ("vulnerable_carded", _("脆弱人群已发放明白卡"), "of:vulnerable", "short"),
    ],
    "forces": [
        ("first_response", _("先期处置队"), "int", "zero"),
        ("professional", _("专业处置队"), "int", "zero"),
        ("volunteer", _("志愿服务队"), "int", "zero"),
        ("volunteers", _("志愿者"), "int", None),
        ("micro_fire", _("微型消防站"), "int", None),
        ("trainings_12m", _("近12个月队伍培训"), "int", "zero"),
    ],
    "stock": [
        ("agreement_sites", _("协议储备点"), "int", "zero"),
        ("checks_12m", _("近12个月盘点维护"), "int", "zero"),
    ],
    "outreach": [
        ("activities_12m", _("宣传教育活动"), "int", "zero"),
        ("national_days_12m", _("其中宣传节点活动"), "int", "zero"),
        ("trainings_12m", _("居民培训"), "int", "zero"),
        ("participants_12m", _("扫码签到人次"), "int", None),
    ],
    "funding": [
        ("amount", _("经费投入（元）"), "money", "zero"),
        ("insured_households", _("参加灾害保险的户数"), "int", None),
    ],
    "warnings": [
        ("calls", _("叫应人次"), "int", None),
        ("answered", _("已确认"), "int", None),
        ("rate", _("叫应率"), "percent", None),
        ("in_window_rate", _("按时叫应率（升级前确认）"), "percent", None),
    ],
}

YES, NO, NONE = _("是"), _("否"), "—"


def live_facts(unit, today=None):
    """The current facts for ``unit``: the dashboards' indicators (that app owns their
    meaning), the application's own figures and the 防汛防台"六有" derived from both."""
    from apps.orgs.facts import unit_facts

    from .selectors import evidence_figures

    facts = unit_facts(unit, today=today)
    facts.update(evidence_figures([unit], today=today)[unit.pk])
    facts["flood_readiness"] = flood_readiness(facts)
    return facts


def _display(value, fmt, group):
    if value is None:
        return NONE
    if fmt == "bool":
        return YES if value else NO
    if fmt == "percent":
        # closure_rate is a percentage (as apps.hazards.services.hazard_stats computes it).
        return f"{number_format(value, 1)}%"
    if fmt == "money":
        return number_format(value, 0, force_grouping=True)
    if fmt == "float":
        return number_format(value, 1 if abs(value) >= 10 else 2)
    if fmt.startswith("of:"):
        total = group.get(fmt[3:])
        return f"{value}/{total}" if total is not None else str(value)
    return str(value)


def _warn(value, rule, fmt, group):
    if rule is None or value is None:
        return False
    if rule == "false":
        return value is False
    if rule == "positive":
        return value > 0
    if rule == "zero":
        return value == 0
    if rule == "short" and fmt.startswith("of:"):
        total = group.get(fmt[3:])
        return total is not None and value < total
    return False


def group_rows(facts, group_code):
    group = (facts or {}).get(group_code) or {}
    rows = []
    for key, label, fmt, warn in ROWS[group_code]:
        if key not in group:
            continue
        value = group[key]
        rows.append(
            {
                "label": label,
                "value": _display(value, fmt, group),
                "warn": _warn(value, warn, fmt, group),
            }
        )
    return rows


def aspect_facts(facts, facts_code):
    """The fact groups to show beside an aspect with ``facts_code``: [{title, rows}]."""
    if not facts:
        return []
    return [
        {"code": code, "title": GROUP_TITLES[code], "rows": group_rows(facts, code)}
        for code in ASPECT_GROUPS.get(facts_code, ())
        if (facts.get(code) or {})
    ]


def readiness(facts):
    """The 六有 card: [{code, label, ok, reason}]."""
    return list((facts or {}).get("readiness") or [])


# 防汛防台"六有" (《关于加强基层防汛体系标准化建设的指导意见》): code, label, test, the
# reason when it holds and when not, where to fix it.
FLOOD_READINESS = [
    (
        "organisation",
        _("有组织机构"),
        lambda f: _value(f, "people", "leadership_group"),
        _("已成立领导小组并明确组长，承担防汛防台组织指挥。"),
        _("尚未登记领导小组或未明确组长。"),
        "people:leadership",
    ),
    (
        "rules",
        _("有工作制度"),
        lambda f: _value(f, "people", "mechanism"),
        _("领导小组已发文成立并设办公室。"),
        _("领导小组缺少成立文号或办公室。"),
        "people:leadership",
    ),
    (
        "plan",
        _("有防汛预案"),
        lambda f: (_value(f, "flood", "flood_plans") or 0) > 0,
        _("有生效的防汛防台预案。"),
        _("没有生效的、灾种含“防汛防台”的预案。"),
        "plans:list",
    ),
    (
        "stock",
        _("有物资准备"),
        lambda f: (_value(f, "stock", "flood_lots") or 0) > 0,
        _("储备点有防汛防台类物资库存。"),
        _("没有防汛防台类物资库存（沙袋、挡水板、抽水泵等）。"),
        "supplies:overview",
    ),
    (
        "team",
        _("有抢险队伍"),
        lambda f: (
            (_value(f, "forces", "first_response") or 0)
            + (_value(f, "forces", "professional") or 0)
            > 0
        ),
        _("有登记了队员的先期处置或专业处置队伍。"),
        _("没有登记了队员的先期处置或专业处置队伍。"),
        "people:list",
    ),
    (
        "shelter",
        _("有避难场所"),
        lambda f: (_value(f, "flood", "shelters_available") or 0) > 0,
        _("有可用的应急避难场所。"),
        _("没有状态为“可用”的应急避难场所。"),
        "shelters:list",
    ),
]


def _value(facts, group, key):
    return ((facts or {}).get(group) or {}).get(key)


def flood_readiness(facts):
    """防汛防台"六有" from the facts: [{code, label, ok, reason, fix_url}]."""
    items = []
    for code, label, test, yes, no, url in FLOOD_READINESS:
        ok = bool(test(facts))
        items.append(
            {
                "code": code,
                "label": gettext_now(label),
                "ok": ok,
                "reason": gettext_now(yes if ok else no),
                "fix_url": reverse(url),
            }
        )
    return items
