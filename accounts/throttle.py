"""Brute-force protection for logins: failures counted per client address and per login.

Counters live in Django's cache, which is Redis when ``REDIS_URL`` is set, so every server process
shares them; with the embedded defaults they are per process.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache


class Throttled(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__(f"too many failed logins; retry after {retry_after} s")
        self.retry_after = retry_after


def _keys(client_ip: str, login: str | None) -> list[str]:
    keys = [f"loginfail:ip:{client_ip}"]
    if login:
        digest = hashlib.sha256(login.strip().lower().encode()).hexdigest()[:32]
        keys.append(f"loginfail:login:{digest}")
    return keys


def check(client_ip: str, login: str | None) -> None:
    """Raise Throttled when the address or the login has failed too often in the window."""
    limit = settings.MAILYARD_LOGIN_FAILURES
    counts = cache.get_many(_keys(client_ip, login))
    if any(int(count) >= limit for count in counts.values()):
        raise Throttled(settings.MAILYARD_LOGIN_WINDOW)


def record_failure(client_ip: str, login: str | None) -> None:
    window = settings.MAILYARD_LOGIN_WINDOW
    for key in _keys(client_ip, login):
        # add() is atomic: it creates the counter with its expiry only when absent.
        if not cache.add(key, 1, timeout=window):
            try:
                cache.incr(key)
            except ValueError:
                cache.add(key, 1, timeout=window)


def reset_login(login: str) -> None:
    cache.delete_many(_keys("", login)[1:])
