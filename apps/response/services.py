"""The rules of a response. Views, the phone pages, the public self check-in, admin and tests
all come here; every function takes the acting user first (``None`` only for a self check-in
through the shelter's signed link).

- A change locks first: the event row for level changes and closing, the ``ShelterOperation``
  row for check-ins and check-outs (two people checking in at once are serialised there, so a
  hard capacity is never exceeded), the request row for each step of a supply request.
- Street staff (and admins) run the event; community staff act for their own community: its
  tasks, its transfer roster, its supply requests and their receipt. Read-only roles act on
  nothing (PermissionDenied).
- Every change writes one line of the event's timeline (``EventLog``).
- An event names the warning and the incident it answers only when the user sees them and they
  concern the plan's unit (a published warning covering it, an incident within it).
- Supplies leave a site only through ``apps.supplies.services.dispatch`` (never-negative stock).
  A site outside the event's street (another street's, or the district's own) is asked for
  first (``request_cross_street``) and approved by the district (``approve_cross_street``);
  an agreement reserve without stock in the ledger is called off (调用协议储备) against its
  terms (``dispatch_request``).
"""

import datetime
import uuid
from dataclasses import dataclass

from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import IntegerField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.incidents.models import Incident
from apps.orgs.models import (
    OrgKind,
    OrgUnit,
    Role,
    User,
    can_edit_unit,
    in_scope,
    require_edit,
)
from apps.people.models import HelperAssignment, VulnerableResident
from apps.people.services import require_vulnerable_access
from apps.people.validators import (
    normalize_id_number,
    normalize_phone,
    validate_id_number,
    validate_mobile,
)
from apps.plans.models import Plan
from apps.shelters import services as shelter_services
from apps.shelters.models import Shelter, ShelterStatus
from apps.supplies import services as supply_services
from apps.supplies.models import AgreementTerm, Item, Lot, Site, StorageMode
from apps.warnings import links as warning_links
from apps.warnings.models import Warning

from .models import (
    CardLevel,
    CheckIn,
    Event,
    EventLog,
    EventStatus,
    EventTask,
    FollowUp,
    Level,
    Origin,
    RequestStatus,
    ShelterOperation,
    SupplyRequest,
    TaskStatus,
    Transfer,
    TransferStatus,
)

MAX_HOUSEHOLD = 20
CHECK_IN_SALT = "response.self-check-in"


# --- permissions and helpers ------------------------------------------------------------------


def _require_command(user, event):
    require_edit(user, event.org_unit, _("您无权指挥该应急响应。"))


def can_act_for(user, unit):
    """Street staff and admins over ``unit``, or the community staff of it: the people who
    update its tasks, transfers and supply requests."""
    if can_edit_unit(user, unit):
        return True
    return bool(
        user
        and user.is_authenticated
        and user.role == Role.COMMUNITY_STAFF
        and in_scope(user, unit)
    )


def _require_act(user, unit):
    if not can_act_for(user, unit):
        raise PermissionDenied(_("您无权代表该单位办理。"))


def _require_open(event):
    if event.status != EventStatus.OPEN:
        raise ValidationError(_("该应急响应已结束，不能再变更。"))


def _in_event(event, unit):
    return unit.path.startswith(event.org_unit.path)


def log(event, kind, text, user=None, *, at=None):
    return EventLog.objects.create(
        event=event, kind=kind, text=str(text)[:300], user=user, at=at or timezone.now()
    )


def _lock_event(event):
    return Event.objects.select_for_update().select_related("org_unit", "plan").get(pk=event.pk)


# --- 响应卡 ----------------------------------------------------------------------------------


def save_card_level(user, plan, level, *, trigger, shelters, teams):
    """Create or update a level of the plan's card; the shelters and teams must be the plan
    unit's own (or below it)."""
    if not can_edit_unit(user, plan.org_unit):
        raise PermissionDenied(_("您无权修改该预案的响应卡。"))
    if level not in Level.values:
        raise ValidationError({"level": _("请选择响应级别（Ⅰ–Ⅳ级）。")})
    errors = {}
    if any(not s.org_unit.path.startswith(plan.org_unit.path) for s in shelters):
        errors["shelters"] = _("只能预置本单位及下级单位的避难场所。")
    if any(not t.org_unit.path.startswith(plan.org_unit.path) for t in teams):
        errors["teams"] = _("只能调用本单位及下级单位的应急队伍。")
    if errors:
        raise ValidationError(errors)
    card_level, _created = CardLevel.objects.update_or_create(
        plan=plan, level=level, defaults={"trigger": (trigger or "").strip()}
    )
    card_level.shelters.set(shelters)
    card_level.teams.set(teams)
    return card_level


# --- events -----------------------------------------------------------------------------------


