from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DutyConfig(AppConfig):
    name = "apps.duty"
    label = "duty"
    verbose_name = _("值班值守")

    def ready(self):
        from apps.warnings.signals import warning_published

        from .services import reinforce_for_warning

        warning_published.connect(
            lambda sender, warning, **kwargs: reinforce_for_warning(warning),
            dispatch_uid="duty-reinforce-for-warning",
            weak=False,
        )
