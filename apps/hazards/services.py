"""Business rules for risk points and hazards. Views, admin actions, imports, demo data and tests
all go through these functions; each takes the acting user first."""

from datetime import timedelta
from functools import reduce
from operator import or_

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connections, transaction
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.files.uploads import reencode_image
from apps.maps.coords import WGS84, to_wgs84
from apps.notifications.events import notify
from apps.orgs.models import PATH_SEPARATOR, OrgKind, OrgUnit, can_edit_unit, in_scope, rollup

from . import notices
from .models import (
    TRANSITIONS,
    TRUSTED_REPORTERS,
    Hazard,
    HazardAction,
    HazardCategory,
    HazardEvent,
    HazardLoopSettings,
    HazardPhoto,
    HazardState,
    InspectionResult,
    RiskPoint,
    RiskPointInspection,
    overdue_q,
)
from .signals import hazard_state_changed

# --- permissions ---------------------------------------------------------------------------


def _require_unit(user, unit):
    if not can_edit_unit(user, unit):
        raise PermissionDenied(_("您没有权限修改该单位的数据。"))


def _actor_name(user):
    return user.get_full_name() or user.username


def _role_allows(user, transition):
    return bool(user.is_superuser or user.role in transition.roles)


def _may_act(user, hazard, transition):
    """Street staff and admins act on the hazards they may edit; the front line takes the
    steps delegated to its role (``Transition.roles``) on the hazards in its own scope."""
    if not _role_allows(user, transition):
        return False
    if user.is_frontline:
        return in_scope(user, hazard.org_unit)
    return can_edit_unit(user, hazard.org_unit)


def may_report(user, unit):
    """Whether ``user`` may report a hazard of ``unit``: street staff and admins where they
    edit, the front line anywhere in its scope (a grid worker: the 小区 of its grid)."""
    if user.is_frontline:
        return in_scope(user, unit)
    return can_edit_unit(user, unit)


def allowed_actions(user, hazard):
    """The transitions ``user`` may apply to ``hazard`` now (for buttons and checks)."""
    return [
        t for t in TRANSITIONS.values() if hazard.state in t.sources and _may_act(user, hazard, t)
    ]


def check_transition(user, hazard, action):
    """Raise PermissionDenied / ValidationError unless ``user`` may apply ``action`` now."""
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise ValidationError(_("未知的操作。"))
    if not _may_act(user, hazard, transition):
        raise PermissionDenied(
            _("您没有权限对该隐患执行“%(action)s”。") % {"action": transition.action.label}
        )
    if hazard.state not in transition.sources:
        raise ValidationError(
            _("隐患当前状态为“%(state)s”，不能执行“%(action)s”。")
            % {"state": hazard.get_state_display(), "action": transition.action.label}
        )
    if (
        action == HazardAction.VERIFY
        and HazardLoopSettings.for_unit(hazard.org_unit).separate_verifier
    ):
        completed_by = (
            hazard.events.filter(action=HazardAction.COMPLETE)
            .order_by("-created_at", "-pk")
            .values_list("actor", flat=True)
            .first()
        )
        if completed_by == user.pk:
            raise ValidationError(_("核查销号须由标记整改完成以外的人进行，请由其他工作人员核查。"))
    return transition


# --- coordinates ---------------------------------------------------------------------------


def normalise_point(latitude, longitude, system=WGS84):
    """Coordinates as stored (WGS-84); both or neither."""
    if (latitude in (None, "")) != (longitude in (None, "")):
        raise ValidationError(_("经度和纬度需同时填写。"))
    lat, lng = to_wgs84(latitude, longitude, system)
    if lat is not None and not (-90 <= lat <= 90 and -180 <= lng <= 180):
        raise ValidationError(_("坐标超出范围。"))
    return lat, lng


# --- risk points ---------------------------------------------------------------------------

RISK_POINT_FIELDS = (
    "name",
    "category",
    "level",
    "address",
    "latitude",
    "longitude",
    "responsible_person",
    "responsible_phone",
    "inspection_frequency",
    "next_inspection_date",
    "description",
    "is_active",
)


