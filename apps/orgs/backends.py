"""Log-in by user name or mobile number (``User.mobile``, unique when set).

``MobileOrUsernameBackend`` resolves an 11-digit mobile number to its account's user name
before Django's check; ``lockout_username`` (``AXES_USERNAME_CALLABLE``) does the same for
django-axes, so failures by mobile number and by user name count towards one lockout of the
account, and locking one locks the other."""

import re

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

MOBILE = re.compile(r"^1[3-9][0-9]{9}$")


def account_username(identifier):
    """The user name of the account a log-in identifier names: the account whose mobile number
    it is, else the identifier itself (a user name)."""
    if identifier and MOBILE.fullmatch(identifier):
        model = get_user_model()
        found = model._default_manager.filter(mobile=identifier).values_list(
            model.USERNAME_FIELD, flat=True
        )
        return found.first() or identifier
    return identifier


def lockout_username(request, credentials=None):
    """django-axes' user name of a log-in attempt (``AXES_USERNAME_CALLABLE``)."""
    identifier = (credentials or {}).get("username")
    if identifier is None:
        identifier = getattr(request, "POST", {}).get("username")
    return account_username(identifier)


class OrgUnitModelBackend(ModelBackend):
    """ModelBackend that loads the user's org unit with the user: scoping reads
    ``request.user.org_unit.path`` on every page, so this saves a query per request."""

    def get_user(self, user_id):
        model = get_user_model()
        user = model._default_manager.select_related("org_unit").filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None


class MobileOrUsernameBackend(OrgUnitModelBackend):
    """The user name field of the log-in form takes a user name or a mobile number."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        return super().authenticate(
            request, username=account_username(username), password=password, **kwargs
        )
