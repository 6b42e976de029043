"""Server limits (RFC 8620 §2 core capability) and their enforcement helpers.

``settings.JMAP_LIMITS`` is merged over the defaults here; an unknown key is a configuration
error, not a silent no-op (STYLE §8).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, suppress

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured

from jmap_core.errors import LimitExceeded

DEFAULTS: dict[str, int] = {
    "maxSizeUpload": 50_000_000,
    "maxConcurrentUpload": 4,
    "maxSizeRequest": 10_000_000,
    "maxConcurrentRequests": 8,
    "maxCallsInRequest": 64,
    "maxObjectsInGet": 1000,
    "maxObjectsInSet": 1000,
}
# How deeply a request body may nest (RFC 8620 §8.4: limit what the JSON parser accepts).
MAX_JSON_DEPTH = 64
# A slot held longer than this (a crashed process) frees itself.
SLOT_TIMEOUT = 300


def get(name: str) -> int:
    configured: dict[str, int] = getattr(settings, "JMAP_LIMITS", {})
    unknown = set(configured) - set(DEFAULTS)
    if unknown:
        raise ImproperlyConfigured(f"unknown JMAP_LIMITS keys: {sorted(unknown)}")
    return int(configured.get(name, DEFAULTS[name]))


def core_capability() -> dict[str, object]:
    """The ``urn:ietf:params:jmap:core`` session value (RFC 8620 §2)."""
    value: dict[str, object] = {name: get(name) for name in DEFAULTS}
    value["collationAlgorithms"] = [
        "i;ascii-casemap",
        "i;ascii-numeric",
        "i;octet",
        "i;unicode-casemap",
    ]
    return value


@contextmanager
def concurrency_slot(kind: str, account_key: str, limit_name: str) -> Iterator[None]:
    """Hold one of the account's ``limit_name`` slots or raise LimitExceeded (RFC 8620 §3.6.1).

    The counter lives in Django's cache, which is Redis (shared by every process) when
    ``REDIS_URL`` is set.
    """
    key = f"inflight:{kind}:{account_key}"
    cache.add(key, 0, timeout=SLOT_TIMEOUT)
    try:
        current = cache.incr(key)
    except ValueError:
        cache.add(key, 1, timeout=SLOT_TIMEOUT)
        current = 1
    try:
        if current > get(limit_name):
            raise LimitExceeded("too many concurrent requests for this account", limit=limit_name)
        yield
    finally:
        with suppress(ValueError):
            cache.decr(key)
