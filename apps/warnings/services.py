"""The rules of 预警叫应. Views, admin, imports, tasks and tests all go through these functions,
which take the acting user first; anything that depends on the clock takes ``now``.

- A warning is issued by a district for its area or a street for its own: every area unit
  must lie in the issuing unit's subtree, and the user must be able to change the issuing
  unit's records. A second person (never the drafter) approves it, then it is published.
- Publishing fans out: one ``Call`` per 责任人 (the A person of each duty the level calls) of
  every unit in the area, made in one INSERT … SELECT; delivery (in-app, e-mail, SMS) runs
  after commit.
- Every state change locks the warning (``select_for_update``) and re-checks its status, so
  two people pressing the same button change it once.
- The escalation tick claims due calls with ``SKIP LOCKED`` and marks them in the same
  transaction; the unique (warning, holder) constraint makes a second call of the same person
  impossible, whatever two workers do at once.
"""

import datetime
import logging

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mass_mail
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from apps.duty import selectors as duty_selectors
from apps.notifications.models import Notification
from apps.notifications.sms import send_sms
from apps.orgs.models import (
    OrgKind,
    OrgUnit,
    User,
    can_edit_unit,
    in_scope,
    records_changed,
    stamp,
    user_can_edit,
)

from .models import (
    CHECKLISTS,
    ESCALATION_MINUTES,
    LEVEL_DUTIES,
    Call,
    CallStatus,
    Channel,
    ChecklistConfirmation,
    Duty,
    DutyHolder,
    Position,
    Status,
    Tier,
    Warning,
)
from .signals import call_acknowledged, warning_published

logger = logging.getLogger(__name__)

ISSUING_KINDS = {OrgKind.CITY, OrgKind.DISTRICT, OrgKind.STREET}
PERM_ISSUE = "warnings.issue_warning"
ACK_SALT = "apps.warnings.ack"
# An acknowledgement link works for a day; after that the person answers on the phone page.
ACK_LINK_MAX_AGE = datetime.timedelta(hours=24)
BATCH = 2000


def can_issue(user: User, unit: OrgUnit) -> bool:
    """Street staff (and admins) for their units; a district's duty office, whose accounts are
    read-only elsewhere, through the ``warnings.issue_warning`` permission."""
    return can_edit_unit(user, unit) or (user.has_perm(PERM_ISSUE) and in_scope(user, unit))


def may_issue(user: User) -> bool:
    return user_can_edit(user) or user.has_perm(PERM_ISSUE)


def issuing_units(user: User):
    units = OrgUnit.objects.visible_to(user) if user.has_perm(PERM_ISSUE) else None
    return (units if units is not None else OrgUnit.objects.editable_by(user)).filter(
        kind__in=ISSUING_KINDS
    )


def _require_issuer(user: User, unit: OrgUnit):
    if not can_issue(user, unit):
        raise PermissionDenied(_("您无权以该单位名义发布预警。"))


def _locked(warning: Warning | int) -> Warning:
    """``warning`` (or the warning of that id) as it is now, locked until the transaction ends."""
    pk = warning if isinstance(warning, int) else warning.pk
    return Warning.objects.select_for_update().get(pk=pk)


# --- drafting, approval, publication -------------------------------------------------------


@transaction.atomic
def save_warning(user: User, warning: Warning, *, areas, supersedes: Warning | None = None):
    """Create or change a draft. Every area unit must lie in the issuing unit's subtree; an
    update (``supersedes``) is only possible for a published warning."""
    _require_issuer(user, warning.org_unit)
    if warning.pk and _locked(warning).status != Status.DRAFT:
        raise ValidationError(_("只有草稿状态的预警可以修改。"))
    errors = {}
    if warning.org_unit.kind not in ISSUING_KINDS:
        errors["org_unit"] = _("预警由区或街镇发布，居委/村和小区不能发布预警。")
    areas = list(areas)
    if not areas:
        errors["areas"] = _("请选择预警范围。")
    outside = [a.name for a in areas if not a.path.startswith(warning.org_unit.path)]
    if outside:
        errors["areas"] = _("预警范围超出发布单位（%(issuer)s）的辖区：%(units)s。") % {
            "issuer": warning.org_unit.name,
            "units": "、".join(outside),
        }
    if warning.expires_at and warning.issued_at and warning.expires_at <= warning.issued_at:
        errors["expires_at"] = _("失效时间须晚于发布时间。")
    if supersedes is not None:
        supersedes = _locked(supersedes)
        if supersedes.status != Status.PUBLISHED:
            errors["__all__"] = _("只能更新已发布的预警；已解除或已更新的预警不能再更新。")
        elif supersedes.org_unit_id != warning.org_unit_id:
            errors["__all__"] = _("更新预警须由原发布单位发布。")
        warning.supersedes = supersedes
    if errors:
        raise ValidationError(errors)
    stamp(warning, user)
    warning.save()
    warning.areas.set(areas)
    return warning


