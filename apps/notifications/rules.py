"""Reminder rules. A domain app registers its rules in ``apps/<app>/reminders.py``::

    from apps.notifications.rules import Finding, Summary, object_url, register

    @register("plans.review_overdue", _("预案评估逾期"))
    def review_overdue(today):
        url = object_url("plans:detail")
        for row in Plan.objects.review_overdue(today).values("pk", "title", ...):
            yield Finding(key=..., unit_path=..., title=..., url=url(row["pk"]), due=...)

``find(today)`` must be set-based (a query or two, never one per object) and streamed
(``values()`` and ``iterator()``, no model instances); a URL pattern is resolved once per sweep
with ``object_url``, not with a ``reverse()`` per row. ``key`` identifies one occurrence (e.g.
the object and its due date): a notification is created once per recipient and key, enforced by
a unique constraint, so sweeps can run any number of times.

A rule that can find many things in one unit (hundreds of overdue hazards in a street) declares
a ``Summary``: where a unit's people would get more than ``FOLD_ABOVE`` lines of that rule, they
get one line that counts them and links to the list instead (see ``services.run_sweep``).
"""

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass

# A unit's people get one counting line instead of more than this many of one rule.
FOLD_ABOVE = 10


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
class Summary:
    """One line for many findings of a rule in a unit: ``title`` is a format string with
    ``%(unit)s`` (the unit's name), ``%(n)d`` (how many) and ``%(due)s`` (the earliest due
    date); the line links to ``url_name`` (a list page, no arguments) plus ``query``."""

    title: str
    url_name: str
    query: str = ""


@dataclass(frozen=True)
class Rule:
    code: str
    label: str
    find: Callable[[datetime.date], Iterable[Finding]]
    notify_reviewers: bool = False
    summary: Summary | None = None


RULES: dict[str, Rule] = {}


def register(code, label, *, notify_reviewers=False, summary=None):
    def decorator(find):
        RULES[code] = Rule(code, label, find, notify_reviewers, summary)
        return find

    return decorator


_MARKER = 2147483647


def object_url(url_name: str) -> Callable[[object], str]:
    """``pk → URL`` of a pattern taking one id, resolved once: the sweep needs a URL per
    finding, and a ``reverse()`` each (tens of thousands a sweep) cost seconds."""
    from django.urls import reverse

    head, _marker, tail = reverse(url_name, args=[_MARKER]).partition(str(_MARKER))
    return lambda pk: f"{head}{pk}{tail}"


def dated_findings(
    queryset, *, date_field, name_field, title, url_name, path="org_unit__path", url_pk="pk"
):
    """Findings for rows due on ``date_field`` — the common case. One query, streamed.
    ``title`` is a format string with ``%(name)s`` and ``%(due)s``; the key is the row and its
    due date, so a new due date (after a reschedule) is a new reminder. ``path`` leads to the
    owning unit's path and ``url_pk`` to the id the link needs (for child rows)."""
    url = object_url(url_name)
    title = str(title)  # translated once, not per row
    rows = queryset.order_by().values_list("pk", name_field, date_field, path, url_pk)
    for pk, name, due, unit_path, url_id in rows.iterator(chunk_size=2000):
        yield Finding(
            key=f"{pk}:{due}",
            unit_path=unit_path,
            title=title % {"name": name, "due": due},
            url=url(url_id),
            due=due,
        )