def _spawn_tasks(user, event, level, now):
    card_level = CardLevel.objects.filter(plan=event.plan, level=level).first()
    if card_level is None:
        return []
    tasks = EventTask.objects.bulk_create(
        EventTask(
            event=event,
            level=level,
            title=t.title,
            role=t.role,
            unit_id=t.unit_id,
            due_at=now + datetime.timedelta(hours=t.due_hours),
            updated_by=user,
        )
        for t in card_level.tasks.all()
    )
    if tasks:
        log(
            event,
            EventLog.Kind.TASK,
            _("下达%(level)s响应任务 %(n)s 项") % {"level": Level(level).label, "n": len(tasks)},
            user,
            at=now,
        )
    return tasks


def _build_roster(user, event):
    """Every active vulnerable resident of the event's area, with their current helper."""
    residents = VulnerableResident.objects.filter(
        org_unit__path__startswith=event.org_unit.path, is_active=True
    ).only("pk", "org_unit_id")
    helpers = {}
    for helper in HelperAssignment.objects.filter(
        resident__in=residents, ended_on__isnull=True
    ).order_by("-started_on", "-pk"):
        helpers.setdefault(helper.resident_id, helper.pk)
    return Transfer.objects.bulk_create(
        Transfer(
            event=event,
            resident_id=r.pk,
            unit_id=r.org_unit_id,
            helper_id=helpers.get(r.pk),
            updated_by=user,
        )
        for r in residents
    )


def _incident_error(user, incident, unit):
    """Why ``user`` may not name ``incident`` for an event of ``unit``, or None."""
    if not Incident.objects.visible_to(user).filter(pk=incident.pk).exists():
        return _("找不到该突发事件，或该事件不在您的查看范围内。")
    if not Incident.objects.filter(pk=incident.pk, org_unit__path__startswith=unit.path).exists():
        return _("该突发事件不在%(unit)s辖区内。") % {"unit": unit.name}
    return None


@transaction.atomic
def open_event(
    user: User,
    plan: Plan,
    *,
    level: int,
    title: str,
    is_exercise: bool = False,
    origin: str = Origin.MANUAL,
    warning: Warning | None = None,
    incident: Incident | None = None,
    drill=None,
) -> Event:
    """启动响应: the plan's card at ``level`` becomes an event; its tasks are spawned with their
    owners and deadlines, and the transfer roster is drawn up.

    The event may name the warning and the incident it answers (the one ``origin`` names is
    required): a warning the user sees, published, whose area covers the plan's unit
    (``apps.warnings.links``); an incident the user sees, in the plan's unit or below it."""
    if not can_edit_unit(user, plan.org_unit):
        raise PermissionDenied(_("您无权启动该预案。"))
    errors = {}
    if plan.status in (Plan.Status.RETIRED, Plan.Status.DRAFT):
        errors["plan"] = _("只能启动生效或修订中的预案。")
    if level not in Level.values:
        errors["level"] = _("请选择响应级别（Ⅰ–Ⅳ级）。")
    elif not CardLevel.objects.filter(plan=plan, level=level).exists():
        errors["level"] = _("该预案尚未编制%(level)s响应卡，请先在预案页面编制。") % {
            "level": Level(level).label
        }
    if not (title or "").strip():
        errors["title"] = _("请填写事件名称。")
    if origin not in Origin.values:
        errors["origin"] = _("请选择启动来源。")
    if origin == Origin.DRILL:
        is_exercise = True
        if drill is None:
            errors["drill"] = _("演练启动请选择演练。")
    if drill is not None and not drill.org_unit.path.startswith(plan.org_unit.path):
        errors["drill"] = _("演练须为本单位的演练。")
    if warning is not None:
        if message := warning_links.link_error(user, warning, plan.org_unit):
            errors["warning"] = message
    elif origin == Origin.WARNING:
        errors["warning"] = _("启动来源为预警时，请选择关联的预警。")
    if incident is not None:
        if message := _incident_error(user, incident, plan.org_unit):
            errors["incident"] = message
    elif origin == Origin.INCIDENT:
        errors["incident"] = _("启动来源为突发事件报告时，请选择关联的突发事件。")
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    event = Event.objects.create(
        org_unit=plan.org_unit,
        plan=plan,
        title=title.strip(),
        level=level,
        is_exercise=is_exercise,
        origin=origin,
        warning=warning,
        incident=incident,
        drill=drill,
        opened_at=now,
        created_by=user,
        updated_by=user,
    )
    log(
        event,
        EventLog.Kind.OPENED,
        _("启动《%(plan)s》%(level)s响应%(exercise)s")
        % {
            "plan": plan.title,
            "level": Level(level).label,
            "exercise": _("（演练）") if is_exercise else "",
        },
        user,
        at=now,
    )
    _spawn_tasks(user, event, level, now)
    _build_roster(user, event)
    return event


@transaction.atomic
def change_level(user, event, *, level, reason):
    """提升/降低响应级别: the new level's tasks are added; tasks already given stay."""
    event = _lock_event(event)
    _require_command(user, event)
    _require_open(event)
    if level not in Level.values:
        raise ValidationError({"level": _("请选择响应级别（Ⅰ–Ⅳ级）。")})
    if level == event.level:
        raise ValidationError({"level": _("响应级别未变化。")})
    if not (reason or "").strip():
        raise ValidationError({"reason": _("请填写调整原因。")})
    old = event.level
    event.level = level
    event.updated_by = user
    event.save(update_fields=["level", "updated_by", "updated_at"])
    now = timezone.now()
    verb = _("提升") if level < old else _("降低")
    log(
        event,
        EventLog.Kind.LEVEL,
        _("响应级别由%(old)s%(verb)s为%(new)s：%(reason)s")
        % {"old": Level(old).label, "verb": verb, "new": Level(level).label, "reason": reason},
        user,
        at=now,
    )
    if not event.tasks.filter(level=level).exists():
        _spawn_tasks(user, event, level, now)
    return event


