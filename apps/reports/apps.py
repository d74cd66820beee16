from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "apps.reports"
    label = "reports"
    verbose_name = _("报表")

    def ready(self):
        # Each app lists its PDF kinds in apps/<app>/report.py (``KINDS``).
        from .kinds import discover

        discover()
