"""Business rules of the supplies app. Views, admin, imports, tasks and tests all come here.

Every stock change is a movement: the functions below lock the affected lot rows with
``SELECT ... FOR UPDATE`` (all lots of the item at the sites involved, in primary-key order, in
one query, so two movements never wait on each other in opposite orders), check the quantities
against what the locked rows hold, then update the lots and write one ``Movement`` row per lot
change, all in one transaction. A movement that would take any lot below zero is refused with a
``ValidationError`` and changes nothing.

The figures used by dashboards, reports and reminders are computed in SQL:
``shortfalls(sites)`` (standards not met) and ``expiring_lots(sites, within_days)``. Stock on
hand counts usable lots only (``models.usable_lots``): an expired lot is neither on hand nor
"expiring" — it is listed as expired, to be written off (报损).
"""

import datetime
import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, F, IntegerField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.orgs.models import can_edit_unit, records_changed, require_edit

from .models import (
    AgreementTerm,
    Item,
    Lot,
    Movement,
    MovementKind,
    Site,
    SiteCheck,
    Standard,
    StorageMode,
    category_order,
    usable_lots,
)

EXPIRY_WARNING_DAYS = (30, 90)

VOUCHER_PREFIX = {
    MovementKind.RECEIVE: "RK",
    MovementKind.DISPATCH: "CK",
    MovementKind.TRANSFER_OUT: "DB",
    MovementKind.WRITE_OFF: "BS",
    MovementKind.ADJUST: "PD",
}


# --- permissions and helpers ------------------------------------------------------------------


def _require_edit(user, site, message=None):
    require_edit(user, site.org_unit, message or _("您无权修改该储备点的数据。"))


def _require_quantity(quantity, *, allow_zero=False):
    if isinstance(quantity, bool) or not isinstance(quantity, int):
        raise ValidationError(_("数量必须是整数。"))
    if quantity < 0 or (quantity == 0 and not allow_zero):
        raise ValidationError(_("数量不能为负数。") if allow_zero else _("数量必须大于 0。"))


def new_voucher(kind):
    today = timezone.localdate()
    return f"{VOUCHER_PREFIX[kind]}{today:%Y%m%d}-{uuid.uuid4().hex[:6].upper()}"


def default_lot_no(expiry_date):
    return f"效期{expiry_date:%Y%m%d}" if expiry_date else "无效期"


def _lock_lots(site_ids, item, *, lot_no=None):
    """Lock every lot of ``item`` at the given sites (only ``lot_no`` when given), in
    primary-key order, in one query."""
    qs = Lot.objects.select_for_update().filter(site_id__in=sorted(set(site_ids)), item=item)
    if lot_no is not None:
        qs = qs.filter(lot_no=lot_no)
    return list(qs.order_by("pk"))


def _record(user, *, kind, lot, change, voucher, when, **extra):
    lot.quantity += change
    if lot.quantity < 0:  # never reached: callers check first; the DB CHECK is the last guard
        raise ValidationError(_("库存不能为负数。"))
    lot.updated_by = user
    lot.save(update_fields=["quantity", "updated_by", "updated_at"])
    return Movement.objects.create(
        site_id=lot.site_id,
        item_id=lot.item_id,
        lot=lot,
        kind=kind,
        quantity_change=change,
        balance_after=lot.quantity,
        voucher=voucher,
        occurred_at=when,
        created_by=user,
        updated_by=user,
        **extra,
    )


def _get_or_create_lot(user, locked, site, item, lot_no, expiry_date):
    """The lot ``lot_no`` of ``item`` at ``site`` from the locked rows, or a new one."""
    for lot in locked:
        if lot.site_id == site.pk and lot.lot_no == lot_no:
            if lot.expiry_date != expiry_date:
                raise ValidationError(
                    _("批次号“%(lot)s”在%(site)s已存在，有效期为%(date)s，与本次不一致。")
                    % {"lot": lot_no, "site": site.name, "date": lot.expiry_date or _("无")}
                )
            return lot
    try:
        with transaction.atomic():
            lot = Lot.objects.create(
                site=site,
                item=item,
                lot_no=lot_no,
                expiry_date=expiry_date,
                created_by=user,
                updated_by=user,
            )
    except IntegrityError as exc:  # the same lot created by a concurrent movement
        raise ValidationError(_("该批次正被他人同时登记，请稍后重试。")) from exc
    locked.append(lot)
    return lot


