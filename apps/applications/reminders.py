"""Reminder rules of the applications app (see apps.notifications.rules).

``APPLICATIONS_REVIEW_WAIT_DAYS`` (default 14) is how long an application may wait for the
district's review (已提交 or 区级审核中) before the street staff and the district reviewers are
reminded; titles due for re-review (复审) within ``REREVIEW_SOON_DAYS`` days remind the street."""

import datetime

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.notifications.rules import Finding, object_url, register

from .models import Application, State, TargetTitle

REREVIEW_SOON_DAYS = 60
TITLES = dict(TargetTitle.choices)


def review_wait_days():
    return getattr(settings, "APPLICATIONS_REVIEW_WAIT_DAYS", 14)


def _rows(queryset):
    return queryset.values(
        "pk", "org_unit__name", "org_unit__path", "title", "year", "submitted_at", "rereview_date"
    ).iterator(chunk_size=2000)


@register("applications.review_waiting", _("示范社区申报待审核超期"), notify_reviewers=True)
def review_waiting(today):
    days = review_wait_days()
    # Submitted on or before the end of (today - days) in local time.
    cutoff = timezone.make_aware(
        datetime.datetime.combine(today - datetime.timedelta(days=days - 1), datetime.time.min)
    )
    queryset = Application.objects.filter(
        state__in=[State.SUBMITTED, State.IN_REVIEW], submitted_at__lt=cutoff
    )
    url = object_url("applications:detail")
    for row in _rows(queryset):
        submitted = timezone.localdate(row["submitted_at"])
        yield Finding(
            key=f"{row['pk']}:{submitted}",
            unit_path=row["org_unit__path"],
            title=str(
                _(
                    "%(unit)s%(year)s年“%(title)s”申报已于 %(date)s 提交，"
                    "等待区级审核超过 %(days)s 天"
                )
            )
            % {
                "unit": row["org_unit__name"],
                "year": row["year"],
                "title": TITLES[row["title"]],
                "date": submitted,
                "days": days,
            },
            url=url(row["pk"]),
            due=submitted + datetime.timedelta(days=days),
        )


@register("applications.rereview_soon", _("示范社区即将复审"))
def rereview_soon(today):
    queryset = Application.objects.filter(
        state=State.AWARDED,
        rereview_date__gte=today,
        rereview_date__lte=today + datetime.timedelta(days=REREVIEW_SOON_DAYS),
    )
    url = object_url("applications:detail")
    for row in _rows(queryset):
        yield Finding(
            key=f"{row['pk']}:{row['rereview_date']}",
            unit_path=row["org_unit__path"],
            title=str(_("%(unit)s“%(title)s”称号将于 %(due)s 复审"))
            % {
                "unit": row["org_unit__name"],
                "title": TITLES[row["title"]],
                "due": row["rereview_date"],
            },
            url=url(row["pk"]),
            due=row["rereview_date"],
        )
