"""The reminder sweep: every registered rule's findings become notifications for the
responsible people of the owning unit (street staff of the unit or the units above it, up to
the street), plus district reviewers where the rule says so, or the people a finding names
(``Finding.recipients``); then one e-mail digest per person who wants e-mail.

What a person is told stays readable at city scale: where one rule finds more than
``FOLD_ABOVE`` things for the people of one unit (and the rule declares a ``Summary``), they get
one line counting them, with the earliest due date and a link to the list, instead of a line
each. That line has one key per rule and unit: a later sweep refreshes it (unread and e-mailed
again) when its count or date changes, and marks it read once the unit is back to a few lines
each. A digest lists the ``DIGEST_LINES`` most urgent lines (earliest due first) and says how
many more there are.

Set-based and idempotent: rules stream rows (no model instances), rows are inserted in batches
with ``ON CONFLICT`` on the unique (recipient, key), and the digests are claimed, marked and
ranked by one statement (PostgreSQL: an UPDATE of the rows ``FOR UPDATE SKIP LOCKED`` selects,
returning them), so two workers never send the same notification; the number of queries does
not grow with the records."""

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import connection, transaction
from django.db.models import Count, F, Q, Window
from django.db.models.functions import RowNumber
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from apps.orgs.models import PATH_SEPARATOR, Role, User

from .models import Notification
from .rules import FOLD_ABOVE, RULES

DIGEST_LINES = 20
PG_BATCH = 10_000  # rows an INSERT on PostgreSQL
COLUMNS = ("recipient_id", "rule", "key", "title", "url", "unit_path", "due", "created_at")
TITLE_MAX = Notification._meta.get_field("title").max_length
SUMMARY = ":summary:"  # in the key of a counting line: "<rule>:summary:<unit path>"


def _ancestor_paths(path):
    """'/a/b/c/' → ['/a/', '/a/b/', '/a/b/c/']"""
    parts = [p for p in path.split(PATH_SEPARATOR) if p]
    return [
        PATH_SEPARATOR + PATH_SEPARATOR.join(parts[: i + 1]) + PATH_SEPARATOR
        for i in range(len(parts))
    ]


@dataclass
class _Unit:
    name: str
    staff: list[int] = field(default_factory=list)
    reviewers: list[int] = field(default_factory=list)


def _recipients_by_path():
    """Active staff and reviewers by the path of their org unit (one query)."""
    units: dict[str, _Unit] = {}
    users = (
        User.objects.filter(is_active=True, role__in=[Role.STREET_STAFF, Role.DISTRICT_REVIEWER])
        .order_by("pk")
        .values_list("pk", "role", "org_unit__path", "org_unit__name")
    )
    for pk, role, path, name in users:
        if path:
            unit = units.setdefault(path, _Unit(name))
            (unit.staff if role == Role.STREET_STAFF else unit.reviewers).append(pk)
    return units


def run_sweep(
    today: datetime.date | None = None,
    rules: Iterable[str] | None = None,
    *,
    send_email: bool = True,
) -> dict[str, int]:
    """Create the due notifications and send the e-mails; returns {rule code: new count}
    (a refreshed counting line counts as new)."""
    today = today or timezone.localdate()
    units = _recipients_by_path()
    now = timezone.now()
    created = {}
    summaries = {}  # rule code → keys of this sweep's counting lines
    for rule in (RULES[c] for c in rules) if rules else RULES.values():
        each, counted = _rows(rule, today, units)
        created[rule.code] = _insert(each, now) + _insert(counted, now, refresh=True)
        if rule.summary:
            summaries[rule.code] = {row[2] for row in counted}
    _retire_summaries(summaries, now)
    if send_email:
        send_email_digests()
    return created


