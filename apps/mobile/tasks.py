"""我的任务: what each app asks of a user on the phone.

An app contributes by defining ``tasks(user)`` in ``apps/<app>/mobile.py`` (discovered like
``demo.py`` by ``manage.py seed_demo``); it returns a list of dicts ``{"kind", "title", "url",
"due", "urgent"}`` (``due`` a date, a datetime or None), in a query or two whatever the
number of rows.
"""

import datetime
from functools import cache
from importlib import import_module

from django.apps import apps
from django.utils import timezone


@cache
def task_modules():
    modules = []
    for config in apps.get_app_configs():
        if not config.name.startswith("apps."):
            continue
        try:
            modules.append(import_module(f"{config.name}.mobile"))
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.mobile":
                raise
    return modules


def _due(task):
    due = task["due"]
    if due is None:
        return datetime.datetime.max.replace(tzinfo=datetime.UTC)
    if isinstance(due, datetime.datetime):
        return due
    return timezone.make_aware(datetime.datetime.combine(due, datetime.time.max))


def collect_tasks(user):
    """Every app's tasks for ``user``: urgent first, then by due time (a date: the end of that
    day; undated last)."""
    tasks = [task for module in task_modules() for task in module.tasks(user)]
    return sorted(tasks, key=lambda t: (not t["urgent"], _due(t)))
