import logging

from celery import shared_task
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .kinds import KINDS
from .models import ReportRequest
from .pdf import render_pdf

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def generate_report(request_id):
    """Render one requested report. Only a queued request is claimed, so a duplicated message
    does nothing; any failure leaves the request 失败 with the reason, ready for a retry."""
    with transaction.atomic():
        request = (
            ReportRequest.objects.select_for_update()
            .filter(pk=request_id, state=ReportRequest.State.QUEUED)
            .first()
        )
        if request is None:
            return None
        request.state = ReportRequest.State.RUNNING
        request.started_at = timezone.now()
        request.save(update_fields=["state", "started_at"])
    try:
        kind = KINDS[request.kind]
        context = kind.build(request)
        _progress(request, 50)
        pdf = render_pdf(kind.template, {**context, "report": request})
    except Exception as exc:
        logger.exception("Report %s failed", request_id)
        request.state = ReportRequest.State.FAILED
        request.error = _("生成失败：%(reason)s") % {"reason": exc}
        request.finished_at = timezone.now()
        request.save(update_fields=["state", "error", "finished_at"])
        return request.state
    request.file.save(f"{request.kind}.pdf", ContentFile(pdf), save=False)
    request.state = ReportRequest.State.DONE
    request.progress = 100
    request.error = ""
    request.finished_at = timezone.now()
    request.save(update_fields=["file", "state", "progress", "error", "finished_at"])
    return request.state


def _progress(request, percent):
    ReportRequest.objects.filter(pk=request.pk).update(progress=percent)
