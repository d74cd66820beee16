"""Business rules of 信息报送. Views, the demo data and tests all go through these functions;
each takes the acting user first.

Who may do what:
- file a 初报 (registering the incident): street staff, community staff and information officers,
  for a unit in their scope; admins anywhere;
- add a 续报 or the 终报, record the phone report: street staff of the incident's unit (editors);
- acknowledge a report, ask for a 续报: the district reviewer of the incident's district;
- file the daily 零报告: community staff and information officers for their community, street
  staff for a community of their street.

An incident's changes lock its row first (``select_for_update``): two 续报 filed at once get
numbers one after the other, and nothing is filed after the 终报.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.maps.coords import WGS84, to_wgs84
from apps.orgs.models import (
    PATH_SEPARATOR,
    OrgKind,
    OrgUnit,
    Role,
    User,
    in_scope,
    require_edit,
)
from apps.warnings import links as warning_links
from apps.warnings.models import Warning

from .models import (
    DISASTER_FIGURES,
    DeadlineRule,
    FollowUpRequest,
    Incident,
    IncidentLevel,
    IncidentReport,
    IncidentState,
    IncidentType,
    ReportKind,
    ZeroReport,
    ZeroReportPeriod,
)
from .signals import incident_reported

FILING_ROLES = {Role.STREET_STAFF, Role.COMMUNITY_STAFF, Role.INFO_OFFICER}
# The required elements every report carries (besides the 灾情 figures of natural disasters).
REPORT_TEXTS = ("nature", "impact", "casualties", "trend", "measures")
REPORT_FIELDS = ("event_time", "place", "source", *REPORT_TEXTS, *DISASTER_FIGURES)
# ``add_report(warning=UNCHANGED)``: the incident keeps the warning it names.
UNCHANGED = object()

# --- permissions ---------------------------------------------------------------------------


def may_file(user):
    """Whether the user's role files 初报 and 零报告 at all (scope is checked separately)."""
    return bool(user.is_authenticated and (user.is_superuser or user.role in FILING_ROLES))


def can_supervise(user, incident):
    """The district side: the reviewer of the incident's district (admins too)."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    if user.is_superuser:
        return True
    return user.role == Role.DISTRICT_REVIEWER and in_scope(user, incident.org_unit)


EDIT_DENIED = gettext_lazy("您没有权限为该事件报送。")


def _require_supervise(user, incident):
    if not can_supervise(user, incident):
        raise PermissionDenied(_("只有区级审核员可以签收和要求续报。"))


def filing_units(user):
    """The units a user may file a 初报 for: below street level in their scope (front line:
    their own unit and below; street staff: their street, its communities and 小区)."""
    if not may_file(user):
        return OrgUnit.objects.none()
    return OrgUnit.objects.visible_to(user).filter(
        kind__in=[OrgKind.STREET, OrgKind.COMMUNITY, OrgKind.ESTATE]
    )


def user_community(user):
    """The community a front-line user reports for (an information officer's 小区 belongs to
    its community), or None."""
    unit = user.org_unit
    if user.role not in (Role.COMMUNITY_STAFF, Role.INFO_OFFICER) or unit is None:
        return None
    if unit.kind == OrgKind.ESTATE:
        return unit.parent
    return unit if unit.kind == OrgKind.COMMUNITY else None


def zero_report_communities(user):
    """The communities ``user`` may file a 零报告 for."""
    community = user_community(user)
    if community is not None:
        return OrgUnit.objects.filter(pk=community.pk)
    if user.is_superuser or user.role == Role.STREET_STAFF:
        return OrgUnit.objects.visible_to(user).filter(kind=OrgKind.COMMUNITY)
    return OrgUnit.objects.none()


# --- deadlines -----------------------------------------------------------------------------


def paths_up(unit):
    """The paths of ``unit`` and every unit above it (from its own path, no query)."""
    parts = [p for p in unit.path.split(PATH_SEPARATOR) if p]
    return [
        PATH_SEPARATOR + PATH_SEPARATOR.join(parts[: i + 1]) + PATH_SEPARATOR
        for i in range(len(parts))
    ]


def deadline_rule(unit, level):
    """The rule of the unit's district for ``level``, or the defaults (an unsaved rule)."""
    rule = DeadlineRule.objects.filter(district__path__in=paths_up(unit), level=level).first()
    return rule or DeadlineRule(level=level)