def save_risk_point(user, point, *, coordinate_system=WGS84):
    """Create or update a risk point (fields already set on ``point``)."""
    _require_unit(user, point.org_unit)
    if point.pk:
        original = RiskPoint.objects.only("org_unit").get(pk=point.pk)
        _require_unit(user, original.org_unit)
    point.latitude, point.longitude = normalise_point(
        point.latitude, point.longitude, coordinate_system
    )
    if point.next_inspection_date is None:
        point.next_inspection_date = point.next_date_after(timezone.localdate())
    if not point.pk:
        point.created_by = user
    point.updated_by = user
    point.full_clean()
    point.save()
    return point


@transaction.atomic
def record_inspection(user, point, *, date, inspector, result, note=""):
    """Record an inspection and move the next inspection date on by the frequency."""
    _require_unit(user, point.org_unit)
    if date > timezone.localdate():
        raise ValidationError(_("巡查日期不能晚于今天。"))
    if result not in InspectionResult.values:
        raise ValidationError(_("请选择巡查结果。"))
    inspection = RiskPointInspection.objects.create(
        risk_point=point,
        date=date,
        inspector=inspector or _actor_name(user),
        result=result,
        note=note,
        created_by=user,
    )
    next_date = point.next_date_after(date)
    if point.next_inspection_date is None or next_date > point.next_inspection_date:
        point.next_inspection_date = next_date
    point.updated_by = user
    point.save(update_fields=["next_inspection_date", "updated_by", "updated_at"])
    return inspection


# --- hazards -------------------------------------------------------------------------------


def _add_photos(hazard, event, photos):
    for upload in photos or ():
        photo = HazardPhoto(
            hazard=hazard, event=event, image=upload, original_name=getattr(upload, "name", "")
        )
        photo.full_clean(exclude=["hazard", "event"])
        # Stored re-encoded: no EXIF (the phone's GPS position, device), nothing hidden.
        photo.image = reencode_image(upload)
        photo.save()


@transaction.atomic
def report_hazard(
    user,
    *,
    org_unit,
    title,
    category,
    severity,
    found_on=None,
    found_by="",
    description="",
    address="",
    latitude=None,
    longitude=None,
    coordinate_system=WGS84,
    risk_point=None,
    inspection=None,
    photos=(),
    note="",
):
    """发现: create a hazard in the first state of the loop, with its first event. The finder
    is ``found_by`` (free text) or, left blank, the acting user, then also kept as
    ``reported_by``. A grid worker's or information officer's report goes straight to 交办
    (to the hazard's 居委/村) where the district's rules say so (``HazardLoopSettings``)."""
    if not may_report(user, org_unit):
        raise PermissionDenied(_("您没有权限修改该单位的数据。"))
    if risk_point is not None and not can_edit_unit(user, risk_point.org_unit):
        raise ValidationError({"risk_point": _("所选风险点不在您的管辖范围内。")})
    found_on = found_on or timezone.localdate()
    if found_on > timezone.localdate():
        raise ValidationError(_("发现日期不能晚于今天。"))
    lat, lng = normalise_point(latitude, longitude, coordinate_system)
    if lat is None and risk_point is not None:
        lat, lng = risk_point.latitude, risk_point.longitude
    hazard = Hazard(
        org_unit=org_unit,
        title=title,
        category=category,
        severity=severity,
        description=description,
        address=address or (risk_point.address if risk_point else ""),
        latitude=lat,
        longitude=lng,
        risk_point=risk_point,
        inspection=inspection,
        found_by=found_by or _actor_name(user),
        reported_by=None if found_by else user,
        found_on=found_on,
        state=HazardState.REPORTED,
        created_by=user,
        updated_by=user,
    )
    hazard.full_clean()
    hazard.save()
    event = HazardEvent.objects.create(
        hazard=hazard,
        action=HazardAction.REPORT,
        from_state="",
        to_state=HazardState.REPORTED,
        note=note,
        actor=user,
    )
    _add_photos(hazard, event, photos)
    hazard_state_changed.send(sender=Hazard, hazard=hazard, step=event)
    rules = HazardLoopSettings.for_unit(org_unit)
    if rules.trusted_direct_assign and user.role in TRUSTED_REPORTERS:
        _assign_to_community(user, hazard, days=rules.direct_assign_days)
    return hazard


