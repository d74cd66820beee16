from celery import shared_task

from apps.notifications.services import run_sweep
from apps.security.retry import RETRY_POLICY

ESCALATION_RULES = [
    "incidents.phone_overdue",
    "incidents.follow_up_overdue",
    "incidents.zero_report_missing",
]


@shared_task(acks_late=True, **RETRY_POLICY)
def escalate_incidents():
    """Every few minutes (Celery beat, see CELERY_BEAT_SCHEDULE): the escalation rules of
    信息报送, whose deadlines are minutes. Idempotent like the daily sweep."""
    return run_sweep(rules=ESCALATION_RULES, send_email=False)
