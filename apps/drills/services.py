"""The rules of drills. Views, admin, imports and tests all go through these functions, which
take the acting user first. The coverage functions (``communities_without_recent_drill``,
``plan_vs_held``) take a unit the caller has already checked the user may see; dashboards,
reports and the application facts call them."""

import calendar
import datetime
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Exists, Max, OuterRef, Q, Sum
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.files.uploads import reencode_image
from apps.orgs.models import OrgKind, OrgUnit, require_edit, rollup, stamp
from apps.plans.models import Plan
from resilience.dates import add_months

from .models import Drill, DrillFile, DrillStatus, FollowUpAction

EDIT_DENIED = gettext_lazy("您无权修改该单位的演练。")


# --- annual plans ---------------------------------------------------------------------------


def save_drill_plan(user, plan):
    require_edit(user, plan.org_unit, EDIT_DENIED)
    stamp(plan, user)
    plan.save()
    return plan


# --- drills ---------------------------------------------------------------------------------


@transaction.atomic
def save_drill(user, drill, *, plans=None):
    """Create or update a drill. ``plans`` (the linked 应急预案), when given, replace the
    links; each must be a plan the user can see."""
    require_edit(user, drill.org_unit, EDIT_DENIED)
    drill.clean()
    if plans is not None:
        plans = list(plans)
        visible = set(
            Plan.objects.visible_to(user)
            .filter(pk__in=[p.pk for p in plans])
            .values_list("pk", flat=True)
        )
        if any(p.pk not in visible for p in plans):
            raise ValidationError({"plans": _("只能关联您可查看的应急预案。")})
    if drill.status != DrillStatus.CANCELLED:
        drill.cancel_reason = ""
    stamp(drill, user)
    drill.save()
    if plans is not None:
        drill.plans.set(plans)
    return drill


@transaction.atomic
def complete_drill(user, drill, *, summary, date=None, participants=None):
    """Record a planned drill as held (已完成): the summary is required."""
    drill = Drill.objects.select_for_update().get(pk=drill.pk)
    if drill.status == DrillStatus.CANCELLED:
        raise ValidationError(_("演练已取消，不能标记为已完成。"))
    drill.status = DrillStatus.COMPLETED
    drill.summary = summary
    if date:
        drill.date = date
    if participants is not None:
        drill.participants = participants
    return save_drill(user, drill)


@transaction.atomic
def cancel_drill(user, drill, *, reason):
    drill = Drill.objects.select_for_update().get(pk=drill.pk)
    if drill.status == DrillStatus.COMPLETED:
        raise ValidationError(_("演练已完成，不能取消。"))
    drill.status = DrillStatus.CANCELLED
    drill.cancel_reason = reason
    return save_drill(user, drill)


def add_file(user, drill, *, kind, upload):
    """Attach a photo (JPEG/PNG/WebP) or a document (PDF/Word/Excel), checked from its bytes."""
    require_edit(user, drill.org_unit, EDIT_DENIED)
    validator = DrillFile.VALIDATORS.get(kind)
    if validator is None:
        raise ValidationError({"kind": _("请选择文件类型。")})
    try:
        validator(upload)
        if kind == DrillFile.Kind.PHOTO:
            # Stored re-encoded: no EXIF (the phone's GPS position, device), nothing hidden.
            upload = reencode_image(upload)
    except ValidationError as exc:
        raise ValidationError({"file": exc.messages}) from exc
    return DrillFile.objects.create(
        drill=drill,
        kind=kind,
        file=upload,
        original_name=upload.name[:255],
        size=upload.size,
        created_by=user,
    )


# --- follow-up actions ----------------------------------------------------------------------


def add_action(user, drill, *, problem, owner, due_date, action=""):
    """A problem found in a held drill becomes a follow-up action with an owner and a due date."""
    require_edit(user, drill.org_unit, EDIT_DENIED)
    if drill.status != DrillStatus.COMPLETED:
        raise ValidationError(_("演练完成后才能登记发现的问题。"))
    errors = {}
    if not (problem or "").strip():
        errors["problem"] = _("请填写发现的问题。")
    if not (owner or "").strip():
        errors["owner"] = _("请填写责任人或责任部门。")
    if due_date is None:
        errors["due_date"] = _("请填写整改期限。")
    elif due_date < drill.date:
        errors["due_date"] = _("整改期限不能早于演练日期。")
    if errors:
        raise ValidationError(errors)
    return FollowUpAction.objects.create(
        drill=drill,
        problem=problem.strip(),
        action=(action or "").strip(),
        owner=owner.strip(),
        due_date=due_date,
        created_by=user,
        updated_by=user,
    )


def set_action_done(user, action, *, done=True, on=None):
    require_edit(user, action.drill.org_unit, EDIT_DENIED)
    action.done = done
    action.done_at = (on or timezone.localdate()) if done else None
    action.updated_by = user
    action.save(update_fields=["done", "done_at", "updated_by", "updated_at"])
    return action


# --- coverage -------------------------------------------------------------------------------


