"""Reminder rules of 预警叫应 (see apps.notifications.rules). The calls themselves are sent at
publication and escalation (``services.deliver_calls``) under the rule code ``warnings.call``,
registered here so the notification list names them; the daily sweep adds, for the street
staff of each called unit, its calls still unanswered on a published warning."""

from django.db.models import Count
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.notifications.rules import Finding, object_url, register

from .models import Call, CallStatus, Status


@register("warnings.call", gettext_lazy("预警叫应"))
def unanswered_calls(today):
    url = object_url("warnings:board")
    rows = (
        Call.objects.filter(status=CallStatus.OPEN, warning__status=Status.PUBLISHED)
        .order_by()
        .values("warning_id", "warning__headline", "org_unit__path", "org_unit__name")
        .annotate(n=Count("pk"))
    )
    for row in rows.iterator(chunk_size=2000):
        yield Finding(
            key=f"open:{row['warning_id']}:{row['org_unit__path']}:{today}",
            unit_path=row["org_unit__path"],
            title=_("“%(headline)s”：截至 %(date)s %(unit)s尚有 %(n)d 人未确认叫应")
            % {
                "headline": row["warning__headline"],
                "unit": row["org_unit__name"],
                "n": row["n"],
                "date": today,
            },
            url=url(row["warning_id"]),
            due=today,
        )
