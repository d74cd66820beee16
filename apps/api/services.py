"""Every change the API makes, as the client's service account (``user``), through the domain
apps' own services: a work order becomes a hazard through ``report_hazard``, a CAP alert a
draft warning through ``cap.import_cap``, an incident's 初报 goes through
``file_initial_report``. Here only what is the API's own:

- **Work orders are idempotent per client.** The external order id is claimed first, in the
  hazard's transaction, as a ``WorkOrder`` row under a unique constraint. A second send of the
  same id finds the row (and returns the hazard the first send made); two sends at once meet on
  the constraint's index: PostgreSQL makes the second insert wait for the first transaction and
  then fail, and the second send reads the first's hazard. If the first send fails (its hazard
  is refused), its claim is rolled back with it and the next send tries again.
- **Population from 社区云**: a batch of units, all or nothing; each unit's 常住人口 goes to
  ``OrgUnit.population`` (the base of the area per resident, the dashboards' figure) and, with
  the households, to ``PopulationFigure``.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.hazards import services as hazard_services
from apps.hazards.models import Hazard, HazardCategory
from apps.incidents import services as incident_services
from apps.incidents.models import Incident, IncidentType
from apps.orgs.models import OrgUnit, User, require_edit
from apps.warnings import cap
from apps.warnings.models import Warning

from .models import ApiClient, PopulationFigure, WorkOrder


def _visible_unit(user: User, code: str, field: str = "unit") -> OrgUnit:
    unit = OrgUnit.objects.visible_to(user).filter(code=code).first()
    if unit is None:
        raise ValidationError(
            {field: _("单位“%(code)s”不存在，或不在本接入系统的数据范围内。") % {"code": code}}
        )
    return unit


# --- work orders --------------------------------------------------------------------------


def _existing_order(client: ApiClient, order_id: str) -> WorkOrder | None:
    return (
        WorkOrder.objects.filter(client=client, order_id=order_id).select_related("hazard").first()
    )


def _hazard_of(order: WorkOrder) -> Hazard:
    if order.hazard is None:
        raise ValidationError(
            {"order_id": _("工单“%(order)s”已上报过，其隐患已被删除。") % {"order": order.order_id}}
        )
    return order.hazard


@transaction.atomic
def report_work_order(
    user: User, client: ApiClient, *, order_id: str, unit: str, category: str, **fields
) -> tuple[Hazard, bool]:
    """The hazard of work order ``order_id``: ``(hazard, True)`` when this call reported it,
    ``(hazard, False)`` when an earlier send of the same order already had."""
    order_id = order_id.strip()
    if not order_id:
        raise ValidationError({"order_id": _("请填写外部工单号。")})
    existing = _existing_order(client, order_id)
    if existing is not None:
        return _hazard_of(existing), False
    try:
        with transaction.atomic():
            claim = WorkOrder.objects.create(client=client, order_id=order_id)
    except IntegrityError:
        # another send of the same order committed meanwhile (its insert held ours back)
        existing = _existing_order(client, order_id)
        if existing is None:  # pragma: no cover - the constraint names no other row
            raise
        return _hazard_of(existing), False
    category_obj = HazardCategory.objects.filter(code=category, is_active=True).first()
    if category_obj is None:
        raise ValidationError(
            {"category": _("隐患类别“%(code)s”不存在或已停用。") % {"code": category}}
        )
    hazard = hazard_services.report_hazard(
        user,
        org_unit=_visible_unit(user, unit),
        category=category_obj,
        note=_("工单 %(order)s（%(client)s）") % {"order": order_id, "client": client.name},
        **fields,
    )
    claim.hazard = hazard
    claim.save(update_fields=["hazard"])
    return hazard, True


# --- warnings -----------------------------------------------------------------------------


def import_cap_alert(user: User, client: ApiClient, data: bytes) -> Warning:
    """A CAP 1.2 alert for the client's unit (which must issue warnings: a district or a
    street): a draft to approve and publish in the portal, or the cancellation it carries."""
    return cap.import_cap(user, data, issuer=client.org_unit)


# --- incidents ----------------------------------------------------------------------------


def file_incident(user: User, *, unit: str, incident_type: str, **fields) -> Incident:
    """初报 of an incident from an external system (一网统管, 110/119 转报)."""
    kind = IncidentType.objects.filter(code=incident_type).first()
    if kind is None:
        raise ValidationError(
            {"incident_type": _("事件类别“%(code)s”不存在。") % {"code": incident_type}}
        )
    return incident_services.file_initial_report(
        user, unit=_visible_unit(user, unit), incident_type=kind, **fields
    )


# --- population ---------------------------------------------------------------------------


@transaction.atomic
def record_population(user: User, client: ApiClient | None, rows: list[dict]) -> int:
    """常住人口 and households of several units, all or none; every bad row is named (第 n 行)
    in one ValidationError. Returns the number of units updated."""
    codes = [row["unit"] for row in rows]
    units = {
        unit.code: unit
        for unit in OrgUnit.objects.visible_to(user)
        .filter(code__in=codes)
        .select_for_update()
        .order_by("pk")
    }
    errors = []
    seen = set()
    for number, row in enumerate(rows, start=1):
        unit = units.get(row["unit"])
        if row["unit"] in seen:
            errors.append(
                _("第 %(n)d 行：单位“%(code)s”重复。") % {"n": number, "code": row["unit"]}
            )
        seen.add(row["unit"])
        if unit is None:
            errors.append(
                _("第 %(n)d 行：单位“%(code)s”不存在，或不在本接入系统的数据范围内。")
                % {"n": number, "code": row["unit"]}
            )
            continue
        try:
            require_edit(user, unit)
        except PermissionDenied:
            errors.append(
                _("第 %(n)d 行：无权更新%(unit)s的人口。") % {"n": number, "unit": unit.name}
            )
        households = row.get("households")
        if households is not None and households > row["population"]:
            errors.append(
                _("第 %(n)d 行：户数（%(h)d）不能多于常住人口（%(p)d）。")
                % {"n": number, "h": households, "p": row["population"]}
            )
        if row["as_of"] > timezone.localdate():
            errors.append(_("第 %(n)d 行：统计日期不能晚于今天。") % {"n": number})
    if errors:
        raise ValidationError({"rows": errors})
    for row in rows:
        unit = units[row["unit"]]
        if unit.population != row["population"]:
            unit.population = row["population"]
            # through save(): audited, and the dashboards hear of it (post_save)
            unit.save()
        PopulationFigure.objects.update_or_create(
            org_unit=unit,
            defaults={
                "population": row["population"],
                "households": row.get("households"),
                "as_of": row["as_of"],
                "client": client,
            },
        )
    return len(rows)
