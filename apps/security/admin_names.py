"""Chinese names in admin for the third-party apps the portal installs (django-axes,
django-auditlog, django-otp), which ship no Chinese catalogue: their app and model names are
set here, at start-up, on the AppConfig and the models' ``_meta``, never in the packages.

Only the display names change: ``_meta.original_attrs`` (what migrations read) is untouched,
so ``makemigrations`` sees no difference. The strings are ours, so ``locale/en`` names them in
English."""

from django.apps import apps
from django.utils.translation import gettext_lazy as _

APP_NAMES = {
    "axes": _("登录锁定"),
    "auditlog": _("审计日志"),
    "otp_totp": _("双重认证：验证器应用"),
    "otp_static": _("双重认证：恢复码"),
}

# (app label, model name) → (verbose name, plural)
MODEL_NAMES = {
    ("axes", "accessattempt"): (_("登录失败计数"), _("登录失败计数")),
    ("axes", "accesslog"): (_("登录记录"), _("登录记录")),
    ("axes", "accessfailurelog"): (_("登录失败记录"), _("登录失败记录")),
    ("auditlog", "logentry"): (_("日志记录"), _("日志记录")),
    ("otp_totp", "totpdevice"): (_("验证器设备"), _("验证器设备")),
    ("otp_static", "staticdevice"): (_("恢复码设备"), _("恢复码设备")),
    ("otp_static", "statictoken"): (_("恢复码"), _("恢复码")),
}


def name_third_party_apps():
    for label, name in APP_NAMES.items():
        try:
            apps.get_app_config(label).verbose_name = name
        except LookupError:  # not installed in this configuration
            continue
    for (label, model_name), (name, plural) in MODEL_NAMES.items():
        try:
            meta = apps.get_model(label, model_name)._meta
        except LookupError:
            continue
        meta.verbose_name, meta.verbose_name_plural = name, plural