@transaction.atomic
def update_task(user, task, *, status, note=""):
    task = EventTask.objects.select_for_update().select_related("event", "unit").get(pk=task.pk)
    _require_act(user, task.unit)
    _require_open(task.event)
    if status not in TaskStatus.values:
        raise ValidationError({"status": _("请选择任务状态。")})
    if status == task.status:
        raise ValidationError({"status": _("任务状态未变化。")})
    task.status = status
    task.note = (note or "").strip()[:300]
    task.done_at = timezone.now() if status == TaskStatus.DONE else None
    task.updated_by = user
    task.save(update_fields=["status", "note", "done_at", "updated_by"])
    log(
        task.event,
        EventLog.Kind.TASK,
        _("%(unit)s：%(task)s —— %(status)s")
        % {"unit": task.unit.name, "task": task.title, "status": task.get_status_display()},
        user,
    )
    return task


@transaction.atomic
def close_event(
    user,
    event,
    *,
    people_evacuated,
    casualties,
    summary,
    direct_loss=None,
    problems=(),
    plan_needs_revision=False,
    revision_reason="",
):
    """结束响应: the figures are required; shelters still open are closed (everyone checked
    out); each problem found becomes a follow-up action; the plan may be flagged for revision.
    ``problems`` are (problem, owner, due_date) triples."""
    event = _lock_event(event)
    _require_command(user, event)
    _require_open(event)
    errors = {}
    if people_evacuated is None:
        errors["people_evacuated"] = _("请填写转移人数。")
    if casualties is None:
        errors["casualties"] = _("请填写伤亡人数（无则填 0）。")
    if not (summary or "").strip():
        errors["summary"] = _("请填写处置总结。")
    if plan_needs_revision and not (revision_reason or "").strip():
        errors["revision_reason"] = _("标记预案需修订时请填写修订原因。")
    today = timezone.localdate()
    for problem, owner, due_date in problems:
        if not (problem or "").strip() or not (owner or "").strip() or due_date is None:
            errors["problems"] = _("每个问题都须填写问题、责任人/部门和整改期限。")
        elif due_date < today:
            errors["problems"] = _("整改期限不能早于今天。")
    if errors:
        raise ValidationError(errors)
    for operation in event.shelters.filter(closed_at__isnull=True):
        close_operation(user, operation)
    now = timezone.now()
    event.status = EventStatus.CLOSED
    event.closed_at = now
    event.people_evacuated = people_evacuated
    event.casualties = casualties
    event.direct_loss = direct_loss
    event.summary = summary.strip()
    event.plan_needs_revision = plan_needs_revision
    event.revision_reason = (revision_reason or "").strip() if plan_needs_revision else ""
    event.updated_by = user
    event.save()
    FollowUp.objects.bulk_create(
        FollowUp(event=event, problem=p.strip(), owner=o.strip(), due_date=d)
        for p, o, d in problems
    )
    log(event, EventLog.Kind.CLOSED, _("结束响应，转入事后评估"), user, at=now)
    return event


# --- shelters ---------------------------------------------------------------------------------


@transaction.atomic
def open_shelter(user, event, shelter, *, capacity=None, hard_limit=True):
    """启用避难场所 for the event (recorded in the shelter's own opening history)."""
    _require_command(user, event)
    _require_open(event)
    if not shelter.org_unit.path.startswith(event.org_unit.path):
        raise ValidationError({"shelter": _("只能启用本事件区域内的避难场所。")})
    capacity = shelter.capacity if capacity is None else capacity
    if capacity < 1:
        raise ValidationError({"capacity": _("容纳上限须大于 0。")})
    if capacity > shelter.capacity:
        raise ValidationError(
            {"capacity": _("容纳上限不能超过场所可容纳人数（%(n)s）。") % {"n": shelter.capacity}}
        )
    now = timezone.now()
    opening = shelter_services.activate_shelter(user, shelter, opened_at=now, reason=event.title)
    operation = ShelterOperation.objects.create(
        event=event,
        shelter=shelter,
        opening=opening,
        capacity=capacity,
        hard_limit=hard_limit,
        opened_at=now,
    )
    log(
        event,
        EventLog.Kind.SHELTER,
        _("启用避难场所：%(shelter)s（上限 %(n)s 人）") % {"shelter": shelter.name, "n": capacity},
        user,
        at=now,
    )
    return operation


