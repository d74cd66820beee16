"""Which items the portal's records prove (``Item.proof``), and "还差多少分": for a draft, the items
that have no evidence yet — neither a record that proves them nor an uploaded file — and the
points they carry, against the pass mark.

Every check reads the facts (``apps.applications.facts.live_facts``: the dashboards' indicators
and the application's own figures), so a submitted application is judged on its snapshot. A
fact a snapshot lacks reads as "not proved"."""

from dataclasses import dataclass
from decimal import Decimal

from django.urls import reverse
from django.utils.translation import gettext as _

from .models import Proof


def _get(facts, group, key, default=None):
    return ((facts or {}).get(group) or {}).get(key, default)


def _all_of(facts, group, part, whole, what):
    """``part`` of ``whole`` (both keys of ``group``): proved when every one is."""
    n, total = _get(facts, group, part, 0) or 0, _get(facts, group, whole, 0) or 0
    if not total:
        return False, _("尚未登记%(what)s。") % {"what": what}
    return n >= total, _("%(n)d/%(total)d") % {"n": n, "total": total}


def _count(facts, group, key, what):
    n = _get(facts, group, key, 0) or 0
    return n > 0, _("%(what)s %(n)d") % {"what": what, "n": n}


def _rate(facts, group, key, minimum, what):
    rate = _get(facts, group, key)
    if rate is None:
        return False, _("暂无%(what)s数据") % {"what": what}
    return rate >= minimum, _("%(what)s %(rate)s%%") % {"what": what, "rate": rate}


def _flag(facts, group, key, yes, no):
    value = bool(_get(facts, group, key))
    return value, yes if value else no


def _plan_system(facts):
    communities = _get(facts, "plans", "communities", 0) or 0
    covered = _get(facts, "plans", "communities_covered", 0) or 0
    overall = _get(facts, "plans", "overall_in_force", False)
    # a community's own plan is its 预案; a street also needs its 总体预案
    ok = communities > 0 and covered >= communities and (overall or communities == 1)
    return ok, _("总体预案%(overall)s，%(c)d/%(n)d 个居委/村有生效预案") % {
        "overall": _("生效") if overall else _("未生效"),
        "c": covered,
        "n": communities,
    }


def _funding(facts, minimum):
    amount = _get(facts, "funding", "amount", 0) or 0
    ok = amount >= minimum if minimum else amount > 0
    return ok, _("%(year)s年经费投入 %(amount)s 万元") % {
        "year": _get(facts, "funding", "year", ""),
        "amount": f"{amount / 10000:.1f}",
    }


def _drill_follow_up(facts):
    held = _get(facts, "drills", "held_12m", 0) or 0
    open_ = _get(facts, "drill_actions", "open")
    if open_ is None:
        return False, _("暂无数据")
    return held > 0 and open_ == 0, _("未完成整改的问题 %(n)d 项") % {"n": open_}


def _risk_points(facts):
    points = _get(facts, "risk", "points", 0) or 0
    inspected = _get(facts, "risk", "inspected_6m", 0) or 0
    if not points:
        return False, _("尚未登记风险点。")
    return inspected >= points, _("近半年巡查 %(n)d/%(total)d 个风险点") % {
        "n": inspected,
        "total": points,
    }


