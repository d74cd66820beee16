"""The rules of duty. Every change goes through these functions, acting user first.

- The roster, its rotation and its shifts are changed by the unit's street staff (and admins).
- Sign-in, the duty log and the handover are done by the people on the shift; the handover is
  acknowledged by the people on the next shift, nobody else.
- A swap is asked for by someone on the shift and changes the shifts only when the unit's
  street staff approve it; the swap and its shifts are locked first, so two approvals at once
  apply it once.
- A reinforced shift (加强值班) must have a 带班领导.
"""

import calendar
import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.orgs.models import Role, User, can_edit_unit, require_edit, stamp

from .models import (
    LogEntry,
    LogKind,
    ReinforcedReason,
    Roster,
    RotationMember,
    Shift,
    SwapRequest,
    SwapStatus,
)

# Day 0 of every rotation: the rotation runs on from one month to the next without restarting.
ROTATION_EPOCH = datetime.date(2000, 1, 1)
# How early before its start a shift may be signed into.
SIGN_IN_EARLY = datetime.timedelta(minutes=30)
# The longest range one reinforcement covers.
MAX_REINFORCED_DAYS = 366


EDIT_DENIED = gettext_lazy("您无权修改该单位的值班表。")


def _require_on_shift(user, shift, message):
    if not shift.is_on(user):
        raise PermissionDenied(message)


def _locked(shift):
    return Shift.objects.select_for_update().select_related("roster").get(pk=shift.pk)


def unit_people(roster):
    """The people who may be on ``roster``'s shifts: active users of its unit."""
    return User.objects.filter(org_unit_id=roster.org_unit_id, is_active=True).order_by(
        "last_name", "first_name", "username"
    )


def _check_people(roster, users, field):
    allowed = set(unit_people(roster).values_list("pk", flat=True))
    outsiders = [u for u in users if u.pk not in allowed]
    if outsiders:
        raise ValidationError(
            {
                field: _("%(names)s 不是%(unit)s的人员。")
                % {
                    "names": "、".join(u.display_name for u in outsiders),
                    "unit": roster.org_unit.name,
                }
            }
        )


def _fmt(moment):
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


# --- roster and rotation --------------------------------------------------------------------


def save_roster(user, roster):
    require_edit(user, roster.org_unit, EDIT_DENIED)
    stamp(roster, user)
    roster.full_clean()
    roster.save()
    return roster


@transaction.atomic
def set_rotation(user, roster, *, leaders, officers):
    """Replace the rotation: ``leaders`` (带班领导) and ``officers`` (值班员), each in order."""
    require_edit(user, roster.org_unit, EDIT_DENIED)
    roster = Roster.objects.select_for_update().get(pk=roster.pk)
    errors = {}
    if not officers:
        errors["officers"] = _("请至少填写一名值班员。")
    elif len(officers) < roster.officers_per_shift:
        errors["officers"] = _("每班 %(n)d 名值班员，轮班值班员不能少于 %(n)d 人。") % {
            "n": roster.officers_per_shift
        }
    for field, people in (("leaders", leaders), ("officers", officers)):
        if len({u.pk for u in people}) != len(people):
            errors.setdefault(field, _("同一人不能重复填写。"))
    if errors:
        raise ValidationError(errors)
    _check_people(roster, leaders, "leaders")
    _check_people(roster, officers, "officers")
    roster.rotation.all().delete()
    RotationMember.objects.bulk_create(
        [
            RotationMember(roster=roster, user=u, is_leader=True, position=i)
            for i, u in enumerate(leaders)
        ]
        + [
            RotationMember(roster=roster, user=u, is_leader=False, position=i)
            for i, u in enumerate(officers)
        ]
    )
    roster.updated_by = user
    roster.save(update_fields=["updated_by", "updated_at"])
    return roster


