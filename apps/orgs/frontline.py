"""Where the front line (居委/村工作人员, 网格员, 灾害信息员) may go.

They work on the phone pages (``/m/``) and on the few pages street staff delegate to them; the
desk pages (registers, imports, reports, personal data of a whole street) are not theirs. This
is decided here once: ``FrontLineMiddleware`` answers 403 to a front-line user on any view that
is not marked front-line (``frontline = True`` on a class-based view, ``@frontline`` on a
function), and sends them from the home page to ``/m/``. What such a view shows is still
scoped by ``visible_to`` (a grid worker: their grid's 小区; the others: their unit's subtree).
"""

from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect

# Views every logged-in user needs, wherever they are defined (log-in, password, 2FA, language).
ALWAYS_ALLOWED = {
    "django.contrib.auth.views",
    "django.views.i18n",
    "django.views.static",
    "apps.security.passwords",
    "apps.security.two_factor",
    "apps.security.activity",
    "resilience.views",
}


def frontline(view):
    """Mark a function view as open to the front line (class-based views: ``frontline = True``)."""
    view.frontline = True
    return view


def is_frontline_view(view_func):
    view = getattr(view_func, "view_class", view_func)
    if getattr(view, "frontline", False):
        return True
    return getattr(view, "__module__", "") in ALWAYS_ALLOWED


class FrontLineMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        if not (user and user.is_authenticated and user.is_frontline):
            return None
        if request.resolver_match and request.resolver_match.view_name == "home":
            return redirect("mobile:home")
        if is_frontline_view(view_func):
            return None
        raise PermissionDenied
