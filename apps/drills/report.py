"""The PDF kind 演练总结报告 (the reports hub finds it in ``KINDS`` here).

A completed drill's page posts ``drill=<pk>`` to ``reports:create`` with kind
``drill_summary``; the subject check and the build both go through ``visible_to``."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _

from .models import Drill


class DrillSummary:
    code = "drill_summary"
    label = _("演练总结报告")
    template = "reports/pdf/drill_summary.html"

    def subject(self, user, params):
        drill = get_object_or_404(
            Drill.objects.visible_to(user).select_related("org_unit"), pk=params.get("drill")
        )
        return drill.org_unit, str(_("演练总结报告：%(title)s") % {"title": drill.title})

    def build(self, request):
        drill = get_object_or_404(
            Drill.objects.visible_to(request.requested_by)
            .select_related("org_unit")
            .prefetch_related("plans", "actions"),
            pk=request.params["drill"],
        )
        street = drill.org_unit.street() or drill.org_unit
        return {"drill": drill, "street": street, "report_unit": street.name}


KINDS = [DrillSummary]
