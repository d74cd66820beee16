"""Two-factor log-in pages, under ``accounts/2fa/`` (see ``apps/security/two_factor.py``)."""

from django.urls import path

from . import two_factor

app_name = "two_factor"

urlpatterns = [
    path("", two_factor.ManageView.as_view(), name="manage"),
    path("setup/", two_factor.SetupView.as_view(), name="setup"),
    path("setup/qr.svg", two_factor.QrCodeView.as_view(), name="qr"),
    path("verify/", two_factor.VerifyView.as_view(), name="verify"),
    path("sms/", two_factor.SmsCodeView.as_view(), name="sms"),
    path(
        "recovery-codes/",
        two_factor.RegenerateRecoveryCodesView.as_view(),
        name="recovery_codes",
    ),
    path("disable/", two_factor.DisableView.as_view(), name="disable"),
]