def _rows(rule, today, units):
    """The rule's rows to insert, as tuples in ``COLUMNS`` order without ``created_at``: one
    per finding and person, and the counting lines of the units that have too many."""
    code = rule.code

    def people(path):
        unit = units[path]
        return unit.staff + unit.reviewers if rule.notify_reviewers else unit.staff

    cache = {}

    def paths_above(unit_path):
        """The paths whose people hear of a finding at ``unit_path``: it and those above."""
        found = cache.get(unit_path)
        if found is None:
            found = cache[unit_path] = [
                p for p in _ancestor_paths(unit_path) if p in units and people(p)
            ]
        return found

    each = []
    by_path = defaultdict(list)  # only for a rule that may count: path → its findings
    for finding in rule.find(today):
        if finding.recipients:
            targets = dict.fromkeys(finding.recipients)
        elif rule.summary:
            for path in paths_above(finding.unit_path):
                by_path[path].append(finding)
            continue
        else:
            targets = [pk for path in paths_above(finding.unit_path) for pk in people(path)]
        key, title = f"{code}:{finding.key}", finding.title[:TITLE_MAX]
        each += [
            (pk, code, key, title, finding.url, finding.unit_path, finding.due) for pk in targets
        ]
    counted = []
    if by_path:
        summary = rule.summary
        url = reverse(summary.url_name) + summary.query
        title = str(summary.title)
        for path, findings in by_path.items():
            if len(findings) <= FOLD_ABOVE:
                each += [
                    (pk, code, f"{code}:{f.key}", f.title[:TITLE_MAX], f.url, f.unit_path, f.due)
                    for f in findings
                    for pk in people(path)
                ]
                continue
            due = min((f.due for f in findings if f.due), default=None)
            line = title % {"unit": units[path].name, "n": len(findings), "due": due or "—"}
            key = f"{code}{SUMMARY}{path}"
            counted += [(pk, code, key, line[:TITLE_MAX], url, path, due) for pk in people(path)]
    return each, counted


def _insert(rows, now, *, refresh=False):
    """Insert ``rows`` in batches; returns how many were new. A row whose (recipient, key)
    exists is skipped, or with ``refresh`` (counting lines) replaced when its title changed,
    as unread and not yet e-mailed."""
    if not rows:
        return 0
    quote = connection.ops.quote_name
    table = quote(Notification._meta.db_table)
    columns = ", ".join(quote(c) for c in COLUMNS)
    if refresh:
        changed = [quote(c) for c in ("title", "url", "unit_path", "due", "created_at")]
        conflict = (
            "DO UPDATE SET "
            + ", ".join(f"{c} = excluded.{c}" for c in changed)
            + ', "read_at" = NULL, "emailed_at" = NULL'
            + f' WHERE {table}."title" <> excluded."title"'
        )
    else:
        conflict = "DO NOTHING"
    insert = f"INSERT INTO {table} ({columns}) "  # noqa: S608 - names, no values
    on_conflict = f' ON CONFLICT ("recipient_id", "key") {conflict}'
    new = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # a column an array: eight parameters a batch, not eight a row (psycopg parses
            # every placeholder of a statement in Python)
            select = (
                "SELECT *, %s::timestamptz FROM unnest(%s::bigint[], %s::text[], %s::text[], "
                "%s::text[], %s::text[], %s::text[], %s::date[])"
            )
            for start in range(0, len(rows), PG_BATCH):
                values = [list(c) for c in zip(*rows[start : start + PG_BATCH], strict=True)]
                cursor.execute(insert + select + on_conflict, [now, *values])
                new += max(cursor.rowcount, 0)
            return new
        placeholders = "(" + ", ".join(["%s"] * len(COLUMNS)) + ")"
        created_at = connection.ops.adapt_datetimefield_value(now)
        adapt_date = connection.ops.adapt_datefield_value
        batch = (connection.features.max_query_params or 16000) // len(COLUMNS)
        for start in range(0, len(rows), batch):
            chunk = rows[start : start + batch]
            params = [value for *row, due in chunk for value in (*row, adapt_date(due), created_at)]
            values = "VALUES " + ", ".join([placeholders] * len(chunk))
            cursor.execute(insert + values + on_conflict, params)
            new += max(cursor.rowcount, 0)
    return new


def _retire_summaries(current, now):
    """A unit back to a few findings of a rule (or none) has its lines each again: its older
    counting line no longer tells the truth and is marked read."""
    stale = Q()
    for code, keys in current.items():
        stale |= Q(rule=code) & ~Q(key__in=keys) if keys else Q(rule=code)
    if current:
        Notification.objects.filter(stale, key__contains=SUMMARY, read_at__isnull=True).update(
            read_at=now
        )


