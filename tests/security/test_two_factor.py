"""Two-factor log-in (等保2.0 身份鉴别): after the password, a user with an authenticator app
enters its 6-digit code (or a single-use recovery code) before the portal or Django admin
answers anything else; admins and district reviewers must set one up first when
``TWO_FACTOR_REQUIRED`` is on; wrong codes get a Chinese message and are throttled; street staff
may turn it on and off but are never forced."""

from datetime import timedelta

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.middleware import OTPMiddleware
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from apps.orgs.models import Role
from apps.security.two_factor import RECHECK_SECONDS, SESSION_KEY, regenerate_recovery_codes
from tests.conftest import make_user

PASSWORD = "right-password-123"


@pytest.fixture
def required(settings):
    settings.TWO_FACTOR_REQUIRED = True
    settings.TWO_FACTOR_REQUIRED_ROLES = ["admin", "district_reviewer"]


@pytest.fixture
def people(tree):
    """Street staff, their district reviewer and a superuser admin of the small tree."""
    return {
        "staff": make_user(tree["s1"], username="zhang", password=PASSWORD),
        "reviewer": make_user(
            tree["d1"], Role.DISTRICT_REVIEWER, username="wang", password=PASSWORD
        ),
        "admin": make_user(
            tree["sh"],
            Role.ADMIN,
            username="root",
            password=PASSWORD,
            is_staff=True,
            is_superuser=True,
        ),
    }


def code_for(device, *, steps_ahead=0):
    """The code the authenticator app shows now (or ``steps_ahead`` 30-second steps later)."""
    value = totp(
        device.bin_key,
        step=device.step,
        t0=device.t0 - steps_ahead * device.step,
        digits=device.digits,
        drift=device.drift,
    )
    return f"{value:0{device.digits}d}"


def authenticator(user):
    return TOTPDevice.objects.create(user=user, name="身份验证器", confirmed=True)


def log_in(client, user):
    """The password step, through the real login form."""
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, "the password step failed"
    return response


def verified(client):
    return DEVICE_ID_SESSION_KEY in client.session


def test_a_reviewer_who_must_use_two_factor_is_sent_to_set_up_and_can_do_nothing_else(
    client, people, required
):
    response = log_in(client, people["reviewer"])
    response = client.get(response["Location"])
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("two_factor:setup"))

    for url in (reverse("plans:list"), reverse("home"), reverse("admin:index")):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("two_factor:setup")), url

    page = client.get(reverse("two_factor:setup"))
    assert page.status_code == 200
    assert "您的角色登录时必须使用双重认证" in page.content.decode()
    # The way out stays open: changing the language, logging out.
    assert client.post(reverse("set_language"), {"language": "en"}).status_code == 302
    assert client.post(reverse("logout")).status_code == 302
    assert client.get(reverse("plans:list"))["Location"].startswith(reverse("login"))


def test_confirming_with_the_right_code_unlocks_the_portal_and_shows_ten_recovery_codes(
    client, people, required
):
    log_in(client, people["reviewer"])
    assert client.get(reverse("two_factor:setup")).status_code == 200
    device = TOTPDevice.objects.get(user=people["reviewer"], confirmed=False)

    response = client.post(reverse("two_factor:setup"), {"code": code_for(device)})

    assert response.status_code == 200
    assert verified(client)
    device.refresh_from_db()
    assert device.confirmed
    codes = StaticDevice.objects.get(user=people["reviewer"]).token_set.all()
    assert len(codes) == 10
    page = response.content.decode()
    assert all(token.token in page for token in codes)
    assert client.get(reverse("plans:list")).status_code == 200
    # The key is shown once: no QR code, no set-up page any more.
    assert client.get(reverse("two_factor:qr")).status_code == 404
    assert client.get(reverse("two_factor:setup"))["Location"] == reverse("two_factor:manage")


def test_a_wrong_code_is_refused_with_a_chinese_message_and_the_session_stays_unverified(
    client, people, required
):
    device = authenticator(people["reviewer"])
    log_in(client, people["reviewer"])
    right = code_for(device)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"

    response = client.post(reverse("two_factor:verify"), {"code": wrong})

    assert response.status_code == 200
    assert "验证码不正确" in response.content.decode()
    assert not verified(client)
    response = client.get(reverse("plans:list"))
    assert response["Location"].startswith(reverse("two_factor:verify"))


@pytest.mark.parametrize(
    "code", ["", "   ", "12345", "1234567", "abcdefgh", "<script>", "0" * 20, "12-34-5x"]
)
def test_malformed_codes_get_a_message_and_verify_nothing(client, people, required, code):
    authenticator(people["reviewer"])
    log_in(client, people["reviewer"])

    response = client.post(reverse("two_factor:verify"), {"code": code})

    assert response.status_code == 200
    assert 'id="code-error"' in response.content.decode()
    assert not verified(client)


