"""The PDF kind 值班表 (the reports hub finds it in ``KINDS`` here).

The roster page's "生成值班表 PDF" button posts ``roster=<pk>`` and ``month=YYYY-MM`` to
``reports:create`` with kind ``duty_roster``; the subject check and the build both go through
``visible_to``, and phones follow ``selectors.reveals_phones``."""

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import selectors
from .forms import MonthForm
from .models import Roster


def _roster(user, pk):
    return get_object_or_404(Roster.objects.visible_to(user).select_related("org_unit"), pk=pk)


def _month(params):
    form = MonthForm({"month": params.get("month", "")})
    if not form.is_valid():
        raise Http404
    return form.cleaned_data["month"]


class DutyRosterReport:
    code = "duty_roster"
    label = _("值班表")
    template = "duty/pdf/roster.html"

    def subject(self, user, params):
        roster, first = _roster(user, params.get("roster")), _month(params)
        return roster.org_unit, str(
            _("%(unit)s值班表（%(month)s）")
            % {"unit": roster.org_unit.name, "month": first.strftime("%Y年%m月")}
        )

    def build(self, request):
        roster = _roster(request.requested_by, request.params["roster"])
        first = _month(request.params)
        return {
            "roster": roster,
            "month": first,
            "shifts": selectors.month_shifts(roster, first),
            "reveal": selectors.reveals_phones(request.requested_by, roster),
            "report_unit": roster.org_unit.name,
            "issued_on": timezone.localdate(),
        }


KINDS = [DutyRosterReport]
