"""Middleware of the security app: each class keeps one rule for every request.

- ``ClientAddressMiddleware``: one client address per request (``apps.security.client_ip``).
- ``SecurityHeadersMiddleware``: the headers Django does not set itself.
- ``BadInputMiddleware``: a NUL byte in the path, a parameter or a cookie is a 400, never a 500.
- ``AuditlogMiddleware``: django-auditlog's, with the client address from the same place.
"""

from auditlog.middleware import AuditlogMiddleware as BaseAuditlogMiddleware
from django.conf import settings
from django.shortcuts import render
from django.utils.cache import patch_cache_control

from .client_ip import client_ip


class ClientAddressMiddleware:
    """Resolves the client address once (trusting ``X-Forwarded-For`` only from
    ``TRUSTED_PROXIES``), keeps it as ``request.client_ip`` and writes it into ``REMOTE_ADDR`` so
    that code reading ``REMOTE_ADDR`` gets the client, not the proxy. The peer's own address
    stays in ``META["PROXY_PEER_ADDR"]``. First in ``MIDDLEWARE``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        address = client_ip(request)
        request.client_ip = address
        request.META["PROXY_PEER_ADDR"] = request.META.get("REMOTE_ADDR", "")
        request.META["REMOTE_ADDR"] = address or ""
        return self.get_response(request)


class SecurityHeadersMiddleware:
    """Headers Django does not set itself: Permissions-Policy (no camera, microphone,
    geolocation ... for any page), Cross-Origin-Resource-Policy, and ``Cache-Control: private,
    no-store`` on pages for logged-in users, so residents' personal data is not kept in a shared
    office computer's cache or shown again with the back button after log-out. (Static files
    are answered by WhiteNoise before this middleware and stay cacheable.)"""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        response.headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and "Cache-Control" not in response:
            patch_cache_control(response, private=True, no_store=True)
        return response


def _has_nul(querydict):
    return any(
        "\x00" in key or any("\x00" in v for v in values) for key, values in querydict.lists()
    )


class BadInputMiddleware:
    """A NUL byte anywhere in the input (path, query string, form fields, file names, cookies)
    is answered with a 400 page before any view runs. PostgreSQL cannot store or compare text
    containing NUL: psycopg raises, and every view filtering on a parameter (``?unit=``,
    ``?q=`` ...) would answer 500. No legitimate form or link sends one.

    It sits right after the language middleware, before anything reads the session or the user
    (a NUL in the session cookie would be the 500 again), and its page does not extend
    ``base.html`` for the same reason: a fixed text with no user data, so the headers added by
    the later middleware (CSP, frame options) are not needed on it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self.has_nul(request):
            return render(request, "security/bad_request.html", status=400)
        return self.get_response(request)

    @staticmethod
    def has_nul(request):
        if "\x00" in request.path_info or "\x00" in request.path:
            return True
        if any("\x00" in key or "\x00" in value for key, value in request.COOKIES.items()):
            return True
        if _has_nul(request.GET):
            return True
        if request.method == "POST":
            if _has_nul(request.POST):
                return True
            return any("\x00" in (f.name or "") for f in request.FILES.values())
        return False


class AuditlogMiddleware(BaseAuditlogMiddleware):
    """django-auditlog's middleware (the acting user of every audited change), except that it
    takes the client address from ``apps.security.client_ip`` rather than believing the first
    ``X-Forwarded-For`` entry of any request, and leaves out ``X-Forwarded-Port`` (a header
    anyone can send, and the proxy's listening port at best)."""

    @staticmethod
    def _get_remote_addr(request):
        if settings.AUDITLOG_DISABLE_REMOTE_ADDR:
            return None
        return client_ip(request)

    @staticmethod
    def _get_remote_port(request):
        return None
