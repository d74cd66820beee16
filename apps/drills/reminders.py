"""Reminder rules of the drills app (see apps.notifications.rules)."""

import datetime

from django.utils.translation import gettext_lazy as _

from apps.notifications.rules import Summary, dated_findings, register

from .models import Drill, DrillStatus, FollowUpAction

UPCOMING_DAYS = 7


@register(
    "drills.upcoming",
    _("演练即将举行"),
    summary=Summary(
        _("%(unit)s有 %(n)d 场演练将在一周内举行，最早的在 %(due)s"),
        "drills:list",
        "?status=planned",
    ),
)
def upcoming(today):
    drills = Drill.objects.filter(
        status=DrillStatus.PLANNED,
        date__gte=today,
        date__lte=today + datetime.timedelta(days=UPCOMING_DAYS),
    )
    return dated_findings(
        drills,
        date_field="date",
        name_field="title",
        title=_("演练“%(name)s”将于 %(due)s 举行"),
        url_name="drills:detail",
    )


@register(
    "drills.action_overdue",
    _("演练整改事项逾期"),
    summary=Summary(
        _("%(unit)s有 %(n)d 项演练发现的问题整改已逾期，最早的期限为 %(due)s"),
        "drills:actions",
        "?show=overdue",
    ),
)
def action_overdue(today):
    return dated_findings(
        FollowUpAction.objects.overdue(today),
        date_field="due_date",
        name_field="problem",
        title=_("演练发现的问题“%(name)s”整改已逾期（%(due)s）"),
        url_name="drills:detail",
        path="drill__org_unit__path",
        url_pk="drill_id",
    )
