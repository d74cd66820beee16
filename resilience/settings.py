"""Settings for the community resilience portal.

Everything comes from the environment (or a ``.env`` file beside ``manage.py``), read with
django-environ; ``.env.example`` documents every variable. The defaults are the *embedded
default*: DEBUG on, a SQLite file in the project, no broker (Celery tasks run in-process), console
e-mail. Production sets ``DEBUG=false``, which makes ``SECRET_KEY`` and ``ALLOWED_HOSTS`` required
and turns on the secure-cookie/HTTPS settings that ``manage.py check --deploy`` expects.
"""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

from resilience.storage import caches_from_env, default_storage_from_env, session_engine_for

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DEBUG", default=True)

if DEBUG:
    SECRET_KEY = env("SECRET_KEY", default="django-insecure-development-only-key-do-not-deploy")
else:
    SECRET_KEY = env("SECRET_KEY")  # required: ImproperlyConfigured when missing

ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "import_export",
    "axes",  # login lockout after repeated failures
    "auditlog",  # audit trail of domain records (one LogEntry table)
    "csp",  # Content-Security-Policy header
    "django_otp",  # two-factor log-in (apps/security/two_factor.py)
    "django_otp.plugins.otp_totp",  # authenticator apps
    "django_otp.plugins.otp_static",  # recovery codes
    "rest_framework",  # the open API (apps.api)
    "drf_spectacular",  # its OpenAPI 3 schema
    "drf_spectacular_sidecar",  # Swagger UI as static files: no CDN
    "apps.orgs",
    "apps.files",
    "apps.maps",
    "apps.plans",
    "apps.hazards",
    "apps.supplies",
    "apps.shelters",
    "apps.drills",
    "apps.people",
    "apps.notifications",
    "apps.reports",
    "apps.dashboards",
    "apps.applications",
    "apps.warnings",
    "apps.duty",
    "apps.incidents",
    "apps.response",
    "apps.mobile",
    "apps.security",
    "apps.api",
]

MIDDLEWARE = [
    # First: the client address every later reader sees (TRUSTED_PROXIES, below).
    "apps.security.middleware.ClientAddressMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "resilience.middleware.LanguageCookieMiddleware",
    # A NUL byte in the path, a parameter or a cookie: 400 before anything reads the session.
    "apps.security.middleware.BadInputMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",  # user.is_verified(): this session entered its code
    "apps.security.two_factor.TwoFactorMiddleware",  # no code yet: only the 2FA pages
    "django.contrib.messages.middleware.MessageMiddleware",
    # Chinese 404/405 pages also with DEBUG on (after CommonMiddleware: APPEND_SLASH works).
    "resilience.middleware.ErrorPagesMiddleware",
    # Idle and absolute session timeout, then the forced password change (both need messages).
    "apps.security.sessions.SessionTimeoutMiddleware",
    "apps.security.passwords.PasswordChangeRequiredMiddleware",
    # The front line (居委, 网格员, 灾害信息员): phone pages and delegated views only.
    "apps.orgs.frontline.FrontLineMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "apps.security.middleware.SecurityHeadersMiddleware",
    # The acting user and client address of every audited change (django-auditlog's).
    "apps.security.middleware.AuditlogMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes requires
]

ROOT_URLCONF = "resilience.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "resilience.navigation.navigation",
                "apps.notifications.context_processors.unread_notifications",
            ],
        },
    },
]

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

WSGI_APPLICATION = "resilience.wsgi.application"
ASGI_APPLICATION = "resilience.asgi.application"

