"""The kinds of report the hub itself contributes: the 街道综合减灾工作报告, which reads every
domain of a street, and the 隐患整改通知书, which takes a document number (``numbers``). Found
like every app's kinds, through ``KINDS`` at the bottom (apps/reports/kinds.py).

A report reads well at the size of the largest street: its body gives figures and groupings,
and a list that grows with the records (a year's drills, incidents) shows its first
``LIST_ROWS`` rows with "另有 N 项" for the rest, which the platform's pages list in full. A
fixed number of queries whatever the street's size."""

import datetime

from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.dashboards.indicators import unit_facts
from apps.drills.models import Drill, DrillForm, DrillStatus
from apps.hazards.models import Hazard, RiskLevel, RiskPoint
from apps.hazards.services import hazard_stats
from apps.incidents.models import SERIOUS_LEVELS, Incident, IncidentState
from apps.orgs.models import OrgKind, OrgUnit
from apps.plans.models import Plan
from apps.plans.services import plan_system
from apps.supplies.models import Site
from apps.supplies.services import shortfalls
from apps.warnings.selectors import warnings_record

from .charts import with_bars
from .numbers import issue_number

# Rows a long list shows in a report's body; the others are counted ("另有 N 项"). The
# warnings of a period are few and each is a line of its own in the 叫应 record.
LIST_ROWS = 10
WARNING_ROWS = 20


def _date(value):
    return value if isinstance(value, datetime.date) else datetime.date.fromisoformat(value)


def _first(queryset, total=None, rows=LIST_ROWS):
    """The first ``rows`` of a list and how many more there are: one query, or two when the
    list is longer than that and ``total`` is not known."""
    shown = list(queryset[: rows + 1])
    if len(shown) <= rows:
        return {"rows": shown, "more": 0}
    return {"rows": shown[:rows], "more": (queryset.count() if total is None else total) - rows}


def _drills(drills):
    """The period's drills by form (场次 and 参演人数), how many communities held one, and the
    most recent ones."""
    labels = dict(DrillForm.choices)
    by_form = list(
        drills.order_by()
        .values("form")
        .annotate(total=Count("pk"), people=Sum("participants"))
        .order_by("-total", "form")
    )
    for row in by_form:
        row["label"] = labels.get(row["form"], row["form"])
    with_bars(by_form, "total")
    total = sum(row["total"] for row in by_form)
    return {
        "total": total,
        "people": sum(row["people"] or 0 for row in by_form),
        "by_form": by_form,
        "communities": drills.filter(org_unit__kind=OrgKind.COMMUNITY)
        .order_by()
        .values("org_unit")
        .distinct()
        .count(),
        "recent": _first(drills.select_related("org_unit").order_by("-date", "-pk"), total),
    }


def _incidents(incidents):
    """The period's incidents by category (起数, 较大及以上, 处置中), and the most serious and
    most recent ones."""
    serious = Q(level__in=SERIOUS_LEVELS)
    still_open = Q(state=IncidentState.OPEN)
    by_category = list(
        incidents.order_by()
        .values(category=Coalesce("incident_type__parent__name", "incident_type__name"))
        .annotate(
            total=Count("pk"),
            serious=Count("pk", filter=serious),
            open=Count("pk", filter=still_open),
        )
        .order_by("-total", "category")
    )
    with_bars(by_category, "total")
    total = sum(row["total"] for row in by_category)
    listed = incidents.select_related("org_unit", "incident_type__parent").order_by(
        "level", "-occurred_at", "-pk"
    )
    return {
        "total": total,
        "serious": sum(row["serious"] for row in by_category),
        "open": sum(row["open"] for row in by_category),
        "by_category": by_category,
        "listed": _first(listed, total),
    }


class StreetReport:
    code = "street_summary"
    label = _("街道综合减灾工作报告")
    template = "reports/pdf/street_summary.html"

    def subject(self, user, params):
        street = (
            OrgUnit.objects.visible_to(user)
            .filter(kind=OrgKind.STREET, code=params.get("street"))
            .first()
        )
        if street is None:
            raise Http404
        start, end = _date(params["start"]), _date(params["end"])
        title = _("%(street)s综合减灾工作报告（%(start)s 至 %(end)s）") % {
            "street": street.name,
            "start": start,
            "end": end,
        }
        return street, str(title)

    def build(self, request):
        user, street = request.requested_by, request.org_unit
        start, end = _date(request.params["start"]), _date(request.params["end"])
        in_street = {"org_unit__path__startswith": street.path}
        hazards = Hazard.objects.visible_to(user).filter(
            found_on__gte=start, found_on__lte=end, **in_street
        )
        stats = hazard_stats(hazards)
        with_bars(stats["by_category"], "total")
        levels = dict(
            RiskPoint.objects.visible_to(user)
            .filter(is_active=True, **in_street)
            .order_by()
            .values_list("level")
            .annotate(n=Count("pk"))
        )
        plans = plan_system(street)
        overdue_plans = Plan.objects.visible_to(user).filter(**in_street).review_overdue()
        drills = Drill.objects.visible_to(user).filter(
            status=DrillStatus.COMPLETED, date__gte=start, date__lte=end, **in_street
        )
        incidents = Incident.objects.visible_to(user).filter(
            occurred_at__date__gte=start, occurred_at__date__lte=end, **in_street
        )
        facts = unit_facts(street)
        shortages = shortfalls(Site.objects.visible_to(user).filter(**in_street)).values(
            "site__name", "item__name", "item__unit", "minimum", "on_hand"
        )
        warnings = warnings_record(user, street, start, end)
        return {
            "facts": facts,
            "drills": _drills(drills),
            "incidents": _incidents(incidents),
            "shortages": _first(shortages),
            "warnings": {"rows": warnings[:WARNING_ROWS], "more": len(warnings[WARNING_ROWS:])},
            "street": street,
            "start": start,
            "end": end,
            "communities": OrgUnit.objects.subtree(street).filter(kind=OrgKind.COMMUNITY).count(),
            "plans": plans,
            "overdue_plans": _first(
                overdue_plans.select_related("org_unit").order_by("next_review_date", "pk")
            ),
            "hazards": stats,
            "risk_levels": [(label, levels.get(value, 0)) for value, label in RiskLevel.choices],
        }


class HazardNotice:
    code = "hazard_notice"
    label = _("隐患整改通知书")
    template = "reports/pdf/hazard_notice.html"

    def subject(self, user, params):
        hazard = get_object_or_404(
            Hazard.objects.visible_to(user).select_related("org_unit"), pk=params.get("hazard")
        )
        return hazard.org_unit, str(_("隐患整改通知书：%(title)s") % {"title": hazard.title})

    def build(self, request):
        hazard = get_object_or_404(
            Hazard.objects.visible_to(request.requested_by).select_related(
                "org_unit", "category", "risk_point"
            ),
            pk=request.params["hazard"],
        )
        street = hazard.org_unit.street() or hazard.org_unit
        issued_on = timezone.localdate()
        number = issue_number(
            self.code, street, hazard.pk, word=str(_("隐整")), year=issued_on.year
        )
        return {
            "hazard": hazard,
            "street": street,
            "report_unit": street.name,
            "issued_on": issued_on,
            "number": number,
        }


KINDS = [StreetReport, HazardNotice]
