"""The rules of shelters, and the shelter-area indicator. Functions that change data take the
acting user first. ``area_per_resident`` takes units the caller has already checked the user may
see; dashboards, reports and the application facts call it."""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.orgs.models import OrgUnit, require_edit, rollup, stamp

from .models import Shelter, ShelterInspection, ShelterOpening, ShelterStatus

TARGET_AREA_PER_RESIDENT = Decimal("1.2")  # m² of effective shelter area per resident


EDIT_DENIED = gettext_lazy("您无权修改该单位的避难场所。")


# --- the indicator --------------------------------------------------------------------------


@dataclass
class AreaIndicator:
    """Effective shelter area per resident of one unit (shelters in its whole subtree)."""

    unit: OrgUnit
    population: int | None
    shelters: int
    effective_area: Decimal
    capacity: int
    target: Decimal = TARGET_AREA_PER_RESIDENT

    @property
    def per_resident(self):
        """m² per resident, two decimals; None when the population is unknown or zero."""
        if not self.population:
            return None
        return (self.effective_area / self.population).quantize(
            Decimal("0.01"), rounding=ROUND_HALF_UP
        )

    @property
    def meets_target(self):
        value = self.per_resident
        return None if value is None else value >= self.target

    @property
    def gap(self):
        """Effective area (m²) still missing to reach the target; 0 when met, None unknown."""
        if not self.population:
            return None
        missing = self.target * self.population - self.effective_area
        return max(missing, Decimal(0)).quantize(Decimal("1"), rounding=ROUND_HALF_UP)


def area_per_resident(units):
    """Effective shelter area per resident for each unit in ``units`` (an OrgUnit queryset or
    iterable), counting every shelter in the unit's subtree, against
    ``TARGET_AREA_PER_RESIDENT``. Returns ``{unit.pk: AreaIndicator}`` in the given order.

    One query whatever the number of units (``rollup``).

    ``per_resident`` is None (never an error) for a unit without population or with zero."""
    if isinstance(units, QuerySet):
        rows = list(units)
    else:  # fresh rows (the population may have changed since the caller read them)
        pks = [u.pk for u in units]
        by_pk = OrgUnit.objects.in_bulk(pks)
        rows = [by_pk[pk] for pk in pks]
    sums = rollup(
        Shelter.objects.all(),
        rows,
        area=Sum("effective_area"),
        capacity=Sum("capacity"),
        count=Count("pk"),
    )
    result = {}
    for row in rows:
        figures = sums[row.pk]
        result[row.pk] = AreaIndicator(
            unit=row,
            population=row.population,
            shelters=figures["count"],
            effective_area=Decimal(figures["area"]).quantize(Decimal("0.01")),
            capacity=figures["capacity"],
        )
    return result


def unit_overview(unit):
    """The indicator of ``unit`` and of each unit directly below it (a street's communities, a
    district's streets): ``(indicator, [indicators of children])``."""
    children = list(OrgUnit.objects.filter(parent=unit).order_by("code"))
    values = area_per_resident([unit, *children])
    return values[unit.pk], [values[c.pk] for c in children]


# --- shelters -------------------------------------------------------------------------------


def check_shelter(shelter):
    errors = {}
    if (
        shelter.total_area is not None
        and shelter.effective_area is not None
        and shelter.effective_area > shelter.total_area
    ):
        errors["effective_area"] = _("有效避难面积不能大于总面积。")
    stored = (
        Shelter.objects.filter(pk=shelter.pk).values_list("status", flat=True).first()
        if shelter.pk
        else None
    )
    changing = stored != shelter.status if shelter.pk else True
    if changing and ShelterStatus.ACTIVATED in (stored, shelter.status):
        errors["status"] = _("启用和关闭避难场所请使用“启用”“关闭”操作，以便记录启用历史。")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def save_shelter(user, shelter, *, facilities=None):
    require_edit(user, shelter.org_unit, EDIT_DENIED)
    check_shelter(shelter)
    stamp(shelter, user)
    shelter.save()
    if facilities is not None:
        shelter.facilities.set(facilities)
    return shelter


