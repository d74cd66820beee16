"""The Celery application.

Broker and result backend come from settings (``CELERY_*``): Redis when ``REDIS_URL`` or
``CELERY_BROKER_URL`` is set; otherwise ``task_always_eager`` makes tasks run in-process.
Tasks are the ``DjangoTask`` class, so ``task.delay_on_commit()`` enqueues only after the
surrounding transaction commits.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "resilience.settings")

app = Celery("resilience", task_cls="celery.contrib.django.task:DjangoTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
