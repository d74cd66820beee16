from celery import shared_task

from apps.security.retry import RETRY_POLICY

from . import services


@shared_task(acks_late=True, **RETRY_POLICY)
def deliver_calls(warning_id):
    """Send the calls of a warning not sent yet (after publication or an escalation). Claims
    its rows with SKIP LOCKED: a retry or a second worker sends nothing twice."""
    return services.deliver_calls(warning_id)


@shared_task(acks_late=True, **RETRY_POLICY)
def escalate_calls():
    """Every minute (Celery beat, see CELERY_BEAT_SCHEDULE): over the database state, never an
    ETA task; two workers at once call nobody twice."""
    return services.escalate_calls()