def _assign_to_community(user, hazard, *, days):
    """交办 on report: to the 居委/村 the hazard lies in, with the district's deadline."""
    unit = hazard.org_unit
    # trusted reporters belong to a 居委/村 or a 小区, and a 小区's parent is its 居委/村
    community = unit.parent if unit.kind == OrgKind.ESTATE else unit
    hazard.state = HazardState.ASSIGNED
    hazard.responsible_unit = community.name
    hazard.deadline = timezone.localdate() + timedelta(days=days)
    hazard.save(update_fields=["state", "responsible_unit", "deadline", "updated_at"])
    step = HazardEvent.objects.create(
        hazard=hazard,
        action=HazardAction.ASSIGN,
        from_state=HazardState.REPORTED,
        to_state=HazardState.ASSIGNED,
        note=_("网格员、灾害信息员上报，按本区规则直接交办。"),
        actor=user,
        responsible_unit=hazard.responsible_unit,
        deadline=hazard.deadline,
    )
    hazard_state_changed.send(sender=Hazard, hazard=hazard, step=step)
    notify(notices.ASSIGNED, step, actor=user)


@transaction.atomic
def transition_hazard(user, hazard, action, *, note="", photos=(), **values):
    """Apply one step of the loop (see ``models.TRANSITIONS``) and record it as an event.

    The hazard row is locked first, so two people acting at once cannot both move it."""
    hazard = Hazard.objects.select_for_update().select_related("org_unit").get(pk=hazard.pk)
    transition = check_transition(user, hazard, action)
    note = (note or "").strip()
    if transition.note_required and not note:
        raise ValidationError({"note": _("请填写说明。")})
    if (
        action == HazardAction.COMPLETE
        and not photos
        and HazardLoopSettings.for_unit(hazard.org_unit).photo_required
    ):
        raise ValidationError({"photos": _("整改完成须上传至少一张整改后照片。")})
    event = HazardEvent(
        hazard=hazard,
        action=action,
        from_state=hazard.state,
        to_state=transition.target,
        note=note,
        actor=user,
    )
    now = timezone.now()
    if action == HazardAction.ASSIGN:
        unit = (values.get("responsible_unit") or "").strip()
        deadline = values.get("deadline")
        errors = {}
        if not unit:
            errors["responsible_unit"] = _("请填写整改责任单位。")
        if deadline is None:
            errors["deadline"] = _("请填写整改期限。")
        elif deadline < timezone.localdate(now):
            errors["deadline"] = _("整改期限不能早于今天。")
        if errors:
            raise ValidationError(errors)
        hazard.responsible_unit = unit
        hazard.responsible_person = (values.get("responsible_person") or "").strip()
        hazard.deadline = deadline
        event.responsible_unit, event.deadline = unit, deadline
    if transition.target == HazardState.CLOSED:
        hazard.closed_at = now
    elif hazard.closed_at is not None:
        hazard.closed_at = None
    hazard.state = transition.target
    hazard.updated_by = user
    hazard.save()
    event.created_at = now
    event.save()
    _add_photos(hazard, event, photos)
    hazard_state_changed.send(sender=Hazard, hazard=hazard, step=event)
    if action == HazardAction.ASSIGN:
        notify(notices.ASSIGNED, event, actor=user)
    return hazard


def assign_hazard(
    user, hazard, *, responsible_unit, deadline, responsible_person="", note="", photos=()
):
    return transition_hazard(
        user,
        hazard,
        HazardAction.ASSIGN,
        responsible_unit=responsible_unit,
        responsible_person=responsible_person,
        deadline=deadline,
        note=note,
        photos=photos,
    )


def start_rectification(user, hazard, *, note="", photos=()):
    return transition_hazard(user, hazard, HazardAction.START, note=note, photos=photos)


def complete_rectification(user, hazard, *, note="", photos=()):
    return transition_hazard(user, hazard, HazardAction.COMPLETE, note=note, photos=photos)


def verify_hazard(user, hazard, *, note="", photos=()):
    return transition_hazard(user, hazard, HazardAction.VERIFY, note=note, photos=photos)


def reopen_hazard(user, hazard, *, note, photos=()):
    return transition_hazard(user, hazard, HazardAction.REOPEN, note=note, photos=photos)


# --- statistics ----------------------------------------------------------------------------

