"""Data of the security app: the password history behind the "not one of the last N passwords"
rule (GB/T 22239-2019 8.1.4.1). Only hashes are kept, exactly as ``User.password`` stores them,
and only the newest ``PASSWORD_HISTORY_COUNT`` per user; rows are written by
``apps.security.passwords`` whenever a password is set and saved."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PasswordHistory(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        on_delete=models.CASCADE,
        related_name="password_history",
    )
    # A hash in Django's "algorithm$iterations$salt$hash" form, never the password itself.
    password = models.CharField(_("密码摘要"), max_length=128)
    created_at = models.DateTimeField(_("设置时间"), default=timezone.now)

    class Meta:
        verbose_name = _("历史密码")
        verbose_name_plural = _("历史密码")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "-created_at"], name="password_history_user")]

    def __str__(self):
        return f"{self.user_id} @ {self.created_at:%Y-%m-%d %H:%M}"
