"""Warning rows made directly, in any state, for the tests of the apps that name a warning
(apps.incidents, apps.response); the warnings' own tests go through the services
(``builders``)."""

import datetime

from django.utils import timezone

from apps.warnings.models import Level, Source, Status, Warning, WarningType


def make_warning(issuer, areas=None, *, status=Status.PUBLISHED, headline=None):
    """A 暴雨 warning of ``issuer`` for ``areas`` (the issuer itself by default)."""
    now = timezone.now()
    warning = Warning.objects.create(
        org_unit=issuer,
        warning_type=WarningType.objects.get(code="rainstorm"),
        level=Level.YELLOW,
        source=Source.STREET,
        headline=headline or f"{issuer.name}暴雨黄色预警（{Status(status).label}）",
        text="预计短时强降水。",
        issued_at=None if status in (Status.DRAFT, Status.APPROVED) else now,
        expires_at=now + datetime.timedelta(hours=12),
        status=status,
    )
    warning.areas.set(areas or [issuer])
    return warning
