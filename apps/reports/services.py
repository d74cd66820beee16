from django.db import transaction
from django.db.models import Q

from .kinds import KINDS
from .models import ReportRequest
from .tasks import generate_report


def request_report(user, kind_code, params):
    """Record a report request and queue its generation after commit. Raises Http404 when the
    subject is outside the user's scope (via the kind's ``subject``)."""
    kind = KINDS[kind_code]
    unit, title = kind.subject(user, params)
    with transaction.atomic():
        request = ReportRequest.objects.create(
            kind=kind_code, params=params, title=title, org_unit=unit, requested_by=user
        )
        generate_report.delay_on_commit(request.pk)
    return request


def retry_report(request):
    with transaction.atomic():
        # A failed request, or one stuck (its worker killed mid-report, its message lost).
        updated = (
            ReportRequest.objects.filter(pk=request.pk)
            .filter(Q(state=ReportRequest.State.FAILED) | ReportRequest.stale_q())
            .update(state=ReportRequest.State.QUEUED, error="", progress=0, started_at=None)
        )
        if updated:
            generate_report.delay_on_commit(request.pk)
    return bool(updated)
