"""Session time limits (GB/T 22239-2019 8.1.4.1 登录连接超时自动退出): a session ends after
``SESSION_IDLE_TIMEOUT_MINUTES`` (30) without activity, and ``SESSION_COOKIE_AGE`` (8 hours)
after the log-in whatever the activity. The user lands on the login page with a Chinese message.

Activity is a request the user made. Requests a page makes by itself carry the header
``X-Background-Request: 1`` and do not count (they still end an idle session): the htmx polls of
a report's or an import's progress (``hx-headers`` on ``templates/reports/_status.html`` and
``templates/files/_import_status.html``). The notification bell is drawn with each page, it does
not poll; ``static/dashboards/dashboard.js`` loads the charts once with the page, and
``static/maps/map.js`` loads points when the user moves the map: both are activity.

The clock starts at log-in (``user_logged_in``) and lives in the session. The last-activity time
is rewritten at most once a minute, so most requests do not write the session.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.contrib.auth.views import redirect_to_login
from django.dispatch import receiver
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

LAST_ACTIVITY_KEY = "security.last_activity"
STARTED_KEY = "security.started"
BACKGROUND_HEADER = "X-Background-Request"
# Seconds between two writes of the last-activity time: the timeout is this much approximate.
WRITE_INTERVAL = 60


def _now() -> int:
    return int(timezone.now().timestamp())


def is_background(request) -> bool:
    """Whether the page made this request by itself (not user activity)."""
    return request.headers.get(BACKGROUND_HEADER, "").lower() in {"1", "true"}


@receiver(user_logged_in, dispatch_uid="security.start_session_clock")
def start_session_clock(sender, request, user, **kwargs):
    session = getattr(request, "session", None)
    if session is not None:
        now = _now()
        session[STARTED_KEY] = now
        session[LAST_ACTIVITY_KEY] = now


def idle_timeout_seconds() -> int:
    return settings.SESSION_IDLE_TIMEOUT_MINUTES * 60


def _end_session(request, message):
    logout(request)
    messages.warning(request, message)  # kept in the messages cookie past the flushed session
    if request.headers.get("HX-Request"):
        # htmx would follow a 302 itself and swap the login page into the polling element.
        response = HttpResponse(status=204)
        response["HX-Redirect"] = redirect_to_login(request.get_full_path())["Location"]
        return response
    return redirect_to_login(request.get_full_path())


class SessionTimeoutMiddleware:
    """Ends a logged-in session that was idle too long or is older than a working day; records
    the user's activity otherwise. After ``AuthenticationMiddleware`` and
    ``MessageMiddleware``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            response = self.check(request)
            if response is not None:
                return response
        return self.get_response(request)

    def check(self, request):
        session, now = request.session, _now()
        started = session.get(STARTED_KEY)
        last = session.get(LAST_ACTIVITY_KEY)
        if started is not None and now - started > settings.SESSION_COOKIE_AGE:
            return _end_session(
                request,
                _("本次登录已超过 %(hours)d 小时，为保护数据已自动退出，请重新登录。")
                % {"hours": settings.SESSION_COOKIE_AGE // 3600},
            )
        timeout = idle_timeout_seconds()
        if timeout and last is not None and now - last > timeout:
            return _end_session(
                request,
                _("您已超过 %(minutes)d 分钟没有操作，为保护数据已自动退出，请重新登录。")
                % {"minutes": settings.SESSION_IDLE_TIMEOUT_MINUTES},
            )
        if started is None:  # a session from before this middleware
            session[STARTED_KEY] = now
        if last is None or (not is_background(request) and now - last >= WRITE_INTERVAL):
            session[LAST_ACTIVITY_KEY] = now
        return None