def communities_without_recent_drill(unit, *, today=None, months=12):
    """The communities (居委/村) in ``unit``'s subtree that held no drill (status 已完成, on the
    community or below it) in the last ``months`` months. Each carries ``last_drill_date`` (the
    last drill ever held there, or None). Two queries, whatever the number of communities."""
    today = today or timezone.localdate()
    since = add_months(today, -months)
    held = Drill.objects.filter(status=DrillStatus.COMPLETED, date__lte=today)
    recent = held.filter(date__gt=since)
    # a community's subtree is itself and its 小区 (a unit is always deeper than its parent and
    # 小区 is the deepest kind): two indexed look-ups instead of a prefix match per community
    communities = list(
        OrgUnit.objects.filter(path__startswith=unit.path, kind=OrgKind.COMMUNITY)
        .exclude(Exists(recent.filter(org_unit=OuterRef("pk"))))
        .exclude(Exists(recent.filter(org_unit__parent=OuterRef("pk"))))
        .order_by("path")
    )
    last = rollup(held, communities, last=Max("date"))
    for community in communities:
        community.last_drill_date = last[community.pk]["last"]
    return communities


@dataclass
class PlanVsHeld:
    unit: OrgUnit
    planned: int = 0  # drills in the unit's annual plans for the year (any status)
    held_in_plan: int = 0  # of those, held
    cancelled: int = 0  # of those, cancelled
    late: int = 0  # of those, still 计划 after their date
    held: int = 0  # every drill held in the year, in a plan or not
    participants: int = 0  # people taking part in the drills held

    @property
    def rate(self):
        """Share of the planned drills that were held, in percent (None with no plan)."""
        if not self.planned:
            return None
        return round(100 * self.held_in_plan / self.planned)

    def add(self, other):
        for name in ("planned", "held_in_plan", "cancelled", "late", "held", "participants"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


def plan_vs_held(unit, year, *, today=None):
    """Planned against held drills of ``year`` for ``unit`` (``total``) and for each unit
    directly below it (``rows``: a street's communities, a district's streets). Two queries:
    the drills are counted per owning unit in SQL and rolled up the tree by path."""
    today = today or timezone.localdate()
    in_plan = Q(annual_plan__year=year)
    held_in_year = Q(date__year=year, status=DrillStatus.COMPLETED)
    counts = (
        Drill.objects.filter(org_unit__path__startswith=unit.path)
        .filter(in_plan | held_in_year)
        .order_by()
        .values("org_unit__path")
        .annotate(
            planned=Count("pk", filter=in_plan),
            held_in_plan=Count("pk", filter=in_plan & Q(status=DrillStatus.COMPLETED)),
            cancelled=Count("pk", filter=in_plan & Q(status=DrillStatus.CANCELLED)),
            late=Count("pk", filter=in_plan & Q(status=DrillStatus.PLANNED, date__lt=today)),
            held=Count("pk", filter=held_in_year),
            participants=Sum("participants", filter=held_in_year, default=0),
        )
    )
    children = list(OrgUnit.objects.filter(parent=unit).order_by("code"))
    rows = {child.path: PlanVsHeld(child) for child in children}
    total = PlanVsHeld(unit)
    for row in counts:
        part = PlanVsHeld(
            unit,
            planned=row["planned"],
            held_in_plan=row["held_in_plan"],
            cancelled=row["cancelled"],
            late=row["late"],
            held=row["held"],
            participants=row["participants"],
        )
        total.add(part)
        for path, target in rows.items():
            if row["org_unit__path"].startswith(path):
                target.add(part)
                break
    return {"year": year, "unit": unit, "total": total, "rows": list(rows.values())}


# --- calendar -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Observance:
    label: str | Promise
    month: int
    day: int | None = None  # None: the whole month

    def applies(self, date):
        return date.month == self.month and (self.day is None or date.day == self.day)


OBSERVANCES = [
    Observance(gettext_lazy("5·12 防灾减灾日"), 5, 12),
    Observance(gettext_lazy("安全生产月"), 6),
    Observance(gettext_lazy("10·13 国际减灾日"), 10, 13),
    Observance(gettext_lazy("119消防月"), 11),
]


@dataclass
class CalendarDay:
    date: datetime.date
    in_month: bool
    is_today: bool
    observances: list = field(default_factory=list)
    drills: list = field(default_factory=list)
    more: int = 0  # drills of the day beyond ``DRILLS_PER_DAY``, listed on the drills list


# A district's month holds a thousand drills: a calendar day shows this many, then "另有 N 场".
DRILLS_PER_DAY = 4


def month_observances(year, month):
    """The month-long observances of a month (安全生产月, 119消防月)."""
    return [o for o in OBSERVANCES if o.day is None and o.month == month]


def month_grid(year, month, drills, *, today=None):
    """Weeks (Monday first) of ``CalendarDay`` for the month; each day lists its one-day
    observances (5·12, 10·13) and the given drills on that date (the first few of them)."""
    today = today or timezone.localdate()
    by_date = {}
    for drill in drills:
        by_date.setdefault(drill.date, []).append(drill)
    weeks = []
    for week in calendar.Calendar(firstweekday=0).monthdatescalendar(year, month):
        weeks.append(
            [
                CalendarDay(
                    date=day,
                    in_month=day.month == month,
                    is_today=day == today,
                    observances=[o for o in OBSERVANCES if o.day and o.applies(day)],
                    drills=by_date.get(day, [])[:DRILLS_PER_DAY],
                    more=max(0, len(by_date.get(day, [])) - DRILLS_PER_DAY),
                )
                for day in week
            ]
        )
    return weeks


def grid_range(year, month):
    """First and last date shown on the month's grid (whole weeks)."""
    weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(year, month)
    return weeks[0][0], weeks[-1][-1]
