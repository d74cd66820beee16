"""The password policy and the forced change (GB/T 22239-2019 身份鉴别).

A password set from any form is at least ``PASSWORD_MIN_LENGTH`` (12) characters, uses three of
the four classes (upper case, lower case, digit, symbol), does not contain the user name, is not
a common password and is not the current one nor one of the ``PASSWORD_HISTORY_COUNT`` (5)
before it (kept as hashes); each refusal says why in Chinese. A password an admin sets (a new
account's, or a reset) must be changed at the next log-in: until then the user reaches only the
change page, log-out and the language switch. Demo accounts (``seed_demo``) keep
``DEMO_PASSWORD`` and are not forced to change it.
"""

import pytest
from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse

from apps.orgs.models import Role, User
from apps.security.models import PasswordHistory
from apps.security.passwords import change_password
from tests.conftest import make_user

GOOD = "Huayang#Drill2026"


@pytest.fixture
def staff(tree):
    return make_user(
        tree["s1"],
        username="zhangsan",
        first_name="三",
        last_name="张",
        password="Old-password-2025",
    )


@pytest.fixture
def admin_user(tree):
    return make_user(tree["sh"], role=Role.ADMIN, username="root", is_staff=True, is_superuser=True)


def _messages(password, user):
    try:
        validate_password(password, user)
    except ValidationError as exc:
        return exc.messages
    return []


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("Ab1!short", "密码太短：至少需要 12 个字符。"),
        ("onlylowercaseletters", "密码须包含大写字母、小写字母、数字、符号四类中的至少 3 类。"),
        ("lower-and-symbols", "密码须包含大写字母、小写字母、数字、符号四类中的至少 3 类。"),
        ("123456789012345", "密码须包含大写字母、小写字母、数字、符号四类中的至少 3 类。"),
        ("My-ZhangSan-2026", "密码不能包含用户名。"),
        ("zhangsan#Office9", "密码不能包含用户名。"),
        ("Password1234", "密码过于常见，容易被猜中。"),
        ("Old-password-2025", "不能使用最近 5 次用过的密码。"),  # the current one
    ],
)
def test_a_bad_password_is_refused_with_its_reason_in_chinese(staff, password, message):
    assert message in _messages(password, staff)


def test_a_password_with_three_classes_and_twelve_characters_passes(staff):
    assert _messages(GOOD, staff) == []
    assert _messages("lower case 123 with spaces", staff) == []  # lower, digit, symbol


def test_the_policy_follows_the_length_setting(staff, settings):
    from apps.security.passwords import MinimumLengthValidator

    assert settings.PASSWORD_MIN_LENGTH == 12
    with pytest.raises(ValidationError, match="至少需要 16 个字符"):
        MinimumLengthValidator(16).validate("Abc-1234-xyz-9")


def test_the_change_page_refuses_a_weak_password_and_keeps_the_old_one(client, staff):
    client.force_login(staff)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": "Old-password-2025",
            "new_password1": "short",
            "new_password2": "short",
        },
    )
    assert response.status_code == 200
    assert "密码太短：至少需要 12 个字符。" in response.content.decode()
    staff.refresh_from_db()
    assert staff.check_password("Old-password-2025")


