"""Reminder rules of the response app (see apps.notifications.rules)."""

from django.utils.translation import gettext_lazy as _

from apps.notifications.rules import dated_findings, register

from .models import FollowUp


@register("response.follow_up_overdue", _("事后评估整改事项逾期"))
def follow_up_overdue(today):
    return dated_findings(
        FollowUp.objects.filter(done=False, due_date__lt=today),
        date_field="due_date",
        name_field="problem",
        title=_("应急响应事后评估发现的问题“%(name)s”整改已逾期（%(due)s）"),
        url_name="response:detail",
        path="event__org_unit__path",
        url_pk="event_id",
    )
