"""The PDF kind 示范社区创建申报表 (the reports hub finds it in ``KINDS`` here).

The page's "生成申报表 PDF" button posts ``app=<pk>`` to ``reports:create`` with kind
``application``; the subject check and the build both go through ``visible_to``."""

from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import services
from .models import Application


def _application(user, pk):
    return get_object_or_404(
        Application.objects.visible_to(user).select_related("org_unit__parent", "standard"),
        pk=pk,
    )


class ApplicationReport:
    code = "application"
    label = _("示范社区创建申报表")
    template = "applications/pdf/application.html"

    def subject(self, user, params):
        application = _application(user, params.get("app"))
        return application.org_unit, str(
            _("%(title)s创建申报表：%(unit)s（%(year)s年）")
            % {
                "title": application.get_title_display(),
                "unit": application.org_unit.name,
                "year": application.year,
            }
        )

    def build(self, request):
        application = _application(request.requested_by, request.params["app"])
        facts = services.facts_for(application)
        street = application.org_unit.street() or application.org_unit
        return {
            "application": application,
            "card": services.scorecard(application, facts=facts),
            "events": application.events.select_related("actor"),
            "street": street,
            "report_unit": application.org_unit.name,
            "issued_on": timezone.localdate(),
        }


KINDS = [ApplicationReport]