def _fefo(lots):
    """First-expiring-first-out; lots without an expiry date last, then the oldest first."""
    return sorted(
        lots,
        key=lambda lot: (
            lot.expiry_date is None,
            lot.expiry_date or datetime.date.max,
            lot.received_on,
            lot.pk,
        ),
    )


def _allocate(locked, site, item, quantity, *, lot=None, allow_expired=False):
    """Split ``quantity`` over the site's locked lots: [(lot, n), ...], or refuse."""
    today = timezone.localdate()
    own = [x for x in locked if x.site_id == site.pk]
    if lot is not None:
        chosen = [x for x in own if x.pk == lot.pk]
        if not chosen:
            raise ValidationError(_("所选批次不属于该储备点的这种物资。"))
        chosen_lot = chosen[0]
        if not allow_expired and chosen_lot.expiry_date and chosen_lot.expiry_date < today:
            raise ValidationError(
                _("批次“%(lot)s”已过期，不能出库或调拨，请办理报损。") % {"lot": chosen_lot.lot_no}
            )
        if chosen_lot.quantity < quantity:
            raise ValidationError(
                _(
                    "库存不足：批次“%(lot)s”现有 %(have)s%(unit)s，本次需要 %(want)s%(unit)s。"
                    "未做任何变动。"
                )
                % {
                    "lot": chosen_lot.lot_no,
                    "have": chosen_lot.quantity,
                    "want": quantity,
                    "unit": item.unit,
                }
            )
        return [(chosen_lot, quantity)]

    usable = [
        x
        for x in own
        if x.quantity > 0 and (allow_expired or not x.expiry_date or x.expiry_date >= today)
    ]
    available = sum(x.quantity for x in usable)
    if available < quantity:
        expired = sum(x.quantity for x in own if x not in usable)
        message = _(
            "库存不足：%(site)s的%(item)s可用 %(have)s%(unit)s，本次需要 %(want)s%(unit)s。"
            "未做任何变动。"
        ) % {
            "site": site.name,
            "item": item.name,
            "have": available,
            "want": quantity,
            "unit": item.unit,
        }
        if expired:
            message += _("（另有已过期 %(n)s%(unit)s，请办理报损。）") % {
                "n": expired,
                "unit": item.unit,
            }
        raise ValidationError(message)
    plan, rest = [], quantity
    for candidate in _fefo(usable):
        take = min(rest, candidate.quantity)
        plan.append((candidate, take))
        rest -= take
        if not rest:
            break
    return plan


def _check_site_active(site):
    if not site.is_active:
        raise ValidationError(_("储备点“%(site)s”已停用。") % {"site": site.name})


# --- movements --------------------------------------------------------------------------------


def receive(user, site, item, quantity, *, lot_no="", expiry_date=None, note=""):
    """入库: add ``quantity`` of ``item`` to the lot ``lot_no`` at ``site`` (created if new)."""
    _require_edit(user, site)
    _require_quantity(quantity)
    _check_site_active(site)
    if not item.is_active:
        raise ValidationError(_("物资“%(item)s”已停用。") % {"item": item.name})
    if item.expires and not expiry_date:
        raise ValidationError(_("“%(item)s”有保质期，请填写有效期至。") % {"item": item.name})
    lot_no = (lot_no or "").strip() or default_lot_no(expiry_date)
    with transaction.atomic():
        locked = _lock_lots([site.pk], item, lot_no=lot_no)
        lot = _get_or_create_lot(user, locked, site, item, lot_no, expiry_date)
        return [
            _record(
                user,
                kind=MovementKind.RECEIVE,
                lot=lot,
                change=quantity,
                voucher=new_voucher(MovementKind.RECEIVE),
                when=timezone.now(),
                purpose=note,
            )
        ]


def dispatch(user, site, item, quantity, *, recipient, purpose, lot=None):
    """出库 to ``recipient`` for ``purpose``: from ``lot`` or first-expiring-first (FEFO)."""
    _require_edit(user, site)
    _require_quantity(quantity)
    if not (recipient or "").strip():
        raise ValidationError(_("请填写领用单位/人。"))
    voucher = new_voucher(MovementKind.DISPATCH)
    with transaction.atomic():
        locked = _lock_lots([site.pk], item)
        plan = _allocate(locked, site, item, quantity, lot=lot)
        when = timezone.now()
        return [
            _record(
                user,
                kind=MovementKind.DISPATCH,
                lot=taken,
                change=-n,
                voucher=voucher,
                when=when,
                recipient=recipient.strip(),
                purpose=purpose,
            )
            for taken, n in plan
        ]