# --- Database -----------------------------------------------------------------------------
# Embedded default: a SQLite file in the project. Production and CI: one PostgreSQL schema,
# e.g. DATABASE_URL=postgres://postgres@127.0.0.1:5432/resilience
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # An interactive portal: many short requests share a few cores. Parallel workers made the
    # planner scan every hazard of Shanghai instead of the covering index (200 ms against 57 ms
    # for a district), and the default page costs assume spinning disks.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = env(
        "PG_OPTIONS", default="-c max_parallel_workers_per_gather=0 -c random_page_cost=1.1"
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Auth -----------------------------------------------------------------------------------
AUTH_USER_MODEL = "orgs.User"
AUTHENTICATION_BACKENDS = [
    # First: refuses locked-out credentials (django-axes), then the real backend.
    "apps.security.backends.LockoutBackend",
    "apps.orgs.backends.MobileOrUsernameBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# The password policy (GB/T 22239-2019 身份鉴别), Chinese messages: apps/security/passwords.py.
# Checked wherever a form sets a password; set_password() in code (seed_demo) is not checked.
PASSWORD_MIN_LENGTH = env.int("PASSWORD_MIN_LENGTH", default=12)
PASSWORD_HISTORY_COUNT = env.int("PASSWORD_HISTORY_COUNT", default=5)  # hashes kept per user
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "apps.security.passwords.MinimumLengthValidator",
        "OPTIONS": {"min_length": PASSWORD_MIN_LENGTH},
    },
    {
        "NAME": "apps.security.passwords.CharacterClassesValidator",
        "OPTIONS": {"min_classes": 3},  # of upper case, lower case, digit, symbol
    },
    {"NAME": "apps.security.passwords.UsernameValidator"},
    {"NAME": "apps.security.passwords.UserAttributeSimilarityValidator"},
    {"NAME": "apps.security.passwords.CommonPasswordValidator"},
    {
        "NAME": "apps.security.passwords.PasswordHistoryValidator",
        "OPTIONS": {"count": PASSWORD_HISTORY_COUNT},
    },
]
# Two-factor log-in (TOTP app + recovery codes, apps/security/two_factor.py). A user with an
# authenticator always enters its code; TWO_FACTOR_REQUIRED makes these roles (and superusers)
# set one up before anything else. Off by default with DEBUG (the demo), on in production.
TWO_FACTOR_REQUIRED = env.bool("TWO_FACTOR_REQUIRED", default=not DEBUG)
TWO_FACTOR_REQUIRED_ROLES = env.list(
    "TWO_FACTOR_REQUIRED_ROLES", default=["admin", "district_reviewer"]
)
OTP_TOTP_ISSUER = env("OTP_TOTP_ISSUER", default="社区韧性工作平台")
# django-otp's throttling stays on: after n wrong codes, nothing is accepted for 2^(n-1) s.
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 60 * 60)  # one working day
# Office computers are shared: the session also ends when the browser closes.
SESSION_EXPIRE_AT_BROWSER_CLOSE = env.bool("SESSION_EXPIRE_AT_BROWSER_CLOSE", default=True)
# Log out after this many minutes without a request from the user (0: never); requests a page
# makes by itself (X-Background-Request) do not count. apps/security/sessions.py
SESSION_IDLE_TIMEOUT_MINUTES = env.int("SESSION_IDLE_TIMEOUT_MINUTES", default=30)

# --- Internationalisation -------------------------------------------------------------------
# Message ids are written in Simplified Chinese, the users' language (the words of the source
# documents); the English catalogue lives in locale/en.
LANGUAGE_CODE = env("LANGUAGE_CODE", default="zh-hans")
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env("TIME_ZONE", default="Asia/Shanghai")
USE_I18N = True
USE_TZ = True

# --- Static and media -----------------------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "var" / "staticfiles")
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "var" / "media")
# Media is never served from a public URL: every file goes through a view that checks scope.
MEDIA_URL = "/media/"
# Uploads and generated reports: MEDIA_ROOT on local disk (one machine), or a private bucket
# on S3-compatible object storage (STORAGE_BACKEND=s3: several web nodes, MinIO in compose).
# Code reads files only through the storage (FieldFile.open), never a path. resilience/storage.py
STORAGES = {
    "default": default_storage_from_env(env),
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# --- E-mail ---------------------------------------------------------------------------------
# EMAIL_URL=smtp+tls://user:password@smtp.example.gov.cn:587 in production; console by default.
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="resilience-portal@localhost")
# Text messages (验证码, 预警叫应): a class with send(mobile, text); the default only logs.
# How a real gateway plugs in: apps/notifications/sms.py.
SMS_BACKEND = env("SMS_BACKEND", default="apps.notifications.sms.LoggingBackend")
# A one-time code by text message after the password, for users with a mobile number and no
# authenticator app (apps/security/two_factor.py): valid 5 minutes, a new one once a minute.
SMS_LOGIN_CODE = env.bool("SMS_LOGIN_CODE", default=False)
SMS_CODE_VALID_SECONDS = env.int("SMS_CODE_VALID_SECONDS", default=300)
SMS_CODE_RESEND_SECONDS = env.int("SMS_CODE_RESEND_SECONDS", default=60)
# The portal's address as users reach it, for links in e-mails (no trailing slash).
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")

