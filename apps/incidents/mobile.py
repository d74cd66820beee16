"""What the /m/ home page (我的任务) lists for 信息报送: today's 零报告 not yet filed (for the
communities the user reports for) and the 续报 the district asked for (for those who file
them). ``tasks(user, now=None)`` returns dicts {kind, title, url, due, urgent}."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from . import selectors, services
from .models import FollowUpRequest, IncidentState, ZeroReport


def tasks(user, now=None):
    now = now or timezone.now()
    day, due = selectors.zero_report_day(now)
    found = []
    communities = services.zero_report_communities(user)
    owing = selectors.communities_due(day).filter(pk__in=communities.values("pk"))
    filed = ZeroReport.objects.filter(date=day).values("org_unit")
    for community in owing.exclude(pk__in=filed).order_by("path")[:20]:
        found.append(
            {
                "kind": _("零报告"),
                "title": _("%(name)s今日零报告") % {"name": community.name},
                "url": reverse("incidents:zero_create"),
                "due": due,
                "urgent": now >= due,
            }
        )
    requests = (
        FollowUpRequest.objects.editable_by(user)
        .filter(answered_by__isnull=True, incident__state=IncidentState.OPEN)
        .select_related("incident")
        .order_by("due")
    )
    for request in requests:
        found.append(
            {
                "kind": _("续报"),
                "title": _("区里要求续报：%(title)s") % {"title": request.incident.title},
                "url": reverse("incidents:add_report", args=[request.incident_id]),
                "due": request.due,
                "urgent": now >= request.due,
            }
        )
    return found