@transaction.atomic
def generate_month(user, roster, *, year: int, month: int) -> int:
    """Create the month's shifts from the rotation, in bulk; shifts that already exist are kept
    as they are (a rerun fills only the gaps). Returns the number of shifts created."""
    require_edit(user, roster.org_unit, EDIT_DENIED)
    roster = Roster.objects.select_for_update().get(pk=roster.pk)
    rotation = list(roster.rotation.order_by("position"))
    leaders = [m.user_id for m in rotation if m.is_leader]
    officers = [m.user_id for m in rotation if not m.is_leader]
    per_shift = roster.officers_per_shift
    if len(officers) < per_shift:
        raise ValidationError(_("请先设置轮班人员：每班需要 %(n)d 名值班员。") % {"n": per_shift})
    per_day = 24 // roster.shift_hours
    length = datetime.timedelta(hours=roster.shift_hours)
    first = datetime.date(year, month, 1)
    days = calendar.monthrange(year, month)[1]
    tz = timezone.get_current_timezone()
    start = timezone.make_aware(datetime.datetime.combine(first, roster.shift_start), tz)
    end = start + datetime.timedelta(days=days)
    existing = set(
        roster.shifts.filter(starts_at__gte=start, starts_at__lt=end).values_list(
            "starts_at", flat=True
        )
    )
    shifts, people = [], []
    for day in range(days):
        date = first + datetime.timedelta(days=day)
        for k in range(per_day):
            starts_at = (
                timezone.make_aware(datetime.datetime.combine(date, roster.shift_start), tz)
                + k * length
            )
            if starts_at in existing:
                continue
            index = (date - ROTATION_EPOCH).days * per_day + k
            shifts.append(
                Shift(
                    roster=roster,
                    starts_at=starts_at,
                    ends_at=starts_at + length,
                    leader_id=leaders[index % len(leaders)] if leaders else None,
                    updated_by=user,
                )
            )
            people.append(
                [officers[(index * per_shift + j) % len(officers)] for j in range(per_shift)]
            )
    created = Shift.objects.bulk_create(shifts)
    Through = Shift.officers.through
    Through.objects.bulk_create(
        [
            Through(shift_id=shift.pk, user_id=user_id)
            for shift, ids in zip(created, people, strict=True)
            for user_id in ids
        ]
    )
    return len(created)


# --- shifts ---------------------------------------------------------------------------------


@transaction.atomic
def update_shift(user, shift, *, leader, officers, reinforced=False, reinforced_reason=""):
    """Set a shift's 带班领导, officers and reinforcement by hand."""
    require_edit(user, shift.roster.org_unit, EDIT_DENIED)
    shift = _locked(shift)
    officers = list(officers)
    errors = {}
    if not officers:
        errors["officers"] = _("每个班次至少安排一名值班员。")
    elif leader is not None and leader in officers:
        errors["officers"] = _("带班领导不能同时是本班次的值班员。")
    if reinforced and leader is None:
        errors["leader"] = _("加强值班的班次须安排带班领导。")
    if reinforced and not reinforced_reason:
        errors["reinforced_reason"] = _("请选择加强值班原因。")
    if errors:
        raise ValidationError(errors)
    _check_people(shift.roster, ([leader] if leader else []), "leader")
    _check_people(shift.roster, officers, "officers")
    shift.leader = leader
    shift.reinforced = reinforced
    shift.reinforced_reason = reinforced_reason if reinforced else ""
    shift.updated_by = user
    shift.save()
    shift.officers.set(officers)
    return shift


