from axes.backends import AxesStandaloneBackend


class LockoutBackend(AxesStandaloneBackend):
    """django-axes' lockout check, first in ``AUTHENTICATION_BACKENDS``.

    Every log-in over HTTP (the login page, the admin) passes the request, and is checked.
    ``authenticate()`` without a request cannot come from a browser (management commands, the
    test client's ``login()``); axes would raise for it, so it is left to the next backend."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
