"""Log-in by user name or mobile number, one lockout per account whichever is typed, and the
optional one-time code by text message (``SMS_LOGIN_CODE``): six digits to the user's mobile,
valid five minutes, a new one at most once a minute, wrong codes throttled; until it is entered
the session reaches nothing but the code page."""

import datetime
import re

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from apps.notifications import sms
from apps.orgs.models import Role
from apps.security.models import SmsDevice
from tests.conftest import make_user

PASSWORD = "Right-password-123"
MOBILE = "13912345678"


@pytest.fixture
def worker(tree):
    return make_user(
        tree["c1"], Role.COMMUNITY_STAFF, username="wang", mobile=MOBILE, password=PASSWORD
    )


@pytest.fixture
def outbox():
    sms.outbox.clear()
    yield sms.outbox
    sms.outbox.clear()


def _login(client, username, password=PASSWORD):
    return client.post(reverse("login"), {"username": username, "password": password})


@pytest.mark.parametrize("identifier", ["wang", MOBILE])
def test_a_user_logs_in_with_the_user_name_or_the_mobile_number(client, worker, identifier):
    response = _login(client, identifier)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(worker.pk)


def test_an_unknown_mobile_number_or_a_wrong_password_logs_nobody_in(client, worker):
    assert _login(client, "13900000000").status_code == 200
    assert _login(client, MOBILE, "wrong").status_code == 200
    assert "_auth_user_id" not in client.session


def test_failures_by_mobile_number_lock_the_account_for_its_user_name_too(client, worker):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, MOBILE, "wrong")
    assert _login(client, "wang").status_code == 429
    assert _login(client, MOBILE).status_code == 429
    assert "_auth_user_id" not in client.session


def test_failures_by_either_identifier_count_towards_one_lockout(client, worker):
    for i in range(settings.AXES_FAILURE_LIMIT):
        _login(client, MOBILE if i % 2 else "wang", "wrong")
    assert _login(client, MOBILE).status_code == 429


def test_a_colleague_is_not_locked_out_by_failures_on_another_mobile(client, worker, tree):
    make_user(tree["c1"], Role.GRID_WORKER, username="li", mobile="13700000000", password=PASSWORD)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, MOBILE, "wrong")
    assert _login(client, "13700000000").status_code == 302


# --- The code by text message ---------------------------------------------------------------


@pytest.fixture
def sms_on(settings):
    settings.SMS_LOGIN_CODE = True


def _code(outbox):
    mobile, text = outbox[-1]
    assert mobile == MOBILE
    return re.search(r"验证码 (\d{6})", text).group(1)


def test_with_sms_codes_off_the_password_is_enough(client, worker, outbox):
    _login(client, MOBILE)
    assert client.get(reverse("mobile:home")).status_code == 200
    assert outbox == []


def test_the_right_code_opens_the_portal(client, worker, outbox, sms_on):
    response = _login(client, MOBILE)
    assert client.get(response["Location"])["Location"].startswith(reverse("two_factor:sms"))
    response = client.get(reverse("mobile:home"))
    assert response.status_code == 302 and response["Location"].startswith(
        reverse("two_factor:sms")
    )
    page = client.get(reverse("two_factor:sms"))
    assert "139****5678" in page.content.decode()
    assert len(outbox) == 1
    response = client.post(reverse("two_factor:sms"), {"code": _code(outbox), "next": "/m/"})
    assert response.status_code == 302 and response["Location"] == "/m/"
    assert client.get(reverse("mobile:home")).status_code == 200


def test_a_wrong_code_is_refused_and_then_throttled(client, worker, outbox, sms_on):
    _login(client, MOBILE)
    client.get(reverse("two_factor:sms"))
    right = _code(outbox)
    wrong = "000000" if right != "000000" else "111111"
    response = client.post(reverse("two_factor:sms"), {"code": wrong})
    assert "验证码不正确或已过期" in response.content.decode()
    # at once, even the right code must wait
    response = client.post(reverse("two_factor:sms"), {"code": right})
    assert "验证码错误次数过多" in response.content.decode()
    assert client.get(reverse("mobile:home")).status_code == 302
    SmsDevice.objects.update(
        throttling_failure_timestamp=timezone.now() - datetime.timedelta(seconds=5)
    )
    response = client.post(reverse("two_factor:sms"), {"code": right})
    assert response.status_code == 302


def test_an_expired_code_is_refused(client, worker, outbox, sms_on):
    _login(client, MOBILE)
    client.get(reverse("two_factor:sms"))
    SmsDevice.objects.update(valid_until=timezone.now() - datetime.timedelta(seconds=1))
    response = client.post(reverse("two_factor:sms"), {"code": _code(outbox)})
    assert "验证码不正确或已过期" in response.content.decode()
    assert client.get(reverse("mobile:home")).status_code == 302


def test_a_new_code_is_sent_at_most_once_a_minute_and_voids_the_old_one(
    client, worker, outbox, sms_on
):
    _login(client, MOBILE)
    client.get(reverse("two_factor:sms"))
    client.get(reverse("two_factor:sms"))
    response = client.post(reverse("two_factor:sms"), {"resend": "1"})
    assert len(outbox) == 1
    assert "1 分钟后重新获取" in response.content.decode()
    old = _code(outbox)
    SmsDevice.objects.update(
        last_generated_timestamp=timezone.now() - datetime.timedelta(seconds=61)
    )
    client.post(reverse("two_factor:sms"), {"resend": "1"})
    assert len(outbox) == 2
    new = _code(outbox)
    if new != old:
        response = client.post(reverse("two_factor:sms"), {"code": old})
        assert "验证码不正确或已过期" in response.content.decode()
        SmsDevice.objects.update(throttling_failure_timestamp=None, throttling_failure_count=0)
    assert client.post(reverse("two_factor:sms"), {"code": new}).status_code == 302


def test_users_without_a_mobile_number_are_not_asked_for_a_code(client, tree, outbox, sms_on):
    make_user(tree["s1"], username="zhao", password=PASSWORD)
    _login(client, "zhao")
    assert client.get(reverse("plans:list")).status_code == 200
    assert client.get(reverse("two_factor:sms")).status_code == 302
    assert outbox == []


@pytest.mark.parametrize("why", ["authenticator", "required"])
def test_the_text_message_never_replaces_an_authenticator(
    client, worker, outbox, sms_on, settings, why
):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    if why == "authenticator":
        TOTPDevice.objects.create(user=worker, name="app", confirmed=True)
    else:
        settings.TWO_FACTOR_REQUIRED = True
        settings.TWO_FACTOR_REQUIRED_ROLES = [Role.COMMUNITY_STAFF]
    _login(client, MOBILE)
    response = client.get(reverse("two_factor:sms"))
    assert response["Location"].startswith(reverse("two_factor:verify"))
    assert outbox == []
    assert client.get(reverse("mobile:home")).status_code == 302
