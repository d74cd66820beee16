from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SecurityConfig(AppConfig):
    """Security and reliability pieces that cover every app: the audit trail registry and the
    record history shown on detail pages, the login-lockout backend, extra security headers,
    and the backup/restore commands."""

    name = "apps.security"
    verbose_name = _("安全与审计")

    def ready(self):
        from .audit import register_domain_models

        register_domain_models()
