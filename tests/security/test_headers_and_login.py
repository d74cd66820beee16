"""Security headers, the strict CSP (and templates that keep to it), session expiry, the
deployment check, and the login lockout (django-axes)."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from tests.conftest import make_user

ROOT = Path(settings.BASE_DIR)


@pytest.fixture
def staff(tree):
    return make_user(tree["s1"], username="zhang", password="right-password-123")


def test_pages_carry_a_strict_csp_and_the_other_security_headers(client, staff):
    client.force_login(staff)
    response = client.get(reverse("plans:list"))
    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in csp.split(";") if " " in part.strip())
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["Cross-Origin-Resource-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]
    # Pages with personal data are not kept in a shared computer's cache.
    assert "no-store" in response["Cache-Control"]


def test_the_login_page_has_the_csp_too(client, db):
    response = client.get(reverse("login"))
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


def test_map_tiles_host_is_allowed_for_images_only():
    from resilience.settings import _origin

    assert _origin("https://t{s}.tianditu.gov.cn/vec_w/wmts?x={x}") == "https://t*.tianditu.gov.cn"
    assert _origin("") is None


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/(ld\+)?json)[^>]*>", re.I)
STYLE_ATTR = re.compile(r"\sstyle\s*=", re.I)
STYLE_TAG = re.compile(r"<style\b", re.I)
EVENT_HANDLER = re.compile(r"\son[a-z]+\s*=\s*[\"']", re.I)
JS_URL = re.compile(r"href\s*=\s*[\"']\s*javascript:", re.I)


def _browser_templates():
    for path in sorted((ROOT / "templates").rglob("*.html")):
        # PDF templates are rendered by WeasyPrint, not a browser: the CSP does not apply.
        if "reports/pdf" in path.as_posix() or "/pdf/" in path.as_posix():
            continue
        yield path


def test_no_template_has_inline_script_style_or_event_handlers():
    offenders = []
    for path in _browser_templates():
        text = path.read_text(encoding="utf-8")
        for name, pattern in (
            ("inline <script>", INLINE_SCRIPT),
            ("style= attribute", STYLE_ATTR),
            ("<style> element", STYLE_TAG),
            ("on*= handler", EVENT_HANDLER),
            ("javascript: URL", JS_URL),
        ):
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                offenders.append(f"{path.relative_to(ROOT)}:{line}: {name}")
    assert not offenders, "CSP forbids these; move them to static files:\n" + "\n".join(offenders)


def test_project_scripts_do_not_write_inline_styles_or_eval():
    offenders = []
    for path in sorted((ROOT / "static").rglob("*.js")):
        if "vendor" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        for name, pattern in (
            ("eval", re.compile(r"\beval\(|new Function\(")),
            ("style attribute via setAttribute", re.compile(r"setAttribute\(\s*[\"']style")),
            ("inline handler", re.compile(r"setAttribute\(\s*[\"']on[a-z]+")),
            # markup from strings: server text goes in with textContent (see
            # tests/browser/test_stored_payloads.py for Leaflet's and ECharts' string content)
            (
                "HTML from a string",
                re.compile(r"\.(inner|outer)HTML\s*[+]?=|insertAdjacentHTML|document\.write"),
            ),
        ):
            if pattern.search(text):
                offenders.append(f"{path.relative_to(ROOT)}: {name}")
    assert not offenders, offenders


def test_htmx_does_not_inject_its_inline_indicator_style(client, db):
    html = client.get(reverse("login")).content.decode()
    assert '"includeIndicatorStyles": false' in html


def test_sessions_end_with_the_browser_and_after_a_working_day(client, staff):
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
    assert settings.SESSION_COOKIE_AGE <= 8 * 60 * 60
    response = client.post(
        reverse("login"), {"username": "zhang", "password": "right-password-123"}
    )
    assert response.status_code == 302
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"]
    assert not cookie["expires"] and not cookie["max-age"]  # a browser-session cookie


def test_check_deploy_is_clean_in_production_settings():
    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": "check-deploy-only-not-a-real-secret-key-0123456789abcdefghijklmnop",
        "ALLOWED_HOSTS": "portal.example.gov.cn",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def _login(client, password, username="zhang"):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_five_failures_lock_the_account_with_a_chinese_message(client, staff):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = _login(client, "wrong-password")
        assert response.status_code == 200
        assert "_auth_user_id" not in client.session
    response = _login(client, "wrong-password")
    assert response.status_code == 429
    page = response.content.decode()
    assert "登录失败次数过多" in page and "15 分钟" in page
    # Even the right password is refused while locked.
    response = _login(client, "right-password-123")
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_lockout_ends_after_the_cool_off(client, staff):
    from axes.models import AccessAttempt
    from django.utils import timezone

    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "wrong-password")
    assert _login(client, "right-password-123").status_code == 429
    AccessAttempt.objects.update(
        attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME - timezone.timedelta(minutes=1)
    )
    response = _login(client, "right-password-123")
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(staff.pk)


def test_lockout_is_per_user_name_so_colleagues_can_still_log_in(client, staff, tree):
    make_user(tree["s1"], username="li", password="another-password-123")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "wrong-password")
    assert _login(client, "another-password-123", username="li").status_code == 302


def test_a_success_resets_the_failure_count(client, staff):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _login(client, "wrong-password")
    assert _login(client, "right-password-123").status_code == 302
    client.logout()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _login(client, "wrong-password")
    assert _login(client, "right-password-123").status_code == 302


def test_admin_login_is_protected_too(client, staff):
    staff.is_staff = True
    staff.save()
    url = reverse("admin:login")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(url, {"username": "zhang", "password": "wrong"})
    response = client.post(url, {"username": "zhang", "password": "right-password-123"})
    assert response.status_code == 429
