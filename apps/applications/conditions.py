"""Basic conditions (基本条件): the gates of a standard, decided from the records when an
application is submitted. A submission that fails one is refused with the reason and nothing is
changed (``services.transition_application``); those that hold are frozen into the facts.

Each :class:`~apps.applications.models.ConditionRule` reads the facts (live for a draft, the
snapshot after submission):

- ``survey``: 居民满意率 from this year's questionnaire above the threshold (70 %), on at least
  ``APPLICATIONS_SURVEY_MIN_ANSWERS`` answers (30): fewer say nothing about the community;
- ``no_serious_disaster``: no incident of a natural-disaster type at level Ⅲ (较大) or worse
  within the threshold's years (3), from 信息报送;
- ``plan_in_force``: the applicant's plan in force — a street's 总体预案, a community's own plan;
- ``recent_drill``: a drill held within the threshold's months (12);
- ``reviewer``: nothing in the portal decides it; the reviewer checks it on site (never blocks).
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from apps.orgs.models import OrgKind
from resilience.dates import add_months

from .models import ConditionRule

DEFAULTS = {
    ConditionRule.SURVEY: Decimal("70"),
    ConditionRule.NO_SERIOUS_DISASTER: Decimal("3"),
    ConditionRule.RECENT_DRILL: Decimal("12"),
}
FIX_URLS = {
    ConditionRule.SURVEY: "applications:surveys",
    ConditionRule.NO_SERIOUS_DISASTER: "incidents:list",
    ConditionRule.PLAN_IN_FORCE: "plans:system",
    ConditionRule.RECENT_DRILL: "drills:list",
}


def min_answers():
    return getattr(settings, "APPLICATIONS_SURVEY_MIN_ANSWERS", 30)


@dataclass(frozen=True)
class Result:
    order: int
    text: str
    rule: str
    ok: bool | None  # None: checked by the reviewer, not by the portal
    reason: str
    fix_url: str

    def as_dict(self):
        return dict(self.__dict__)


def _g(facts, group, key, default=None):
    return ((facts or {}).get(group) or {}).get(key, default)


def _number(value):
    """70.0 → "70", 72.5 → "72.5"."""
    return f"{Decimal(value).normalize():f}"


def _survey(facts, threshold, kind, today):
    answers = _g(facts, "survey", "answers", 0) or 0
    rate = _g(facts, "survey", "satisfaction_rate")
    participation = _g(facts, "survey", "participation_rate")
    needed = min_answers()
    if answers == 0:
        return False, _("近12个月没有居民问卷答卷，请发起居民问卷并请居民扫码作答。")
    figures = _("满意率 %(rate)s%%，答卷 %(n)d 份，参与率 %(part)s") % {
        "rate": rate,
        "n": answers,
        "part": f"{participation}%" if participation is not None else "—",
    }
    if answers < needed:
        return False, _("%(figures)s：答卷少于 %(min)d 份，不足以代表居民意见。") % {
            "figures": figures,
            "min": needed,
        }
    if rate <= threshold:
        return False, _("%(figures)s：未高于 %(threshold)s%%。") % {
            "figures": figures,
            "threshold": _number(threshold),
        }
    return True, _("%(figures)s，高于 %(threshold)s%%。") % {
        "figures": figures,
        "threshold": _number(threshold),
    }


def _no_serious_disaster(facts, threshold, kind, today):
    if "disaster" not in (facts or {}):
        return False, _("缺少信息报送数据。")
    years = int(threshold)
    last = _g(facts, "disaster", "last_serious")
    since = datetime.date(today.year - years, today.month, min(today.day, 28))
    if last and datetime.date.fromisoformat(last) >= since:
        return False, _("%(date)s 发生因灾较大及以上事故，近 %(years)d 年内不符合条件。") % {
            "date": last,
            "years": years,
        }
    return True, _("近 %(years)d 年信息报送中没有因灾较大及以上事故。") % {"years": years}


def _plan_in_force(facts, threshold, kind, today):
    if kind == OrgKind.STREET:
        ok = bool(_g(facts, "plans", "overall_in_force"))
        return ok, _("街镇总体应急预案生效。") if ok else _("街镇没有生效的总体应急预案。")
    n = _g(facts, "plans", "in_force", 0) or 0
    if n:
        return True, _("本居委/村有 %(n)d 项生效的应急预案。") % {"n": n}
    return False, _("本居委/村没有生效的应急预案。")


def _recent_drill(facts, threshold, kind, today):
    months = int(threshold)
    last = _g(facts, "drills", "last_held")
    since = add_months(today, -months)
    if last and datetime.date.fromisoformat(last) >= since:
        return True, _("最近一次演练 %(date)s，在近 %(months)d 个月内。") % {
            "date": last,
            "months": months,
        }
    if last:
        return False, _("最近一次演练是 %(date)s，近 %(months)d 个月内没有开展演练。") % {
            "date": last,
            "months": months,
        }
    return False, _("没有已完成的演练记录。")


RULES = {
    ConditionRule.SURVEY: _survey,
    ConditionRule.NO_SERIOUS_DISASTER: _no_serious_disaster,
    ConditionRule.PLAN_IN_FORCE: _plan_in_force,
    ConditionRule.RECENT_DRILL: _recent_drill,
}


def evaluate(conditions, facts, *, kind, today):
    """The result of each condition (in order) for an applicant of ``kind`` on ``today``."""
    results = []
    for condition in conditions:
        rule = RULES.get(condition.rule)
        if rule is None:
            ok, reason = None, _("平台无相应记录，由审核员现场核实。")
        else:
            threshold = condition.threshold
            if threshold is None:
                threshold = DEFAULTS.get(condition.rule)
            ok, reason = rule(facts, threshold, kind, today)
        url = FIX_URLS.get(condition.rule)
        results.append(
            Result(
                order=condition.order,
                text=condition.text,
                rule=condition.rule,
                ok=ok,
                reason=str(reason),
                fix_url=reverse(url) if url else "",
            )
        )
    return results


def refusal(results):
    """The ValidationError message of the conditions that do not hold, or ""."""
    failed = [r for r in results if r.ok is False]
    if not failed:
        return ""
    lines = "；".join(f"{r.order}. {r.text}（{r.reason}）" for r in failed)
    return _("基本条件未满足，不能提交：%(lines)s") % {"lines": lines}
