from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .uploads import RandomUploadTo


class ImportJob(models.Model):
    """One spreadsheet import: checked (dry run) in the background, shown as a preview with every
    bad row, then imported all-or-nothing after the user confirms. Belongs to the user who
    uploaded it; nobody else sees it."""

    class State(models.TextChoices):
        CHECK_QUEUED = "check_queued", _("排队检查")
        CHECKING = "checking", _("检查中")
        READY = "ready", _("待确认导入")
        INVALID = "invalid", _("有错误")
        IMPORT_QUEUED = "import_queued", _("排队导入")
        IMPORTING = "importing", _("导入中")
        DONE = "done", _("已导入")
        FAILED = "failed", _("失败")

    RUNNING_STATES = {State.CHECK_QUEUED, State.CHECKING, State.IMPORT_QUEUED, State.IMPORTING}

    resource = models.CharField(_("导入类型"), max_length=200)
    title = models.CharField(_("标题"), max_length=100)
    file = models.FileField(_("文件"), upload_to=RandomUploadTo("imports"))
    original_name = models.CharField(_("原文件名"), max_length=255)
    # SHA-256 of the uploaded bytes: the same file cannot be started twice while one runs.
    digest = models.CharField(max_length=64, blank=True, editable=False)
    # The rows as the check read them (JSON, ``apps.files.reading.dump_dataset``): the import
    # confirmed after the check does not parse the file again.
    parsed = models.FileField(upload_to=RandomUploadTo("imports"), blank=True, editable=False)
    state = models.CharField(
        _("状态"), max_length=16, choices=State.choices, default=State.CHECK_QUEUED
    )
    total_rows = models.PositiveIntegerField(_("总行数"), default=0)
    report = models.JSONField(_("检查结果"), default=dict, blank=True)
    error = models.TextField(_("错误信息"), blank=True)
    success_url = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("上传人"), on_delete=models.CASCADE
    )
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("导入任务")
        verbose_name_plural = _("导入任务")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.title} · {self.original_name}"

    @property
    def is_running(self):
        return self.state in self.RUNNING_STATES

    @property
    def progress_cache_key(self):
        return f"import-job-progress:{self.pk}"
