"""Read-side figures of 预警叫应: the board of one warning (per unit, who has answered and who
has not, the acknowledgement rate and times, checklist progress), limited to the calls the user
may see; the same data feeds the page, its JSON refresh and the 叫应记录 exports."""

import datetime
import statistics
from dataclasses import dataclass, field

from django.db.models import Count, F, Q
from django.utils import timezone

from apps.orgs.models import OrgUnit, User, rollup
from apps.people.privacy import can_see_identifiers, phone_for
from resilience.dates import day_start

from .models import (
    ESCALATION_MINUTES,
    Call,
    CallStatus,
    ChecklistConfirmation,
    Status,
    Tier,
    Warning,
)


def figures(calls) -> dict:
    """Count, answered, rate (percent), median and p90 minutes to answer of ``calls``."""
    total = len(calls)
    seconds = sorted(c.seconds_to_acknowledge for c in calls if c.acknowledged_at)
    answered = len(seconds)

    def minutes(value):
        return round(value / 60, 1)

    p90 = None
    if answered == 1:
        p90 = seconds[0]
    elif answered > 1:
        p90 = statistics.quantiles(seconds, n=10, method="inclusive")[-1]
    return {
        "total": total,
        "answered": answered,
        "open": sum(1 for c in calls if c.status == CallStatus.OPEN),
        "rate": round(100 * answered / total) if total else None,
        "median_minutes": minutes(statistics.median(seconds)) if seconds else None,
        "p90_minutes": minutes(p90) if p90 is not None else None,
    }


@dataclass
class UnitRow:
    unit: OrgUnit
    calls: list = field(default_factory=list)
    confirmed: dict = field(default_factory=dict)  # item code → ChecklistConfirmation


def visible_calls(warning: Warning, user: User):
    return (
        Call.objects.visible_to(user)
        .filter(warning=warning)
        .select_related("org_unit", "acknowledged_by")
        .order_by("org_unit__path", "tier", "duty", "position", "pk")
    )


def board(warning: Warning, user: User) -> dict:
    """Everything the board shows, three queries whatever the number of units."""
    calls = list(visible_calls(warning, user))
    rows: dict[int, UnitRow] = {}
    for call in calls:
        rows.setdefault(call.org_unit_id, UnitRow(call.org_unit)).calls.append(call)
    for confirmation in ChecklistConfirmation.objects.filter(
        warning=warning, org_unit_id__in=list(rows)
    ).select_related("confirmed_by"):
        rows[confirmation.org_unit_id].confirmed[confirmation.item] = confirmation
    checklist = warning.checklist
    # only units called at the first round have a checklist (an escalation reaches people)
    checked_units = [r for r in rows.values() if any(c.tier == Tier.INITIAL for c in r.calls)]
    done = sum(len(r.confirmed) for r in checked_units)
    return {
        "rows": list(rows.values()),
        "figures": figures(calls),
        "checklist": checklist,
        "checklist_done": done,
        "checklist_total": len(checked_units) * len(checklist),
        "reveal": can_see_identifiers(user),
    }


def board_json(warning: Warning, user: User) -> dict:
    """The board as JSON for the page's refresh: text only (the script inserts it as text)."""
    data = board(warning, user)
    labels = dict(data["checklist"])
    return {
        "status": warning.get_status_display(),
        "figures": data["figures"],
        "checklist_done": data["checklist_done"],
        "checklist_total": data["checklist_total"],
        "units": [
            {
                "unit": row.unit.name,
                "checklist": [
                    {"label": str(labels[code]), "done": code in row.confirmed}
                    for code, _label in data["checklist"]
                ],
                "calls": [
                    {
                        "name": call.name,
                        "duty": f"{call.get_duty_display()} {call.position}",
                        "tier": call.get_tier_display(),
                        "mobile": phone_for(call.mobile, data["reveal"]),
                        "status": call.status,
                        "status_label": call.get_status_display(),
                        "acknowledged_at": call.acknowledged_at.isoformat()
                        if call.acknowledged_at
                        else None,
                        "channel": call.get_channel_display() if call.channel else "",
                    }
                    for call in row.calls
                ],
            }
            for row in data["rows"]
        ],
    }


# --- the record over a period -------------------------------------------------------------------

# Answered within the level's escalation window (红 10 分钟 …): 及时叫应.
IN_WINDOW = Q()
for _level, _minutes in ESCALATION_MINUTES.items():
    IN_WINDOW |= Q(
        warning__level=_level,
        acknowledged_at__lte=F("called_at") + datetime.timedelta(minutes=_minutes),
    )


def call_figures(units, *, today=None) -> dict:
    """``{unit.pk: figures}`` of this year's 叫应 in each unit's subtree, for the application
    facts and dashboards (``rollup``: one query): calls, answered, answered within the level's
    window, and both as percentages."""
    today = today or timezone.localdate()
    figures = rollup(
        Call.objects.filter(called_at__gte=day_start(today.replace(month=1, day=1))),
        units,
        calls=Count("pk"),
        answered=Count("pk", filter=Q(acknowledged_at__isnull=False)),
        in_window=Count("pk", filter=IN_WINDOW),
    )
    for values in figures.values():
        total = values["calls"]
        values["rate"] = round(100 * values["answered"] / total, 1) if total else None
        values["in_window_rate"] = round(100 * values["in_window"] / total, 1) if total else None
    return figures


@dataclass(frozen=True)
class _CallTimes:
    """What ``figures`` reads of a call, from ``values_list``: no model instance a call."""

    status: str
    called_at: datetime.datetime
    acknowledged_at: datetime.datetime | None

    @property
    def seconds_to_acknowledge(self):
        if self.acknowledged_at is None:
            return None
        return (self.acknowledged_at - self.called_at).total_seconds()


def warnings_record(user: User, unit: OrgUnit, start, end) -> list[dict]:
    """The warnings that called people in ``unit``'s subtree between ``start`` and ``end``
    (dates), oldest first, each with the figures of those calls (the street report's 预警叫应).
    Two queries: the calls' times (thousands for a large street) as tuples, then the
    warnings."""
    calls = (
        Call.objects.visible_to(user)
        .filter(
            org_unit__path__startswith=unit.path,
            called_at__gte=day_start(start),
            called_at__lt=day_start(end + datetime.timedelta(days=1)),
        )
        .exclude(warning__status=Status.DRAFT)
        .order_by()
        .values_list("warning_id", "status", "called_at", "acknowledged_at")
    )
    by_warning: dict[int, list[_CallTimes]] = {}
    for warning_id, *times in calls.iterator(chunk_size=5000):
        by_warning.setdefault(warning_id, []).append(_CallTimes(*times))
    warnings = (
        Warning.objects.filter(pk__in=by_warning)
        .select_related("warning_type")
        .only("headline", "level", "issued_at", "warning_type__name")
        .order_by("issued_at", "pk")
    )
    return [{"warning": warning, **figures(by_warning[warning.pk])} for warning in warnings]
