"""Chinese everywhere in the Chinese UI: the 404, 403, 405, CSRF and 500 pages are the portal's
own in every mode (with DEBUG on too, where Django would show its English technical 404), and
admin names the lockout, audit log and two-factor apps and models in Chinese."""

import pytest
from django.contrib import admin
from django.test import Client, RequestFactory
from django.urls import reverse
from django.views.defaults import server_error

from apps.orgs.models import Role
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(params=[True, False], ids=["debug", "production"])
def mode(request, settings):
    settings.DEBUG = request.param
    return request.param


@pytest.fixture
def staff_client(client, tree):
    client.force_login(make_user(tree["s1"]))
    return client


def test_an_unknown_address_is_the_chinese_404_in_every_mode(staff_client, mode):
    response = staff_client.get("/no-such-page/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "页面不存在" in body and "Page not found" not in body


def test_a_record_outside_scope_is_the_chinese_404_in_every_mode(staff_client, mode):
    response = staff_client.get(reverse("reports:detail", args=[999999]))
    assert response.status_code == 404
    assert "您要找的记录不存在，或不在您的管辖范围内" in response.content.decode()


def test_a_missing_slash_is_still_redirected(staff_client, mode):
    response = staff_client.get("/reports")
    assert response.status_code == 301 and response.url == "/reports/"


def test_opening_a_post_only_address_is_a_chinese_405_with_its_allow_header(staff_client, mode):
    response = staff_client.get(reverse("reports:street"))
    assert response.status_code == 405 and response["Allow"].startswith("POST")
    body = response.content.decode()
    assert "不能直接打开此地址" in body and "返回工作台" in body


def test_forbidden_is_the_chinese_403(client, tree, mode):
    client.force_login(make_user(tree["c1"], Role.COMMUNITY_STAFF))
    response = client.get(reverse("reports:list"))
    assert response.status_code == 403 and "无权" in response.content.decode()


def test_a_stale_form_is_the_chinese_csrf_page(tree):
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user(tree["s1"]))
    response = client.post(reverse("reports:street"), {})
    assert response.status_code == 403
    body = response.content.decode()
    assert "页面已过期，请刷新后重试" in body and "CSRF verification failed" not in body


def test_the_500_page_is_chinese_and_needs_no_database():
    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500 and "系统出现错误，已记录" in response.content.decode()


def test_admin_names_the_lockout_audit_log_and_two_factor_apps_in_chinese(client, tree):
    root = make_user(tree["sh"], Role.ADMIN, is_staff=True, is_superuser=True)
    request = RequestFactory().get("/admin/")
    request.user = root
    names = {
        app["app_label"]: (str(app["name"]), [str(m["name"]) for m in app["models"]])
        for app in admin.site.get_app_list(request)
    }
    assert names["axes"][0] == "登录锁定" and "登录失败计数" in names["axes"][1]
    assert names["auditlog"] == ("审计日志", ["日志记录"])
    assert names["otp_totp"][0] == "双重认证：验证器应用"
    english = {"Axes", "Audit log", "Access attempts", "Access logs", "Otp_Totp", "TOTP devices"}
    shown = {n for app, models in names.values() for n in [app, *models]}
    assert not english & shown