def transfer(user, source, destination, item, quantity, *, lot=None, note=""):
    """调拨: out of ``source`` and into ``destination`` in one transaction (both or neither).

    The user must be allowed to change both sites (a street moves stock between its own stores
    and community points; stock between streets goes through the district)."""
    _require_edit(user, source)
    _require_edit(user, destination, _("您无权向储备点“%(site)s”调拨。") % {"site": destination})
    _require_quantity(quantity)
    if source.pk == destination.pk:
        raise ValidationError(_("调出与调入不能是同一个储备点。"))
    _check_site_active(destination)
    voucher = new_voucher(MovementKind.TRANSFER_OUT)
    with transaction.atomic():
        locked = _lock_lots([source.pk, destination.pk], item)
        plan = _allocate(locked, source, item, quantity, lot=lot)
        when = timezone.now()
        movements = []
        for taken, n in plan:
            target = _get_or_create_lot(
                user, locked, destination, item, taken.lot_no, taken.expiry_date
            )
            movements.append(
                _record(
                    user,
                    kind=MovementKind.TRANSFER_OUT,
                    lot=taken,
                    change=-n,
                    voucher=voucher,
                    when=when,
                    counterpart_site=destination,
                    purpose=note,
                )
            )
            movements.append(
                _record(
                    user,
                    kind=MovementKind.TRANSFER_IN,
                    lot=target,
                    change=n,
                    voucher=voucher,
                    when=when,
                    counterpart_site=source,
                    purpose=note,
                )
            )
        return movements


def write_off(user, site, item, quantity, *, reason, lot=None):
    """报损 (expired, damaged, lost): from ``lot`` or first-expiring-first, expired lots
    included."""
    _require_edit(user, site)
    _require_quantity(quantity)
    if not (reason or "").strip():
        raise ValidationError(_("请填写报损原因。"))
    voucher = new_voucher(MovementKind.WRITE_OFF)
    with transaction.atomic():
        locked = _lock_lots([site.pk], item)
        plan = _allocate(locked, site, item, quantity, lot=lot, allow_expired=True)
        when = timezone.now()
        return [
            _record(
                user,
                kind=MovementKind.WRITE_OFF,
                lot=taken,
                change=-n,
                voucher=voucher,
                when=when,
                purpose=reason.strip(),
            )
            for taken, n in plan
        ]


def adjust(user, lot, counted, *, note):
    """盘点调整: set the lot to the counted quantity; the difference is recorded."""
    site = lot.site
    _require_edit(user, site)
    _require_quantity(counted, allow_zero=True)
    if not (note or "").strip():
        raise ValidationError(_("请填写盘点调整说明。"))
    with transaction.atomic():
        locked = _lock_lots([site.pk], lot.item)
        current = next(x for x in locked if x.pk == lot.pk)
        change = counted - current.quantity
        if change == 0:
            raise ValidationError(_("盘点数量与账面数量一致，无需调整。"))
        return [
            _record(
                user,
                kind=MovementKind.ADJUST,
                lot=current,
                change=change,
                voucher=new_voucher(MovementKind.ADJUST),
                when=timezone.now(),
                purpose=note.strip(),
            )
        ]


def set_lot_balance(user, site, item, quantity, *, lot_no="", expiry_date=None, note=""):
    """Bring one lot to ``quantity`` (a stock import row, an opening balance): a new lot is an
    入库 movement, an existing lot whose quantity differs a 盘点调整 movement; the same
    balance twice changes nothing. Returns the movements written."""
    return set_lot_balances(user, [(site, item, quantity, lot_no, expiry_date)], note=note)


