"""Reminder rules of the plans app (see apps.notifications.rules)."""

import datetime

from django.utils.translation import gettext_lazy as _

from apps.notifications.rules import dated_findings, register

from .models import Plan

SOON_DAYS = 30


@register("plans.review_soon", _("预案即将到评估修订期"))
def review_soon(today):
    queryset = Plan.objects.filter(
        status__in=[Plan.Status.IN_FORCE, Plan.Status.REVISING],
        next_review_date__gte=today,
        next_review_date__lte=today + datetime.timedelta(days=SOON_DAYS),
    )
    return dated_findings(
        queryset,
        date_field="next_review_date",
        name_field="title",
        title=_("预案“%(name)s”将于 %(due)s 到评估修订期"),
        url_name="plans:detail",
    )


@register("plans.review_overdue", _("预案评估修订逾期"))
def review_overdue(today):
    return dated_findings(
        Plan.objects.review_overdue(today),
        date_field="next_review_date",
        name_field="title",
        title=_("预案“%(name)s”已超过评估修订期（%(due)s）"),
        url_name="plans:detail",
    )
