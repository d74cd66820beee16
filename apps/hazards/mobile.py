"""The hazards a user has to act on, for 我的任务 on the phone (see apps/mobile/tasks.py):
the front line follows the hazards of its scope that are being rectified (交办, 整改中);
street staff assign new reports and verify finished rectifications."""

from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from apps.orgs.models import user_can_edit

from .models import Hazard, HazardState, Severity

LIMIT = 50


def _states(user):
    if user.is_frontline:
        return [HazardState.ASSIGNED, HazardState.IN_PROGRESS]
    if user_can_edit(user):
        return [HazardState.REPORTED, HazardState.AWAITING_CHECK]
    return []


def tasks(user):
    states = _states(user)
    if not states:
        return []
    today = timezone.localdate()
    hazards = (
        Hazard.objects.visible_to(user)
        .filter(state__in=states)
        .order_by(F("deadline").asc(nulls_last=True), "-found_on", "pk")
        .values("pk", "title", "state", "severity", "deadline")[:LIMIT]
    )
    return [
        {
            "kind": "hazard",
            "title": f"{HazardState(h['state']).label}：{h['title']}",
            "url": reverse("mobile:hazard", args=[h["pk"]]),
            "due": h["deadline"],
            "urgent": h["severity"] == Severity.MAJOR
            or bool(h["deadline"] and h["deadline"] < today),
        }
        for h in hazards
    ]
