"""Facts the portal already knows about the applicant unit, shown beside the matching aspects.

The figures come from ``apps.dashboards.indicators.unit_facts(unit, today)`` (one JSON-safe dict
per unit: plans, hazards, supplies, shelters, drills, people, incidents, 叫应 and the 六有
readiness). A draft
shows them live; at submission they are stored on the application (``facts_snapshot``) and a
submitted application only ever shows that snapshot. This module turns either into rows for
the page and the PDF, tolerating keys that an older snapshot may lack.
"""

from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

# Which fact groups an aspect's ``facts`` code shows.
ASPECT_GROUPS = {
    "organisation": ("people", "grids"),
    "people": ("people",),
    "risk": ("hazards", "incidents"),
    "hazards": ("hazards", "grids", "incidents"),
    "shelters": ("shelters", "warnings"),
    "supplies": ("supplies",),
    "plans_drills": ("plans", "drills"),
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
    "warnings": [
        ("calls", _("叫应人次"), "int", None),
        ("answered", _("已确认"), "int", None),
        ("rate", _("叫应率"), "percent", None),
        ("in_window_rate", _("按时叫应率（升级前确认）"), "percent", None),
    ],
}

YES, NO, NONE = _("是"), _("否"), "—"


def live_facts(unit, today=None):
    """The current facts for ``unit`` (the dashboards app owns their meaning)."""
    from apps.dashboards.indicators import unit_facts

    return unit_facts(unit, today=today)


def _display(value, fmt, group):
    if value is None:
        return NONE
    if fmt == "bool":
        return YES if value else NO
    if fmt == "percent":
        # closure_rate is a percentage (as apps.hazards.services.hazard_stats computes it).
        return f"{number_format(value, 1)}%"
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