def test_wrong_codes_are_throttled_so_even_the_right_code_must_wait(client, people, required):
    device = authenticator(people["reviewer"])
    log_in(client, people["reviewer"])
    for _ in range(3):
        client.post(reverse("two_factor:verify"), {"code": "000000"})
    device.refresh_from_db()
    assert device.throttling_failure_count >= 1  # django-otp's throttling is on

    response = client.post(reverse("two_factor:verify"), {"code": code_for(device)})
    assert "验证码错误次数过多" in response.content.decode()
    assert not verified(client)

    # Once the delay (2^(n-1) s) has passed, the right code is accepted.
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_timestamp=timezone.now() - timedelta(hours=1)
    )
    response = client.post(reverse("two_factor:verify"), {"code": code_for(device)})
    assert response.status_code == 302
    assert verified(client)


def test_the_verify_step_keeps_the_page_asked_for_but_not_another_site(client, people):
    device = authenticator(people["staff"])
    client.force_login(people["staff"])
    asked = reverse("plans:list") + "?q=flood"
    response = client.get(asked)
    assert response["Location"].startswith(reverse("two_factor:verify") + "?next=")

    response = client.post(reverse("two_factor:verify"), {"code": code_for(device), "next": asked})
    assert response["Location"] == asked

    client.logout()
    client.force_login(people["staff"])
    response = client.post(
        reverse("two_factor:verify"),
        {"code": code_for(device, steps_ahead=1), "next": "https://evil.example/"},
    )
    assert response["Location"] == reverse("home")


def test_a_recovery_code_works_once_only(client, people, required):
    authenticator(people["reviewer"])
    codes = regenerate_recovery_codes(people["reviewer"])
    assert len(set(codes)) == 10

    log_in(client, people["reviewer"])
    response = client.post(reverse("two_factor:verify"), {"code": codes[0].upper()})
    assert response.status_code == 302
    assert verified(client)
    assert StaticDevice.objects.get(user=people["reviewer"]).token_set.count() == 9

    client.post(reverse("logout"))
    log_in(client, people["reviewer"])
    response = client.post(reverse("two_factor:verify"), {"code": codes[0]})
    assert response.status_code == 200
    assert "验证码不正确" in response.content.decode()
    assert not verified(client)


def test_regenerating_recovery_codes_voids_the_old_ones(client, people):
    device = authenticator(people["staff"])
    old = regenerate_recovery_codes(people["staff"])
    client.force_login(people["staff"])
    client.post(reverse("two_factor:verify"), {"code": code_for(device)})

    response = client.post(reverse("two_factor:recovery_codes"))

    assert response.status_code == 200
    new = {t.token for t in StaticDevice.objects.get(user=people["staff"]).token_set.all()}
    assert len(new) == 10 and not new & set(old)
    assert all(code in response.content.decode() for code in new)


def _admin_request(user, device=None):
    request = RequestFactory().get("/admin/")
    request.user = user
    request.session = {}
    OTPMiddleware(lambda r: None)(request)
    if device is not None:
        request.user.otp_device = device
    return request


def test_the_admin_site_refuses_an_unverified_superuser(client, people, required):
    root = people["admin"]
    device = authenticator(root)

    assert not admin.site.has_permission(_admin_request(root))
    assert admin.site.has_permission(_admin_request(root, device))

    client.force_login(root)
    response = client.get(reverse("admin:index"))
    assert response["Location"].startswith(reverse("two_factor:verify"))
    client.post(reverse("two_factor:verify"), {"code": code_for(device)})
    assert client.get(reverse("admin:index")).status_code == 200


def test_a_superuser_without_an_authenticator_is_sent_to_set_up_before_admin(
    client, people, required
):
    client.force_login(people["admin"])
    assert not admin.site.has_permission(_admin_request(people["admin"]))
    response = client.get(reverse("admin:index"))
    assert response["Location"].startswith(reverse("two_factor:setup"))


def test_street_staff_are_not_forced(client, people, required):
    log_in(client, people["staff"])
    assert client.get(reverse("plans:list")).status_code == 200
    page = client.get(reverse("two_factor:manage")).content.decode()
    assert "未开启" in page


def test_while_two_factor_is_off_the_demo_admin_and_reviewers_log_in_with_a_password(
    client, people, settings
):
    settings.TWO_FACTOR_REQUIRED = False
    for who in ("reviewer", "admin"):
        log_in(client, people[who])
        assert client.get(reverse("plans:list")).status_code == 200, who
    assert client.get(reverse("admin:index")).status_code == 200


