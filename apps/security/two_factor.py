"""Two-factor log-in (等保2.0 身份鉴别): a TOTP authenticator app plus ten single-use recovery
codes, on django-otp.

The rule this module keeps: after the password, **a user with a confirmed authenticator must
enter a code before anything else**, and a user whose role requires two-factor log-in
(``TWO_FACTOR_REQUIRED_ROLES``: admins and district reviewers, when ``TWO_FACTOR_REQUIRED`` is
on) and has no authenticator yet must set one up first. ``TwoFactorMiddleware`` sends such
sessions to the verify or set-up page and lets only those pages, log-in/log-out, the language
switch and static files through; ``TwoFactorAdminSite`` applies the same rule to Django admin.
Other users may turn it on from the 双重认证 page. With ``SMS_LOGIN_CODE`` on, a user with a
mobile number and no authenticator enters a code sent by text message instead (``SmsDevice``,
the ``sms`` page): the session is verified by it exactly as by the authenticator.

Guessing is bounded by django-otp's throttling, kept on: after n wrong codes a device accepts
nothing for 2^(n-1) seconds (``OTP_TOTP_THROTTLE_FACTOR``, ``OTP_STATIC_THROTTLE_FACTOR``).
Verification locks the device row (``django_otp.verify_token``), so two requests cannot use one
code or one recovery code twice.

Sections: helpers (who must, who has, verify a code), changes (set up, confirm, recovery codes,
turn off), middleware and admin site, forms, views.
"""

import logging
import math
import time
from base64 import b32encode
from io import BytesIO

import django_otp
import qrcode
import qrcode.image.svg
from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.auth.signals import user_logged_in
from django.db import transaction
from django.dispatch import receiver
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views import View
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from apps.orgs.models import User
from apps.people.privacy import mask_phone

from .models import SmsDevice

logger = logging.getLogger(__name__)

RECOVERY_CODE_COUNT = 10
AUTHENTICATOR_NAME = "身份验证器"
RECOVERY_DEVICE_NAME = "恢复码"

# URL names an unverified session may still reach (besides the two-factor pages themselves).
OPEN_URL_NAMES = {"login", "logout", "set_language", "healthz"}
# Two-factor pages for a session that has not entered its code yet.
UNVERIFIED_URL_NAMES = {"setup", "qr", "verify", "sms"}

# Whether the user has an authenticator, as [bool, checked at (epoch seconds)], noted at log-in
# and re-read at most this often: most users have none, and asking the database on every
# request of theirs would add a query to every page. Turned on in another session, it applies
# here within this many seconds.
SESSION_KEY = "two_factor_has_authenticator"
RECHECK_SECONDS = 60

WRONG_CODE = _("验证码不正确。请输入身份验证器 App 上当前显示的 6 位数字，或一个未用过的恢复码。")
WRONG_SMS_CODE = _("验证码不正确或已过期。请输入短信中的 6 位数字，或重新获取验证码。")


# --- Helpers ------------------------------------------------------------------------------


def two_factor_required(user: User) -> bool:
    """Whether the user's role must log in with a second factor (admins and district
    reviewers by default; nobody while ``TWO_FACTOR_REQUIRED`` is off, as in the demo)."""
    if not settings.TWO_FACTOR_REQUIRED or not user.is_authenticated:
        return False
    return user.is_superuser or user.role in settings.TWO_FACTOR_REQUIRED_ROLES