# --- Celery ---------------------------------------------------------------------------------
# With no broker configured, tasks run in-process (eager) so the embedded default works alone.
REDIS_URL = env("REDIS_URL", default="")
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=REDIS_URL)
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE = {
    # The daily reminder sweep (apps.notifications); idempotent, so a rerun is harmless.
    "reminder-sweep": {
        "task": "apps.notifications.tasks.run_reminder_sweep",
        "schedule": crontab(hour=env.int("REMINDER_HOUR", default=7), minute=30),
    },
    # 预警叫应: escalate unanswered calls (apps.warnings); over database state, two workers safe.
    "warning-escalation": {
        "task": "apps.warnings.tasks.escalate_calls",
        "schedule": crontab(),
    },
    # 预警叫应: fetch the CAP feeds (apps.warnings.feeds) and import new alerts as drafts.
    "cap-feed-poll": {
        "task": "apps.warnings.tasks.poll_cap_feeds",
        "schedule": timedelta(minutes=env.int("CAP_FEED_POLL_MINUTES", default=2)),
    },
    # 信息报送 deadlines are minutes: their escalation rules run every five (apps.incidents).
    "incident-escalation": {
        "task": "apps.incidents.tasks.escalate_incidents",
        "schedule": crontab(minute="*/5"),
    },
    # The dashboards' figures of every street and district, computed before the stored ones
    # expire (DASHBOARD_CACHE_SECONDS) and just after midnight (they count by date).
    "dashboards-warm": {
        "task": "apps.dashboards.tasks.warm_dashboards",
        "schedule": crontab(minute="*/5"),
    },
    # A duty shift nobody signed into reminds its 带班领导 (apps.duty) within the quarter hour.
    "duty-sign-in": {
        "task": "apps.duty.tasks.remind_unsigned_shifts",
        "schedule": crontab(minute="*/15"),
    },
}

# --- Cache ----------------------------------------------------------------------------------
# Dashboard figures are invalidated when their records change (apps.dashboards.cache); this
# bounds their age should a write bypass that.
DASHBOARD_CACHE_SECONDS = env.int("DASHBOARD_CACHE_SECONDS", default=600)
CACHES = caches_from_env(env, redis_url=REDIS_URL)
# Sessions in the cache and written through to the database (cached_db) when the cache is
# shared (Redis); in the database alone with the per-process default. resilience/storage.py
SESSION_ENGINE = session_engine_for(CACHES)

# --- Security -------------------------------------------------------------------------------
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env.bool("BEHIND_TLS_PROXY", default=False) else None
)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SESSION_COOKIE_HTTPONLY = True
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# Extra headers set by apps.security.middleware.SecurityHeadersMiddleware.
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=()"
)

# The reverse proxies in front of the portal, as addresses or networks (comma separated, e.g.
# TRUSTED_PROXIES=10.0.0.2 or 172.16.0.0/12 for a Docker network). X-Forwarded-For is believed
# only from them, and the right-most address in it that is not one of them is the client; empty
# (the default: no proxy) ignores the header. One rule for the lockout, the audit log and the
# access log: apps/security/client_ip.py. List only the proxies, never a network that also
# holds clients. BEHIND_TLS_PROXY without TRUSTED_PROXIES would show every client as the proxy
# (one lockout for everybody), so it is refused.
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])
if SECURE_PROXY_SSL_HEADER and not TRUSTED_PROXIES:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(
        "BEHIND_TLS_PROXY=true needs TRUSTED_PROXIES: the addresses of the proxy (see .env.example)"
    )