METRICS = ("total", "open", "overdue", "closed", "closed_in_time", "major_open")


def _metrics(today, prefix="", *, found_since=None):
    """The statistics (:data:`METRICS`), defined once as SQL aggregates (``prefix`` reaches
    the hazard from another model; ``found_since`` counts only the hazards found on or after
    that date). They count ``state``, never null like the key, so that PostgreSQL reads a
    unit's hazards from the ``hazard_unit_figures`` index alone."""
    closed = Q(**{f"{prefix}state": HazardState.CLOSED})
    counted = f"{prefix}state"
    found = Q(**{f"{prefix}found_on__gte": found_since}) if found_since else Q()

    def count(condition=None):
        condition = found if condition is None else found & condition
        return Count(counted, filter=condition or None)

    return {
        "total": count(),
        "open": count(~closed),
        "overdue": count(overdue_q(today, prefix)),
        "closed": count(closed),
        "closed_in_time": count(
            closed & Q(**{f"{prefix}closed_at__date__lte": F(f"{prefix}deadline")})
        ),
        "major_open": count(~closed & Q(**{f"{prefix}severity": "major"})),
    }


def _rates(row):
    total, closed = row["total"], row["closed"]
    row["closure_rate"] = round(100 * closed / total, 1) if total else None
    row["in_time_rate"] = round(100 * row["closed_in_time"] / closed, 1) if closed else None
    return row


def _add(figures, row):
    for name in METRICS:
        figures[name] += row[name]


def _by_category(queryset, today, *fields):
    """The figures of ``queryset`` per category (and ``fields``): one SQL query, on the
    hazards alone (joining the categories' names made it a third slower)."""
    return queryset.order_by().values(*fields, "category_id").annotate(**_metrics(today))


def _stats_from(rows):
    """``hazard_stats``' answer from figures per category (maybe split further)."""
    stats = dict.fromkeys(METRICS, 0)
    figures = {}
    for row in rows:
        _add(stats, row)
        _add(figures.setdefault(row["category_id"], dict.fromkeys(METRICS, 0)), row)
    categories = HazardCategory.objects.in_bulk(figures)
    by_category = [
        {
            "category_id": pk,
            "category__name": categories[pk].name,
            "category__order": categories[pk].order,
            "name": categories[pk].name,
            **_rates(figures[pk]),
        }
        for pk in figures
    ]
    stats["by_category"] = sorted(by_category, key=lambda c: (c["category__order"], c["name"]))
    return _rates(stats)


def hazard_stats(queryset, *, today=None, by_category=True):
    """Figures for a set of hazards (pass ``Hazard.objects.visible_to(user)``, optionally
    filtered to a street or community): ``total``, ``open``, ``overdue``, ``closed``,
    ``closed_in_time`` (销号 on or before the deadline), ``major_open``, ``closure_rate`` and
    ``in_time_rate`` (percentages, None when undefined) and ``by_category`` (the same figures
    per category). Two SQL queries whatever the number of hazards: the figures per category
    (the totals are their sums) and the categories' names."""
    today = today or timezone.localdate()
    if not by_category:
        return _rates(queryset.order_by().aggregate(**_metrics(today)))
    return _stats_from(_by_category(queryset, today))


def hazard_stats_by_unit(queryset, units, *, today=None, found_since=None):
    """The same figures for each unit in ``units`` (e.g. the streets of a district), counting
    the hazards of ``queryset`` in each unit's subtree: one query for all units (see
    :func:`apps.orgs.models.rollup`). With ``found_since``, each row also has ``recent``: the
    figures of the hazards found on or after that date (from the same query)."""
    today = today or timezone.localdate()
    units = list(units)
    metrics = _metrics(today)
    if found_since:
        recent = _metrics(today, found_since=found_since)
        metrics |= {f"recent_{name}": aggregate for name, aggregate in recent.items()}
    figures = rollup(queryset, units, **metrics)
    rows = []
    for unit in units:
        row = {"unit": unit, **_rates({name: figures[unit.pk][name] for name in METRICS})}
        if found_since:
            row["recent"] = _rates({name: figures[unit.pk][f"recent_{name}"] for name in METRICS})
        rows.append(row)
    return rows


