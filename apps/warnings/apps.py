from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WarningsConfig(AppConfig):
    name = "apps.warnings"
    label = "warnings"
    verbose_name = _("预警叫应")
