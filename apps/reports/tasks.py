import logging

from celery import shared_task
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.notifications.events import notify
from apps.orgs.pdf import render_pdf
from apps.security.retry import RETRY_POLICY, should_retry

from . import notices
from .kinds import KINDS
from .models import ReportRequest

logger = logging.getLogger(__name__)


@shared_task(bind=True, acks_late=True, **RETRY_POLICY)
def generate_report(self, request_id):
    """Render one requested report. Only a queued request (or one whose worker died: generating
    for longer than REPORT_STALE_MINUTES) is claimed, so a duplicated message does nothing.
    A transient error (database, broker) puts the request back in the queue and the task is
    retried with backoff; any other failure leaves it 失败 with the reason, ready for a retry."""
    with transaction.atomic():
        request = (
            ReportRequest.objects.select_for_update()
            .filter(pk=request_id)
            .filter(Q(state=ReportRequest.State.QUEUED) | ReportRequest.stale_q())
            .first()
        )
        if request is None:
            return None
        request.state = ReportRequest.State.RUNNING
        request.started_at = timezone.now()
        request.progress = 10
        request.save(update_fields=["state", "started_at", "progress"])
    try:
        kind = KINDS[request.kind]
        context = kind.build(request)
        _progress(request, 50)
        pdf = render_pdf(kind.template, {**context, "report": request})
    except Exception as exc:
        if should_retry(self, exc):
            logger.warning("Report %s: transient error, will retry: %s", request_id, exc)
            # Back to the queue so the retry can claim it; if even this fails, the request
            # becomes stale and is re-claimed or retried after REPORT_STALE_MINUTES.
            ReportRequest.objects.filter(pk=request_id).update(
                state=ReportRequest.State.QUEUED, started_at=None
            )
            raise
        logger.exception("Report %s failed", request_id)
        request.state = ReportRequest.State.FAILED
        request.error = _("生成失败：%(reason)s") % {"reason": exc}
        request.finished_at = timezone.now()
        request.save(update_fields=["state", "error", "finished_at"])
        notify(notices.FINISHED, request)
        return request.state
    request.file.save(f"{request.kind}.pdf", ContentFile(pdf), save=False)
    request.state = ReportRequest.State.DONE
    request.progress = 100
    request.error = ""
    request.finished_at = timezone.now()
    request.save(update_fields=["file", "state", "progress", "error", "finished_at"])
    notify(notices.FINISHED, request)
    return request.state


def _progress(request, percent):
    ReportRequest.objects.filter(pk=request.pk).update(progress=percent)