@transaction.atomic
def reinforce_shifts(user, roster, *, start: datetime.date, end: datetime.date, reason) -> int:
    """Mark every shift starting from ``start`` to ``end`` (dates, inclusive) as 加强值班.
    Refused, with the dates, when any of them has no 带班领导. Returns the number marked."""
    require_edit(user, roster.org_unit, EDIT_DENIED)
    if reason not in ReinforcedReason.values:
        raise ValidationError({"reason": _("请选择加强值班原因。")})
    if end < start:
        raise ValidationError({"end": _("结束日期不能早于开始日期。")})
    if (end - start).days >= MAX_REINFORCED_DAYS:
        raise ValidationError({"end": _("一次最多设置一年的加强值班。")})
    tz = timezone.get_current_timezone()
    since = timezone.make_aware(datetime.datetime.combine(start, datetime.time.min), tz)
    until = timezone.make_aware(
        datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min), tz
    )
    shifts = list(
        roster.shifts.select_for_update()
        .filter(starts_at__gte=since, starts_at__lt=until)
        .order_by("pk")
    )
    if not shifts:
        raise ValidationError(_("该时段还没有班次，请先生成值班表。"))
    without_leader = sorted(s.starts_at for s in shifts if s.leader_id is None)
    if without_leader:
        raise ValidationError(
            _("加强值班须有带班领导：%(times)s 的班次尚未安排带班领导，请先安排。")
            % {"times": "、".join(_fmt(t) for t in without_leader[:10])}
        )
    return roster.shifts.filter(pk__in=[s.pk for s in shifts]).update(
        reinforced=True, reinforced_reason=reason, updated_by=user, updated_at=timezone.now()
    )


# Warnings of these levels put the duty of the units they cover on 加强值班 while in force.
REINFORCING_LEVELS = {"red", "orange"}


def reinforce_for_warning(warning) -> tuple[int, list[Shift]]:
    """A published 红色 or 橙色 warning: the shifts overlapping its time in force, of the
    rosters of the units it covers (its areas, the units inside them and the street and
    district above them), become 加强值班 (预警生效). A shift without a 带班领导 cannot be:
    the roster's street staff are told which, in the portal. Returns (shifts marked, shifts
    without a leader)."""
    from apps.notifications.models import Notification
    from apps.warnings.models import ancestor_paths

    if warning.level not in REINFORCING_LEVELS:
        return 0, []
    covered = Q()
    for path in warning.areas.values_list("path", flat=True):
        covered |= Q(org_unit__path__startswith=path) | Q(org_unit__path__in=ancestor_paths(path))
    shifts = Shift.objects.filter(
        roster__in=Roster.objects.filter(covered),
        starts_at__lt=warning.expires_at,
        ends_at__gt=warning.issued_at,
    )
    marked = shifts.filter(leader__isnull=False, reinforced=False).update(
        reinforced=True, reinforced_reason=ReinforcedReason.WARNING, updated_at=timezone.now()
    )
    without_leader = list(
        shifts.filter(leader__isnull=True).select_related("roster__org_unit").order_by("starts_at")
    )
    notices = []
    for roster in {shift.roster for shift in without_leader}:
        times = "、".join(_fmt(s.starts_at) for s in without_leader if s.roster == roster)
        title = _("%(warning)s：%(roster)s %(times)s 的班次尚未安排带班领导，请加强值班。") % {
            "warning": warning.headline,
            "roster": roster.name,
            "times": times,
        }
        for user in User.objects.filter(
            org_unit=roster.org_unit, role=Role.STREET_STAFF, is_active=True
        ):
            notices.append(
                Notification(
                    recipient=user,
                    rule="duty.reinforce",
                    key=f"duty.reinforce:{warning.pk}:{roster.pk}",
                    title=title[:300],
                    url=roster.get_absolute_url(),
                    unit_path=roster.org_unit.path,
                )
            )
    Notification.objects.bulk_create(notices, ignore_conflicts=True)
    return marked, without_leader


# --- on the shift: sign-in, log, handover ---------------------------------------------------


@transaction.atomic
def sign_in(user, shift, *, now=None):
    """签到: someone on the shift marks its start (from 30 minutes before it, until its end)."""
    now = now or timezone.now()
    shift = _locked(shift)
    _require_on_shift(user, shift, _("您不在本班次值班，不能签到。"))
    if shift.signed_in_at:
        raise ValidationError(_("本班次已于 %(time)s 签到。") % {"time": _fmt(shift.signed_in_at)})
    if now < shift.starts_at - SIGN_IN_EARLY:
        raise ValidationError(_("班次尚未开始：开始前 30 分钟内才能签到。"))
    if now >= shift.ends_at:
        raise ValidationError(_("班次已结束，不能签到。"))
    shift.signed_in_at = now
    shift.signed_in_by = user
    shift.save(update_fields=["signed_in_at", "signed_in_by", "updated_at"])
    return shift


