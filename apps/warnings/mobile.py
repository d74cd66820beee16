"""What 预警叫应 puts on the front line's phone home page (/m/): the user's unanswered calls.
Collected with every app's ``mobile.tasks(user)`` by apps.mobile."""

import datetime

from django.urls import reverse
from django.utils.translation import gettext as _

from .models import ESCALATION_MINUTES, Call, CallStatus


def tasks(user):
    calls = (
        Call.objects.filter(user=user, status=CallStatus.OPEN)
        .select_related("warning")
        .order_by("called_at", "pk")
    )
    url = reverse("warnings:my_calls")
    return [
        {
            "kind": _("预警叫应"),
            "title": _("请确认收到：%(headline)s") % {"headline": call.warning.headline},
            "url": url,
            # after this the call escalates to the B person and the duty officer
            "due": call.called_at
            + datetime.timedelta(minutes=ESCALATION_MINUTES[call.warning.level]),
            "urgent": True,
        }
        for call in calls
    ]