def has_authenticator(user: User) -> bool:
    """Whether the user has a confirmed authenticator app (recovery codes come only with one)."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def note_authenticator(request, has: bool) -> None:
    request.session[SESSION_KEY] = [has, int(time.time())]


def session_has_authenticator(request) -> bool:
    """``has_authenticator`` as noted in the session, re-read when older than a minute."""
    noted = request.session.get(SESSION_KEY)
    if isinstance(noted, list) and len(noted) == 2 and time.time() - noted[1] < RECHECK_SECONDS:
        return bool(noted[0])
    has = has_authenticator(request.user)
    note_authenticator(request, has)
    return has


@receiver(user_logged_in, dispatch_uid="two_factor_note_authenticator")
def note_authenticator_at_log_in(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        note_authenticator(request, has_authenticator(user))


def is_verified(user) -> bool:
    """Whether this session has entered a code (``OTPMiddleware`` installs ``is_verified``)."""
    check = getattr(user, "is_verified", None)
    return bool(check and check())


def owes_sms_code(user: User) -> bool:
    """Whether the log-in asks for a code by text message (``SMS_LOGIN_CODE``, for users with
    a mobile number; an authenticator, where there is one, comes first)."""
    return bool(settings.SMS_LOGIN_CODE and user.is_authenticated and user.mobile)


def two_factor_satisfied(user) -> bool:
    """Whether the session may use the portal: verified, or the user neither must nor chose
    to use a second factor, nor is asked for a code by text message."""
    if not user.is_authenticated or is_verified(user):
        return True
    return not (two_factor_required(user) or has_authenticator(user) or owes_sms_code(user))


def normalise_code(code: str) -> str:
    """Codes as people type them: spaces and hyphens dropped, recovery codes in lower case."""
    return "".join(code.split()).replace("-", "").lower()


def _throttle_message(device):
    """The waiting time of a device still throttled after wrong codes, else None."""
    allowed, data = device.verify_is_allowed()
    locked_until = None if allowed else (data or {}).get("locked_until")
    if locked_until is None:
        return None
    seconds = max(1, math.ceil((locked_until - timezone.now()).total_seconds()))
    return gettext("验证码错误次数过多，请 %(seconds)d 秒后再试（每错一次，等待时间加倍）。") % {
        "seconds": seconds
    }


def verify_code(user: User, code: str, *, device=None):
    """``(device, None)`` when ``code`` is right (the device that accepted it), else
    ``(None, message)``. Six digits are checked against the authenticator (``device``, or the
    user's confirmed one), anything else against the recovery codes, each used once. A device
    still waiting out its throttle delay is not asked at all."""
    code = normalise_code(code)
    if code.isdigit() and len(code) == 6:
        if device is None:
            device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    else:
        device = StaticDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        return None, str(WRONG_CODE)
    return _verify_on(user, device, code, WRONG_CODE)


def verify_sms_code(user: User, code: str):
    """``(device, None)`` when ``code`` is the one last sent by text message and has not
    expired, else ``(None, message)``; throttled as the authenticator is."""
    device = SmsDevice.objects.filter(user=user).first()
    if device is None:
        return None, str(WRONG_SMS_CODE)
    return _verify_on(user, device, normalise_code(code), WRONG_SMS_CODE)


def _verify_on(user, device, code, wrong):
    throttled = _throttle_message(device)
    if throttled:
        return None, throttled
    # Locks the device row: one code (one recovery code) cannot be used twice at once.
    accepted = django_otp.verify_token(user, device.persistent_id, code)
    if accepted is None:
        logger.warning("Wrong two-factor code for user %s", user.pk)
        return None, str(wrong)
    return accepted, None


def send_sms_code(user: User) -> bool:
    """Text a new log-in code to the user's mobile (False: one was sent within the resend
    delay, nothing sent)."""
    with transaction.atomic():
        device, _created = SmsDevice.objects.select_for_update().get_or_create(
            user=user, defaults={"name": gettext("短信验证码")}
        )
        return device.send_code()


# --- Changes ------------------------------------------------------------------------------


def start_authenticator_setup(user: User) -> TOTPDevice:
    """The user's pending (unconfirmed) authenticator, created on first call: the key shown
    as a QR code stays the same while the user reloads the page."""
    pending = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    if pending is None:
        pending = TOTPDevice.objects.create(user=user, name=AUTHENTICATOR_NAME, confirmed=False)
    return pending


def confirm_authenticator(user: User, device: TOTPDevice, *, code: str):
    """Confirm the pending authenticator with a code it shows. Returns ``(recovery codes,
    None)``, or ``(None, message)`` when the code is wrong."""
    accepted, error = verify_code(user, code, device=device)
    if accepted is None:
        return None, error
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=user)
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = regenerate_recovery_codes(user)
    logger.info("Two-factor log-in turned on for user %s", user.pk)
    return codes, None


def regenerate_recovery_codes(user: User) -> list[str]:
    """Ten new recovery codes; the old ones stop working. Only stored codes can be checked,
    so they are returned once for the page to show and never displayed again."""
    with transaction.atomic():
        device, _created = StaticDevice.objects.select_for_update().get_or_create(
            user=user, defaults={"name": RECOVERY_DEVICE_NAME, "confirmed": True}
        )
        device.token_set.all().delete()
        codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
        StaticToken.objects.bulk_create(StaticToken(device=device, token=c) for c in codes)
    return codes


def disable_two_factor(user: User) -> None:
    """Remove the user's authenticator and recovery codes (only where not required)."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
    logger.info("Two-factor log-in turned off for user %s", user.pk)


def log_in_second_factor(request, device) -> None:
    """Mark the session verified by ``device``, under a new session key (a key seen before the
    second factor is worth nothing after it)."""
    request.session.cycle_key()
    django_otp.login(request, device)


