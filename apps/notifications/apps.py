from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "apps.notifications"
    label = "notifications"
    verbose_name = _("提醒与通知")

    def ready(self):
        # Each domain app declares its reminder rules in apps/<app>/reminders.py and the
        # notices it sends when something happens in apps/<app>/notices.py.
        from . import events  # noqa: F401 (the generic notifications.finished event)

        autodiscover_modules("reminders", "notices")
