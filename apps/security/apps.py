from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SecurityConfig(AppConfig):
    """Security and reliability pieces that cover every app: the audit trail registry and the
    record history shown on detail pages, the login-lockout backend, extra security headers,
    the password policy and session timeouts, and the backup/restore commands."""

    name = "apps.security"
    verbose_name = _("安全与审计")

    def ready(self):
        from . import (
            checks,  # noqa: F401 (check --deploy: controls switched off in production)
            sessions,  # noqa: F401 (starts the session clock at every log-in)
            two_factor,  # noqa: F401 (notes at log-in whether a code is owed)
        )
        from .admin_names import name_third_party_apps
        from .audit import register_domain_models

        register_domain_models()
        name_third_party_apps()  # Chinese app and model names in admin (axes, auditlog, otp)
