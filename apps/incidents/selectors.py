"""Read side of 信息报送: the deadlines an incident is under, what is overdue (for the
escalation rules), who owes today's 零报告 and the roll-up per street, and the incident figures
other apps read (the street report, the application facts). Anything that depends on the time
takes ``now=None`` (or ``day=None``) and resolves it once."""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.orgs.models import OrgKind, OrgUnit, rollup
from resilience.dates import day_start

from .models import (
    SERIOUS_LEVELS,
    FollowUpRequest,
    Incident,
    IncidentReport,
    IncidentState,
    ReportKind,
    ZeroReport,
    ZeroReportPeriod,
)

# --- deadlines -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Deadline:
    label: str
    due: datetime.datetime
    done_at: datetime.datetime | None

    @property
    def met(self):
        return self.done_at is not None

    @property
    def late(self):
        return self.done_at is not None and self.done_at > self.due


def incident_deadlines(incident):
    """The deadlines of one incident, in order: by phone, in writing (the 初报), and each 续报
    the district asked for. ``incident.reports`` and ``incident.requests`` may be prefetched."""
    reports = list(incident.reports.all())
    initial = next((r for r in reports if r.kind == ReportKind.INITIAL), None)
    by_pk = {r.pk: r for r in reports}
    deadlines = [
        Deadline(_("电话报告"), incident.phone_due, incident.phoned_at),
        Deadline(_("书面报告（初报）"), incident.written_due, initial and initial.submitted_at),
    ]
    for request in incident.requests.all():
        answer = by_pk.get(request.answered_by_id)
        deadlines.append(Deadline(_("续报"), request.due, answer and answer.submitted_at))
    return deadlines


def phone_overdue(now=None):
    """Open incidents not reported by phone in time."""
    now = now or timezone.now()
    return Incident.objects.open().filter(phoned_at__isnull=True, phone_due__lt=now)


def follow_up_overdue(now=None):
    """续报 the district asked for, past their deadline and not filed."""
    now = now or timezone.now()
    return FollowUpRequest.objects.filter(
        answered_by__isnull=True, due__lt=now, incident__state=IncidentState.OPEN
    )


def unacknowledged(queryset):
    """Incidents of ``queryset`` with reports the district has not signed for."""
    pending = IncidentReport.objects.filter(incident=OuterRef("pk"), acknowledged_at__isnull=True)
    return queryset.filter(Exists(pending))


# --- 零报告 ---------------------------------------------------------------------------------


def zero_report_day(now=None):
    """The day a 零报告 is for, and whether its deadline has passed (the earliest deadline
    of the periods in force; 16:00 by default)."""
    now = timezone.localtime(now or timezone.now())
    day = now.date()
    deadlines = ZeroReportPeriod.objects.in_force(day).values_list("deadline", flat=True)
    deadline = min(deadlines, default=datetime.time(16, 0))
    due = timezone.make_aware(datetime.datetime.combine(day, deadline))
    return day, due


def communities_due(day, within=None):
    """Communities that must report on ``day``: those under a period in force, optionally
    only within the unit ``within``."""
    paths = list(ZeroReportPeriod.objects.in_force(day).values_list("org_unit__path", flat=True))
    if not paths:
        return OrgUnit.objects.none()
    under = Q()
    for path in paths:
        under |= Q(path__startswith=path)
    communities = OrgUnit.objects.filter(under, kind=OrgKind.COMMUNITY)
    if within is not None:
        communities = communities.filter(path__startswith=within.path)
    return communities


def zero_report_status(unit, day):
    """The communities of ``unit`` that owe a 零报告 on ``day``, each with ``report`` (the
    ZeroReport or None): two queries."""
    communities = list(communities_due(day, within=unit).order_by("path"))
    reports = {
        r.org_unit_id: r
        for r in ZeroReport.objects.filter(
            date=day, org_unit__in=[c.pk for c in communities]
        ).select_related("created_by")
    }
    for community in communities:
        community.report = reports.get(community.pk)
    return communities


def zero_report_rollup(streets, day):
    """Per street: communities that owe a 零报告 on ``day``, how many reported, how many with
    灾情 (``rollup``: a constant number of queries whatever the number of streets)."""
    streets = list(streets)
    due = rollup(communities_due(day), streets, path="path", due=Count("pk"))
    reported = rollup(
        ZeroReport.objects.filter(date=day),
        streets,
        reported=Count("pk"),
        with_disaster=Count("pk", filter=Q(has_disaster=True)),
    )
    rows = []
    for street in streets:
        figures = due[street.pk] | reported[street.pk]
        if figures["due"]:
            figures["missing"] = figures["due"] - figures["reported"]
            rows.append((street, figures))
    return rows


def missing_zero_reports(day):
    """Communities that owe a 零报告 on ``day`` and have not filed it."""
    filed = ZeroReport.objects.filter(org_unit=OuterRef("pk"), date=day)
    return communities_due(day).exclude(Exists(filed))


# --- figures for other apps ----------------------------------------------------------------


def incident_figures(units, *, today=None):
    """``{unit.pk: figures}`` for the application facts and dashboards (``rollup``: one query):
    the incidents of this year, and those of 较大 (Ⅲ级) or worse in the last three years — zero
    answers the national basic condition “近3年无因灾较大事故” from the records."""
    today = today or timezone.localdate()
    # timestamps against the day bounds, not ``occurred_at__date``: the index applies
    since = day_start(datetime.date(today.year - 3, today.month, min(today.day, 28)))
    this_year = day_start(datetime.date(today.year, 1, 1))
    figures = rollup(
        Incident.objects.filter(
            occurred_at__gte=since, occurred_at__lt=day_start(today + datetime.timedelta(days=1))
        ),
        units,
        this_year=Count("pk", filter=Q(occurred_at__gte=this_year)),
        serious_3y=Count("pk", filter=Q(level__in=SERIOUS_LEVELS)),
    )
    for values in figures.values():
        values["no_serious_3y"] = values["serious_3y"] == 0
    return figures