def test_a_user_who_chose_two_factor_is_asked_for_the_code_even_when_it_is_not_required(
    client, people, settings
):
    settings.TWO_FACTOR_REQUIRED = False
    authenticator(people["staff"])
    log_in(client, people["staff"])
    response = client.get(reverse("plans:list"))
    assert response["Location"].startswith(reverse("two_factor:verify"))


def test_street_staff_may_turn_it_on_and_off_with_a_code(client, people):
    client.force_login(people["staff"])
    client.get(reverse("two_factor:setup"))
    device = TOTPDevice.objects.get(user=people["staff"], confirmed=False)
    client.post(reverse("two_factor:setup"), {"code": code_for(device)})
    assert TOTPDevice.objects.filter(user=people["staff"], confirmed=True).exists()

    response = client.post(reverse("two_factor:disable"), {"code": "000000"}, follow=True)
    assert "验证码不正确" in response.content.decode()
    assert TOTPDevice.objects.filter(user=people["staff"]).exists()

    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_timestamp=None)  # waited
    client.post(reverse("two_factor:disable"), {"code": code_for(device, steps_ahead=1)})
    assert not TOTPDevice.objects.filter(user=people["staff"]).exists()
    assert not StaticDevice.objects.filter(user=people["staff"]).exists()
    assert client.get(reverse("plans:list")).status_code == 200


def test_a_role_that_requires_two_factor_cannot_turn_it_off(client, people, required):
    device = authenticator(people["reviewer"])
    client.force_login(people["reviewer"])
    client.post(reverse("two_factor:verify"), {"code": code_for(device)})

    response = client.post(
        reverse("two_factor:disable"), {"code": code_for(device, steps_ahead=1)}, follow=True
    )

    assert "不能关闭" in response.content.decode()
    assert TOTPDevice.objects.filter(user=people["reviewer"], confirmed=True).exists()


def test_set_up_cannot_replace_an_authenticator_from_a_session_without_its_code(client, people):
    device = authenticator(people["staff"])
    client.force_login(people["staff"])

    response = client.get(reverse("two_factor:setup"))
    assert response["Location"].startswith(reverse("two_factor:verify"))
    response = client.post(reverse("two_factor:setup"), {"code": "123456"})
    assert response["Location"].startswith(reverse("two_factor:verify"))
    assert client.get(reverse("two_factor:qr")).status_code == 404
    assert list(TOTPDevice.objects.filter(user=people["staff"])) == [device]


def test_the_qr_code_is_an_svg_image_without_script(client, people):
    client.force_login(people["staff"])
    page = client.get(reverse("two_factor:setup")).content.decode()
    assert f'src="{reverse("two_factor:qr")}"' in page

    response = client.get(reverse("two_factor:qr"))

    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    svg = response.content.decode()
    assert svg.lstrip().startswith("<svg") or svg.lstrip().startswith("<?xml")
    assert "<script" not in svg and "style=" not in svg
    assert "no-store" in response["Cache-Control"]


def test_an_htmx_poll_of_an_unverified_session_is_sent_to_verify_as_a_whole_page(client, people):
    authenticator(people["staff"])
    client.force_login(people["staff"])

    response = client.get(reverse("notifications:list"), headers={"HX-Request": "true"})

    assert response.status_code == 204
    assert response["HX-Redirect"].startswith(reverse("two_factor:verify"))


def test_an_authenticator_turned_on_in_another_session_applies_here_within_a_minute(client, people):
    client.force_login(people["staff"])
    assert client.get(reverse("plans:list")).status_code == 200
    authenticator(people["staff"])  # confirmed from another browser
    assert client.get(reverse("plans:list")).status_code == 200  # noted at log-in, < 1 min

    session = client.session
    has, noted_at = session[SESSION_KEY]
    session[SESSION_KEY] = [has, noted_at - RECHECK_SECONDS]
    session.save()

    response = client.get(reverse("plans:list"))
    assert response["Location"].startswith(reverse("two_factor:verify"))


def test_check_deploy_warns_when_two_factor_is_switched_off_in_production(settings):
    from django.core.checks import run_checks

    settings.DEBUG = False
    settings.TWO_FACTOR_REQUIRED = False
    ids = [m.id for m in run_checks(include_deployment_checks=True, tags=["security"])]
    assert "security.W001" in ids
    settings.TWO_FACTOR_REQUIRED = True
    ids = [m.id for m in run_checks(include_deployment_checks=True, tags=["security"])]
    assert "security.W001" not in ids
