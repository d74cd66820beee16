import logging

from auditlog.context import set_actor
from celery import shared_task
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from apps.notifications.events import notify
from apps.security.retry import RETRY_POLICY, should_retry

from .models import ImportJob
from .reading import dump_dataset, load_dataset
from .spreadsheets import (
    ImportDeadline,
    ScopedResource,
    SpreadsheetError,
    check_headers,
    formula_errors,
    read_dataset,
    summarise,
)

logger = logging.getLogger(__name__)

START = {
    True: (ImportJob.State.CHECK_QUEUED, ImportJob.State.CHECKING),
    False: (ImportJob.State.IMPORT_QUEUED, ImportJob.State.IMPORTING),
}


def _claim(job_id, dry_run):
    """Move the job from queued to running, or return None if someone else already did:
    a redelivered or duplicated message does nothing."""
    queued, running = START[dry_run]
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().filter(pk=job_id, state=queued).first()
        if job is None:
            return None
        job.state = running
        job.save(update_fields=["state"])
    return job


@shared_task(bind=True, acks_late=True, **RETRY_POLICY)
def run_import(self, job_id, dry_run):
    """Check (``dry_run``) or import the job's file. The import itself is one transaction: a
    bad row anywhere rolls back every row. A transient error (database, broker) puts the job
    back in the queue and the task is retried with backoff; the audit trail records the
    uploader as the author of every imported change.

    Reading, checking and importing share one CPU-time budget (``IMPORT_MAX_SECONDS``); a file
    with formula cells is only ever checked, never imported (``formula_errors``)."""
    job = _claim(job_id, dry_run)
    if job is None:
        return None
    try:
        deadline = ImportDeadline()
        resource_class = import_string(job.resource)
        if not issubclass(resource_class, ScopedResource):
            raise SpreadsheetError(_("不支持的导入类型。"))
        resource = resource_class(user=job.created_by)
        dataset = _dataset(job, resource, deadline, dry_run)
        check_headers(resource, dataset)
        formulas = formula_errors(resource, dataset)
        resource.on_progress = lambda n: cache.set(job.progress_cache_key, n, 3600)
        resource.deadline = deadline
        with set_actor(job.created_by):
            result = resource.import_data(
                dataset,
                dry_run=dry_run or bool(formulas),
                raise_errors=False,
                use_transactions=True,
                rollback_on_validation_errors=True,
            )
        report = summarise(result, dataset, resource, extra_errors=formulas)
    except SpreadsheetError as exc:
        _finish(job, ImportJob.State.INVALID, error=str(exc))
        return job.state
    except Exception as exc:  # the user gets a retry button; the traceback goes to the log
        if should_retry(self, exc):
            logger.warning("Import job %s: transient error, will retry: %s", job_id, exc)
            ImportJob.objects.filter(pk=job_id).update(state=START[dry_run][0])
            raise
        logger.exception("Import job %s failed", job_id)
        _finish(job, ImportJob.State.FAILED, error=_("导入时发生系统错误，已记录。请重试。"))
        return job.state
    if report["errors"]:
        state = ImportJob.State.INVALID
    else:
        state = ImportJob.State.READY if dry_run else ImportJob.State.DONE
    job.total_rows = report["rows"]
    job.report = report
    _finish(job, state)
    return job.state


def _dataset(job, resource, deadline, dry_run):
    """The file's rows, parsed once per job: the check reads the file (the resource's column
    names say where the table is, ``apps.files.reading``) and keeps what it read; the import
    confirmed after it loads that."""
    if not dry_run and job.parsed:
        with job.parsed.open("rb") as fh:
            return load_dataset(fh.read())
    with job.file.open("rb") as fh:
        dataset = read_dataset(fh.read(), job.original_name, deadline=deadline, resource=resource)
    if dry_run:
        if job.parsed:
            job.parsed.delete(save=False)
        job.parsed.save("rows.json", ContentFile(dump_dataset(dataset)), save=False)
        ImportJob.objects.filter(pk=job.pk).update(parsed=job.parsed.name)
    return dataset


def _finish(job, state, error=""):
    job.state = state
    job.error = error
    job.finished_at = timezone.now()
    job.save(update_fields=["state", "error", "finished_at", "total_rows", "report"])
    cache.delete(job.progress_cache_key)
    # the bell tells whoever started it: checked (to confirm or fix), imported, or failed
    notify(
        "notifications.finished",
        job.created_by,
        key=f"import:{job.pk}:{state}",
        title=_("导入“%(title)s”：%(state)s")
        % {"title": job.title, "state": job.get_state_display()},
        url=reverse("files:import_job", args=[job.pk]),
    )