@transaction.atomic
def close_operation(user, operation):
    operation = (
        ShelterOperation.objects.select_for_update()
        .select_related("event__org_unit", "shelter")
        .get(pk=operation.pk)
    )
    _require_command(user, operation.event)
    if operation.closed_at is not None:
        raise ValidationError(_("该避难场所已关闭。"))
    now = timezone.now()
    operation.check_ins.filter(checked_out_at__isnull=True).update(checked_out_at=now)
    shelter_services.close_shelter(
        user, operation.shelter, closed_at=now, people_sheltered=operation.peak
    )
    operation.closed_at = now
    operation.occupancy = 0
    operation.save(update_fields=["closed_at", "occupancy"])
    log(
        operation.event,
        EventLog.Kind.SHELTER,
        _("关闭避难场所：%(shelter)s（最高在场 %(n)s 人）")
        % {"shelter": operation.shelter.name, "n": operation.peak},
        user,
        at=now,
    )
    return operation


def _clean_person(name, phone, id_number, household_size, counts, *, phone_required):
    errors = {}
    name = (name or "").strip()
    phone = normalize_phone(phone)
    id_number = normalize_id_number(id_number)
    if not name:
        errors["name"] = _("请填写姓名。")
    elif len(name) > 50:
        errors["name"] = _("姓名不能超过 50 个字。")
    if phone or phone_required:
        try:
            validate_mobile(phone)
        except ValidationError as exc:
            errors["phone"] = exc.messages
    if id_number:
        try:
            validate_id_number(id_number)
        except ValidationError as exc:
            errors["id_number"] = exc.messages
    if (
        isinstance(household_size, bool)
        or not isinstance(household_size, int)
        or not 1 <= household_size <= MAX_HOUSEHOLD
    ):
        errors["household_size"] = _("同行人数须为 1–%(n)s 的整数。") % {"n": MAX_HOUSEHOLD}
    else:
        for field, value in counts.items():
            if not isinstance(value, int) or not 0 <= value <= household_size:
                errors[field] = _("人数须在 0 到同行人数之间。")
    if errors:
        raise ValidationError(errors)
    return name, phone, id_number


CATEGORY_COUNT = {
    VulnerableResident.Category.ELDERLY: "elderly",
    VulnerableResident.Category.CHILD: "children",
    VulnerableResident.Category.ALONE: "alone",
    VulnerableResident.Category.DISABLED: "disabled",
}
COUNT_FIELDS = ("elderly", "children", "alone", "disabled", "pregnant")


@transaction.atomic
def check_in(
    user,
    operation,
    *,
    name="",
    phone="",
    id_number="",
    household_size=1,
    resident=None,
    counts=None,
    self_registered=False,
):
    """入住登记 at an opened shelter: a vulnerable resident from the register (the user needs
    the vulnerable-resident permission) or anyone by name and phone. Under the operation's row
    lock, a hard capacity is never exceeded."""
    counts = {field: (counts or {}).get(field, 0) for field in COUNT_FIELDS}
    if user is None and not self_registered:
        raise PermissionDenied(_("请登录后登记。"))
    if resident is not None:
        require_vulnerable_access(user)
        name, phone = resident.name, resident.phone
        id_number = id_number or resident.id_number
        if resident.category in CATEGORY_COUNT:
            counts[CATEGORY_COUNT[resident.category]] = max(
                counts[CATEGORY_COUNT[resident.category]], 1
            )
    name, phone, id_number = _clean_person(
        name, phone, id_number, household_size, counts, phone_required=resident is None
    )
    operation = (
        ShelterOperation.objects.select_for_update()
        .select_related("event__org_unit", "shelter")
        .get(pk=operation.pk)
    )
    event = operation.event
    if not self_registered:
        _require_command(user, event)
    _require_open(event)
    if operation.closed_at is not None:
        raise ValidationError(_("该避难场所已关闭，不能登记入住。"))
    if resident is not None and not resident.org_unit.path.startswith(event.org_unit.path):
        raise ValidationError({"resident": _("该居民不在本事件区域内。")})
    if operation.hard_limit and operation.occupancy + household_size > operation.capacity:
        raise ValidationError(
            _("%(shelter)s已满：在场 %(n)s 人，上限 %(cap)s 人，剩余 %(left)s 个位置。")
            % {
                "shelter": operation.shelter.name,
                "n": operation.occupancy,
                "cap": operation.capacity,
                "left": operation.remaining,
            }
        )
    try:
        with transaction.atomic():
            entry = CheckIn.objects.create(
                operation=operation,
                resident=resident,
                name=name,
                phone=phone,
                id_number=id_number,
                household_size=household_size,
                self_registered=self_registered,
                created_by=user,
                **counts,
            )
    except IntegrityError as exc:
        raise ValidationError({"resident": _("该居民已在此避难场所登记入住。")}) from exc
    operation.occupancy += household_size
    operation.peak = max(operation.peak, operation.occupancy)
    operation.save(update_fields=["occupancy", "peak"])
    if resident is not None:
        Transfer.objects.filter(event=event, resident=resident).update(
            status=TransferStatus.SHELTERED,
            operation=operation,
            updated_by=user,
            updated_at=timezone.now(),
        )
    log(
        event,
        EventLog.Kind.CHECK_IN,
        _("%(shelter)s入住 %(n)s 人%(how)s（在场 %(now)s/%(cap)s）")
        % {
            "shelter": operation.shelter.name,
            "n": household_size,
            "how": _("（扫码自助）") if self_registered else "",
            "now": operation.occupancy,
            "cap": operation.capacity,
        },
        user,
    )
    return entry


