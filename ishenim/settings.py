"""Ishenim settings: one file, driven by the environment.

Every value that differs between a laptop and a district server is read from an
environment variable; `<NAME>_FILE` reads a secret from a file instead.
"""

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str = "") -> str:
    """An environment variable, or the content of the file named by NAME_FILE."""
    path = os.environ.get(f"{name}_FILE")
    if path:
        return Path(path).read_text().strip()
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    return env(name, "1" if default else "0").lower() in ("1", "true", "yes", "on")


def env_int(name: str, default: int) -> int:
    return int(env(name, str(default)))


# Where the app keeps what it creates at run time: the SQLite database, the
# server key file, uploaded files. Never inside the repository in production.
VAR_DIR = Path(env("ISHENIM_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG")
SECRET_KEY = env("SECRET_KEY", "")
# Without a key the management commands and the tests still run, on a key everyone
# can read; a server with DEBUG=0 refuses to start (ishenim/wsgi.py, `serve`), and
# `check --deploy` says so. `make run` keeps a generated key in var/secret.key.
SECRET_KEY_MISSING = not SECRET_KEY
if SECRET_KEY_MISSING:
    SECRET_KEY = "insecure-development-key-set-SECRET_KEY-in-production"  # noqa: S105

ALLOWED_HOSTS = [h for h in env("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in env("CSRF_TRUSTED_ORIGINS", "").split(",") if o]
SITE_URL = env("SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "accounts.admin_site.AdminConfig",  # django.contrib.admin behind the product's login
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_tasks",
    "django_tasks_db",
    "ishenim",
    "accounts",
    "schools",
    "vault",
    "audit",
    "appeals",
    "journal",
    "commission",
    "openings",
    "reports",
    "notify",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "ishenim.middleware.security_headers",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "ishenim.middleware.kyrgyz_first",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "ishenim.middleware.staff_pages",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "ishenim.urls"
WSGI_APPLICATION = "ishenim.wsgi.application"

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
                "ishenim.context_processors.ishenim",
            ],
        },
    },
]

# SQLite by default (WAL, see ishenim/apps.py); PostgreSQL with DATABASE_URL.
DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{VAR_DIR / 'ishenim.sqlite3'}"),
        # Persistent connections by default: a request does not pay a new connection (and, on
        # PostgreSQL, its authentication); a broken one is replaced before it is used.
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # IMMEDIATE takes the write lock when a transaction starts, so concurrent
    # submitters queue instead of failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Redis (optional): the cache, the sessions and the rate-limit counters go there when it is set.
REDIS_URL = env("REDIS_URL")
CACHE_PREFIX = env("CACHE_PREFIX", "ishenim")  # several instances may share one Redis
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": env("REDIS_URL"),
            "KEY_PREFIX": CACHE_PREFIX,
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "ishenim_cache",
        }
    }
# Session keys are stored hashed, in Redis when it is set, else in the database
# (accounts/sessions.py). Rate limits and lockouts never use the cache, whose
# database backend culls entries when full: they live in Redis or in their own
# table (accounts/throttle.py).
SESSION_ENGINE = "accounts.sessions"

TASKS = {
    "default": {
        "BACKEND": env("TASKS_BACKEND", "django_tasks.backends.immediate.ImmediateBackend"),
    }
}

AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "schools:work"
LOGOUT_REDIRECT_URL = "home"

# Kyrgyz first; Russian, Uzbek (Latin script) and English complete.
LANGUAGE_CODE = "ky"
LANGUAGES = [("ky", "Кыргызча"), ("ru", "Русский"), ("uz", "Oʻzbekcha"), ("en", "English")]
LANGUAGE_COOKIE_NAME = "ishenim_lang"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env("TIME_ZONE", "Asia/Bishkek")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# Security defaults; HTTPS-only flags follow ISHENIM_HTTPS.
HTTPS = env_bool("ISHENIM_HTTPS")
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
LANGUAGE_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS and env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_SECONDS", 30 * 60)
SESSION_SAVE_EVERY_REQUEST = True  # the age is an inactivity timeout
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# A request's fields (its files apart) are read into memory: the longest is an appeal's 6,000
# characters, so a megabyte is plenty; a request is refused as soon as its fields pass it.
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
# Files are kept in memory only while the whole request is under this size; three 8 MB files go
# to a temporary file each, and `appeals.attachments` reads each once.
FILE_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024

EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Ishenim <ishenim@localhost>")

# Messages to staff (notify): Telegram Bot API, an HTTP SMS gateway, WhatsApp; unset = that channel fails visibly.
TELEGRAM_API_URL = env("TELEGRAM_API_URL", "https://api.telegram.org")
TELEGRAM_BOT_TOKEN = env("TELEGRAM_BOT_TOKEN")
TELEGRAM_BOT_NAME = env("TELEGRAM_BOT_NAME")
TELEGRAM_WEBHOOK_SECRET = env("TELEGRAM_WEBHOOK_SECRET")
SMS_GATEWAY_URL = env("SMS_GATEWAY_URL")
SMS_GATEWAY_TOKEN = env("SMS_GATEWAY_TOKEN")
SMS_SENDER = env("SMS_SENDER", "Ishenim")
# WhatsApp Cloud API: POST {WHATSAPP_API_URL}/{WHATSAPP_PHONE_NUMBER_ID}/messages with a bearer token.
# With WHATSAPP_TEMPLATE (an approved template with one body parameter) messages go as that template,
# which reaches people outside the 24-hour window; without it, as plain text.
WHATSAPP_API_URL = env("WHATSAPP_API_URL", "https://graph.facebook.com/v21.0")
WHATSAPP_PHONE_NUMBER_ID = env("WHATSAPP_PHONE_NUMBER_ID")
WHATSAPP_TOKEN = env("WHATSAPP_TOKEN")
WHATSAPP_TEMPLATE = env("WHATSAPP_TEMPLATE")
NOTIFY_TIMEOUT = env_int("NOTIFY_TIMEOUT", 10)
# Minutes an urgent appeal may wait for "I am on it" before the alert goes one level up (R22).
ISHENIM_URGENT_ACK_MINUTES = env_int("ISHENIM_URGENT_ACK_MINUTES", 15)

# Logging never names a public visitor: no addresses, no user agents. Django's
# request logger is kept at WARNING and carries only the path.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.server": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# The law on citizens' appeals (No. 67, 2007): deadlines in working days.
ISHENIM = {
    "REGISTER_WITHIN_WORKING_DAYS": env_int("REGISTER_WITHIN_WORKING_DAYS", 1),
    "CONSIDER_WITHIN_WORKING_DAYS": env_int("CONSIDER_WITHIN_WORKING_DAYS", 14),
    "EXTEND_MAX_DAYS": env_int("EXTEND_MAX_DAYS", 30),
    "FORWARD_WITHIN_WORKING_DAYS": env_int("FORWARD_WITHIN_WORKING_DAYS", 5),
    "RETENTION_YEARS": env_int("RETENTION_YEARS", 3),
    "SMALL_COUNT": env_int("SMALL_COUNT", 5),
}

# Argon2id cost for the keys derived from passwords (vault). Tests lower it.
VAULT_ARGON2 = {
    "time_cost": env_int("VAULT_ARGON2_TIME", 3),
    "memory_cost": env_int("VAULT_ARGON2_MEMORY_KIB", 64 * 1024),
    "parallelism": 2,
}
# Server key: the root of the keyed hashes (receipt codes, rate limits).
VAULT_SERVER_KEY = env("VAULT_SERVER_KEY")
VAULT_SERVER_KEY_PATH = Path(env("VAULT_SERVER_KEY_PATH", str(VAR_DIR / "server.key")))
