"""The log-in lockout: django-axes' check, plus a limit per address.

Axes locks a (user name, client address) pair after ``AXES_FAILURE_LIMIT`` failures, so
failures from one address never lock the real user out at another (the address comes from
``apps.security.client_ip``: behind the proxy it is the client's, not the proxy's). That alone
lets one address try a few passwords on *every* user name (password spraying), so an address
with ``AXES_IP_FAILURE_LIMIT`` failures over all user names within the cool-off is refused too.
"""

from axes.backends import AxesStandaloneBackend
from axes.exceptions import AxesBackendPermissionDenied
from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.utils import timezone

from .client_ip import client_ip


def address_failures(request):
    """Failed log-ins from the request's client address, over all user names, within the
    cool-off (django-axes' own records)."""
    address = client_ip(request)
    if not address:
        return 0
    attempts = AccessAttempt.objects.filter(ip_address=address)
    cool_off = get_cool_off(request)
    if cool_off is not None:
        attempts = attempts.filter(attempt_time__gte=timezone.now() - cool_off)
    return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0


class LockoutBackend(AxesStandaloneBackend):
    """django-axes' lockout check, first in ``AUTHENTICATION_BACKENDS``.

    Every log-in over HTTP (the login page, the admin) passes the request, and is checked.
    ``authenticate()`` without a request cannot come from a browser (management commands, the
    test client's ``login()``); axes would raise for it, so it is left to the next backend."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        if settings.AXES_ENABLED and address_failures(request) >= settings.AXES_IP_FAILURE_LIMIT:
            # The same answer as a locked user name: the failure signal that follows records
            # the attempt, and AxesMiddleware turns the flag into the lockout page.
            request.axes_locked_out = True
            raise AxesBackendPermissionDenied("too many failed log-ins from this address")
        return super().authenticate(request, username=username, password=password, **kwargs)
