"""Reminder rules of the hazards app (see apps.notifications.rules)."""

import datetime

from django.utils.translation import gettext_lazy as _

from apps.notifications.rules import Summary, dated_findings, register

from .models import Hazard, RiskPoint

DEADLINE_SOON_DAYS = 3


@register(
    "hazards.inspection_due",
    _("风险点巡查到期"),
    summary=Summary(
        _("%(unit)s有 %(n)d 个风险点已到巡查日期，最早的应于 %(due)s 巡查"),
        "hazards:points",
        "?due=on",
    ),
)
def inspection_due(today):
    return dated_findings(
        RiskPoint.objects.filter(is_active=True, next_inspection_date__lte=today),
        date_field="next_inspection_date",
        name_field="name",
        title=_("风险点“%(name)s”应于 %(due)s 巡查"),
        url_name="hazards:point_detail",
    )


@register(
    "hazards.deadline_soon",
    _("隐患整改即将到期"),
    summary=Summary(
        _("%(unit)s有 %(n)d 项隐患即将到整改期限，最早的为 %(due)s"),
        "hazards:list",
        "?open=on",
    ),
)
def deadline_soon(today):
    queryset = Hazard.objects.open().filter(
        deadline__gte=today, deadline__lte=today + datetime.timedelta(days=DEADLINE_SOON_DAYS)
    )
    return dated_findings(
        queryset,
        date_field="deadline",
        name_field="title",
        title=_("隐患“%(name)s”整改期限为 %(due)s"),
        url_name="hazards:detail",
    )


@register(
    "hazards.deadline_passed",
    _("隐患整改逾期"),
    notify_reviewers=True,
    summary=Summary(
        _("%(unit)s有 %(n)d 项隐患已超过整改期限未销号，最早的期限为 %(due)s"),
        "hazards:list",
        "?overdue=on",
    ),
)
def deadline_passed(today):
    return dated_findings(
        Hazard.objects.overdue(today),
        date_field="deadline",
        name_field="title",
        title=_("隐患“%(name)s”已超过整改期限（%(due)s）"),
        url_name="hazards:detail",
    )
