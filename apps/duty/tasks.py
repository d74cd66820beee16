from celery import shared_task

from apps.notifications.services import run_sweep
from apps.security.retry import RETRY_POLICY


@shared_task(acks_late=True, **RETRY_POLICY)
def remind_unsigned_shifts():
    """Every 15 minutes (Celery beat, see CELERY_BEAT_SCHEDULE): the 带班领导 hears of a shift
    nobody signed into within the half hour. Idempotent like every sweep."""
    return run_sweep(rules=["duty.unsigned_shift"], send_email=False)
