from celery import shared_task

from apps.security.retry import RETRY_POLICY

from . import cache


@shared_task(acks_late=True, **RETRY_POLICY)
def warm_dashboards():
    """The figures of every street and district, computed ahead of their readers (beat)."""
    return cache.warm()
