from celery import shared_task

from . import cache


@shared_task(acks_late=True)
def warm_dashboards():
    """The figures of every street and district, computed ahead of their readers (beat)."""
    return cache.warm()
