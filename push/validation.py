"""Checks of PushSubscription properties (RFC 8620 §7.2) and UTCDate handling (§1.4).

Each ``check_*`` returns the cleaned value, or a sentinel (None or False, as documented) when the
value is not acceptable; the caller turns that into an ``invalidProperties`` SetError.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import ipaddress
import re
from typing import Literal
from urllib.parse import urlsplit

from django.conf import settings

from jmap_core.types import JSONValue
from push.events import is_type_name, known_types

_UTC_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?Z")
MAX_URL = 2048


def check_url(value: JSONValue) -> str | None:
    """An absolute https URL (http too with ``MAILYARD_PUSH_ALLOW_HTTP``), or None.

    Without ``MAILYARD_PUSH_ALLOW_HTTP`` a URL naming a loopback, private or link-local address
    literally is refused too (RFC 8620 §8.7: the server must not be turned against its own
    network). Names are not resolved here, so this is a first line only.
    """
    if not isinstance(value, str) or not value or len(value) > MAX_URL:
        return None
    try:
        parts = urlsplit(value)
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError for a malformed port
    except ValueError:
        return None
    allow_http = settings.MAILYARD_PUSH_ALLOW_HTTP
    if parts.scheme != "https" and not (allow_http and parts.scheme == "http"):
        return None
    if not host or parts.username is not None or parts.password is not None:
        return None
    if not allow_http and _is_internal(host):
        return None
    return value


def _is_internal(host: str) -> bool:
    if host.lower() in ("localhost", "localhost.localdomain") or host.lower().endswith(
        ".localhost"
    ):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return not address.is_global


def check_keys(value: JSONValue) -> tuple[str, str] | None:
    """``keys`` as (p256dh, auth), ("", "") when null, or None when malformed (RFC 8291 §3)."""
    if value is None:
        return "", ""
    if not isinstance(value, dict) or set(value) != {"p256dh", "auth"}:
        return None
    p256dh, auth = value["p256dh"], value["auth"]
    if not isinstance(p256dh, str) or not isinstance(auth, str):
        return None
    point, secret = _b64url(p256dh), _b64url(auth)
    # An uncompressed P-256 point (RFC 8291 §3.1) and a 16-octet secret (§3.2).
    if point is None or len(point) != 65 or point[0] != 4 or secret is None or len(secret) != 16:
        return None
    return p256dh, auth


def _b64url(text: str) -> bytes | None:
    if not re.fullmatch(r"[A-Za-z0-9_-]+=*", text):
        return None
    try:
        return base64.urlsafe_b64decode(text.rstrip("=") + "=" * (-len(text.rstrip("=")) % 4))
    except (binascii.Error, ValueError):
        return None


def check_types(value: JSONValue) -> list[str] | Literal[False] | None:
    """``types``: null, or a list of known type names; False when not acceptable."""
    if value is None:
        return None
    if not isinstance(value, list) or not all(is_type_name(v) for v in value):
        return False
    names = [str(v) for v in value]
    if set(names) - set(known_types()):
        return False
    return sorted(set(names))


def parse_expires(value: JSONValue) -> datetime.datetime | Literal[False] | None:
    """``expires``: null or a UTCDate (RFC 8620 §1.4); False when not acceptable."""
    if value is None:
        return None
    if not isinstance(value, str):
        return False
    match = _UTC_DATE.fullmatch(value)
    if match is None:
        return False
    year, month, day, hour, minute, second = (int(part) for part in match.groups()[:6])
    micro = int((match.group(7) or "0").ljust(6, "0")[:6])
    try:
        return datetime.datetime(year, month, day, hour, minute, second, micro, tzinfo=datetime.UTC)
    except ValueError:
        return False


def format_utc_date(value: datetime.datetime | None) -> str | None:
    """A datetime as a UTCDate with whole seconds (RFC 8620 §1.4)."""
    if value is None:
        return None
    return value.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