# code → (check(facts) → (ok, detail), URL name where the street fixes it)
CHECKS = {
    Proof.LEADERSHIP: (
        lambda f: _flag(f, "people", "leadership_group", _("已登记"), _("未登记领导小组或组长")),
        "people:leadership",
    ),
    Proof.MECHANISM: (
        lambda f: _flag(f, "people", "mechanism", _("已发文成立"), _("缺少成立文号或办公室")),
        "people:leadership",
    ),
    Proof.GRID_COVERAGE: (
        lambda f: _rate(f, "grids", "coverage_rate", 100, _("网格化覆盖率")),
        "orgs:grids",
    ),
    Proof.GRID_HANDLING: (
        lambda f: _rate(f, "grids", "handling_rate", 100, _("处理率")),
        "hazards:list",
    ),
    Proof.FUNDING: (lambda f: _funding(f, 0), "applications:funding"),
    Proof.FUNDING_100K: (lambda f: _funding(f, 100_000), "applications:funding"),
    Proof.INSURANCE: (
        lambda f: _flag(f, "funding", "insurance", _("已登记"), _("未登记灾害保险")),
        "applications:funding",
    ),
    Proof.RISK_POINTS: (_risk_points, "hazards:points"),
    Proof.RISK_MAP: (
        lambda f: _all_of(f, "risk", "mapped", "points", _("风险点")),
        "hazards:map",
    ),
    Proof.VULNERABLE: (
        lambda f: _all_of(f, "risk", "vulnerable_helped", "vulnerable", _("脆弱人群")),
        "people:residents",
    ),
    Proof.CARDS: (
        lambda f: _all_of(f, "risk", "vulnerable_carded", "vulnerable", _("脆弱人群")),
        "people:residents",
    ),
    Proof.HAZARD_LEDGER: (
        lambda f: _count(f, "hazards", "total", _("近12个月隐患")),
        "hazards:list",
    ),
    Proof.HAZARD_LOOP: (
        lambda f: (
            (_get(f, "hazards", "total", 0) or 0) > 0 and _get(f, "hazards", "overdue") == 0,
            _("逾期未销号 %(n)s 项") % {"n": _get(f, "hazards", "overdue", "—")},
        ),
        "hazards:list",
    ),
    Proof.SHELTER_AREA: (
        lambda f: _flag(f, "shelters", "meets_target", _("达标"), _("未达到人均 1.2 m²")),
        "shelters:overview",
    ),
    Proof.WARNING_CALLS: (
        lambda f: _rate(f, "warnings", "rate", 90, _("叫应率")),
        "warnings:list",
    ),
    Proof.MICRO_FIRE: (lambda f: _count(f, "forces", "micro_fire", _("微型消防站")), "people:list"),
    Proof.SUPPLIES_STANDARD: (
        lambda f: (
            (_get(f, "supplies", "sites", 0) or 0) > 0
            and _get(f, "supplies", "items_below_standard") == 0,
            _("%(n)s 项物资低于配置标准") % {"n": _get(f, "supplies", "items_below_standard", "—")},
        ),
        "supplies:overview",
    ),
    Proof.SUPPLIES_CHECKED: (
        lambda f: _count(f, "stock", "checks_12m", _("近12个月盘点维护")),
        "supplies:list",
    ),
    Proof.AGREEMENT: (
        lambda f: _count(f, "stock", "agreement_sites", _("协议储备点")),
        "supplies:list",
    ),
    Proof.THREE_TEAMS: (
        lambda f: (
            all(
                (_get(f, "forces", k, 0) or 0) > 0
                for k in ("first_response", "professional", "volunteer")
            ),
            _("先期处置 %(a)s、专业处置 %(b)s、志愿服务 %(c)s 支")
            % {
                "a": _get(f, "forces", "first_response", 0),
                "b": _get(f, "forces", "professional", 0),
                "c": _get(f, "forces", "volunteer", 0),
            },
        ),
        "people:list",
    ),
    Proof.OFFICERS: (
        lambda f: _all_of(f, "people", "estates_with_officer", "estates", _("小区")),
        "people:coverage",
    ),
    Proof.TEAM_TRAINING: (
        lambda f: _count(f, "forces", "trainings_12m", _("近12个月队伍培训")),
        "people:list",
    ),
    Proof.PLAN_SYSTEM: (_plan_system, "plans:system"),
    Proof.PLAN_REVIEW: (
        lambda f: (
            (_get(f, "plans", "in_force", 0) or 0) > 0 and _get(f, "plans", "review_overdue") == 0,
            _("逾期未评估的预案 %(n)s 项") % {"n": _get(f, "plans", "review_overdue", "—")},
        ),
        "plans:list",
    ),
    Proof.DRILL_YEAR: (lambda f: _count(f, "drills", "held_12m", _("近12个月演练")), "drills:list"),
    Proof.DRILL_FOLLOW_UP: (_drill_follow_up, "drills:actions"),
    Proof.NATIONAL_DAYS: (
        lambda f: _count(f, "outreach", "national_days_12m", _("节点宣传活动")),
        "applications:activities",
    ),
    Proof.RESIDENT_TRAINING: (
        lambda f: (
            (_get(f, "outreach", "trained_12m", 0) or 0) > 0,
            _("居民培训 %(n)s 场、签到 %(p)s 人次")
            % {
                "n": _get(f, "outreach", "trainings_12m", 0),
                "p": _get(f, "outreach", "trained_12m", 0),
            },
        ),
        "applications:activities",
    ),
    Proof.SURVEY_AWARENESS: (
        lambda f: _rate(f, "survey", "knows_shelter_rate", 70, _("知晓率")),
        "applications:surveys",
    ),
}


@dataclass(frozen=True)
class ProofResult:
    ok: bool
    detail: str
    fix_url: str


def check(proof, facts):
    """Whether the records prove an item with ``proof`` (blank: nothing to check → None)."""
    if not proof or proof not in CHECKS:
        return None
    test, url = CHECKS[proof]
    ok, detail = test(facts)
    return ProofResult(bool(ok), str(detail), reverse(url))


def gap(card, pass_mark):
    """还差多少分: from a scorecard (``services.scorecard``, whose rows carry ``proof`` and
    ``evidence``): the points of the items with evidence (a record that proves them or a file),
    how far that is from the pass mark, and the items without evidence, biggest first."""
    backed = Decimal("0")
    missing = []
    for block in card["aspects"]:
        for row in block["rows"]:
            item = row["item"]
            proof = row.get("proof")
            if row["evidence"] or (proof is not None and proof.ok):
                backed += item.max_points
            else:
                missing.append(row)
    missing.sort(key=lambda r: (-r["item"].max_points, r["item"].aspect.order, r["item"].order))
    short = max(Decimal("0"), pass_mark - backed)
    # the fewest items, biggest first, that would close the gap
    closing, covered = [], Decimal("0")
    for row in missing:
        if covered >= short:
            break
        closing.append(row)
        covered += row["item"].max_points
    return {
        "backed": backed,
        "short": short,
        "missing": missing,
        "missing_points": sum((r["item"].max_points for r in missing), Decimal("0")),
        "closing": closing,
    }
