"""Session time limits (GB/T 22239-2019 登录连接超时自动退出).

A logged-in session ends after ``SESSION_IDLE_TIMEOUT_MINUTES`` (30) without a request from the
user, and ``SESSION_COOKIE_AGE`` (8 hours) after the log-in whatever the activity; the user is
sent to the login page, which says why in Chinese. Requests a page makes by itself (the htmx
polls of a report or an import, marked ``X-Background-Request: 1``) are not activity, but an
idle session still ends on them. The clock is in the session; tests move it by editing the
stored times.
"""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from apps.security.sessions import BACKGROUND_HEADER, LAST_ACTIVITY_KEY, STARTED_KEY, _now
from tests.conftest import make_user

PASSWORD = "Session#Test-2026"
MINUTE = 60


@pytest.fixture
def staff(tree):
    return make_user(tree["s1"], username="zhang", password=PASSWORD)


@pytest.fixture
def logged_in(client, staff):
    response = client.post(reverse("login"), {"username": "zhang", "password": PASSWORD})
    assert response.status_code == 302
    return client


def _age(client, *, idle_minutes=0, session_minutes=None):
    """Pretend the last activity was ``idle_minutes`` ago and the log-in ``session_minutes``
    ago."""
    session = client.session
    now = _now()
    session[LAST_ACTIVITY_KEY] = now - idle_minutes * MINUTE
    if session_minutes is not None:
        session[STARTED_KEY] = now - session_minutes * MINUTE
    session.save()


def test_the_log_in_starts_the_session_clock(logged_in):
    session = logged_in.session
    assert abs(session[LAST_ACTIVITY_KEY] - _now()) <= 2
    assert abs(session[STARTED_KEY] - _now()) <= 2


def test_a_session_idle_for_less_than_the_timeout_goes_on_and_the_clock_restarts(logged_in):
    assert settings.SESSION_IDLE_TIMEOUT_MINUTES == 30
    _age(logged_in, idle_minutes=29)
    assert logged_in.get(reverse("home")).status_code == 200
    assert abs(logged_in.session[LAST_ACTIVITY_KEY] - _now()) <= 2


def test_a_session_idle_past_the_timeout_is_logged_out_with_a_chinese_message(logged_in):
    _age(logged_in, idle_minutes=31)
    response = logged_in.get(reverse("plans:list"))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={reverse('plans:list')}"
    assert "_auth_user_id" not in logged_in.session
    page = logged_in.get(response["Location"]).content.decode()
    assert "您已超过 30 分钟没有操作，为保护数据已自动退出，请重新登录。" in page
    # and the next request is anonymous
    assert logged_in.get(reverse("home")).status_code == 302


def test_the_log_out_is_recorded_in_the_access_log(logged_in):
    from axes.models import AccessLog

    _age(logged_in, idle_minutes=31)
    logged_in.get(reverse("home"))
    assert AccessLog.objects.get(username="zhang").logout_time is not None


def test_the_timeout_follows_the_setting(logged_in, settings):
    settings.SESSION_IDLE_TIMEOUT_MINUTES = 10
    _age(logged_in, idle_minutes=11)
    response = logged_in.get(reverse("home"))
    assert response.status_code == 302
    page = logged_in.get(response["Location"]).content.decode()
    assert "您已超过 10 分钟没有操作" in page


def test_a_timeout_of_zero_switches_the_idle_check_off(logged_in, settings):
    settings.SESSION_IDLE_TIMEOUT_MINUTES = 0
    _age(logged_in, idle_minutes=600)
    assert logged_in.get(reverse("home")).status_code == 200


def test_a_background_poll_is_not_activity(logged_in):
    _age(logged_in, idle_minutes=20)
    before = logged_in.session[LAST_ACTIVITY_KEY]
    response = logged_in.get(
        reverse("notifications:list"), headers={"HX-Request": "true", BACKGROUND_HEADER: "1"}
    )
    assert response.status_code == 200
    assert logged_in.session[LAST_ACTIVITY_KEY] == before
    # A request the user makes is.
    logged_in.get(reverse("notifications:list"))
    assert logged_in.session[LAST_ACTIVITY_KEY] > before


def test_a_background_poll_of_an_idle_session_sends_the_browser_to_the_login_page(logged_in):
    _age(logged_in, idle_minutes=31)
    response = logged_in.get(
        reverse("notifications:list"), headers={"HX-Request": "true", BACKGROUND_HEADER: "1"}
    )
    assert response.status_code == 204
    assert response["HX-Redirect"].startswith(reverse("login"))
    assert "_auth_user_id" not in logged_in.session


def test_an_active_session_still_ends_a_working_day_after_the_log_in(logged_in):
    _age(logged_in, idle_minutes=1, session_minutes=8 * 60 + 1)
    response = logged_in.get(reverse("home"))
    assert response.status_code == 302
    page = logged_in.get(response["Location"]).content.decode()
    assert "本次登录已超过 8 小时" in page
    assert "_auth_user_id" not in logged_in.session


def test_the_session_is_written_at_most_once_a_minute(logged_in):
    _age(logged_in, idle_minutes=0)
    stamp = logged_in.session[LAST_ACTIVITY_KEY] - 30  # 30 s ago: not rewritten yet
    session = logged_in.session
    session[LAST_ACTIVITY_KEY] = stamp
    session.save()
    logged_in.get(reverse("home"))
    assert logged_in.session[LAST_ACTIVITY_KEY] == stamp


def test_anonymous_pages_are_not_affected(client, db):
    assert client.get(reverse("login")).status_code == 200
    assert LAST_ACTIVITY_KEY not in client.session


SELF_TRIGGERED = re.compile(r'hx-trigger="[^"]*\b(load|every)\b[^"]*"')


def test_every_request_a_page_makes_by_itself_carries_the_background_marker():
    """A poll without the marker would keep an abandoned session alive for ever."""
    root = Path(settings.BASE_DIR) / "templates"
    polls = [p for p in sorted(root.rglob("*.html")) if SELF_TRIGGERED.search(p.read_text())]
    assert polls, "the report and import pages poll their status"
    for path in polls:
        assert f'hx-headers=\'{{"{BACKGROUND_HEADER}": "1"}}\'' in path.read_text(), path
    scripts = Path(settings.BASE_DIR) / "static"
    timed = [
        path
        for path in scripts.rglob("*.js")
        if "vendor" not in path.parts and "setInterval" in path.read_text()
    ]
    # the incident countdown ticks locally; every timed request goes through the one poll
    assert sorted(p.relative_to(scripts).as_posix() for p in timed) == [
        "incidents/countdown.js",
        "js/poll.js",
    ]
    assert "fetch(" not in (scripts / "incidents/countdown.js").read_text()
    assert f'"{BACKGROUND_HEADER}": "1"' in (scripts / "js/poll.js").read_text()