def test_the_change_page_sets_the_new_password_and_keeps_the_user_logged_in(client, staff):
    client.force_login(staff)
    response = client.post(
        reverse("password_change"),
        {"old_password": "Old-password-2025", "new_password1": GOOD, "new_password2": GOOD},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("password_change_done")
    staff.refresh_from_db()
    assert staff.check_password(GOOD)
    assert client.get(reverse("home")).status_code == 200


def test_the_change_page_asks_for_the_current_password(client, staff):
    client.force_login(staff)
    response = client.post(
        reverse("password_change"),
        {"old_password": "wrong", "new_password1": GOOD, "new_password2": GOOD},
    )
    assert response.status_code == 200
    assert "当前密码不正确" in response.content.decode()


# --- History -------------------------------------------------------------------------------


def test_none_of_the_last_five_passwords_may_be_reused_and_the_sixth_may(staff):
    passwords = [f"Rotation#{n}-2026x" for n in range(1, 7)]
    for password in passwords:
        assert _messages(password, staff) == [], password
        change_password(staff, password=password)
    # The current one and the four before it are refused; the first is the sixth back.
    for password in passwords[-5:]:
        assert _messages(password, staff) == ["不能使用最近 5 次用过的密码。"], password
    assert _messages(passwords[0], staff) == []
    assert _messages("Old-password-2025", staff) == []


def test_the_history_keeps_only_hashes_and_only_the_newest_five(staff):
    for n in range(7):
        change_password(staff, password=f"History#{n}-2026x")
    rows = list(PasswordHistory.objects.filter(user=staff))
    assert len(rows) == settings.PASSWORD_HISTORY_COUNT
    assert all("History#" not in row.password for row in rows)
    assert check_password("History#6-2026x", rows[0].password)  # newest first
    assert check_password("History#2-2026x", rows[-1].password)


def test_a_password_set_in_code_is_remembered_too(staff):
    staff.set_password("Set-in-code-2026")
    staff.save()
    assert "不能使用最近 5 次用过的密码。" in _messages("Set-in-code-2026", staff)
    assert PasswordHistory.objects.filter(user=staff).count() == 1


# --- Forced change -------------------------------------------------------------------------


def test_a_user_an_admin_creates_with_a_password_must_change_it(client, admin_user, tree):
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:orgs_user_add"),
        {
            "username": "wangwu",
            "org_unit": tree["s1"].pk,
            "role": Role.STREET_STAFF,
            "usable_password": "true",
            "password1": GOOD,
            "password2": GOOD,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert User.objects.get(username="wangwu").must_change_password is True


def test_the_admin_add_form_applies_the_policy_too(client, admin_user, tree):
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:orgs_user_add"),
        {
            "username": "wangwu",
            "org_unit": tree["s1"].pk,
            "role": Role.STREET_STAFF,
            "usable_password": "true",
            "password1": "wangwu-password",
            "password2": "wangwu-password",
        },
    )
    assert response.status_code == 200
    assert "密码不能包含用户名。" in response.content.decode()
    assert not User.objects.filter(username="wangwu").exists()


def test_a_password_reset_by_an_admin_must_be_changed(client, admin_user, staff):
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:auth_user_password_change", args=[staff.pk]),
        {"usable_password": "true", "password1": GOOD, "password2": GOOD},
    )
    assert response.status_code == 302
    staff.refresh_from_db()
    assert staff.check_password(GOOD)
    assert staff.must_change_password is True


@pytest.fixture
def forced(staff):
    staff.must_change_password = True
    staff.save(update_fields=["must_change_password"])
    return staff


@pytest.mark.parametrize("name", ["home", "plans:list", "notifications:list", "login_activity"])
def test_a_user_who_must_change_the_password_is_sent_to_the_change_page(client, forced, name):
    client.force_login(forced)
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"] == reverse("password_change")


def test_a_forced_user_may_still_see_the_change_page_log_out_and_switch_language(client, forced):
    client.force_login(forced)
    page = client.get(reverse("password_change"))
    assert page.status_code == 200
    assert "您的密码由系统管理员设置" in page.content.decode()
    assert client.post(reverse("set_language"), {"language": "en"}).status_code == 302
    response = client.post(reverse("logout"))
    assert response.status_code == 302 and response["Location"] == reverse("login")


def test_a_forced_user_polled_by_htmx_is_redirected_by_the_browser(client, forced):
    client.force_login(forced)
    response = client.get(reverse("home"), headers={"HX-Request": "true"})
    assert response.status_code == 204
    assert response["HX-Redirect"] == reverse("password_change")


def test_changing_the_password_lifts_the_forced_change(client, forced):
    client.force_login(forced)
    response = client.post(
        reverse("password_change"),
        {"old_password": "Old-password-2025", "new_password1": GOOD, "new_password2": GOOD},
    )
    assert response.status_code == 302
    forced.refresh_from_db()
    assert forced.must_change_password is False
    assert client.get(reverse("home")).status_code == 200


def test_demo_users_log_in_with_the_demo_password_and_are_not_forced(
    client, world, media, settings
):
    # The module's demo data was hashed before the tests' fast hasher was switched on.
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]
    response = client.post(
        reverse("login"), {"username": "huayang_staff", "password": settings.DEMO_PASSWORD}
    )
    assert response.status_code == 302
    assert User.objects.get(username="huayang_staff").must_change_password is False
    assert client.get(reverse("home")).status_code == 200
