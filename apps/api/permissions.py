"""What a token may do: each view names the scope of each method (``scopes``), and a token
without it is a 403 before anything is read or written. Which records are then reachable is
the scoping rule's (``visible_to`` of the client's unit: a record outside is a 404)."""

from django.utils.translation import gettext as _
from rest_framework.permissions import BasePermission


def client_of(request):
    token = getattr(request, "auth", None)
    return getattr(token, "client", None)


class HasScope(BasePermission):
    def has_permission(self, request, view):
        client = client_of(request)
        if client is None:
            return False
        scope = getattr(view, "scopes", {}).get(request.method)
        if request.method in ("HEAD", "OPTIONS"):
            scope = getattr(view, "scopes", {}).get("GET")
        if scope and not client.has_scope(scope):
            self.message = _("该令牌没有“%(scope)s”权限。") % {"scope": scope}
            return False
        return True