def set_lot_balances(user, rows, *, note=""):
    """``set_lot_balance`` for many rows at once (the stock import): ``rows`` are
    ``(site, item, quantity, lot_no, expiry_date)`` applied in order, with the same rules and
    the same result as one call per row — one movement per lot change, a later row for the
    same lot adjusting what an earlier one set — but with one locking query, one insert of the
    new lots, one update of the changed lots and one insert of the movements. All or nothing:
    any refused row raises ``ValidationError`` and changes nothing. Returns the movements."""
    prepared = []
    sites = {}
    for site, item, quantity, lot_no, expiry_date in rows:
        if site.pk not in sites:
            _require_edit(user, site)
            sites[site.pk] = site
        _require_quantity(quantity, allow_zero=True)
        if item.expires and not expiry_date:
            raise ValidationError(_("“%(item)s”有保质期，请填写有效期至。") % {"item": item.name})
        lot_no = (lot_no or "").strip() or default_lot_no(expiry_date)
        prepared.append((site, item, quantity, lot_no, expiry_date))
    if not prepared:
        return []
    with transaction.atomic():
        # Lock every lot the rows name, in primary-key order, in one query (a superset by
        # site, item and lot number, narrowed below).
        keys = {(site.pk, item.pk, lot_no) for site, item, _q, lot_no, _e in prepared}
        locked = (
            Lot.objects.select_for_update()
            .filter(
                site_id__in={k[0] for k in keys},
                item_id__in={k[1] for k in keys},
                lot_no__in={k[2] for k in keys},
            )
            .order_by("pk")
        )
        lots = {
            key: lot for lot in locked if (key := (lot.site_id, lot.item_id, lot.lot_no)) in keys
        }
        now = timezone.now()
        new_lots, changed, movements = [], {}, []
        for site, item, quantity, lot_no, expiry_date in prepared:
            key = (site.pk, item.pk, lot_no)
            lot = lots.get(key)
            if lot is None:
                if quantity == 0:
                    continue
                _check_site_active(site)
                lot = Lot(
                    site=site,
                    item=item,
                    lot_no=lot_no,
                    expiry_date=expiry_date,
                    quantity=0,
                    created_by=user,
                    updated_by=user,
                )
                lots[key] = lot
                new_lots.append(lot)
                kind = MovementKind.RECEIVE
            else:
                if lot.expiry_date != expiry_date:
                    raise ValidationError(
                        _("批次号“%(lot)s”在%(site)s已存在，有效期为%(date)s，与本次不一致。")
                        % {"lot": lot_no, "site": site.name, "date": lot.expiry_date or _("无")}
                    )
                kind = MovementKind.ADJUST
            change = quantity - lot.quantity
            if change == 0:
                continue
            lot.quantity = quantity
            lot.updated_by = user
            if lot.pk is not None:
                changed[lot.pk] = lot
            movements.append(
                Movement(
                    site_id=site.pk,
                    item_id=item.pk,
                    lot=lot,
                    kind=kind,
                    quantity_change=change,
                    balance_after=quantity,
                    voucher=new_voucher(kind),
                    occurred_at=now,
                    purpose=note,
                    created_by=user,
                    updated_by=user,
                )
            )
        try:
            with transaction.atomic():
                Lot.objects.bulk_create(new_lots, batch_size=2000)
        except IntegrityError as exc:  # the same lot created by a concurrent movement
            raise ValidationError(_("该批次正被他人同时登记，请稍后重试。")) from exc
        for lot in changed.values():
            lot.updated_at = now
        Lot.objects.bulk_update(
            list(changed.values()), ["quantity", "updated_by", "updated_at"], batch_size=2000
        )
        for movement in movements:
            movement.lot_id = movement.lot.pk
        created = Movement.objects.bulk_create(movements, batch_size=2000)
        records_changed.send(
            sender=Lot,
            paths=set(Site.objects.filter(pk__in=sites).values_list("org_unit__path", flat=True)),
        )
        return created


# --- sites, standards, checks -------------------------------------------------------------------


def next_site_code(org_unit):
    prefix = f"{org_unit.code}-"
    taken = set(Site.objects.filter(code__startswith=prefix).values_list("code", flat=True))
    n = 1
    while f"{prefix}{n:02d}" in taken:
        n += 1
    return f"{prefix}{n:02d}"


def save_site(user, site):
    """Create or update a site (already filled from a form) on behalf of ``user``."""
    if not can_edit_unit(user, site.org_unit):
        raise PermissionDenied(_("您无权在该单位下维护储备点。"))
    if site.pk:
        old_unit = Site.objects.filter(pk=site.pk).values_list("org_unit", flat=True).first()
        if old_unit != site.org_unit_id:
            from apps.orgs.models import OrgUnit

            if not can_edit_unit(user, OrgUnit.objects.get(pk=old_unit)):
                raise PermissionDenied(_("您无权修改该储备点。"))
    else:
        site.created_by = user
    if not site.code:
        site.code = next_site_code(site.org_unit)
    site.updated_by = user
    site.full_clean()
    site.save()
    return site


