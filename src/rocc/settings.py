"""Django settings for rocc. Everything site-specific comes from the environment (see docs/configuration.md)."""

from __future__ import annotations

import os
from pathlib import Path

from rocc.core import config as _config

ROCC = _config.load()
ROCC_DATA_DIR: Path = ROCC.data_dir
ROCC_CONFIG_PROBLEMS = ROCC.problems

BASE_DIR = Path(__file__).resolve().parent
SECRET_KEY = ROCC.secret_key
DEBUG = ROCC.debug
ALLOWED_HOSTS = ROCC.allowed_hosts
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("ROCC_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "ninja",
    "rules.apps.AutodiscoverRulesConfig",
    "auditlog",
    "axes",
    "rocc.core",
    "rocc.audit",
    "rocc.org",
    "rocc.strategy",
    "rocc.measures",
    "rocc.returns",
    "rocc.events",
    "rocc.analysis_pages",
    "rocc.problems",
    "rocc.tasking",
    "rocc.referrals",
    "rocc.releases",
    "rocc.inbox",
    "rocc.governance",
    "rocc.maps",
    "rocc.web",
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "rocc.core.middleware.security_headers",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "auditlog.middleware.AuditlogMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "rocc.urls"
WSGI_APPLICATION = "rocc.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "rocc.web.context.shell",
            ],
        },
    },
]

DATABASES = {"default": ROCC.database}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first, so a locked-out account is refused before its password is checked
    "rules.permissions.ObjectPermissionBackend",
    "rocc.org.backends.PasswordBackend",  # the password check only: permissions are the rules' alone
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Repeated failed logins lock the username from that address for a while (django-axes).
AXES_FAILURE_LIMIT = int(os.environ.get("ROCC_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("ROCC_LOGIN_COOLOFF_HOURS", "0.25"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]

# Sessions and CSRF: HTTP-only, same-site, secure cookies whenever not in debug
# (browsers treat 127.0.0.1 and localhost as secure origins, so the local demo still works).
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True  # no page script reads the token: forms carry it in a hidden field
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 8 * 60 * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_NAME = "rocc_session"
CSRF_COOKIE_NAME = "rocc_csrftoken"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Behind TLS (docs/configuration.md): the proxy's header that marks a request as HTTPS, HSTS and the redirect to HTTPS,
# each off unless the deployment sets it (ROCC_SECURE_PROXY_SSL_HEADER, ROCC_HSTS_SECONDS, ROCC_SECURE_SSL_REDIRECT).
SECURE_PROXY_SSL_HEADER = ROCC.transport.proxy_ssl_header
SECURE_HSTS_SECONDS = ROCC.transport.hsts_seconds
SECURE_SSL_REDIRECT = ROCC.transport.ssl_redirect

LANGUAGE_CODE = "en-nz"
TIME_ZONE = "Pacific/Auckland"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
# Static files are served by the app itself (WhiteNoise), so a fresh install works offline with no web server in
# front. `rocc serve` collects them into the data directory first (ROCC_STATIC_COLLECTED=1): hashed names cached by
# browsers for good, and gzip copies sent to every browser that takes them. Other commands and the tests serve them
# straight from the installed packages.
_STATIC_COLLECTED = os.environ.get("ROCC_STATIC_COLLECTED") == "1"
STATIC_ROOT = ROCC_DATA_DIR / "static" if _STATIC_COLLECTED else None
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": ("rocc.web.staticfiles.HashedCompressedStaticFiles" if _STATIC_COLLECTED else "django.contrib.staticfiles.storage.StaticFilesStorage")
    },
}
WHITENOISE_USE_FINDERS = not _STATIC_COLLECTED
# plotly.js comes from the installed plotly package, served as our own static file (never a CDN):
# {% static 'vendor/plotly/plotly.min.js' %}
import plotly as _plotly  # noqa: E402

STATICFILES_DIRS = [("vendor/plotly", str(Path(_plotly.__file__).parent / "package_data"))]
WHITENOISE_AUTOREFRESH = DEBUG

AUDITLOG_INCLUDE_ALL_MODELS = False
AUDITLOG_STORE_JSON_CHANGES = True
AUDITLOG_DISABLE_REMOTE_ADDR = False

NINJA_PAGINATION_PER_PAGE = 100

# Background work (imports, recomputes) goes through django-tasks. The database backend needs no broker;
# `rocc worker` runs the queue. ROCC_TASKS_IMMEDIATE=1 runs tasks inline (tests, single-user installs).
TASKS = {
    "default": {
        "BACKEND": ("django_tasks.backends.immediate.ImmediateBackend" if os.environ.get("ROCC_TASKS_IMMEDIATE") == "1" else "django_tasks_db.DatabaseBackend"),
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("ROCC_LOG_LEVEL", "WARNING")},
}

# --- Notifications (rocc.inbox) -------------------------------------------------------------------------------------
# E-mail is off unless ROCC_SMTP_HOST is set (see docs/configuration.md); the schedule the worker runs raises
# reminders every ROCC_SCHEDULE_SECONDS and sends daily digests from ROCC_DIGEST_HOUR (New Zealand time).
from rocc.inbox import config as _inbox_config  # noqa: E402

_MAIL = _inbox_config.load()
EMAIL_BACKEND = _MAIL.backend
EMAIL_HOST = _MAIL.host or "localhost"
EMAIL_PORT = _MAIL.port
EMAIL_HOST_USER = _MAIL.user
EMAIL_HOST_PASSWORD = _MAIL.password
EMAIL_USE_TLS = _MAIL.security == "starttls"
EMAIL_USE_SSL = _MAIL.security == "tls"
EMAIL_TIMEOUT = 15
DEFAULT_FROM_EMAIL = _MAIL.sender
ROCC_EMAIL_ENABLED = _MAIL.enabled
ROCC_SITE_URL = _MAIL.site_url
ROCC_DIGEST_HOUR = _MAIL.digest_hour
ROCC_SCHEDULE_SECONDS = _MAIL.schedule_seconds
ROCC_MAIL_PROBLEMS = _MAIL.problems

# --- Referrals (rocc.referrals) -------------------------------------------------------------------------------------
# referring_agencies: agencies (by short name) whose staff may refer, besides Police roles; retention_days: how long a
# referral is kept before the expiry run reduces it to counts (ROCC_REFERRAL_RETENTION_DAYS, default two years).
ROCC_REFERRALS = {
    "referring_agencies": ["Police", "Kāinga Ora"],
    "retention_days": int(os.environ.get("ROCC_REFERRAL_RETENTION_DAYS", "730")),
}

# --- Maps (rocc.maps) -----------------------------------------------------------------------------------------------
# No basemap by default: maps draw on the shipped national outline and the loaded boundaries, and ask nothing of the
# internet. ROCC_MAP_TILES names the deployment's own tile server as an XYZ template ({z}/{x}/{y}) or a WMTS template
# in the Web Mercator tile matrix set ({z} TileMatrix, {y} TileRow, {x} TileCol); its origin is added to the pages'
# img-src. ROCC_MAP_TILES_ATTRIBUTION is the credit the tiles require; ROCC_MAP_TILES_MAX_ZOOM their deepest zoom.
ROCC_MAP_TILES = os.environ.get("ROCC_MAP_TILES", "")
ROCC_MAP_TILES_ATTRIBUTION = os.environ.get("ROCC_MAP_TILES_ATTRIBUTION", "")
ROCC_MAP_TILES_MAX_ZOOM = int(os.environ.get("ROCC_MAP_TILES_MAX_ZOOM", "19"))