# Login lockout (django-axes): AXES_FAILURE_LIMIT failed log-ins for one user name from one
# address lock that pair for AXES_COOLOFF_MINUTES; the login page says so in Chinese. Failures
# from one address never lock the user out at another. An address with AXES_IP_FAILURE_LIMIT
# failures over all user names within the cool-off is refused too (password spraying;
# apps/security/backends.py): high enough for an office behind one NAT address.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# Every failed log-in is also kept (AccessFailureLog, newest 1000 per user name): a user's own
# failures are listed on /accounts/activity/ (apps/security/activity.py).
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_VERBOSE = False  # no start-up banner on every manage.py command
AXES_LOCKOUT_CALLABLE = "apps.security.views.locked_out"
AXES_USERNAME_FORM_FIELD = "username"
# A mobile number typed at log-in counts as its account's user name (one lockout per account).
AXES_USERNAME_CALLABLE = "apps.orgs.backends.lockout_username"
AXES_IP_FAILURE_LIMIT = env.int("AXES_IP_FAILURE_LIMIT", default=50)
AXES_CLIENT_IP_CALLABLE = "apps.security.client_ip.client_ip"

# Audit trail (django-auditlog): changes stored as JSON, the actor and client address from
# apps.security.middleware.AuditlogMiddleware (the address of apps/security/client_ip.py).
# Which models are tracked is decided in one place: apps/security/audit.py.
AUDITLOG_STORE_JSON_CHANGES = True
AUDITLOG_DISABLE_REMOTE_ADDR = False

# --- Uploads and spreadsheets ---------------------------------------------------------------
MAX_DOCUMENT_UPLOAD_MB = env.int("MAX_DOCUMENT_UPLOAD_MB", default=20)
MAX_IMAGE_UPLOAD_MB = env.int("MAX_IMAGE_UPLOAD_MB", default=10)
FILE_UPLOAD_PERMISSIONS = 0o640
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
IMPORT_EXPORT_USE_TRANSACTIONS = True  # one bad row imports nothing
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = True  # no formula injection into Excel
IMPORT_EXPORT_IMPORT_IGNORE_BLANK_LINES = True
IMPORT_MAX_ROWS = env.int("IMPORT_MAX_ROWS", default=20000)
IMPORT_MAX_UPLOAD_MB = env.int("IMPORT_MAX_UPLOAD_MB", default=10)
# CPU seconds one import check or import may use (a 20,000-row file needs about 15).
IMPORT_MAX_SECONDS = env.int("IMPORT_MAX_SECONDS", default=120)
# A report still queued or generating after this many minutes is taken as abandoned
# (worker killed, message lost): the user may retry it and a worker may claim it again.
REPORT_STALE_MINUTES = env.int("REPORT_STALE_MINUTES", default=15)

# --- Maps -----------------------------------------------------------------------------------
# Tiles come from a configurable URL (an intranet tile server, Tianditu with a key, ...); with
# none configured the maps still draw the points on a blank background. Coordinates are stored
# in WGS-84.
MAP_TILE_URL = env("MAP_TILE_URL", default="")
MAP_TILE_ATTRIBUTION = env("MAP_TILE_ATTRIBUTION", default="")
MAP_CENTER = env.list("MAP_CENTER", cast=float, default=[31.2304, 121.4737])  # 上海 人民广场
MAP_ZOOM = env.int("MAP_ZOOM", default=13)


# --- Content-Security-Policy (django-csp 4) ---------------------------------------------------
# No inline scripts or styles anywhere: every script and stylesheet is a static file. Images
# may also come from the map tile server; data: URIs are used by Leaflet and ECharts.
def _origin(url):
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc:
        return None
    host = parts.netloc.replace("{s}", "*")  # tile sub-domains such as t{s}.tianditu.gov.cn
    return f"{parts.scheme}://{host}"


CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", *filter(None, [_origin(MAP_TILE_URL)])],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "upgrade-insecure-requests": not DEBUG,
    },
}

# --- Open API (apps.api) -------------------------------------------------------------------
# Token-authenticated only (no session, no browsable pages); every answer JSON, errors as
# RFC 7807 problem documents. The rate is per client (ApiClient.requests_per_minute), counted
# in the cache (Redis when configured).
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["apps.api.auth.ClientTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["apps.api.permissions.HasScope"],
    "DEFAULT_THROTTLE_CLASSES": ["apps.api.throttling.ClientRateThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "apps.api.pagination.SyncCursorPagination",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "apps.api.problems.problem_exception_handler",
    "PAGE_SIZE": 100,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "社区韧性工作平台 开放接口",
    "DESCRIPTION": (
        "面向“一网统管”、社区云、12345 和网格工单系统的数据接口。每个接入系统（客户端）绑定一个"
        "组织单元和一组权限范围（scope），只能读写本单位及下级单位的数据；令牌放在请求头 "
        "`Authorization: Bearer <令牌>` 中。列表按游标分页，支持按单位、状态和更新时间"
        "（updated_since，增量同步）筛选，并返回 ETag（If-None-Match 命中时答 304）。"
        "错误按 RFC 7807 返回 application/problem+json。"
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # choice sets of the same field name in several apps, each its own enum in the schema
    "ENUM_NAME_OVERRIDES": {
        "HazardStateEnum": "apps.hazards.models.HazardState",
        "IncidentStateEnum": "apps.incidents.models.IncidentState",
        "RiskLevelEnum": "apps.hazards.models.RiskLevel",
        "WarningLevelEnum": "apps.warnings.models.Level",
        "IncidentLevelEnum": "apps.incidents.models.IncidentLevel",
        "WarningStatusEnum": "apps.warnings.models.Status",
        "PlanStatusEnum": "apps.plans.models.Plan.Status",
        "ShelterStatusEnum": "apps.shelters.models.ShelterStatus",
    },
}
# Webhooks: seconds before the first retry of a failed delivery, doubled each time up to
# API_WEBHOOK_RETRY_MAX_SECONDS (under the broker's visibility timeout), at most
# API_WEBHOOK_MAX_ATTEMPTS attempts; API_WEBHOOK_TIMEOUT seconds for one answer.
API_WEBHOOK_RETRY_SECONDS = env.int("API_WEBHOOK_RETRY_SECONDS", default=30)
API_WEBHOOK_RETRY_MAX_SECONDS = env.int("API_WEBHOOK_RETRY_MAX_SECONDS", default=900)
API_WEBHOOK_MAX_ATTEMPTS = env.int("API_WEBHOOK_MAX_ATTEMPTS", default=8)
API_WEBHOOK_TIMEOUT = env.int("API_WEBHOOK_TIMEOUT", default=10)

# --- Demonstration-community applications ---------------------------------------------------
# Days an application may wait for the district review before the reviewers are reminded.
APPLICATIONS_REVIEW_WAIT_DAYS = env.int("APPLICATIONS_REVIEW_WAIT_DAYS", default=14)
# Answers a residents' questionnaire needs before its 满意率 decides the basic condition.
APPLICATIONS_SURVEY_MIN_ANSWERS = env.int("APPLICATIONS_SURVEY_MIN_ANSWERS", default=30)
# Questionnaire answers and activity sign-ins one address may post in an hour (the public,
# log-in-free pages; a community hall behind one router needs room).
PUBLIC_POSTS_PER_ADDRESS_HOUR = env.int("PUBLIC_POSTS_PER_ADDRESS_HOUR", default=60)

# --- Demo data ------------------------------------------------------------------------------
DEMO_PASSWORD = env("DEMO_PASSWORD", default="resilience-demo")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    # django-axes logs every successful log-in at INFO; lockouts and failures are WARNING.
    "loggers": {"axes": {"level": env("AXES_LOG_LEVEL", default="WARNING")}},
}