@transaction.atomic
def approve_warning(user: User, warning: Warning, *, now=None) -> Warning:
    """审核: a second person who may issue for the unit; never the drafter."""
    warning = _locked(warning)
    _require_issuer(user, warning.org_unit)
    if warning.status != Status.DRAFT:
        raise ValidationError(_("只有草稿状态的预警可以审核。"))
    if warning.created_by_id == user.pk:
        raise ValidationError(_("预警须由起草人以外的另一位工作人员审核。"))
    warning.status = Status.APPROVED
    warning.approved_by = user
    warning.approved_at = now or timezone.now()
    warning.updated_by = user
    warning.save()
    return warning


@transaction.atomic
def publish_warning(user: User, warning: Warning, *, now=None) -> int:
    """发布: the approved warning goes out; one call per 责任人 called at its level, in the
    units of its area. An update ends the calls of the warning it supersedes. Returns the
    number of calls."""
    now = now or timezone.now()
    warning = _locked(warning)
    _require_issuer(user, warning.org_unit)
    if warning.status != Status.APPROVED:
        raise ValidationError(_("预警须经审核后才能发布。"))
    if warning.expires_at <= now:
        raise ValidationError({"expires_at": _("预警已过失效时间，不能发布。")})
    if warning.supersedes_id:
        old = _locked(warning.supersedes_id)
        if old.status != Status.PUBLISHED:
            raise ValidationError(_("被更新的预警已解除或已更新，不能发布此更新。"))
        old.status = Status.SUPERSEDED
        old.updated_by = user
        old.save()
        _close_calls(old)
    warning.status = Status.PUBLISHED
    warning.issued_at = now
    warning.published_by = user
    warning.updated_by = user
    warning.save()
    count = _fan_out(warning, now)
    _calls_changed(
        OrgUnit.objects.filter(
            pk__in=Call.objects.filter(warning=warning).values("org_unit_id")
        ).values_list("path", flat=True)
    )
    _deliver_after_commit(warning.pk)
    warning_published.send(sender=Warning, warning=warning)
    return count


@transaction.atomic
def cancel_warning(user: User, warning: Warning, *, reason: str, now=None) -> Warning:
    """解除: a published warning ends, and with it every open call; a draft is withdrawn."""
    warning = _locked(warning)
    _require_issuer(user, warning.org_unit)
    if warning.status in (Status.CANCELLED, Status.SUPERSEDED):
        raise ValidationError(_("该预警已解除或已更新，不能再解除。"))
    if not (reason or "").strip():
        raise ValidationError({"reason": _("请填写解除原因。")})
    warning.status = Status.CANCELLED
    warning.cancelled_at = now or timezone.now()
    warning.cancel_reason = reason.strip()
    warning.updated_by = user
    warning.save()
    _close_calls(warning)
    return warning


def _calls_changed(paths):
    """Calls made in bulk: the dashboards' 叫应 figures of their units (and above) are stale."""
    records_changed.send(sender=Call, paths=list(paths))


def _close_calls(warning):
    Call.objects.filter(warning=warning, status=CallStatus.OPEN).update(status=CallStatus.CLOSED)


# Publication makes its calls in the database, one INSERT … SELECT over the 责任人 of the area
# (a city-wide red warning is tens of thousands of rows, which bulk_create took seconds to
# prepare). Unit codes are letters, digits and hyphens: a path needs no LIKE escaping.
FAN_OUT_SQL = """
INSERT INTO {call} (warning_id, holder_id, org_unit_id, duty, position, name, mobile, user_id,
                    tier, escalation, status, called_at, channel, sms_error)
SELECT %s, h.id, h.org_unit_id, h.duty, h.position, h.name, h.mobile, h.user_id,
       %s, 0, %s, %s, '', ''
FROM {holder} h JOIN {unit} u ON u.id = h.org_unit_id
WHERE h.position = %s AND h.duty IN ({duties}) AND ({areas})
"""


