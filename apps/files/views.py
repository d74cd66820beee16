from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.cache import cache
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import DetailView

from .models import ImportJob
from .tasks import run_import


class OwnJobMixin(LoginRequiredMixin):
    def get_queryset(self):
        return ImportJob.objects.filter(created_by=self.request.user)


class ImportJobView(OwnJobMixin, DetailView):
    """The job page: progress while running (polled with htmx), then the preview or result."""

    context_object_name = "job"

    def get_template_names(self):
        if self.request.headers.get("HX-Request"):
            return ["files/_import_status.html"]
        return ["files/import_job.html"]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        job = self.object
        if job.is_running and job.total_rows == 0:
            context["processed"] = cache.get(job.progress_cache_key, 0)
        return context


class ImportJobActionView(OwnJobMixin, View):
    """POST only: ``confirm`` a checked file (ready → import queued) or ``retry`` a failed one."""

    transitions = {
        "confirm": (ImportJob.State.READY, ImportJob.State.IMPORT_QUEUED, False),
        "retry": (ImportJob.State.FAILED, ImportJob.State.CHECK_QUEUED, True),
    }

    def post(self, request, pk, action):
        source, target, dry_run = self.transitions[action]
        with transaction.atomic():
            job = get_object_or_404(self.get_queryset().select_for_update(), pk=pk)
            if job.state != source:
                messages.error(
                    request,
                    _("该导入任务当前状态为“%(state)s”，不能执行此操作。")
                    % {"state": job.get_state_display()},
                )
                return redirect("files:import_job", pk=job.pk)
            job.state = target
            job.error = ""
            job.save(update_fields=["state", "error"])
            run_import.delay_on_commit(job.pk, dry_run=dry_run)
        return redirect("files:import_job", pk=job.pk)
