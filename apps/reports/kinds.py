"""The kinds of report, contributed by the apps. Each app that has PDF kinds lists them in
``KINDS`` in ``apps/<app>/report.py`` (the hub's own in apps/reports/report.py); ``discover``
registers them once the apps are loaded (``ReportsConfig.ready``), in the order of
INSTALLED_APPS. So this module imports no domain app, and a domain app never imports the hub.

A kind knows how to check a request (``subject(user, params)``: the unit the report is about
and its title, refused with Http404 when the user may not see it) and how to build the template
context in the task (``build(request)``), always through ``visible_to(requester)``; ``code``,
``label`` and ``template`` name it."""

from importlib import import_module

from django.apps import apps
from django.utils.module_loading import module_has_submodule

KINDS = {}


def register(cls):
    KINDS[cls.code] = cls()
    return cls


def discover():
    for config in apps.get_app_configs():
        if config.name.startswith("apps.") and module_has_submodule(config.module, "report"):
            for cls in import_module(f"{config.name}.report").KINDS:
                register(cls)