@transaction.atomic
def check_out(user, entry):
    operation = (
        ShelterOperation.objects.select_for_update()
        .select_related("event__org_unit", "shelter")
        .get(pk=entry.operation_id)
    )
    _require_command(user, operation.event)
    entry = CheckIn.objects.select_for_update().get(pk=entry.pk)
    if entry.checked_out_at is not None:
        raise ValidationError(_("该人员已离开。"))
    entry.checked_out_at = timezone.now()
    entry.save(update_fields=["checked_out_at"])
    operation.occupancy -= entry.household_size
    operation.save(update_fields=["occupancy"])
    log(
        operation.event,
        EventLog.Kind.CHECK_IN,
        _("%(shelter)s离开 %(n)s 人（在场 %(now)s/%(cap)s）")
        % {
            "shelter": operation.shelter.name,
            "n": entry.household_size,
            "now": operation.occupancy,
            "cap": operation.capacity,
        },
        user,
    )
    return entry


def check_in_token(operation):
    """The signed token of an operation's self check-in link (its QR code)."""
    return signing.Signer(salt=CHECK_IN_SALT).sign(str(operation.pk))


def operation_for_token(token):
    """The open operation a self check-in token names, or None (bad signature, closed)."""
    try:
        pk = signing.Signer(salt=CHECK_IN_SALT).unsign(token)
    except signing.BadSignature:
        return None
    return (
        ShelterOperation.objects.filter(
            pk=pk, closed_at__isnull=True, event__status=EventStatus.OPEN
        )
        .select_related("shelter", "event")
        .first()
    )


# --- transfers --------------------------------------------------------------------------------


@transaction.atomic
def set_transfer_status(user, transfer, *, status, operation=None, note=""):
    transfer = (
        Transfer.objects.select_for_update()
        .select_related("event__org_unit", "unit", "resident")
        .get(pk=transfer.pk)
    )
    _require_act(user, transfer.unit)
    _require_open(transfer.event)
    if status not in TransferStatus.values:
        raise ValidationError({"status": _("请选择转移状态。")})
    if status == TransferStatus.SHELTERED:
        if operation is None:
            raise ValidationError({"operation": _("已安置须选择安置的避难场所。")})
        if operation.event_id != transfer.event_id or operation.closed_at is not None:
            raise ValidationError({"operation": _("请选择本事件正在启用的避难场所。")})
    else:
        operation = None
    transfer.status = status
    transfer.operation = operation
    transfer.note = (note or "").strip()[:200]
    transfer.updated_by = user
    transfer.save()
    log(
        transfer.event,
        EventLog.Kind.TRANSFER,
        _("%(unit)s 转移名单：1 人%(status)s%(where)s")
        % {
            "unit": transfer.unit.name,
            "status": transfer.get_status_display(),
            "where": f"（{operation.shelter.name}）" if operation else "",
        },
        user,
    )
    return transfer


# --- supply requests --------------------------------------------------------------------------


@transaction.atomic
def request_supplies(user, event, *, unit, item, quantity, reason, task=None):
    """A community (or a task's unit) asks for an item."""
    _require_act(user, unit)
    _require_open(event)
    errors = {}
    if not _in_event(event, unit):
        errors["unit"] = _("申请单位须在本事件区域内。")
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
        errors["quantity"] = _("申请数量须为大于 0 的整数。")
    if not (reason or "").strip():
        errors["reason"] = _("请填写用途。")
    if task is not None and task.event_id != event.pk:
        errors["task"] = _("关联任务须属于本事件。")
    if errors:
        raise ValidationError(errors)
    request = SupplyRequest.objects.create(
        event=event,
        unit=unit,
        task=task,
        item=item,
        quantity=quantity,
        reason=reason.strip(),
        requested_by=user,
    )
    log(
        event,
        EventLog.Kind.REQUEST,
        _("%(unit)s申请%(item)s %(n)s%(u)s：%(reason)s")
        % {"unit": unit.name, "item": item.name, "n": quantity, "u": item.unit, "reason": reason},
        user,
    )
    return request


def _lock_request(request):
    return (
        SupplyRequest.objects.select_for_update()
        .select_related("event__org_unit", "unit", "item")
        .get(pk=request.pk)
    )


