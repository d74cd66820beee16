"""The API's Celery task: one webhook delivery per message, by id (``webhooks.attempt``).

A failed attempt is retried by Celery with exponential backoff (``webhooks.backoff``: the
countdown stays under Redis' visibility timeout, so no retry waits as a far-future ETA
message), up to ``API_WEBHOOK_MAX_ATTEMPTS`` attempts. Transient errors (database, broker) are
retried as in every task (``RETRY_POLICY``). Run in-process (no broker, the embedded default) a
delivery gets one attempt and a failure is final, said so in its log: nothing would come back
to retry it."""

from celery import shared_task
from django.conf import settings
from django.utils.translation import gettext as _

from apps.security.retry import RETRY_POLICY

from . import webhooks


@shared_task(bind=True, acks_late=True, **RETRY_POLICY)
def deliver_webhook(self, delivery_id):
    outcome = webhooks.attempt(delivery_id)
    if outcome != webhooks.RETRY:
        return outcome
    if self.request.is_eager:
        webhooks.give_up(
            delivery_id, _("推送失败；未配置消息队列，不自动重试（可在管理后台重新推送）。")
        )
        return webhooks.DONE
    attempts = self.request.retries + 1
    raise self.retry(
        countdown=webhooks.backoff(attempts), max_retries=settings.API_WEBHOOK_MAX_ATTEMPTS
    )
