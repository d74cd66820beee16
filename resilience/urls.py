from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from apps.dashboards.views import HomeView
from apps.orgs.preferences import toggle_large_text
from apps.security.activity import LoginActivityView
from apps.security.passwords import PasswordChangeDoneView, PasswordChangeView
from apps.security.two_factor import TwoFactorAdminSite

from . import views

admin.site.site_header = _("社区韧性工作平台 · 管理后台")
admin.site.site_title = _("社区韧性工作平台")
admin.site.index_title = _("系统管理")
# Admin asks for the second factor too (a session that owes its code is not staff there).
admin.site.__class__ = TwoFactorAdminSite

urlpatterns = [
    path("", HomeView.as_view(), name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("accounts/activity/", LoginActivityView.as_view(), name="login_activity"),
    path("accounts/2fa/", include("apps.security.urls")),
    path("accounts/large-text/", toggle_large_text, name="large_text"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("orgs/", include("apps.orgs.urls")),
    path("files/", include("apps.files.urls")),
    path("plans/", include("apps.plans.urls")),
    path("hazards/", include("apps.hazards.urls")),
    path("supplies/", include("apps.supplies.urls")),
    path("shelters/", include("apps.shelters.urls")),
    path("drills/", include("apps.drills.urls")),
    path("people/", include("apps.people.urls")),
    path("notifications/", include("apps.notifications.urls")),
    path("reports/", include("apps.reports.urls")),
    path("dashboard/", include("apps.dashboards.urls")),
    path("applications/", include("apps.applications.urls")),
    path("warnings/", include("apps.warnings.urls")),
    path("duty/", include("apps.duty.urls")),
    path("incidents/", include("apps.incidents.urls")),
    path("response/", include("apps.response.urls")),
    path("public/", include("apps.response.public_urls")),
    path("public/", include("apps.applications.public_urls")),
    path("m/", include("apps.mobile.urls")),
    path("api/v1/", include("apps.api.urls")),
    path("admin/", admin.site.urls),
]
