"""Django settings for OneWindow; every deploy-time value comes from an environment variable."""

from datetime import timedelta
from pathlib import Path

from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.core.management.utils import get_random_secret_key

from onewindow.config import (
    env_bool,
    env_cache,
    env_database,
    env_int,
    env_list,
    env_rate,
    env_str,
    env_time_zone,
)

PACKAGE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(env_str("ONEWINDOW_VAR_DIR", str(Path.cwd() / "var"))).resolve()

DEBUG = env_bool("DEBUG", False)
# The demo is served over plain HTTP on a laptop: it relaxes HTTPS-only settings and keeps a local key.
DEMO = env_bool("ONEWINDOW_DEMO", False)
HTTPS = env_bool("HTTPS", not (DEBUG or DEMO))


def _secret_key() -> str:
    key = env_str("SECRET_KEY", "")
    if key:
        if len(key) < 50 and not (DEBUG or DEMO):
            raise ImproperlyConfigured("SECRET_KEY must be at least 50 characters long in production")
        return key
    if not (DEBUG or DEMO):
        raise ImproperlyConfigured("SECRET_KEY is required unless DEBUG or ONEWINDOW_DEMO is on")
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        key_file.write_text(get_random_secret_key())
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "csp",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "onewindow.core",
    "onewindow.regions",
    "onewindow.accounts",
    "onewindow.projects",
    "onewindow.approvals",
    "onewindow.fees",
    "onewindow.notifications",
    "onewindow.coordination",
    "onewindow.analytics",
    "onewindow.promotion",
    "onewindow.assessment",
    "onewindow.portal",
    "onewindow.api",
    "onewindow.demo",
    "onewindow.ledger",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
    "onewindow.accounts.middleware.PermissionDeniedAuditMiddleware",
]

ROOT_URLCONF = "onewindow.urls"
WSGI_APPLICATION = "onewindow.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "onewindow.notifications.context_processors.unread_notifications",
            ],
        },
    }
]

DATABASES = {"default": env_database("DATABASE_URL", VAR_DIR / "onewindow.sqlite3")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
CACHES = {"default": env_cache("CACHE_URL")}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "workbench"
LOGOUT_REDIRECT_URL = "login"

# Lock an account, or an address, for 15 minutes after 5 failed logins.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# Audit entries older than this are removed by `onewindow audit prune`; the cybersecurity law asks for
# network logs to be kept at least six months, so a shorter retention stops start-up.
ONEWINDOW_AUDIT_RETENTION_DAYS = env_int("AUDIT_RETENTION_DAYS", 365, minimum=180)

# Idle timeout: every request renews a 30-minute session.
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_MINUTES", 30, minimum=1) * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if HTTPS else 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if env_bool("BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# No inline scripts or styles anywhere: every script and style sheet is a vendored or own static file.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = env_time_zone("TIME_ZONE", "Asia/Shanghai")
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
# The package-level static/ (own CSS and JS, vendored htmx) belongs to no app, so it is named here.
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG or DEMO

# Uploaded materials. They are private: nothing serves MEDIA_URL; every download goes through a view
# that asks the scoped selector first (approvals.task_selectors.material_file_for).
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "media/"
ONEWINDOW_MAX_UPLOAD_BYTES = env_int("MAX_UPLOAD_MB", 20, minimum=1, maximum=1024) * 1024 * 1024
# 告知承诺制: the follow-up check of the applicant's commitment is due this many working days after
# the decision, unless the clerk sets another date.
ONEWINDOW_COMMITMENT_VERIFICATION_WORKDAYS = env_int("COMMITMENT_VERIFICATION_WORKDAYS", 40, minimum=1)

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "onewindow@localhost")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}

ONEWINDOW_REGISTER_PAGE_SIZE = env_int("REGISTER_PAGE_SIZE", 25, minimum=5, maximum=500)
ONEWINDOW_SITE_NAME = env_str("SITE_NAME", "投资德阳")
# Calls per API client (token, else user, else address). The budget is kept in the cache: with several
# server processes, point CACHE_URL at a shared cache so that they count together.
ONEWINDOW_API_RATE = env_rate("API_RATE", "120/m")

# The public portal (公开监督). Public pages are cached this many seconds at most (0: not at all); any
# change to the data they show renders them afresh at once. Public messages get an answer within this
# many working days; an address may send this many messages an hour and a day (counted in the cache:
# with several server processes, a shared CACHE_URL makes them count together).
ONEWINDOW_PORTAL_CACHE_SECONDS = env_int("PORTAL_CACHE_SECONDS", 600, minimum=0, maximum=86400)
ONEWINDOW_FEEDBACK_ANSWER_WORKDAYS = env_int("FEEDBACK_ANSWER_WORKDAYS", 10, minimum=1, maximum=60)
ONEWINDOW_FEEDBACK_PER_HOUR = env_int("FEEDBACK_PER_HOUR", 5, minimum=1, maximum=1000)
ONEWINDOW_FEEDBACK_PER_DAY = env_int("FEEDBACK_PER_DAY", 20, minimum=1, maximum=10000)

# Three-level coordination (三级协调): working days each level has to solve a problem before it moves
# up on its own (level 1 window departments, level 2 department leaders' joint meeting, level 3 city
# government). Tasks, problems and action items turn yellow when due within WARNING_YELLOW_WORKDAYS
# working days and red when overdue.
ONEWINDOW_PROBLEM_LEVEL_WORKDAYS = {
    1: env_int("PROBLEM_LEVEL1_WORKDAYS", 5, minimum=1, maximum=120),
    2: env_int("PROBLEM_LEVEL2_WORKDAYS", 5, minimum=1, maximum=120),
    3: env_int("PROBLEM_LEVEL3_WORKDAYS", 10, minimum=1, maximum=250),
}
ONEWINDOW_WARNING_YELLOW_WORKDAYS = env_int("WARNING_YELLOW_WORKDAYS", 2, minimum=0, maximum=60)

# Background jobs (e-mail digests) wait in the database until `onewindow worker` (or the demo's
# in-process worker) runs them. The worker also runs the periodic tick (warnings, escalation) this
# often, and sends each user's daily digest at or after this local hour.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
ONEWINDOW_TICK_INTERVAL_SECONDS = env_int("TICK_INTERVAL_SECONDS", 300, minimum=10, maximum=86400)
ONEWINDOW_DIGEST_HOUR = env_int("DIGEST_HOUR", 8, minimum=0, maximum=23)