def _branch_rows(queryset, parent_path, today):
    """The figures of ``queryset`` per category and per branch below ``parent_path`` (each
    hazard's unit path cut after the separator that follows the parent's): rows with
    ``branch``, ``category_id`` and the metrics. Grouped first by unit and category (a
    district: 240,000 hazards from the unit index into some 20,000 groups), then those groups
    by branch: grouping the hazards by their unit's path cut to the branch, an expression
    whose groups the planner cannot estimate, made it sort every hazard on disk (1.5 s)."""
    start = len(parent_path) + 1
    inner = _by_category(queryset, today, "org_unit_id")
    sql, params = inner.query.sql_with_params()
    sums = ", ".join(f"SUM(g.{name}) AS {name}" for name in METRICS)
    unit_table = OrgUnit._meta.db_table
    branch = f"SUBSTR(u.path, 1, {start - 1} + INSTR(SUBSTR(u.path, {start}), %s))"
    if connections[queryset.db].vendor == "postgresql":
        branch = f"SUBSTRING(u.path, 1, {start - 1} + STRPOS(SUBSTRING(u.path, {start}), %s))"
    # names and the ORM's own query; every value a parameter
    grouped = f"FROM ({sql}) g JOIN {unit_table} u ON u.id = g.org_unit_id GROUP BY 1, 2"
    query = f"SELECT {branch} AS branch, g.category_id, {sums} {grouped}"  # noqa: S608
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(query, (PATH_SEPARATOR, *params))
        names = [column[0] for column in cursor.description]
        rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    for row in rows:
        for name in METRICS:
            row[name] = int(row[name] or 0)
    return rows


def hazard_stats_below(queryset, parent, children, *, today=None):
    """``(hazard_stats(queryset), hazard_stats_by_unit(queryset, children))`` from one scan of
    the hazards, for the statistics page: ``queryset`` lies within ``parent`` (None: the whole
    tree) and ``children`` are units directly below it. The database groups the hazards by
    category and by the branch below ``parent`` they lie in, a few hundred rows summed here
    both ways. Two queries, with the categories' names."""
    today = today or timezone.localdate()
    rows = _branch_rows(queryset, parent.path if parent else PATH_SEPARATOR, today)
    return _stats_from(rows), _by_branch(rows, children)


def _by_branch(rows, children):
    branches = {}
    for row in rows:
        _add(branches.setdefault(row["branch"], dict.fromkeys(METRICS, 0)), row)
    empty = dict.fromkeys(METRICS, 0)
    return [{"unit": unit, **_rates(dict(branches.get(unit.path, empty)))} for unit in children]


def hazard_figures_by_category(parent, units, *, today=None):
    """``{unit.pk: [figures per category]}`` of the hazards in the subtree of each of
    ``units``, units directly below ``parent``: what the statistics page keeps per unit
    (``apps.dashboards.cache.hazard_figures``) to add a district up from its streets. Two
    queries (the units' ids, the figures), by the units' ids."""
    today = today or timezone.localdate()
    units = list(units)
    if not units:
        return {}
    under = reduce(or_, (Q(path__startswith=unit.path) for unit in units))
    hazards = Hazard.objects.in_units(OrgUnit.objects.filter(under))
    by_path = {unit.path: unit.pk for unit in units}
    result = {unit.pk: [] for unit in units}
    for row in _branch_rows(hazards, parent.path if parent else PATH_SEPARATOR, today):
        pk = by_path.get(row.pop("branch"))
        if pk is not None:
            result[pk].append(row)
    return result


def hazard_stats_composed(parent, children, figures, *, today=None):
    """``hazard_stats_below`` for the whole subtree of ``parent`` from ``figures``, the
    children's figures per category (``hazard_figures_by_category``, kept warm per unit), and
    the hazards of the subtree outside every child (the parent's own: a few) counted now."""
    today = today or timezone.localdate()
    own = OrgUnit.objects.filter(path__startswith=parent.path)
    if children:
        own = own.exclude(reduce(or_, (Q(path__startswith=c.path) for c in children)))
    rows = [
        {**row, "branch": parent.path} for row in _by_category(Hazard.objects.in_units(own), today)
    ]
    for child in children:
        rows += [{**row, "branch": child.path} for row in figures[child.pk]]
    return _stats_from(rows), _by_branch(rows, children)
