from celery import shared_task

from . import services


@shared_task(acks_late=True)
def run_reminder_sweep():
    """Daily (Celery beat, see CELERY_BEAT_SCHEDULE). Safe to run twice or on two workers."""
    return services.run_sweep()