# --- Middleware and admin site ------------------------------------------------------------


class TwoFactorMiddleware:
    """After ``OTPMiddleware``: an unverified session of a user with an authenticator goes to
    the verify page; one of a user who must have one and has none goes to the set-up page.
    Only the pages needed to do that (and log-in/out, the language switch, static files)
    answer them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated or request.path.startswith(settings.STATIC_URL):
            return None
        match = request.resolver_match
        if match.url_name in OPEN_URL_NAMES and not match.namespace:
            return None
        if match.namespace == "two_factor" and match.url_name in UNVERIFIED_URL_NAMES:
            return None
        if is_verified(user):
            return None
        if two_factor_required(user):
            # Rare (a session between password and code): read the database itself.
            has = has_authenticator(user)
            note_authenticator(request, has)
            return redirect_with_next("two_factor:verify" if has else "two_factor:setup", request)
        if session_has_authenticator(request):
            return redirect_with_next("two_factor:verify", request)
        if owes_sms_code(user):
            return redirect_with_next("two_factor:sms", request)
        return None


def redirect_with_next(name, request):
    """To a two-factor page, coming back afterwards to the page asked for. htmx requests get
    ``HX-Redirect`` (a plain 302 would be followed by the XMLHttpRequest and the page swapped
    into the polling element), and come back to the page they were made from."""
    url = reverse(name)
    if request.headers.get("HX-Request"):
        current = request.headers.get("HX-Current-URL", "")
        if current and url_has_allowed_host_and_scheme(current, {request.get_host()}):
            url += "?" + urlencode({"next": current})
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    if request.method == "GET":
        url += "?" + urlencode({"next": request.get_full_path()})
    return redirect(url)


class TwoFactorAdminSite(admin.AdminSite):
    """Django admin under the same rule (``admin.site.__class__`` is set to this in
    ``resilience/urls.py``): a staff user whose session still owes its code is treated as not
    staff, as django-otp's ``OTPAdminSite`` does for everyone."""

    def has_permission(self, request):
        return super().has_permission(request) and two_factor_satisfied(request.user)


# --- Forms --------------------------------------------------------------------------------


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("验证码"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}
        ),
        error_messages={"required": _("请输入验证码。")},
    )


# --- Views --------------------------------------------------------------------------------


def _next_url(request, default="home"):
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return resolve_url(default)


class ManageView(LoginRequiredMixin, View):
    """双重认证: whether it is on, whether the role requires it, the recovery codes left."""

    def get(self, request):
        user = request.user
        recovery = StaticDevice.objects.filter(user=user, confirmed=True).first()
        return render(
            request,
            "registration/two_factor_manage.html",
            {
                "enabled": has_authenticator(user),
                "required": two_factor_required(user),
                "recovery_left": recovery.token_set.count() if recovery else 0,
                "form": CodeForm(),
            },
        )