@transaction.atomic
def activate_shelter(user, shelter, *, opened_at, reason):
    """启用: an available shelter opens; the opening is recorded in its history."""
    shelter = Shelter.objects.select_for_update().get(pk=shelter.pk)
    require_edit(user, shelter.org_unit, EDIT_DENIED)
    if shelter.status == ShelterStatus.ACTIVATED:
        raise ValidationError(_("该避难场所已处于启用状态。"))
    if shelter.status == ShelterStatus.MAINTENANCE:
        raise ValidationError(_("维护中的避难场所不能启用，请先恢复为“可用”。"))
    if not (reason or "").strip():
        raise ValidationError({"reason": _("请填写启用原因。")})
    if opened_at > timezone.now():
        raise ValidationError({"opened_at": _("启用时间不能晚于当前时间。")})
    opening = ShelterOpening.objects.create(
        shelter=shelter, opened_at=opened_at, reason=reason.strip(), opened_by=user
    )
    shelter.status = ShelterStatus.ACTIVATED
    shelter.updated_by = user
    shelter.save(update_fields=["status", "updated_by", "updated_at"])
    return opening


@transaction.atomic
def close_shelter(user, shelter, *, closed_at, people_sheltered=None):
    """关闭: an activated shelter closes and is available again."""
    shelter = Shelter.objects.select_for_update().get(pk=shelter.pk)
    require_edit(user, shelter.org_unit, EDIT_DENIED)
    opening = shelter.openings.filter(closed_at__isnull=True).first()
    if shelter.status != ShelterStatus.ACTIVATED or opening is None:
        raise ValidationError(_("该避难场所未处于启用状态。"))
    if closed_at < opening.opened_at:
        raise ValidationError({"closed_at": _("关闭时间不能早于启用时间。")})
    if closed_at > timezone.now():
        raise ValidationError({"closed_at": _("关闭时间不能晚于当前时间。")})
    opening.closed_at = closed_at
    opening.people_sheltered = people_sheltered
    opening.closed_by = user
    opening.save()
    shelter.status = ShelterStatus.AVAILABLE
    shelter.updated_by = user
    shelter.save(update_fields=["status", "updated_by", "updated_at"])
    return opening


@transaction.atomic
def add_inspection(
    user, shelter, *, inspected_on, inspector, result, findings="", next_inspection_date
):
    """检查: records what was found; the shelter's next-inspection date follows the latest one."""
    shelter = Shelter.objects.select_for_update().get(pk=shelter.pk)
    require_edit(user, shelter.org_unit, EDIT_DENIED)
    errors = {}
    if inspected_on > timezone.localdate():
        errors["inspected_on"] = _("检查日期不能晚于今天。")
    if next_inspection_date <= inspected_on:
        errors["next_inspection_date"] = _("下次检查日期应晚于本次检查日期。")
    if result == ShelterInspection.Result.NEEDS_FIX and not (findings or "").strip():
        errors["findings"] = _("结论为“需整改”时请填写检查发现的问题。")
    if errors:
        raise ValidationError(errors)
    inspection = ShelterInspection.objects.create(
        shelter=shelter,
        inspected_on=inspected_on,
        inspector=inspector,
        result=result,
        findings=(findings or "").strip(),
        next_inspection_date=next_inspection_date,
        created_by=user,
    )
    latest = shelter.inspections.order_by("-inspected_on", "-pk").first()
    shelter.next_inspection_date = latest.next_inspection_date
    shelter.updated_by = user
    shelter.save(update_fields=["next_inspection_date", "updated_by", "updated_at"])
    return inspection


def shelter_counts(queryset):
    """Counts by status of a (scoped) shelter queryset, one query."""
    return dict(queryset.order_by().values_list("status").annotate(n=Count("pk")))