# --- e-mail digests ---------------------------------------------------------------------------


def send_email_digests(*, lines: int = DIGEST_LINES) -> int:
    """One e-mail per person with their notifications not yet e-mailed: the ``lines`` most
    urgent (earliest due first), then how many more. The rows are claimed and marked in the
    same statement (SKIP LOCKED on PostgreSQL), so concurrent sweeps never mail a row twice."""
    with transaction.atomic():
        now = timezone.now()
        digests = _claim_digests(now, lines)
        if not digests:
            return 0
        users = User.objects.only("username", "first_name", "last_name", "email").in_bulk(
            list(digests)
        )
        template = get_template("notifications/email_digest.txt")
        more_url = settings.SITE_URL + reverse("notifications:list")
        messages = []
        with translation.override(settings.LANGUAGE_CODE):
            for recipient_id, (total, shown) in digests.items():
                user = users[recipient_id]
                body = template.render(
                    {
                        "user": user,
                        "notifications": shown,
                        "more": total - len(shown),
                        "more_url": more_url,
                        "site": settings.SITE_URL,
                    }
                )
                subject = _("社区韧性工作平台：您有 %(n)d 条新提醒") % {"n": total}
                messages.append(EmailMessage(subject, body, None, [user.email]))
        get_connection().send_messages(messages)
    # E-mails are not transactional: a crash after sending and before the commit above would
    # re-send those digests once; duplicates in the database stay impossible.
    return len(messages)


@dataclass(frozen=True)
class _Line:
    title: str
    url: str
    due: datetime.date | None


def _pending():
    wants_email = Q(recipient__notification_settings__isnull=True) | Q(
        recipient__notification_settings__email_enabled=True
    )
    return Notification.objects.filter(
        wants_email, emailed_at__isnull=True, read_at__isnull=True
    ).exclude(recipient__email="")


_URGENT = [F("due").asc(nulls_last=True), F("pk").asc()]


def _claim_digests(now, lines):
    """Mark the pending notifications e-mailed; returns {recipient id: (how many, the first
    ``lines`` of them)}, most urgent first."""
    if connection.vendor == "postgresql":
        rows = _claim_postgresql(now, lines)
    else:
        # One writer at a time (SQLite): read the lines, then mark what was read.
        pending = _pending()
        rows = list(
            pending.annotate(
                line=Window(RowNumber(), partition_by=F("recipient_id"), order_by=_URGENT),
                total=Window(Count("pk"), partition_by=F("recipient_id")),
            )
            .filter(line__lte=lines)
            .order_by("recipient_id", "line")
            .values_list("recipient_id", "total", "title", "url", "due")
        )
        pending.update(emailed_at=now)
    digests = {}
    for recipient_id, total, title, url, due in rows:
        # a line whose title names its date does not repeat it
        shown = due if due and str(due) not in title else None
        digests.setdefault(recipient_id, (total, []))[1].append(_Line(title, url, shown))
    return digests


def _claim_postgresql(now, lines):
    """The claim in one statement: lock the pending rows no one else has locked, mark them and
    rank them per person. The locked ids are gathered once (``ARRAY(…)``, an init plan):
    inside ``id IN (…)`` a sub-select with FOR UPDATE is not flattened into a join, and when
    the statistics predate the sweep's inserts PostgreSQL re-ran it for every row."""
    claim = _pending().select_for_update(skip_locked=True, of=("self",)).values("pk")
    claim_sql, claim_params = claim.order_by().query.sql_with_params()
    table = connection.ops.quote_name(Notification._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH claimed AS (
                UPDATE {table} SET emailed_at = %s WHERE id = ANY(ARRAY({claim_sql}))
                RETURNING id, recipient_id, title, url, due
            )
            SELECT recipient_id, total, title, url, due FROM (
                SELECT claimed.*,
                    row_number() OVER (
                        PARTITION BY recipient_id ORDER BY due ASC NULLS LAST, id
                    ) AS line,
                    count(*) OVER (PARTITION BY recipient_id) AS total
                FROM claimed
            ) ranked
            WHERE line <= %s
            ORDER BY recipient_id, line
            """,  # noqa: S608 - the table's name and the ORM's own query
            [now, *claim_params, lines],
        )
        return cursor.fetchall()