class SetupView(LoginRequiredMixin, View):
    """Scan the QR code (or type the key), enter the code the app shows: the authenticator is
    confirmed and the ten recovery codes are shown, once."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and has_authenticator(request.user):
            # Never replace a confirmed authenticator from a session that has not proved it.
            if not is_verified(request.user):
                return redirect_with_next("two_factor:verify", request)
            return redirect("two_factor:manage")
        return super().dispatch(request, *args, **kwargs)

    def _render(self, request, device, form):
        return render(
            request,
            "registration/two_factor_setup.html",
            {
                "form": form,
                "secret": _grouped(device.bin_key),
                "required": two_factor_required(request.user),
                "next": _next_url(request),
            },
        )

    def get(self, request):
        return self._render(request, start_authenticator_setup(request.user), CodeForm())

    def post(self, request):
        device = start_authenticator_setup(request.user)
        form = CodeForm(request.POST)
        if not form.is_valid():
            return self._render(request, device, form)
        codes, error = confirm_authenticator(request.user, device, code=form.cleaned_data["code"])
        if error:
            form.add_error("code", error)
            return self._render(request, device, form)
        device.refresh_from_db()
        log_in_second_factor(request, device)
        note_authenticator(request, True)
        messages.success(request, gettext("已开启双重认证。"))
        return _recovery_codes_page(request, codes)


def _grouped(key: bytes) -> str:
    """The key as people type it into an app without a camera: base32 in groups of four."""
    text = b32encode(key).decode("ascii").rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def _recovery_codes_page(request, codes):
    return render(
        request,
        "registration/two_factor_recovery_codes.html",
        {"codes": codes, "next": _next_url(request)},
    )


class QrCodeView(LoginRequiredMixin, View):
    """The pending authenticator's key as an SVG QR code, shown by an ``<img>`` (no script, no
    CDN). 404 once the authenticator is confirmed: the key is never shown again."""

    def get(self, request):
        user = request.user
        device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
        if device is None or has_authenticator(user):
            raise Http404
        image = qrcode.make(
            device.config_url, image_factory=qrcode.image.svg.SvgPathFillImage, box_size=10
        )
        buffer = BytesIO()
        image.save(buffer)
        return HttpResponse(buffer.getvalue(), content_type="image/svg+xml")


class VerifyView(LoginRequiredMixin, View):
    """The second step of log-in: the 6-digit code of the authenticator, or a recovery code."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and (
            is_verified(request.user) or not has_authenticator(request.user)
        ):
            if two_factor_required(request.user) and not is_verified(request.user):
                return redirect_with_next("two_factor:setup", request)
            return redirect(_next_url(request))
        return super().dispatch(request, *args, **kwargs)

    def _render(self, request, form, status=200):
        return render(
            request,
            "registration/two_factor_verify.html",
            {"form": form, "next": _next_url(request)},
            status=status,
        )

    def get(self, request):
        return self._render(request, CodeForm())

    def post(self, request):
        form = CodeForm(request.POST)
        if not form.is_valid():
            return self._render(request, form)
        device, error = verify_code(request.user, form.cleaned_data["code"])
        if error:
            form.add_error("code", error)
            return self._render(request, form)
        log_in_second_factor(request, device)
        if isinstance(device, StaticDevice):
            left = device.token_set.count()
            messages.warning(
                request,
                gettext("已使用一个恢复码，还剩 %(n)d 个。请尽快在“双重认证”页面重新生成。")
                % {"n": left},
            )
        return redirect(_next_url(request))


class SmsCodeView(LoginRequiredMixin, View):
    """The second step of log-in by text message: the page texts a code to the user's mobile
    (again on request, at most once a minute) and takes it."""

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if not user.is_authenticated:
            return super().dispatch(request, *args, **kwargs)
        if is_verified(user) or not owes_sms_code(user):
            return redirect(_next_url(request))
        if two_factor_required(user) or has_authenticator(user):
            # Never instead of an authenticator the user has or must set up.
            return redirect_with_next("two_factor:verify", request)
        return super().dispatch(request, *args, **kwargs)

    def _render(self, request, form, *, sent):
        return render(
            request,
            "registration/two_factor_sms.html",
            {
                "form": form,
                "next": _next_url(request),
                "sent": sent,
                "mobile": mask_phone(request.user.mobile),
            },
        )

    def get(self, request):
        return self._render(request, CodeForm(), sent=send_sms_code(request.user))

    def post(self, request):
        if "resend" in request.POST:
            return self._render(request, CodeForm(), sent=send_sms_code(request.user))
        form = CodeForm(request.POST)
        if not form.is_valid():
            return self._render(request, form, sent=False)
        device, error = verify_sms_code(request.user, form.cleaned_data["code"])
        if error:
            form.add_error("code", error)
            return self._render(request, form, sent=False)
        log_in_second_factor(request, device)
        return redirect(_next_url(request))


class RegenerateRecoveryCodesView(LoginRequiredMixin, View):
    """POST: ten new recovery codes, shown once; the old ones stop working."""

    def post(self, request):
        if not (has_authenticator(request.user) and is_verified(request.user)):
            messages.error(request, gettext("请先开启双重认证。"))
            return redirect("two_factor:manage")
        return _recovery_codes_page(request, regenerate_recovery_codes(request.user))


class DisableView(LoginRequiredMixin, View):
    """POST with a current code: turn two-factor log-in off, where the role allows it."""

    def post(self, request):
        user = request.user
        if two_factor_required(user):
            messages.error(request, gettext("您的角色必须使用双重认证，不能关闭。"))
            return redirect("two_factor:manage")
        if not has_authenticator(user):
            return redirect("two_factor:manage")
        form = CodeForm(request.POST)
        if not form.is_valid():
            messages.error(request, gettext("请输入验证码。"))
            return redirect("two_factor:manage")
        _device, error = verify_code(user, form.cleaned_data["code"])
        if error:
            messages.error(request, error)
            return redirect("two_factor:manage")
        disable_two_factor(user)
        note_authenticator(request, False)
        messages.success(request, gettext("已关闭双重认证。"))
        return redirect("two_factor:manage")
