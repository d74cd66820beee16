"""Incident rows made directly (no 初报), for the tests that only need one to exist."""

from django.utils import timezone

from apps.incidents.models import Incident, IncidentType


def make_incident(unit, title=None, **kwargs):
    now = timezone.now()
    return Incident.objects.create(
        org_unit=unit,
        title=title or f"{unit.name}积水",
        incident_type=IncidentType.objects.get(code="waterlogging"),
        occurred_at=now,
        address="x",
        source="x",
        phone_due=now,
        written_due=now,
        **kwargs,
    )