def _tables():
    quote = connection.ops.quote_name
    return {
        "call": quote(Call._meta.db_table),
        "holder": quote(DutyHolder._meta.db_table),
        "unit": quote(OrgUnit._meta.db_table),
        "warning": quote(Warning._meta.db_table),
    }


def _fan_out(warning, now):
    paths = list(warning.areas.values_list("path", flat=True))
    duties = LEVEL_DUTIES[warning.level]
    sql = FAN_OUT_SQL.format(
        duties=", ".join(["%s"] * len(duties)),
        areas=" OR ".join(["u.path LIKE %s"] * len(paths)),
        **_tables(),
    )
    params = [
        warning.pk,
        Tier.INITIAL,
        CallStatus.OPEN,
        connection.ops.adapt_datetimefield_value(now),
        Position.A,
        *duties,
        *(f"{path}%" for path in paths),
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def _deliver_after_commit(warning_id):
    from .tasks import deliver_calls

    deliver_calls.delay_on_commit(warning_id)


# --- delivery ---------------------------------------------------------------------------------


def ack_token(call: Call, channel: str) -> str:
    return _token(call.pk, call.holder_id, channel)


def _token(call_id, holder_id, channel):
    return signing.dumps({"c": call_id, "h": holder_id, "ch": channel}, salt=ACK_SALT)


@transaction.atomic
def deliver_calls(warning_id: int, *, now=None) -> int:
    """Send the calls of a warning that have not gone out yet: an in-app notification to those
    with an account, an e-mail to those with an address, an SMS to everyone, each with its own
    signed link. Rows are claimed with SKIP LOCKED and stamped in the same transaction, so two
    workers never send the same call. A failed SMS is recorded on the call; the rest go on.

    Plain rows, and the texts translated once: a city-wide warning is tens of thousands of
    calls, and model instances and per-call look-ups were most of the time."""
    now = now or timezone.now()
    warning = Warning.objects.select_related("org_unit").get(pk=warning_id)
    rows = list(
        Call.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(warning_id=warning_id, notified_at__isnull=True)
        .order_by("pk")
        .values_list(
            "pk",
            "holder_id",
            "user_id",
            "name",
            "mobile",
            "duty",
            "org_unit__path",
            "holder__email",
            "holder__user__email",
        )
    )
    site = settings.SITE_URL.rstrip("/")
    # the link's path with the token left out (tokens are URL-safe: nothing to quote)
    link = reverse("warnings:ack_link", args=["token"]).removesuffix("token/")
    intro = _("【%(issuer)s】%(headline)s。请%(name)s（%(duty)s）确认收到：")
    title = _("%(headline)s：请确认收到（叫应）") % {"headline": warning.headline}
    duties = {value: str(label) for value, label in Duty.choices}
    notifications, mails, failed = [], [], {}
    for pk, holder_id, user_id, name, mobile, duty, path, email, user_email in rows:
        text = intro % {
            "issuer": warning.org_unit.name,
            "headline": warning.headline,
            "name": name,
            "duty": duties[duty],
        }
        if user_id:
            notifications.append(
                Notification(
                    recipient_id=user_id,
                    rule="warnings.call",
                    key=f"warnings.call:{pk}",
                    title=title,
                    url=f"{link}{_token(pk, holder_id, Channel.APP)}/",
                    unit_path=path,
                    # the in-app notice is the call itself: no digest e-mail of it as well
                    emailed_at=now,
                )
            )
        if email or user_email:
            body = f"{text}\n{site}{link}{_token(pk, holder_id, Channel.EMAIL)}/\n\n{warning.text}"
            mails.append((warning.headline, body, None, [email or user_email]))
        try:
            send_sms(mobile, f"{text}{site}{link}{_token(pk, holder_id, Channel.SMS)}/")
        except Exception as exc:  # noqa: BLE001 - any gateway failure: record it, go on
            logger.warning("SMS for call %s failed: %s", pk, exc)
            failed[pk] = str(exc)[:200] or exc.__class__.__name__
    Notification.objects.bulk_create(notifications, batch_size=BATCH, ignore_conflicts=True)
    if mails:
        send_mass_mail(mails, fail_silently=True)
    ids = [row[0] for row in rows]
    for start in range(0, len(ids), BATCH):
        Call.objects.filter(pk__in=ids[start : start + BATCH]).update(notified_at=now)
    for pk, error in failed.items():
        Call.objects.filter(pk=pk).update(sms_error=error)
    return len(rows)


# --- acknowledgement --------------------------------------------------------------------------


def _acknowledge(call, *, channel, user, now):
    if call.status == CallStatus.ACKNOWLEDGED:
        raise ValidationError(
            _("该叫应已于 %(time)s 确认，链接不能重复使用。")
            % {"time": date_format(timezone.localtime(call.acknowledged_at), "Y-m-d H:i")}
        )
    if call.status == CallStatus.CLOSED:
        raise ValidationError(_("该预警已解除或已更新，无需再确认。"))
    call.status = CallStatus.ACKNOWLEDGED
    call.acknowledged_at = now or timezone.now()
    call.channel = channel
    call.acknowledged_by = user if user and user.is_authenticated else None
    call.save(update_fields=["status", "acknowledged_at", "channel", "acknowledged_by"])
    call_acknowledged.send(sender=Call, call=call)
    return call


def call_for_token(token: str, *, lock: bool = False) -> tuple[Call, str]:
    """The call a signed link names and the channel it was sent by, or a ValidationError
    saying why the link is refused; with its warning and units, locked with ``lock`` (one
    query: the link is tapped by thousands within minutes of a warning)."""
    try:
        data = signing.loads(token, salt=ACK_SALT, max_age=ACK_LINK_MAX_AGE)
    except signing.SignatureExpired as exc:
        raise ValidationError(
            _("该叫应链接已过期，请登录平台在手机页面确认，或联系值班员。")
        ) from exc
    except signing.BadSignature as exc:
        raise ValidationError(_("叫应链接无效，请检查短信或邮件中的链接是否完整。")) from exc
    calls = Call.objects.select_related("warning__warning_type", "warning__org_unit", "org_unit")
    if lock:
        calls = calls.select_for_update(of=("self",))
    call = calls.filter(pk=data.get("c"), holder_id=data.get("h")).order_by().first()
    if call is None or data.get("ch") not in Channel.values:
        raise ValidationError(_("叫应链接无效，请检查短信或邮件中的链接是否完整。"))
    return call, data["ch"]


@transaction.atomic
def acknowledge_by_link(token: str, *, user=None, now=None) -> Call:
    """One tap on a signed link, without logging in. Single use: the call's own state decides
    (a second tap is refused and changes nothing). A logged-in user may not answer someone
    else's call."""
    call, channel = call_for_token(token, lock=True)
    if user and user.is_authenticated and call.user_id and call.user_id != user.pk:
        raise ValidationError(_("这是%(name)s的叫应链接，须由本人确认。") % {"name": call.name})
    return _acknowledge(call, channel=channel, user=user, now=now)


@transaction.atomic
def acknowledge_call(user: User, call: Call, *, now=None) -> Call:
    """确认收到 on the phone page: only the person called, logged in."""
    call = Call.objects.select_for_update().get(pk=call.pk)
    if call.user_id != user.pk:
        raise PermissionDenied(_("只能确认发给本人的叫应。"))
    return _acknowledge(call, channel=Channel.PHONE_PAGE, user=user, now=now)


# --- escalation -------------------------------------------------------------------------------


def escalate_calls(*, now=None) -> int:
    """The beat tick: initial calls unanswered for a level's window call the B person of the
    same duty and the unit's duty officer; after twice the window, the superior unit's duty
    officer and 防汛责任人. Returns the number of new calls."""
    now = now or timezone.now()
    sync_duty_officers(now)
    created = 0
    for level, minutes in ESCALATION_MINUTES.items():
        window = datetime.timedelta(minutes=minutes)
        created += _escalate_step(level, 1, now - window, now)
        created += _escalate_step(level, 2, now - 2 * window, now)
    return created


def sync_duty_officers(now) -> int:
    """The 值班员 (A) of every unit with its own duty roster becomes whoever is on duty at
    ``now`` (apps.duty), so that the escalation calls the person actually on post; units
    without a roster keep the 值班员 their staff entered. Calls copy name and phone, so earlier
    calls keep the officer who was called. One call per person and warning stays the rule: a
    handover during a warning does not call the unit's 值班员 row a second time (the handover
    passes the warning on). Returns the number of rows made or changed."""
    on_duty = duty_selectors.officers_on_duty(now)
    holders = {
        holder.org_unit_id: holder
        for holder in DutyHolder.objects.filter(
            org_unit_id__in=on_duty, duty=Duty.DUTY_OFFICER, position=Position.A
        )
    }
    fields = ["name", "mobile", "email", "user"]
    changed, made = [], []
    for unit_id, person in on_duty.items():
        values = {
            "name": person.display_name[:50],
            "mobile": person.mobile,
            "email": person.email,
            "user_id": person.pk,  # compared by id: no query per holder
        }
        holder = holders.get(unit_id)
        if holder is None:
            made.append(
                DutyHolder(
                    org_unit_id=unit_id, duty=Duty.DUTY_OFFICER, position=Position.A, **values
                )
            )
        elif any(getattr(holder, field) != value for field, value in values.items()):
            for field, value in values.items():
                setattr(holder, field, value)
            changed.append(holder)
    DutyHolder.objects.bulk_update(changed, fields)
    # two ticks at once may both make a unit's row: the unique constraint keeps one
    DutyHolder.objects.bulk_create(made, ignore_conflicts=True)
    return len(changed) + len(made)


# Who an escalation step calls, as the join from the due call ``c`` to the holders ``h``:
# step 1, the B person of the same duty and the unit's duty officer; step 2, the superior
# unit's duty officer and 防汛责任人.
ESCALATION_JOINS = {
    1: (
        "JOIN {holder} h ON h.org_unit_id = c.org_unit_id AND ((h.duty = c.duty AND "
        "h.position = %s) OR (h.duty = %s AND h.position = %s))",
        [Position.B, Duty.DUTY_OFFICER, Position.A],
    ),
    2: (
        "JOIN {unit} u ON u.id = c.org_unit_id JOIN {holder} h ON h.org_unit_id = u.parent_id "
        "AND h.position = %s AND h.duty IN (%s, %s)",
        [Position.A, Duty.DUTY_OFFICER, Duty.FLOOD],
    ),
}

# The due calls of one level and step: initial calls still open after the cut-off, on published
# warnings, not yet escalated at this step.
DUE_SQL = """
SELECT c.id FROM {call} c JOIN {warning} w ON w.id = c.warning_id
WHERE w.level = %s AND w.status = %s AND c.status = %s AND c.tier = %s AND c.escalation = %s
  AND c.called_at <= %s
"""

# The new calls are made in the database (the ORM's bulk_create spent seconds preparing the
# 30,000 rows of a city-wide tick). ON CONFLICT skips whoever was already called for the
# warning; GROUP BY calls each person once when several due calls lead to them.
INSERT_SQL = """
INSERT INTO {call} (warning_id, holder_id, org_unit_id, duty, position, name, mobile, user_id,
                    tier, escalated_from_id, escalation, status, called_at, channel, sms_error)
SELECT c.warning_id, h.id, h.org_unit_id, h.duty, h.position, h.name, h.mobile, h.user_id,
       %s, MIN(c.id), 0, %s, %s, '', ''
FROM {source} c {join}
GROUP BY c.warning_id, h.id, h.org_unit_id, h.duty, h.position, h.name, h.mobile, h.user_id
ON CONFLICT DO NOTHING
"""

BATCH_SOURCE = "(SELECT * FROM {call} WHERE id IN ({ids}))"

# PostgreSQL: one statement claims the due calls (row locks, SKIP LOCKED: a second tick at the
# same moment takes none of them), marks them escalated and makes the new calls; it answers
# with the new calls per warning and unit. Half the time of claiming and inserting in batches.
ONE_STATEMENT_SQL = """
WITH due AS ({due} FOR UPDATE OF c SKIP LOCKED),
claimed AS (
  UPDATE {call} SET escalation = %s FROM due WHERE {call}.id = due.id
  RETURNING {call}.id, {call}.warning_id, {call}.org_unit_id, {call}.duty
),
made AS ({insert} RETURNING warning_id, org_unit_id)
SELECT m.warning_id, u.path, COUNT(*) FROM made m JOIN {unit} u ON u.id = m.org_unit_id
GROUP BY m.warning_id, u.path
"""


@transaction.atomic
def _escalate_step(level, step, cutoff, now):
    due_params = [level, Status.PUBLISHED, CallStatus.OPEN, Tier.INITIAL, step - 1, cutoff]
    # the parameters of INSERT_SQL: the new calls' values, then (after the source) the join's
    values = [step, CallStatus.OPEN, connection.ops.adapt_datetimefield_value(now)]
    insert_params = (values, ESCALATION_JOINS[step][1])
    if connection.vendor == "postgresql":
        created, warning_ids, paths = _escalate_in_one_statement(step, due_params, insert_params)
    else:
        created, warning_ids, paths = _escalate_in_batches(step, due_params, insert_params)
    _calls_changed(paths)
    for warning_id in warning_ids:
        _deliver_after_commit(warning_id)
    return created


def _sql(template, step, **parts):
    tables = _tables()
    join = ESCALATION_JOINS[step][0].format(**tables)
    return template.format(join=join, due=DUE_SQL.format(**tables), **parts, **tables)


def _escalate_in_one_statement(step, due_params, insert_params):
    sql = _sql(ONE_STATEMENT_SQL, step, insert=_sql(INSERT_SQL, step, source="claimed"))
    with connection.cursor() as cursor:
        values, join_params = insert_params
        cursor.execute(sql, [*due_params, step, *values, *join_params])
        rows = cursor.fetchall()
    return sum(row[2] for row in rows), {row[0] for row in rows}, {row[1] for row in rows}


def _escalate_in_batches(step, due_params, insert_params):
    """SQLite (no row locks, no UPDATE in a WITH): the due calls claimed batch by batch, each
    claim conditional on the old value, so that a call claimed by another tick is not
    escalated again. The units changed are the due calls' (the new calls are there or one
    level up)."""
    created, warning_ids, paths = 0, set(), set()
    with connection.cursor() as cursor:
        cursor.execute(_sql(DUE_SQL, step), due_params)
        due_ids = [pk for (pk,) in cursor.fetchall()]
        for start in range(0, len(due_ids), BATCH):
            batch = due_ids[start : start + BATCH]
            Call.objects.filter(pk__in=batch, escalation=step - 1).update(escalation=step)
            source = BATCH_SOURCE.format(ids=", ".join(["%s"] * len(batch)), **_tables())
            values, join_params = insert_params
            cursor.execute(_sql(INSERT_SQL, step, source=source), [*values, *batch, *join_params])
            created += cursor.rowcount
            for warning_id, path in Call.objects.filter(pk__in=batch).values_list(
                "warning_id", "org_unit__path"
            ):
                warning_ids.add(warning_id)
                paths.add(path)
    return created, warning_ids, paths


# --- 到岗 checklist ---------------------------------------------------------------------------


@transaction.atomic
def confirm_checklist_item(
    user: User, warning: Warning, *, unit: OrgUnit, item: str, now=None
) -> ChecklistConfirmation:
    """A called unit confirms one item of its level's checklist (到岗, 人员转移 …), once."""
    warning = _locked(warning)
    if not can_edit_unit(user, unit):
        raise PermissionDenied(_("您无权为该单位确认到岗事项。"))
    if warning.status != Status.PUBLISHED:
        raise ValidationError(_("只有已发布的预警需要确认到岗事项。"))
    if item not in dict(CHECKLISTS[warning.level]):
        raise ValidationError(_("该事项不在本级预警的到岗清单中。"))
    if not warning.calls.filter(org_unit=unit, tier=Tier.INITIAL).exists():
        raise ValidationError(_("该单位不在本次预警的叫应范围内。"))
    if ChecklistConfirmation.objects.filter(warning=warning, org_unit=unit, item=item).exists():
        raise ValidationError(_("该事项已确认。"))
    return ChecklistConfirmation.objects.create(
        warning=warning,
        org_unit=unit,
        item=item,
        confirmed_at=now or timezone.now(),
        confirmed_by=user,
    )


# --- 责任人 -----------------------------------------------------------------------------------


def save_holder(user: User, holder: DutyHolder) -> DutyHolder:
    if not can_edit_unit(user, holder.org_unit):
        raise PermissionDenied(_("您无权维护该单位的责任人。"))
    holder.full_clean()
    stamp(holder, user)
    holder.save()
    return holder
