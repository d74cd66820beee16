"""Reports sent from the phone pages, by their idempotency key.

A report made offline waits in the browser (IndexedDB) and is sent, perhaps several times,
when the connection returns; each carries a key the browser generated once. The key is
stored with the hazard it created, under a unique constraint, in the transaction that creates
the hazard: a retry, or two retries at once, find that hazard instead of making another.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.hazards.models import Hazard
from apps.orgs.models import User


class Submission(models.Model):
    key = models.UUIDField(_("上报编号"))
    hazard = models.OneToOneField(
        Hazard, verbose_name=_("隐患"), on_delete=models.CASCADE, related_name="+"
    )
    user = models.ForeignKey(User, verbose_name=_("上报人"), on_delete=models.PROTECT)
    created_at = models.DateTimeField(_("收到时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("移动端上报")
        verbose_name_plural = _("移动端上报")
        constraints = [
            models.UniqueConstraint(
                fields=["key"],
                name="mobile_submission_key_unique",
                violation_error_message=_("该上报已收到。"),
            )
        ]

    def __str__(self):
        return str(self.key)