@transaction.atomic
def decide_request(user, request, *, approve, quantity=None, note=""):
    """The street approves (the amount asked for, or changed) or refuses (with a reason)."""
    request = _lock_request(request)
    _require_command(user, request.event)
    _require_open(request.event)
    if request.status != RequestStatus.REQUESTED:
        raise ValidationError(_("该申请已审批。"))
    if approve:
        quantity = request.quantity if quantity is None else quantity
        if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
            raise ValidationError({"quantity": _("批准数量须为大于 0 的整数。")})
        if quantity != request.quantity and not (note or "").strip():
            raise ValidationError({"note": _("调整数量时请填写审批意见。")})
        request.status = RequestStatus.APPROVED
        request.approved_quantity = quantity
    else:
        if not (note or "").strip():
            raise ValidationError({"note": _("不予批准时请填写原因。")})
        request.status = RequestStatus.REJECTED
    request.decision_note = (note or "").strip()
    request.decided_at = timezone.now()
    request.decided_by = user
    request.save()
    log(
        request.event,
        EventLog.Kind.REQUEST,
        _("%(unit)s的%(item)s申请：%(status)s%(n)s")
        % {
            "unit": request.unit.name,
            "item": request.item.name,
            "status": request.get_status_display(),
            "n": f" {request.approved_quantity}{request.item.unit}" if approve else "",
        },
        user,
    )
    return request


def district_of(event: Event) -> OrgUnit | None:
    """The district over a street's event, through which stock crosses streets; None for an
    event that is not a street's (nothing to cross)."""
    unit = event.org_unit
    if unit.kind != OrgKind.STREET or unit.parent is None:
        return None
    return unit.parent


@dataclass(frozen=True)
class Proposal:
    """A site the approved quantity may come from.

    ``on_hand`` is the usable stock in the ledger (not expired); an agreement reserve whose
    terms cover the item also carries ``agreed`` (the agreed quantity not yet called off) and
    ``promised_hours``. ``across`` marks a site outside the event's street: it needs the
    district's approval first."""

    site: Site
    on_hand: int
    agreed: int | None = None
    promised_hours: int | None = None
    across: bool = False

    @property
    def is_call_off(self):
        """Nothing in the ledger: dispatching records a call-off on the supplier."""
        return self.on_hand == 0 and self.agreed is not None

    @property
    def available(self):
        return self.agreed if self.is_call_off else self.on_hand

    @property
    def label(self):
        if self.promised_hours is None:
            text = _("%(site)s（可用 %(n)s）") % {"site": self.site.name, "n": self.on_hand}
        elif self.is_call_off:
            text = _("%(site)s（协议储备·承诺%(h)s小时内送达，协议数量尚余 %(n)s）") % {
                "site": self.site.name,
                "h": self.promised_hours,
                "n": self.agreed,
            }
        else:
            text = _("%(site)s（协议储备·承诺%(h)s小时内送达，可用 %(n)s）") % {
                "site": self.site.name,
                "h": self.promised_hours,
                "n": self.on_hand,
            }
        if self.across:
            text = _("%(site)s · %(unit)s，跨街道调拨须经区级审批") % {
                "site": text,
                "unit": self.site.org_unit.name,
            }
        return text


def _called_off(site, item):
    """What has been called off an agreement reserve for ``item`` so far."""
    return (
        SupplyRequest.objects.filter(site=site, item=item, promised_at__isnull=False).aggregate(
            n=Sum("approved_quantity")
        )["n"]
        or 0
    )


def dispatch_proposals(user: User, request: SupplyRequest, *, today=None) -> list[Proposal]:
    """Where an approved request may be served from, in one query: the sites of the event's
    street and its communities the user may dispatch from, with usable stock of the item;
    the agreement reserves whose terms cover the item, with their promised delivery time and
    the agreed quantity left; then (``across``) the same of the district's other streets and
    of the district itself, to be asked for through the district. The event's own sites
    first, each group most available first."""
    today = today or timezone.localdate()
    event, item = request.event, request.item
    district = district_of(event)
    area = (district or event.org_unit).path
    usable = Q(lot__item=item, lot__quantity__gt=0) & (
        Q(lot__expiry_date__isnull=True) | Q(lot__expiry_date__gte=today)
    )
    terms = AgreementTerm.objects.filter(site=OuterRef("pk"), item=item)
    called = (
        SupplyRequest.objects.filter(site=OuterRef("pk"), item=item, promised_at__isnull=False)
        .order_by()
        .values("site")
        .annotate(n=Sum("approved_quantity"))
        .values("n")
    )
    sites = (
        Site.objects.filter(org_unit__path__startswith=area, is_active=True)
        .annotate(
            on_hand=Coalesce(Sum("lot__quantity", filter=usable), 0),
            term_quantity=Subquery(terms.values("quantity")[:1]),
            term_hours=Subquery(terms.values("promised_hours")[:1]),
            called_off=Coalesce(Subquery(called, output_field=IntegerField()), Value(0)),
        )
        .filter(
            Q(on_hand__gt=0)
            | Q(mode=StorageMode.AGREEMENT, term_quantity__isnull=False)
            & (Q(contract_end__isnull=True) | Q(contract_end__gte=today))
        )
        .select_related("org_unit")
    )
    proposals = []
    for site in sites:
        across = not site.org_unit.path.startswith(event.org_unit.path)
        if not across and not can_edit_unit(user, site.org_unit):
            continue
        has_term = site.mode == StorageMode.AGREEMENT and site.term_quantity is not None
        proposals.append(
            Proposal(
                site=site,
                on_hand=site.on_hand,
                agreed=max(site.term_quantity - site.called_off, 0) if has_term else None,
                promised_hours=site.term_hours if has_term else None,
                across=across,
            )
        )
    proposals.sort(key=lambda p: (p.across, -(p.available or 0), p.site.pk))
    return [p for p in proposals if p.available]