@transaction.atomic
def add_log_entry(user, shift, *, kind, content, caller="", action="", at=None, now=None):
    """A line of the 值班日志, by someone on the signed-in shift, at a time within the shift
    (locked, so no line slips in after a handover)."""
    now = now or timezone.now()
    shift = _locked(shift)
    _require_on_shift(user, shift, _("您不在本班次值班，不能记录值班日志。"))
    if shift.signed_in_at is None:
        raise ValidationError(_("请先签到，再记录值班日志。"))
    if shift.handed_over_at:
        raise ValidationError(_("本班次已交班，不能再记录值班日志。"))
    at = at or now
    errors = {}
    if kind not in LogKind.values:
        errors["kind"] = _("请选择类型。")
    if not (content or "").strip():
        errors["content"] = _("请填写内容。")
    if at > now:
        errors["at"] = _("时间不能晚于现在。")
    elif not shift.starts_at <= at < shift.ends_at:
        errors["at"] = _("时间须在本班次内（%(start)s 至 %(end)s）。") % {
            "start": _fmt(shift.starts_at),
            "end": _fmt(shift.ends_at),
        }
    if errors:
        raise ValidationError(errors)
    return LogEntry.objects.create(
        shift=shift,
        at=at,
        kind=kind,
        caller=(caller or "").strip(),
        content=content.strip(),
        action=(action or "").strip(),
        created_by=user,
    )


@transaction.atomic
def hand_over(user, shift, *, note, now=None):
    """交班: someone on the signed-in shift writes what the next shift must know."""
    now = now or timezone.now()
    shift = _locked(shift)
    _require_on_shift(user, shift, _("您不在本班次值班，不能交班。"))
    if shift.signed_in_at is None:
        raise ValidationError(_("本班次尚未签到，不能交班。"))
    if shift.handed_over_at:
        raise ValidationError(
            _("本班次已于 %(time)s 交班。") % {"time": _fmt(shift.handed_over_at)}
        )
    if not (note or "").strip():
        raise ValidationError({"handover_note": _("请填写交班事项（没有事项请填写“无”）。")})
    shift.handover_note = note.strip()
    shift.handed_over_at = now
    shift.handed_over_by = user
    shift.save(update_fields=["handover_note", "handed_over_at", "handed_over_by", "updated_at"])
    return shift


def next_shift(shift):
    """The shift of the same roster that follows ``shift`` (None at the end of the roster)."""
    return (
        Shift.objects.filter(roster_id=shift.roster_id, starts_at__gte=shift.ends_at)
        .order_by("starts_at")
        .first()
    )


def may_acknowledge(user, shift):
    """Whether ``user`` is on the shift that follows ``shift`` (who acknowledges its handover)."""
    following = next_shift(shift)
    return following is not None and following.is_on(user)


@transaction.atomic
def acknowledge_handover(user, shift, *, now=None):
    """接班确认: only someone on the next shift acknowledges the handover."""
    now = now or timezone.now()
    shift = _locked(shift)
    if not may_acknowledge(user, shift):
        raise PermissionDenied(_("只有下一班的值班人员才能确认接班。"))
    if shift.handed_over_at is None:
        raise ValidationError(_("本班次尚未交班。"))
    if shift.acknowledged_at:
        raise ValidationError(_("已于 %(time)s 确认接班。") % {"time": _fmt(shift.acknowledged_at)})
    shift.acknowledged_at = now
    shift.acknowledged_by = user
    shift.save(update_fields=["acknowledged_at", "acknowledged_by", "updated_at"])
    return shift


# --- swaps ----------------------------------------------------------------------------------


def _is_leader(shift, user):
    return shift.leader_id == user.pk


