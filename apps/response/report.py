"""The PDF kind 事后评估报告 (the reports hub finds it in ``KINDS`` here).

A closed event's page posts ``event=<pk>`` to ``reports:create`` with kind
``response_review``; the subject check and the build both go through ``visible_to``, and the
figures come from ``selectors.review`` (the timeline and the records of the event)."""

from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Event, EventStatus
from .selectors import review


def _event(user, pk):
    return get_object_or_404(
        Event.objects.visible_to(user)
        .filter(status=EventStatus.CLOSED)
        .select_related("org_unit", "plan", "drill", "warning", "incident"),
        pk=pk,
    )


class ResponseReview:
    code = "response_review"
    label = _("应急响应事后评估报告")
    template = "response/pdf/review.html"

    def subject(self, user, params):
        event = _event(user, params.get("event"))
        return event.org_unit, str(_("事后评估报告：%(title)s") % {"title": event.title})

    def build(self, request):
        event = _event(request.requested_by, request.params["event"])
        street = event.org_unit.street() or event.org_unit
        return {
            **review(event),
            "street": street,
            "report_unit": street.name,
            "printed_at": timezone.localtime(),
        }


KINDS = [ResponseReview]