@transaction.atomic
def request_cross_street(user: User, request: SupplyRequest, *, site: Site) -> SupplyRequest:
    """跨街道调拨申请: when no site of the event's street can serve the approved quantity, the
    street asks for a site of another street of the district (or the district's own), which
    must be able to serve it. Until the district approves, the street may ask for another."""
    request = _lock_request(request)
    _require_command(user, request.event)
    _require_open(request.event)
    if request.status != RequestStatus.APPROVED:
        raise ValidationError(_("只有已批准、尚未出库的申请可以申请跨街道调拨。"))
    if request.district_approved_at is not None:
        raise ValidationError(
            _("区级已同意从%(site)s调拨，不能再更换储备点。") % {"site": request.source_site}
        )
    if district_of(request.event) is None:
        raise ValidationError(_("只有街道的应急响应可以申请跨街道调拨。"))
    proposals = dispatch_proposals(user, request)
    need = request.approved_quantity
    if any(not p.across and p.available >= need for p in proposals):
        raise ValidationError(_("本街道已有可满足批准数量的储备点，请直接出库。"))
    chosen = next((p for p in proposals if p.across and p.site.pk == site.pk), None)
    if chosen is None:
        raise ValidationError({"site": _("请选择本区其他街道有该物资库存或协议的储备点。")})
    if chosen.available < need:
        raise ValidationError(
            {
                "site": _("%(site)s可提供 %(n)s，少于批准数量 %(need)s。")
                % {"site": site.name, "n": chosen.available, "need": need}
            }
        )
    request.source_site = chosen.site
    request.save(update_fields=["source_site"])
    log(
        request.event,
        EventLog.Kind.REQUEST,
        _("%(unit)s的%(item)s申请：本街道库存不足，申请从%(street)s%(site)s跨街道调拨，待区级审批")
        % {
            "unit": request.unit.name,
            "item": request.item.name,
            "street": chosen.site.org_unit.name,
            "site": chosen.site.name,
        },
        user,
    )
    return request


def can_approve_cross_street(user, event):
    """District staff (a street-staff account of the district unit) and admins: the district
    reviewers read, they do not approve (their role edits nothing)."""
    district = district_of(event)
    return district is not None and can_edit_unit(user, district)


@transaction.atomic
def approve_cross_street(user: User, request: SupplyRequest) -> SupplyRequest:
    """区级审批跨街道调拨: the district agrees that the chosen site serves the request; the
    site's street (or the district) then dispatches it."""
    request = _lock_request(request)
    if not can_approve_cross_street(user, request.event):
        raise PermissionDenied(_("跨街道调拨须由区级应急管理部门审批。"))
    _require_open(request.event)
    if request.status != RequestStatus.APPROVED or request.source_site is None:
        raise ValidationError(_("该申请没有待区级审批的跨街道调拨。"))
    if request.district_approved_at is not None:
        raise ValidationError(_("区级已审批该跨街道调拨。"))
    request.district_approved_at = timezone.now()
    request.district_approved_by = user
    request.save(update_fields=["district_approved_at", "district_approved_by"])
    log(
        request.event,
        EventLog.Kind.REQUEST,
        _("区级同意从%(site)s（%(street)s）向%(unit)s跨街道调拨%(item)s %(n)s%(u)s")
        % {
            "site": request.source_site.name,
            "street": request.source_site.org_unit.name,
            "unit": request.unit.name,
            "item": request.item.name,
            "n": request.approved_quantity,
            "u": request.item.unit,
        },
        user,
    )
    return request


def _holds_usable(site, item, today):
    return (
        Lot.objects.filter(site=site, item=item, quantity__gt=0)
        .filter(Q(expiry_date__isnull=True) | Q(expiry_date__gte=today))
        .exists()
    )


def _call_off(user, request, site, item: Item, today):
    """调用协议储备 of a reserve that holds none of the item in the ledger: checked against
    its term under the term's row lock (two call-offs never both take the last of it)."""
    term = AgreementTerm.objects.select_for_update().filter(site=site, item=item).first()
    if term is None:
        raise ValidationError(
            {"site": _("%(site)s未约定%(item)s，不能调用。") % {"site": site, "item": item.name}}
        )
    if site.contract_end and site.contract_end < today:
        raise ValidationError({"site": _("%(site)s的协议已到期，不能调用。") % {"site": site}})
    left = term.quantity - _called_off(site, item)
    if request.approved_quantity > left:
        raise ValidationError(
            {
                "site": _("超出协议数量：%(site)s的%(item)s尚余 %(n)s%(u)s可调用。")
                % {"site": site, "item": item.name, "n": max(left, 0), "u": item.unit}
            }
        )
    now = timezone.now()
    request.promised_at = now + datetime.timedelta(hours=term.promised_hours)
    request.voucher = f"XY{today:%Y%m%d}-{uuid.uuid4().hex[:6].upper()}"
    return _(
        "调用协议储备：%(site)s（%(partner)s %(contact)s %(phone)s）向%(unit)s送达%(item)s "
        "%(n)s%(u)s，承诺%(h)s小时内送达（%(at)s前，%(voucher)s）"
    ) % {
        "site": site.name,
        "partner": site.partner,
        "contact": site.partner_contact,
        "phone": site.partner_phone,
        "unit": request.unit.name,
        "item": item.name,
        "n": request.approved_quantity,
        "u": item.unit,
        "h": term.promised_hours,
        "at": timezone.localtime(request.promised_at).strftime("%m-%d %H:%M"),
        "voucher": request.voucher,
    }


