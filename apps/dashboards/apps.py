from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardsConfig(AppConfig):
    name = "apps.dashboards"
    label = "dashboards"
    verbose_name = _("工作台与指标")

    def ready(self):
        from apps.orgs import facts

        from . import indicators
        from .cache import connect_signals

        connect_signals()
        # the domain apps that show a unit's figures read them through apps/orgs/facts.py
        facts.provide(indicators)
