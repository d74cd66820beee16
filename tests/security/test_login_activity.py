"""A user's log-in record on /accounts/activity/: their latest 20 successful log-ins and the
latest 20 failed attempts made with their user name (django-axes' AccessLog and
AccessFailureLog), with time, address and browser. A user sees only their own rows."""

import pytest
from axes.models import AccessFailureLog, AccessLog
from django.urls import reverse

from apps.security.activity import describe_user_agent
from tests.conftest import make_user

PASSWORD = "Activity#Test-2026"
CHROME_WINDOWS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.0.0 Safari/537.36"
)


@pytest.fixture
def people(tree):
    return {
        "zhang": make_user(tree["s1"], username="zhang", password=PASSWORD),
        "li": make_user(tree["s2"], username="li", password=PASSWORD),
    }


def _login(client, username, password, address):
    return client.post(
        reverse("login"),
        {"username": username, "password": password},
        REMOTE_ADDR=address,
        HTTP_USER_AGENT=CHROME_WINDOWS,
    )


def test_failed_log_ins_are_kept_for_the_record():
    from django.conf import settings

    assert settings.AXES_ENABLE_ACCESS_FAILURE_LOG is True


def test_the_page_lists_the_users_own_log_ins_and_failures_and_nobody_elses(client, people):
    _login(client, "zhang", "wrong-guess", "10.6.6.6")
    _login(client, "li", "wrong-guess", "10.9.9.9")
    assert _login(client, "li", PASSWORD, "10.2.2.2").status_code == 302
    client.logout()
    assert _login(client, "zhang", PASSWORD, "10.1.1.1").status_code == 302

    response = client.get(reverse("login_activity"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "10.1.1.1" in page  # zhang's log-in
    assert "10.6.6.6" in page  # a failure with zhang's name
    assert "Chrome 120 · Windows" in page
    assert "10.2.2.2" not in page and "10.9.9.9" not in page  # li's
    assert [row.ip_address for row in response.context["logins"]] == ["10.1.1.1"]
    assert [row.ip_address for row in response.context["failures"]] == ["10.6.6.6"]


def test_the_page_shows_the_latest_twenty_of_each(client, people):
    for n in range(25):
        AccessLog.objects.create(username="zhang", ip_address=f"10.0.0.{n}", user_agent="x")
        AccessFailureLog.objects.create(username="zhang", ip_address=f"10.0.1.{n}")
    client.force_login(people["zhang"])
    response = client.get(reverse("login_activity"))
    logins, failures = response.context["logins"], response.context["failures"]
    assert len(logins) == 20 and len(failures) == 20
    assert logins[0].attempt_time >= logins[-1].attempt_time


def test_the_page_reads_a_constant_number_of_queries(client, people, django_assert_max_num_queries):
    client.force_login(people["zhang"])
    with django_assert_max_num_queries(8) as few:
        client.get(reverse("login_activity"))
    for n in range(10):
        AccessLog.objects.create(username="zhang", ip_address=f"10.0.0.{n}", user_agent="x")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("login_activity"))


def test_the_header_links_to_the_page_and_the_password_change(client, people):
    client.force_login(people["zhang"])
    page = client.get(reverse("home")).content.decode()
    assert f'href="{reverse("login_activity")}"' in page
    assert f'href="{reverse("password_change")}"' in page


@pytest.mark.parametrize(
    ("user_agent", "shown"),
    [
        (CHROME_WINDOWS, "Chrome 120 · Windows"),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/120.0.0.0 Safari/537.36 Edg/120.0.2210.91",
            "Edge 120 · Windows",
        ),
        (
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_1) Gecko/20100101 Firefox/121.0",
            "Firefox 121 · macOS",
        ),
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 "
            "(KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.44",
            "微信 8 · iOS",
        ),
        ("curl/8.4.0", "curl/8.4.0"),
        ("", "未知"),
    ],
)
def test_the_browser_is_named_in_a_few_words(user_agent, shown):
    assert describe_user_agent(user_agent) == shown
