"""Reminder rules. A domain app registers its rules in ``apps/<app>/reminders.py``::

    from apps.notifications.rules import Finding, register

    @register("plans.review_overdue", _("预案评估逾期"))
    def review_overdue(today):
        for row in Plan.objects.review_overdue(today).values("pk", "title", ...):
            yield Finding(key=..., unit_path=..., title=..., url=..., due=...)

``find(today)`` must be set-based (a query or two, never one per object). ``key`` identifies
one occurrence (e.g. the object and its due date): a notification is created once per
recipient and key, enforced by a unique constraint, so sweeps can run any number of times.
"""

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Finding:
    key: str
    unit_path: str
    title: str
    url: str
    due: datetime.date | None = None
    # When given, exactly these users are notified (a named person, e.g. the 带班领导 of a
    # shift) instead of the responsible people of the unit.
    recipients: tuple[int, ...] = ()


@dataclass(frozen=True)
class Rule:
    code: str
    label: str
    find: Callable[[datetime.date], Iterable[Finding]]
    notify_reviewers: bool = False


RULES: dict[str, Rule] = {}


def register(code, label, *, notify_reviewers=False):
    def decorator(find):
        RULES[code] = Rule(code, label, find, notify_reviewers)
        return find

    return decorator


def dated_findings(
    queryset, *, date_field, name_field, title, url_name, path="org_unit__path", url_pk="pk"
):
    """Findings for rows due on ``date_field`` — the common case. One query, streamed.
    ``title`` is a format string with ``%(name)s`` and ``%(due)s``; the key is the row and its
    due date, so a new due date (after a reschedule) is a new reminder. ``path`` leads to the
    owning unit's path and ``url_pk`` to the id the link needs (for child rows)."""
    from django.urls import reverse

    rows = queryset.values("pk", name_field, date_field, path, url_pk)
    for row in rows.iterator(chunk_size=2000):
        due = row[date_field]
        yield Finding(
            key=f"{row['pk']}:{due}",
            unit_path=row[path],
            title=str(title) % {"name": row[name_field], "due": due},
            url=reverse(url_name, args=[row[url_pk]]),
            due=due,
        )
