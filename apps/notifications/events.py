"""Notices sent when something happens (the daily sweep in ``services`` sends the reminders).

A domain app declares its events in ``apps/<app>/notices.py``, as it declares its reminder
rules in ``reminders.py``::

    from apps.notifications.events import Notice, event, street_staff

    @event("applications.returned", _("申报被退回"))
    def returned(application, *, reason):
        yield Notice(key=..., title=..., url=..., unit_path=..., recipients=street_staff(path))

and its service announces one with ``notify("applications.returned", application, reason=...)``
inside its transaction. The rule this module keeps: nothing is built or sent until the
transaction commits (``transaction.on_commit``), so a rolled-back change tells nobody; then
the notices become bell notifications in one bulk insert ((recipient, key) unique, so an event
announced twice notifies once) and one e-mail per person for those who have e-mail on (the
opt-out of the 提醒 page), marked as e-mailed so the daily digest does not repeat them.

Work that runs in the background for one person (a report, an import) tells them with the
generic ``notifications.finished`` event: ``notify("notifications.finished", user, key=...,
title=..., url=...)`` — the hook the imports call when a file has been read.
"""

from collections.abc import Callable, Iterable
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from apps.orgs.models import PATH_SEPARATOR, Role, User

from .models import Notification


@dataclass(frozen=True)
class Notice:
    """One occurrence, for some people. ``key`` names the occurrence (the object and the step,
    e.g. the workflow event's id): the same key is never notified twice to one person."""

    key: str
    title: str
    url: str
    unit_path: str
    recipients: tuple[int, ...] = ()


@dataclass(frozen=True)
class Event:
    code: str
    label: str
    build: Callable[..., Iterable[Notice]]


EVENTS: dict[str, Event] = {}


def event(code, label):
    def decorator(build):
        EVENTS[code] = Event(code, label, build)
        return build

    return decorator


def label_of(code):
    """The label shown beside a notification: its event's or its reminder rule's."""
    from .rules import RULES

    found = EVENTS.get(code) or RULES.get(code)
    return found.label if found else _("通知")


# --- recipients -----------------------------------------------------------------------------


def _ancestor_paths(path):
    parts = [p for p in path.split(PATH_SEPARATOR) if p]
    return [
        PATH_SEPARATOR + PATH_SEPARATOR.join(parts[: i + 1]) + PATH_SEPARATOR
        for i in range(len(parts))
    ]


def _active(**filters):
    return tuple(
        User.objects.filter(is_active=True, **filters).order_by("pk").values_list("pk", flat=True)
    )


def street_staff(unit_path: str) -> tuple[int, ...]:
    """The street staff responsible for a unit: those of the unit or of a unit above it (the
    street), as the reminder sweep finds them."""
    return _active(role=Role.STREET_STAFF, org_unit__path__in=_ancestor_paths(unit_path))


def district_reviewers(unit_path: str) -> tuple[int, ...]:
    return _active(role=Role.DISTRICT_REVIEWER, org_unit__path__in=_ancestor_paths(unit_path))


def unit_users(unit_id: int) -> tuple[int, ...]:
    """Everyone working for one unit (its street staff or its 居委/村 front line)."""
    return _active(org_unit_id=unit_id)


# --- announcing and delivering --------------------------------------------------------------


_without_email: ContextVar[bool] = ContextVar("notices_without_email", default=False)


@contextmanager
def without_email():
    """Events announced inside reach the bell only (demo data: nobody's real work)."""
    token = _without_email.set(True)
    try:
        yield
    finally:
        _without_email.reset(token)


def notify(code: str, obj, **kwargs) -> None:
    """Announce an event about ``obj``; its notices are built and delivered after commit.
    ``actor`` (keyword) is never told of what they did themselves."""
    if code not in EVENTS:
        raise KeyError(f"Unknown notification event {code!r}: declare it in a notices.py")
    actor = kwargs.pop("actor", None)
    actor_id = getattr(actor, "pk", actor)
    email = not _without_email.get()  # decided now: the commit may come after the block

    def send():
        # Titles are stored, so they are written in the portal's language, not the actor's.
        with translation.override(settings.LANGUAGE_CODE):
            deliver(code, list(EVENTS[code].build(obj, **kwargs)), actor_id, email=email)

    transaction.on_commit(send)


def deliver(code, notices: Iterable[Notice], actor_id=None, *, email=True) -> list[Notification]:
    """Bell notifications in one bulk insert, then the e-mails. Returns the new rows."""
    rows = [
        Notification(
            recipient_id=pk,
            rule=code,
            key=f"{code}:{notice.key}",
            title=notice.title[:300],
            url=notice.url,
            unit_path=notice.unit_path,
        )
        for notice in notices
        for pk in dict.fromkeys(notice.recipients)
        if pk != actor_id
    ]
    if not rows:
        return []
    keys = {row.key for row in rows}
    before = set(
        Notification.objects.filter(key__in=keys).values_list("recipient_id", "key").iterator()
    )
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    fresh = [row for row in rows if (row.recipient_id, row.key) not in before]
    if email:
        send_notice_emails({(row.recipient_id, row.key) for row in fresh})
    return fresh


def send_notice_emails(pairs) -> int:
    """One e-mail per new notice to each recipient who wants e-mail and has an address, sent
    over one connection; the rows are marked e-mailed (the digest skips them)."""
    if not pairs:
        return 0
    wants_email = Q(recipient__notification_settings__isnull=True) | Q(
        recipient__notification_settings__email_enabled=True
    )
    keys = {key for _pk, key in pairs}
    pending = [
        n
        for n in Notification.objects.filter(wants_email, key__in=keys, emailed_at__isnull=True)
        .exclude(recipient__email="")
        .select_related("recipient")
        .order_by("pk")
        if (n.recipient_id, n.key) in pairs
    ]
    messages = []
    with translation.override(settings.LANGUAGE_CODE):
        for notification in pending:
            body = render_to_string(
                "notifications/email_notice.txt",
                {
                    "user": notification.recipient,
                    "notification": notification,
                    "label": label_of(notification.rule),
                    "site": settings.SITE_URL,
                },
            )
            # a reason typed on several lines must not break the header (BadHeaderError)
            title = " ".join(notification.title.split())
            subject = _("社区韧性工作平台：%(title)s") % {"title": title}
            messages.append(EmailMessage(subject[:200], body, None, [notification.recipient.email]))
    if messages:
        get_connection().send_messages(messages)
        Notification.objects.filter(pk__in=[n.pk for n in pending]).update(
            emailed_at=timezone.now()
        )
    return len(messages)


@event("notifications.finished", _("后台任务完成"))
def finished(user, *, key, title, url, unit_path=""):
    """Background work one person asked for (a report, an import) has finished."""
    org_unit = getattr(user, "org_unit", None)
    path = unit_path or (org_unit.path if org_unit else "")
    yield Notice(key=key, title=str(title), url=url, unit_path=path, recipients=(user.pk,))