# --- incidents -----------------------------------------------------------------------------


def _clean_elements(incident_type, data, *, now):
    """The report elements of ``data``, checked: every element written, no time in the future,
    the 灾情 figures when the incident is a natural disaster."""
    errors = {}
    for name in ("place", "source", *REPORT_TEXTS):
        data[name] = (data.get(name) or "").strip()
        if not data[name]:
            errors[name] = _("请填写此项，报告须包含全部要素。")
    if data.get("event_time") is None:
        errors["event_time"] = _("请填写事件发生时间。")
    elif data["event_time"] > now:
        errors["event_time"] = _("事件发生时间不能晚于当前时间。")
    if incident_type.is_natural_disaster:
        for name in DISASTER_FIGURES:
            if data.get(name) is None:
                errors[name] = _("自然灾害须填写灾情数据（无则填 0）。")
            elif data[name] < 0:
                errors[name] = _("灾情数据不能为负数。")
    if errors:
        raise ValidationError(errors)
    return {name: data.get(name) for name in REPORT_FIELDS}


@transaction.atomic
def file_initial_report(
    user: User,
    *,
    unit: OrgUnit,
    title: str,
    incident_type: IncidentType,
    level: str,
    occurred_at: datetime.datetime,
    address: str,
    source: str,
    latitude=None,
    longitude=None,
    coordinate_system=WGS84,
    hazard=None,
    warning: Warning | None = None,
    now: datetime.datetime | None = None,
    **elements,
) -> Incident:
    """初报: registers the incident with its deadlines (the district's rule for its level) and
    files the first report. ``warning``, the warning it comes of, must be one the user sees,
    published, whose area covers ``unit`` (apps.warnings.links)."""
    now = now or timezone.now()
    if not (may_file(user) and filing_units(user).filter(pk=unit.pk).exists()):
        raise PermissionDenied(_("您没有权限为该单位报送突发事件。"))
    if hazard is not None and not in_scope(user, hazard.org_unit):
        raise PermissionDenied(_("您没有权限关联该隐患。"))
    errors = {}
    title = (title or "").strip()
    if not title:
        errors["title"] = _("请填写事件名称。")
    if level not in IncidentLevel.values:
        errors["level"] = _("请选择事件等级。")
    if not incident_type.is_active:
        errors["incident_type"] = _("该事件类别已停用。")
    if (latitude is None) != (longitude is None):
        errors["latitude"] = _("经度和纬度需同时填写。")
    if warning is not None and (message := warning_links.link_error(user, warning, unit)):
        errors["warning"] = message
    if errors:
        raise ValidationError(errors)
    values = _clean_elements(
        incident_type,
        {**elements, "event_time": occurred_at, "place": address, "source": source},
        now=now,
    )
    latitude, longitude = to_wgs84(latitude, longitude, coordinate_system)
    rule = deadline_rule(unit, level)
    incident = Incident.objects.create(
        org_unit=unit,
        title=title,
        incident_type=incident_type,
        level=level,
        occurred_at=occurred_at,
        address=values["place"],
        latitude=latitude,
        longitude=longitude,
        source=values["source"],
        hazard=hazard,
        warning=warning,
        phone_due=occurred_at + datetime.timedelta(minutes=rule.phone_minutes),
        written_due=occurred_at + datetime.timedelta(minutes=rule.written_minutes),
        created_by=user,
        updated_by=user,
    )
    IncidentReport.objects.create(
        incident=incident,
        kind=ReportKind.INITIAL,
        sequence=0,
        submitted_at=now,
        submitted_by=user,
        **values,
    )
    incident_reported.send(sender=Incident, incident=incident)
    return incident


