"""System checks of the security app, run by ``manage.py check --deploy`` (and so by
``make lint`` with production settings): a production setting that switches a control off is a
warning there, not a silent default."""

from django.conf import settings
from django.core.checks import Tags, register
from django.core.checks import Warning as CheckWarning


@register(Tags.security, deploy=True)
def two_factor_required_in_production(app_configs, **kwargs):
    if settings.DEBUG or settings.TWO_FACTOR_REQUIRED:
        return []
    return [
        CheckWarning(
            "TWO_FACTOR_REQUIRED is off: admins and district reviewers log in with a password "
            "alone (等保2.0 身份鉴别 asks for two factors).",
            hint="Remove TWO_FACTOR_REQUIRED=false from the environment (on by default).",
            id="security.W001",
        )
    ]
