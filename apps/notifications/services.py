"""The reminder sweep: every registered rule's findings become notifications for the
responsible people of the owning unit (street staff of the unit or the units above it, up to
the street), plus district reviewers where the rule says so, or the people a finding names
(``Finding.recipients``); then one e-mail digest per person who wants e-mail. Set-based and
idempotent: a handful of queries per rule, a unique constraint on (recipient, key), and e-mails
claimed row by row with SKIP LOCKED so two workers never send the same notification."""

from collections import defaultdict

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from apps.orgs.models import PATH_SEPARATOR, Role, User

from .models import Notification
from .rules import RULES

BATCH = 2000


def _ancestor_paths(path):
    """'/a/b/c/' → ['/a/', '/a/b/', '/a/b/c/']"""
    parts = [p for p in path.split(PATH_SEPARATOR) if p]
    return [
        PATH_SEPARATOR + PATH_SEPARATOR.join(parts[: i + 1]) + PATH_SEPARATOR
        for i in range(len(parts))
    ]


def _recipients_by_path():
    """Active staff and reviewers by the path of their org unit (one query)."""
    by_path = defaultdict(lambda: {Role.STREET_STAFF: [], Role.DISTRICT_REVIEWER: []})
    users = User.objects.filter(
        is_active=True, role__in=[Role.STREET_STAFF, Role.DISTRICT_REVIEWER]
    ).values_list("pk", "role", "org_unit__path")
    for pk, role, path in users:
        if path:
            by_path[path][role].append(pk)
    return by_path


def run_sweep(today=None, rules=None, *, send_email=True):
    """Create the due notifications and send the e-mails; returns {rule code: new count}."""
    today = today or timezone.localdate()
    recipients = _recipients_by_path()
    created = {}
    for rule in (RULES[c] for c in rules) if rules else RULES.values():
        rows = []
        for finding in rule.find(today):
            key = f"{rule.code}:{finding.key}"
            targets = list(finding.recipients)
            for path in [] if targets else _ancestor_paths(finding.unit_path):
                people = recipients.get(path)
                if not people:
                    continue
                targets += people[Role.STREET_STAFF]
                if rule.notify_reviewers:
                    targets += people[Role.DISTRICT_REVIEWER]
            rows += [
                Notification(
                    recipient_id=pk,
                    rule=rule.code,
                    key=key,
                    title=finding.title,
                    url=finding.url,
                    unit_path=finding.unit_path,
                    due=finding.due,
                )
                for pk in targets
            ]
        before = Notification.objects.filter(rule=rule.code).count()
        for start in range(0, len(rows), BATCH):
            Notification.objects.bulk_create(rows[start : start + BATCH], ignore_conflicts=True)
        created[rule.code] = Notification.objects.filter(rule=rule.code).count() - before
    if send_email:
        send_email_digests()
    return created


def send_email_digests():
    """One e-mail per person with their notifications not yet e-mailed; rows are claimed with
    SKIP LOCKED inside the transaction, so concurrent sweeps never mail a row twice."""
    wants_email = Q(recipient__notification_settings__isnull=True) | Q(
        recipient__notification_settings__email_enabled=True
    )
    sent = 0
    with transaction.atomic():
        pending = list(
            Notification.objects.filter(wants_email, emailed_at__isnull=True, read_at__isnull=True)
            .exclude(recipient__email="")
            .select_for_update(skip_locked=True, of=("self",))
            .select_related("recipient")
            .order_by("recipient_id", "due", "pk")
        )
        by_user = defaultdict(list)
        for notification in pending:
            by_user[notification.recipient].append(notification)
        now = timezone.now()
        for user, notifications in by_user.items():
            with translation.override(settings.LANGUAGE_CODE):
                body = render_to_string(
                    "notifications/email_digest.txt",
                    {"user": user, "notifications": notifications, "site": settings.SITE_URL},
                )
                subject = _("社区韧性工作平台：您有 %(n)d 条新提醒") % {"n": len(notifications)}
            send_mail(subject, body, None, [user.email])
            sent += 1
        Notification.objects.filter(pk__in=[n.pk for n in pending]).update(emailed_at=now)
    # E-mails are not transactional: a crash after sending and before the commit above would
    # re-send that digest once; duplicates in the database stay impossible.
    return sent