@transaction.atomic
def add_report(
    user: User, incident: Incident, *, kind: str, warning=UNCHANGED, now=None, **elements
):
    """续报 (numbered after the last report) or 终报 (closes the incident). Answers the
    district's open requests for a 续报. ``warning`` names (or, None, unnames) the warning the
    incident comes of; a newly named one is checked as for the 初报."""
    now = now or timezone.now()
    incident = (
        Incident.objects.select_for_update()
        .select_related("incident_type", "org_unit")
        .get(pk=incident.pk)
    )
    require_edit(user, incident.org_unit, EDIT_DENIED)
    if incident.is_closed:
        raise ValidationError(_("该事件已终报，不能再报送。"))
    if kind not in (ReportKind.FOLLOW_UP, ReportKind.FINAL):
        raise ValidationError({"kind": _("请选择续报或终报。")})
    if warning is UNCHANGED or getattr(warning, "pk", None) == incident.warning_id:
        warning = UNCHANGED
    elif warning is not None and (
        message := warning_links.link_error(user, warning, incident.org_unit)
    ):
        raise ValidationError({"warning": message})
    values = _clean_elements(incident.incident_type, dict(elements), now=now)
    last = incident.reports.aggregate(last=Max("sequence"))["last"]
    report = IncidentReport.objects.create(
        incident=incident,
        kind=kind,
        sequence=0 if last is None else last + 1,
        submitted_at=now,
        submitted_by=user,
        **values,
    )
    incident.requests.filter(answered_by__isnull=True).update(answered_by=report)
    if kind == ReportKind.FINAL:
        incident.state = IncidentState.CLOSED
        incident.closed_at = now
    if warning is not UNCHANGED:
        incident.warning = warning
    incident.updated_by = user
    incident.save(update_fields=["state", "closed_at", "warning", "updated_by", "updated_at"])
    return report


@transaction.atomic
def record_phone_report(user: User, incident: Incident, *, now=None):
    """The street reported the incident to the district by phone (时限: ``phone_due``)."""
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    require_edit(user, incident.org_unit, EDIT_DENIED)
    if incident.phoned_at is not None:
        raise ValidationError(_("已登记电话报告，无需重复登记。"))
    incident.phoned_at = now or timezone.now()
    incident.updated_by = user
    incident.save(update_fields=["phoned_at", "updated_by", "updated_at"])
    return incident


@transaction.atomic
def acknowledge_report(user: User, report: IncidentReport, *, now=None):
    """The district signs for (签收) one report."""
    report = (
        IncidentReport.objects.select_for_update()
        .select_related("incident__org_unit")
        .get(pk=report.pk)
    )
    _require_supervise(user, report.incident)
    if report.acknowledged_at is not None:
        raise ValidationError(_("该报告已签收。"))
    report.acknowledged_at = now or timezone.now()
    report.acknowledged_by = user
    report.save(update_fields=["acknowledged_at", "acknowledged_by"])
    return report


@transaction.atomic
def request_follow_up(user: User, incident: Incident, *, note: str, due, now=None):
    """The district asks for a 续报 by ``due``."""
    now = now or timezone.now()
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    _require_supervise(user, incident)
    if incident.is_closed:
        raise ValidationError(_("该事件已终报，不能再要求续报。"))
    errors = {}
    note = (note or "").strip()
    if not note:
        errors["note"] = _("请写明需要续报的内容。")
    if due is None or due <= now:
        errors["due"] = _("续报时限须晚于当前时间。")
    if errors:
        raise ValidationError(errors)
    return FollowUpRequest.objects.create(
        incident=incident, note=note, due=due, requested_by=user, requested_at=now
    )


# --- 零报告 ---------------------------------------------------------------------------------


def periods_for(community, day):
    """The 零报告 periods in force on ``day`` that cover ``community``."""
    return ZeroReportPeriod.objects.in_force(day).filter(org_unit__path__in=paths_up(community))


@transaction.atomic
def file_zero_report(user: User, *, community: OrgUnit, has_disaster=False, note="", now=None):
    """Today's 零报告 of a community: “无灾情”, or 有灾情 with a note (and a 初报 of its own)."""
    now = now or timezone.now()
    day = timezone.localdate(now)
    if not zero_report_communities(user).filter(pk=community.pk).exists():
        raise PermissionDenied(_("您没有权限为该居委/村报送零报告。"))
    if not periods_for(community, day).exists():
        raise ValidationError(_("今天不在零报告期内，无需报送。"))
    note = (note or "").strip()
    if has_disaster and not note:
        raise ValidationError({"note": _("有灾情时请简要说明，并另行报送初报。")})
    if ZeroReport.objects.filter(org_unit=community, date=day).exists():
        raise ValidationError(_("该居委/村今天已报送零报告。"))
    return ZeroReport.objects.create(
        org_unit=community,
        date=day,
        has_disaster=has_disaster,
        note=note,
        created_by=user,
        updated_by=user,
    )
