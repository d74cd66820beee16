"""What the response asks of a user today, for the /m/ home page (apps.mobile collects
``tasks(user)`` from every app): the open tasks of the user's unit and the residents on their
transfer rosters still to be reached, in open events."""

from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext as _

from apps.people.privacy import can_see_vulnerable

from .models import EventStatus, EventTask, TaskStatus, Transfer, TransferStatus

MAX_ROWS = 50


def tasks(user):
    if user.org_unit_id is None:
        return []
    rows = [
        {
            "kind": _("应急响应任务"),
            "title": f"{task.event.title}：{task.title}",
            "url": reverse("response:task", args=[task.pk]),
            "due": task.due_at,
            "urgent": task.is_overdue,
        }
        for task in EventTask.objects.filter(unit=user.org_unit, event__status=EventStatus.OPEN)
        .exclude(status=TaskStatus.DONE)
        .select_related("event")
        .order_by("due_at", "pk")[:MAX_ROWS]
    ]
    if can_see_vulnerable(user):
        pending = (
            Transfer.objects.visible_to(user)
            .filter(event__status=EventStatus.OPEN, status=TransferStatus.PENDING)
            .values("event", "event__title")
            .annotate(n=Count("pk"))
            .order_by("event")
        )
        rows += [
            {
                "kind": _("转移安置"),
                "title": _("%(event)s：%(n)s 名居民待联系")
                % {"event": row["event__title"], "n": row["n"]},
                "url": reverse("response:mobile", args=[row["event"]]),
                "due": None,
                "urgent": True,
            }
            for row in pending
        ]
    return rows