def set_standard(user, site, item, minimum):
    """Set the configuration standard (最低储备数量) of ``item`` at ``site``; 0 removes it."""
    _require_edit(user, site)
    _require_quantity(minimum, allow_zero=True)
    if minimum == 0:
        Standard.objects.filter(site=site, item=item).delete()
        return None
    standard, created = Standard.objects.get_or_create(
        site=site,
        item=item,
        defaults={"minimum": minimum, "created_by": user, "updated_by": user},
    )
    if not created:
        standard.minimum, standard.updated_by = minimum, user
        standard.save(update_fields=["minimum", "updated_by", "updated_at"])
    return standard


MAX_PROMISED_HOURS = 168


@transaction.atomic
def set_agreement_term(
    user, site: Site, item: Item, *, quantity: int, promised_hours: int | None
) -> AgreementTerm | None:
    """协议条款 of an agreement reserve: the partner keeps ``quantity`` of ``item`` ready and
    delivers within ``promised_hours`` of a call-off; quantity 0 removes the term (as a
    configuration standard of 0 does)."""
    _require_edit(user, site)
    if site.mode != StorageMode.AGREEMENT:
        raise ValidationError(_("只有协议储备点可以约定协议条款。"))
    errors = {}
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 0:
        errors["quantity"] = _("协议数量须为不小于 0 的整数（0 表示删除该条款）。")
    elif quantity > 0 and (
        isinstance(promised_hours, bool)
        or not isinstance(promised_hours, int)
        or not 1 <= promised_hours <= MAX_PROMISED_HOURS
    ):
        errors["promised_hours"] = _("承诺送达时限须为 1–%(n)s 小时的整数。") % {
            "n": MAX_PROMISED_HOURS
        }
    if errors:
        raise ValidationError(errors)
    if quantity == 0:
        AgreementTerm.objects.filter(site=site, item=item).delete()
        return None
    term, created = AgreementTerm.objects.select_for_update().get_or_create(
        site=site,
        item=item,
        defaults={
            "quantity": quantity,
            "promised_hours": promised_hours,
            "created_by": user,
            "updated_by": user,
        },
    )
    if not created:
        term.quantity, term.promised_hours, term.updated_by = quantity, promised_hours, user
        term.save(update_fields=["quantity", "promised_hours", "updated_by", "updated_at"])
    return term


def record_check(
    user, site, *, kind, checked_on, checker, result, findings="", next_check_date=None
):
    """日常维护/盘点: record it and move the site's next-check date."""
    _require_edit(user, site)
    if not (checker or "").strip():
        raise ValidationError(_("请填写检查人。"))
    if checked_on > timezone.localdate():
        raise ValidationError(_("检查日期不能晚于今天。"))
    due = next_check_date or checked_on + datetime.timedelta(days=site.check_interval_days)
    if due <= checked_on:
        raise ValidationError(_("下次检查日期应晚于本次检查日期。"))
    with transaction.atomic():
        check = SiteCheck.objects.create(
            site=site,
            kind=kind,
            checked_on=checked_on,
            checker=checker.strip(),
            result=result,
            findings=findings,
            created_by=user,
            updated_by=user,
        )
        latest = SiteCheck.objects.filter(site=site).order_by("-checked_on", "-pk").first()
        if latest.pk == check.pk:
            Site.objects.filter(pk=site.pk).update(
                next_check_date=due, updated_by=user, updated_at=timezone.now()
            )
            site.next_check_date = due
    return check


# --- figures, in SQL ----------------------------------------------------------------------------


def _on_hand(site_ref, item_ref, today=None):
    total = (
        Lot.objects.filter(usable_lots(today), site=site_ref, item=item_ref)
        .order_by()
        .values("site")
        .annotate(total=Sum("quantity"))
        .values("total")
    )
    return Coalesce(Subquery(total[:1], output_field=IntegerField()), Value(0))


def _standard_order():
    return ("site__org_unit__path", "site__name", category_order("item__category"), "item__code")


def standards_with_stock(sites=None, *, today=None):
    """Standards of the given sites (a Site queryset, already scoped; all when None),
    annotated with ``on_hand`` (usable lots) and ``shortfall`` (``minimum - on_hand``; > 0
    when not met)."""
    qs = Standard.objects.all() if sites is None else Standard.objects.filter(site__in=sites)
    return (
        qs.annotate(on_hand=_on_hand(OuterRef("site"), OuterRef("item"), today))
        .annotate(shortfall=F("minimum") - F("on_hand"))
        .select_related("site", "site__org_unit", "item")
        .order_by(*_standard_order())
    )


def shortfalls(sites=None, *, today=None):
    """Standards not met: each row has ``minimum``, ``on_hand`` and ``shortfall`` (> 0)."""
    return standards_with_stock(sites, today=today).filter(minimum__gt=F("on_hand"))


