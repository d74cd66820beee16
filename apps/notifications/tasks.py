from celery import shared_task

from apps.security.retry import RETRY_POLICY

from . import services


@shared_task(acks_late=True, **RETRY_POLICY)
def run_reminder_sweep():
    """Daily (Celery beat, see CELERY_BEAT_SCHEDULE). Safe to run twice or on two workers, so
    a transient error (database, broker, mail server connection) simply retries the sweep."""
    return services.run_sweep()
