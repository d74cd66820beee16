"""A user's own log-in record (GB/T 22239-2019 8.1.4.1: 登录失败处理, 安全审计): the latest
successful log-ins (django-axes ``AccessLog``) and failed attempts made with their user name
(``AccessFailureLog``, on with ``AXES_ENABLE_ACCESS_FAILURE_LOG``), so a user notices a log-in
that was not theirs. The only rule: a user sees the rows of their own user name, nobody else's
(admins read everyone's in Django admin, Axes section)."""

import re

from axes.models import AccessFailureLog, AccessLog
from django.contrib.auth.mixins import LoginRequiredMixin
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

ACTIVITY_LIMIT = 20

# First match wins: Edge and the Chinese browsers also say "Chrome", Chrome also says "Safari".
BROWSERS = (
    ("微信", r"MicroMessenger/([\d]+)"),
    ("QQ 浏览器", r"QQBrowser/([\d]+)"),
    ("360 浏览器", r"(?:QIHU 360|360SE|360EE)()"),
    ("Edge", r"Edg(?:e|A|iOS)?/([\d]+)"),
    ("Firefox", r"Firefox/([\d]+)"),
    ("Chrome", r"(?:Chrome|CriOS)/([\d]+)"),
    ("Safari", r"Version/([\d]+).*Safari/"),
)
SYSTEMS = (
    ("Windows", r"Windows NT"),
    ("Android", r"Android"),
    ("iOS", r"iPhone|iPad|iPod"),
    ("macOS", r"Mac OS X|Macintosh"),
    ("Linux", r"Linux|X11"),
)


def describe_user_agent(user_agent: str) -> str:
    """A User-Agent header in a few words ("Chrome 120 · Windows"), or itself, shortened."""
    user_agent = user_agent or ""
    browser = system = ""
    for name, pattern in BROWSERS:
        match = re.search(pattern, user_agent)
        if match:
            version = next((g for g in match.groups() if g), "")
            browser = f"{name} {version}".strip()
            break
    for name, pattern in SYSTEMS:
        if re.search(pattern, user_agent):
            system = name
            break
    if browser or system:
        return " · ".join(part for part in (browser, system) if part)
    return user_agent[:60] or _("未知")


def _described(rows):
    rows = list(rows)
    for row in rows:
        row.browser = describe_user_agent(row.user_agent)
    return rows


def recent_logins(user, *, limit: int = ACTIVITY_LIMIT) -> list[AccessLog]:
    """The user's newest successful log-ins, each with ``browser``."""
    rows = AccessLog.objects.filter(username=user.get_username()).order_by("-attempt_time")
    return _described(rows.only("attempt_time", "logout_time", "ip_address", "user_agent")[:limit])


def recent_failures(user, *, limit: int = ACTIVITY_LIMIT) -> list[AccessFailureLog]:
    """The newest failed log-ins with the user's name (by anyone), each with ``browser``."""
    rows = AccessFailureLog.objects.filter(username=user.get_username()).order_by("-attempt_time")
    return _described(rows.only("attempt_time", "ip_address", "user_agent", "locked_out")[:limit])


class LoginActivityView(LoginRequiredMixin, TemplateView):
    template_name = "security/login_activity.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        return super().get_context_data(
            logins=recent_logins(user), failures=recent_failures(user), limit=ACTIVITY_LIMIT
        )
