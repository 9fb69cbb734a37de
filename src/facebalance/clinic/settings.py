"""Django settings of the clinic app. Every value comes from :func:`facebalance.clinic.config.load_config`."""

from __future__ import annotations

from pathlib import Path

import dj_database_url

from facebalance.clinic.config import load_config

CONFIG = load_config()
PACKAGE_DIR = Path(__file__).resolve().parent

SECRET_KEY = CONFIG.secret_key
DEBUG = CONFIG.debug
ALLOWED_HOSTS = list(CONFIG.allowed_hosts)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ninja",
    "facebalance.clinic.apps.ClinicAppConfig",
    "facebalance.clinic.records.apps.RecordsConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "facebalance.clinic.middleware.SecurityHeadersMiddleware",
    "facebalance.clinic.middleware.UploadLimitMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "facebalance.clinic.sessions.SessionRefreshMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "facebalance.clinic.middleware.DenyByDefaultMiddleware",
]

ROOT_URLCONF = "facebalance.clinic.root_urls"
WSGI_APPLICATION = "facebalance.clinic.wsgi.application"

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
                "facebalance.clinic.access.membership_context",
            ],
        },
    },
]

if CONFIG.database_url:
    DATABASES = {"default": dj_database_url.parse(CONFIG.database_url, conn_max_age=60, conn_health_checks=True)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(CONFIG.data_dir / "clinic.sqlite3"),
            # Kept open between requests like the PostgreSQL connection: opening one (and its PRAGMAs and
            # schema read) cost about a millisecond of CPU and three of wall time per request.
            "CONN_MAX_AGE": 60,
            "CONN_HEALTH_CHECKS": True,
            # A file, not memory, so that a test can hand the database to a second process.
            "TEST": {"NAME": str(CONFIG.data_dir / "test_clinic.sqlite3")},
        }
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE transactions take the write lock at BEGIN, so two requests never both read the audit
    # chain's head and then both append after it; busy timeout waits for the lock instead of failing.
    DATABASES["default"].setdefault("OPTIONS", {}).update({"transaction_mode": "IMMEDIATE", "timeout": 20})
DATABASES["default"]["ATOMIC_REQUESTS"] = False

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The model backend, loading the user's membership and clinic with the user (one query per request).
AUTHENTICATION_BACKENDS = ["facebalance.clinic.access.ClinicBackend"]

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "clinic:login"
LOGIN_REDIRECT_URL = "clinic:patients"

# Server-side (database) sessions that end after the idle time: the expiry slides with use (pushed forward
# at most once a minute, facebalance.clinic.sessions), and the stored session is refused by the server once
# it has passed, whatever the cookie says.
SESSION_ENGINE = "facebalance.clinic.sessions"
SESSION_COOKIE_AGE = CONFIG.session_idle_s
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = CONFIG.secure_cookies
CSRF_COOKIE_SECURE = CONFIG.secure_cookies
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie; kept readable for the API docs
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if CONFIG.secure_cookies:
    SECURE_HSTS_SECONDS = 31_536_000
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Uploads: Django itself refuses bodies past the limit before a view runs; files over 2.5 MB spill to a
# temporary file instead of memory.
DATA_UPLOAD_MAX_MEMORY_SIZE = CONFIG.upload_max_bytes + 64 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_NUMBER_FIELDS = 400
DATA_UPLOAD_MAX_NUMBER_FILES = 1
FILE_UPLOAD_HANDLERS = [
    "facebalance.clinic.photostore.BoundedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
FILE_UPLOAD_PERMISSIONS = 0o600

STATIC_URL = "/static/"
STATIC_ROOT = str(CONFIG.data_dir / "static")
# collectstatic fills it for production; WhiteNoise wants it to exist even while it serves from the finders.
Path(STATIC_ROOT).mkdir(parents=True, exist_ok=True)
WHITENOISE_USE_FINDERS = True
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(CONFIG.photo_dir)},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# There is no MEDIA_URL: photos are never served as files, only through the authorised photo view.
MEDIA_ROOT = str(CONFIG.photo_dir)

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

FACEBALANCE = CONFIG

# Recall emails (records.views.recall_send): the console backend unless SMTP is configured.
EMAIL_BACKEND = CONFIG.email.django_backend
EMAIL_HOST = CONFIG.email.host or "localhost"
EMAIL_PORT = CONFIG.email.port
EMAIL_HOST_USER = CONFIG.email.user
EMAIL_HOST_PASSWORD = CONFIG.email.password
EMAIL_USE_TLS = CONFIG.email.tls
EMAIL_TIMEOUT = 20
DEFAULT_FROM_EMAIL = CONFIG.email.sender

# No PHI in logs: request bodies and query strings are never logged; the app logs ids only.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"strip_query": {"()": "facebalance.clinic.middleware.StripQueryLogFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["strip_query"]}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "facebalance.clinic": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}

NINJA_PAGINATION_PER_PAGE = 50
