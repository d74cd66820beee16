from celery import shared_task

from apps.security.retry import RETRY_POLICY

from .models import OrgUnit


@shared_task(acks_late=True, **RETRY_POLICY)
def subtree_size(code):
    """Number of org units in the subtree of ``code`` (itself included); 0 if it does not exist.

    A small real task: the worker test runs it through the broker, and /healthz-style checks can
    use it to see that workers reach the database."""
    unit = OrgUnit.objects.filter(code=code).first()
    return OrgUnit.objects.subtree(unit).count() if unit else 0