@transaction.atomic
def dispatch_request(user, request, *, site, today=None):
    """调拨出库 of an approved request from ``site``.

    - A site of the event's street (or its communities): the street's staff dispatch.
    - A site outside it, within the district: only the site the street asked for
      (``request_cross_street``) once the district approved it, and only by someone who may
      change that site (its street, or the district).
    - Stock in the ledger leaves through ``apps.supplies.services.dispatch``, first expiring
      first, never below zero; a refusal changes nothing. This holds for an agreement reserve
      that keeps lots of the item too: they are the reserve's stock.
    - An agreement reserve with no usable lot of the item is called off (调用协议储备): no
      movement is written (the goods stay the supplier's until they arrive and are signed
      for), the request keeps the promised arrival (``promised_at``, now plus the term's
      promised hours) and an ``XY`` voucher, and the call-offs of a term never exceed its
      agreed quantity in total.
    """
    today = today or timezone.localdate()
    request = _lock_request(request)
    event = request.event
    across = not site.org_unit.path.startswith(event.org_unit.path)
    if not across:
        _require_command(user, event)
    elif not can_edit_unit(user, site.org_unit):
        raise PermissionDenied(_("跨街道调拨由储备点所属街道或区级出库。"))
    _require_open(event)
    if request.status != RequestStatus.APPROVED:
        raise ValidationError(_("只有已批准的申请可以出库。"))
    if across:
        district = district_of(event)
        if district is None or not site.org_unit.path.startswith(district.path):
            raise ValidationError({"site": _("请选择本区内的储备点。")})
        if request.source_site_id != site.pk or request.district_approved_at is None:
            raise ValidationError(
                {"site": _("本街道以外的储备点须先申请跨街道调拨，并经区级审批同意。")}
            )
    if site.mode == StorageMode.AGREEMENT and not _holds_usable(site, request.item, today):
        text = _call_off(user, request, site, request.item, today)
    else:
        movements = supply_services.dispatch(
            user,
            site,
            request.item,
            request.approved_quantity,
            recipient=request.unit.name,
            purpose=_("应急响应：%(event)s") % {"event": event.title},
        )
        request.voucher = movements[0].voucher
        text = _("%(site)s向%(unit)s出库%(item)s %(n)s%(u)s（%(voucher)s）") % {
            "site": site.name,
            "unit": request.unit.name,
            "item": request.item.name,
            "n": request.approved_quantity,
            "u": request.item.unit,
            "voucher": request.voucher,
        }
    request.status = RequestStatus.DISPATCHED
    request.site = site
    request.dispatched_at = timezone.now()
    request.save()
    log(event, EventLog.Kind.DISPATCH, text, user)
    return request


@transaction.atomic
def receive_request(user, request, *, quantity, discrepancy=""):
    """签收: the requester signs for what arrived; a difference needs an explanation."""
    request = _lock_request(request)
    _require_act(user, request.unit)
    if request.status != RequestStatus.DISPATCHED:
        raise ValidationError(_("只有已出库的申请可以签收。"))
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 0:
        raise ValidationError({"quantity": _("实收数量须为不小于 0 的整数。")})
    if quantity > request.approved_quantity:
        raise ValidationError({"quantity": _("实收数量不能大于出库数量。")})
    if quantity != request.approved_quantity and not (discrepancy or "").strip():
        raise ValidationError({"discrepancy": _("实收数量与出库数量不符，请填写差异说明。")})
    request.status = RequestStatus.RECEIVED
    request.received_quantity = quantity
    request.discrepancy = (discrepancy or "").strip()
    request.received_at = timezone.now()
    request.received_by = user
    request.save()
    log(
        request.event,
        EventLog.Kind.RECEIPT,
        _("%(unit)s签收%(item)s %(n)s%(u)s%(diff)s")
        % {
            "unit": request.unit.name,
            "item": request.item.name,
            "n": quantity,
            "u": request.item.unit,
            "diff": f"（{request.discrepancy}）" if request.discrepancy else "",
        },
        user,
    )
    return request


def shelters_for_event(user, event):
    """Shelters of the event's area the user may open now (available, not in maintenance)."""
    return Shelter.objects.editable_by(user).filter(
        org_unit__path__startswith=event.org_unit.path, status=ShelterStatus.AVAILABLE
    )
