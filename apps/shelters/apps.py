from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SheltersConfig(AppConfig):
    name = "apps.shelters"
    label = "shelters"
    verbose_name = _("应急避难场所")
