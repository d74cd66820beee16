"""The PDF kind 突发事件信息报告单 (the reports hub finds it in ``KINDS`` here).

The incident page's "生成信息报告单" button posts ``incident=<pk>`` to ``reports:create`` with
kind ``incident_sheet``; the subject check and the build both go through ``visible_to``."""

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Incident, IncidentReport


def _incident(user, pk):
    reports = IncidentReport.objects.select_related("submitted_by", "acknowledged_by")
    return get_object_or_404(
        Incident.objects.visible_to(user)
        .select_related("org_unit", "incident_type__parent")
        .prefetch_related(Prefetch("reports", queryset=reports)),
        pk=pk,
    )


class IncidentSheet:
    code = "incident_sheet"
    label = _("突发事件信息报告单")
    template = "incidents/pdf/incident_sheet.html"

    def subject(self, user, params):
        incident = _incident(user, params.get("incident"))
        return incident.org_unit, str(
            _("突发事件信息报告单：%(title)s") % {"title": incident.title}
        )

    def build(self, request):
        incident = _incident(request.requested_by, request.params["incident"])
        street = incident.org_unit.street() or incident.org_unit
        return {
            "incident": incident,
            "street": street,
            "report_unit": street.name,
            "printed_at": timezone.localtime(),
        }


KINDS = [IncidentSheet]
