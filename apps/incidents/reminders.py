"""Escalation rules of 信息报送 (see apps.notifications.rules). Their deadlines are minutes,
not days: each rule takes the sweep's ``today`` and reads the clock itself, or ``now`` when a
test passes one; the sweep for them runs every few minutes (``apps.incidents.tasks``).

A missed phone report or 续报 goes to the street and to the district reviewers; a community
that has not filed today's 零报告 by the deadline (16:00 by default) goes to its street."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.notifications.rules import Finding, object_url, register

from . import selectors


@register("incidents.phone_overdue", _("突发事件电话报告超时"), notify_reviewers=True)
def phone_overdue(today, now=None):
    url = object_url("incidents:detail")
    rows = selectors.phone_overdue(now).values("pk", "title", "phone_due", "org_unit__path")
    for row in rows:
        due = timezone.localtime(row["phone_due"])
        yield Finding(
            key=f"{row['pk']}:{due:%Y%m%d%H%M}",
            unit_path=row["org_unit__path"],
            title=str(_("突发事件“%(name)s”未在 %(due)s 前电话报告"))
            % {"name": row["title"], "due": f"{due:%m-%d %H:%M}"},
            url=url(row["pk"]),
            due=due.date(),
        )


@register("incidents.follow_up_overdue", _("突发事件续报超时"), notify_reviewers=True)
def follow_up_overdue(today, now=None):
    url = object_url("incidents:detail")
    rows = selectors.follow_up_overdue(now).values(
        "pk", "due", "incident_id", "incident__title", "incident__org_unit__path"
    )
    for row in rows:
        due = timezone.localtime(row["due"])
        yield Finding(
            key=f"{row['pk']}",
            unit_path=row["incident__org_unit__path"],
            title=str(_("突发事件“%(name)s”未在 %(due)s 前续报"))
            % {"name": row["incident__title"], "due": f"{due:%m-%d %H:%M}"},
            url=url(row["incident_id"]),
            due=due.date(),
        )


@register("incidents.zero_report_missing", _("零报告未报送"))
def zero_report_missing(today, now=None):
    now = now or timezone.now()
    day, due = selectors.zero_report_day(now)
    if now < due:
        return
    url = reverse("incidents:zero")
    for name, path in selectors.missing_zero_reports(day).values_list("name", "path"):
        yield Finding(
            key=f"{path}:{day}",
            unit_path=path,
            title=str(_("%(name)s未报送 %(day)s 的零报告")) % {"name": name, "day": day},
            url=url,
            due=day,
        )