def shortfall_summary(sites, limit, *, today=None):
    """``(count, first)``: how many standards of the given sites are not met and the first
    ``limit`` of them, the same as ``shortfalls(sites).count()`` and ``[:limit]``.

    A filter on the shortfall (``shortfalls``) is a condition on the standards table alone,
    so PostgreSQL tests it on every standard of the city before keeping the sites' ones; a
    conditional count and a shortfalls-first order are computed for the sites' standards
    only."""
    standards = standards_with_stock(sites, today=today).annotate(short=Q(shortfall__gt=0))
    count = standards.aggregate(n=Count("pk", filter=Q(short=True)))["n"]
    if not count:
        return 0, []
    return count, list(standards.order_by("-short", *_standard_order())[: min(count, limit)])


def expiring_lots(sites=None, within_days=30, *, today=None):
    """Lots in stock whose expiry date is within ``within_days`` days, soonest first, with the
    expired ones (to be written off) before them, annotated with ``expired``. Counts of lots
    "expiring within N days" exclude the expired: ``.filter(expired=False)``."""
    today = today or timezone.localdate()
    qs = Lot.objects.all() if sites is None else Lot.objects.filter(site__in=sites)
    return (
        qs.filter(
            quantity__gt=0,
            expiry_date__isnull=False,
            expiry_date__lte=today + datetime.timedelta(days=within_days),
        )
        .annotate(expired=Q(expiry_date__lt=today))
        .select_related("site", "item")
        .order_by("expiry_date", "site__name", "item__code", "pk")
    )


def _count(qs):
    counted = qs.order_by().values("site").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted[:1], output_field=IntegerField()), Value(0))


def sites_with_figures(sites, *, today=None):
    """The sites annotated with ``item_count``, ``total_quantity``, ``shortfall_count`` and
    ``expiring_count`` (lots expiring within 30 days) and ``expired_count``, the quantities
    of usable lots only: one query."""
    today = today or timezone.localdate()
    all_lots = Lot.objects.filter(site=OuterRef("pk"), quantity__gt=0)
    lots = all_lots.filter(usable_lots(today))
    items = lots.order_by().values("site").annotate(n=Count("item", distinct=True)).values("n")
    total = lots.order_by().values("site").annotate(n=Sum("quantity")).values("n")
    short = (
        Standard.objects.filter(site=OuterRef("pk"))
        .annotate(on_hand=_on_hand(OuterRef("site"), OuterRef("item"), today))
        .filter(minimum__gt=F("on_hand"))
    )
    soon = lots.filter(
        expiry_date__isnull=False,
        expiry_date__lte=today + datetime.timedelta(days=EXPIRY_WARNING_DAYS[0]),
    )
    expired = all_lots.filter(expiry_date__lt=today)
    return sites.annotate(
        item_count=Coalesce(Subquery(items[:1], output_field=IntegerField()), Value(0)),
        total_quantity=Coalesce(Subquery(total[:1], output_field=IntegerField()), Value(0)),
        shortfall_count=_count(short),
        expiring_count=_count(soon),
        expired_count=_count(expired),
    )


def item_totals(sites, *, today=None):
    """Usable stock across the given sites per item, in catalogue order: the items with stock
    or a standard there, each with ``total``, ``site_count`` and ``standard_total``. Two grouped
    aggregations over the sites' lots and standards (one row per item), then the items."""
    stock = {
        row["item"]: row
        for row in Lot.objects.filter(usable_lots(today), site__in=sites, quantity__gt=0)
        .order_by()
        .values("item")
        .annotate(total=Sum("quantity"), site_count=Count("site", distinct=True))
    }
    standards = dict(
        Standard.objects.filter(site__in=sites)
        .order_by()
        .values("item")
        .annotate(n=Sum("minimum"))
        .filter(n__gt=0)
        .values_list("item", "n")
    )
    items = list(
        Item.objects.filter(pk__in=stock.keys() | standards.keys()).order_by(
            category_order(), "code"
        )
    )
    for item in items:
        row = stock.get(item.pk, {})
        item.total = row.get("total", 0)
        item.site_count = row.get("site_count", 0)
        item.standard_total = standards.get(item.pk, 0)
    return items


def stock_by_item(site):
    """One site's stock per item: ``total`` and ``standard_total`` (its 配置标准, 0 when none)."""
    return item_totals(Site.objects.filter(pk=site.pk))
