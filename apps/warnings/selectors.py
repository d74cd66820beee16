"""Read-side figures of 预警叫应: the board of one warning (per unit, who has answered and who
has not, the acknowledgement rate and times, checklist progress), limited to the calls the user
may see; the same data feeds the page, its JSON refresh and the 叫应记录 exports."""

import statistics
from dataclasses import dataclass, field

from apps.orgs.models import OrgUnit, User
from apps.people.privacy import can_see_identifiers, phone_for

from .models import Call, CallStatus, ChecklistConfirmation, Tier, Warning


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
    rows = {}
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