def request_swap(user, shift, *, replacement, reason, other_shift=None, now=None):
    """换班申请 by someone on ``shift``: ``replacement`` takes their place; with
    ``other_shift`` (a shift of the replacement's in the same role) the two exchange."""
    now = now or timezone.now()
    _require_on_shift(user, shift, _("只有本班次的值班人员才能申请换班。"))
    if shift.starts_at <= now:
        raise ValidationError(_("班次已开始，不能再换班。"))
    errors = {}
    if not (reason or "").strip():
        errors["reason"] = _("请填写换班原因。")
    if replacement is None:
        errors["replacement"] = _("请选择替班人。")
    elif replacement.pk == user.pk or shift.is_on(replacement):
        errors["replacement"] = _("替班人已在本班次值班。")
    elif other_shift is not None:
        if other_shift.roster_id != shift.roster_id or other_shift.pk == shift.pk:
            errors["other_shift"] = _("对调班次须是同一值班表的另一个班次。")
        elif other_shift.starts_at <= now:
            errors["other_shift"] = _("对调班次已开始，不能再换班。")
        elif not other_shift.is_on(replacement) or _is_leader(other_shift, replacement) != (
            _is_leader(shift, user)
        ):
            errors["other_shift"] = _("替班人须在对调班次担任同样的职责（带班领导或值班员）。")
        elif other_shift.is_on(user):
            errors["other_shift"] = _("您已在对调班次值班。")
    if errors:
        raise ValidationError(errors)
    _check_people(shift.roster, [replacement], "replacement")
    if SwapRequest.objects.filter(shift=shift, requester=user, status=SwapStatus.PENDING).exists():
        raise ValidationError(_("您已为本班次提交换班申请，正在审批中。"))
    return SwapRequest.objects.create(
        shift=shift,
        requester=user,
        replacement=replacement,
        other_shift=other_shift,
        reason=reason.strip(),
    )


def _put_in_place(shift, old, new, user):
    if _is_leader(shift, old):
        shift.leader = new
    else:
        shift.officers.remove(old)
        shift.officers.add(new)
    shift.updated_by = user
    shift.save(update_fields=["leader", "updated_by", "updated_at"])


@transaction.atomic
def decide_swap(user, swap, *, approve: bool, now=None):
    """The unit's street staff approve (the shifts change) or refuse a pending swap."""
    now = now or timezone.now()
    roster = swap.shift.roster
    if not can_edit_unit(user, roster.org_unit):
        raise PermissionDenied(_("只有本单位的街镇工作人员才能审批换班。"))
    swap = SwapRequest.objects.select_for_update().get(pk=swap.pk)
    if user.pk in (swap.requester_id, swap.replacement_id):
        raise ValidationError(_("换班当事人不能审批该换班申请。"))
    if swap.status != SwapStatus.PENDING:
        raise ValidationError(
            _("该换班申请已处理（%(status)s）。") % {"status": swap.get_status_display()}
        )
    if approve:
        ids = sorted(pk for pk in (swap.shift_id, swap.other_shift_id) if pk)
        shifts = {
            s.pk: s for s in Shift.objects.select_for_update().filter(pk__in=ids).order_by("pk")
        }
        shift, other = shifts[swap.shift_id], shifts.get(swap.other_shift_id)
        requester, replacement = swap.requester, swap.replacement
        if shift.starts_at <= now or (other and other.starts_at <= now):
            raise ValidationError(_("班次已开始，不能再换班。"))
        if not shift.is_on(requester) or shift.is_on(replacement):
            raise ValidationError(_("班次人员已变动，该换班申请不再适用，请不同意后重新申请。"))
        if other and (not other.is_on(replacement) or other.is_on(requester)):
            raise ValidationError(_("班次人员已变动，该换班申请不再适用，请不同意后重新申请。"))
        _put_in_place(shift, requester, replacement, user)
        if other:
            _put_in_place(other, replacement, requester, user)
    swap.status = SwapStatus.APPROVED if approve else SwapStatus.REFUSED
    swap.decided_by = user
    swap.decided_at = now
    swap.save(update_fields=["status", "decided_by", "decided_at"])
    return swap
