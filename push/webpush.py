"""One Web Push request to a subscription's push resource (RFC 8030 §5, RFC 8291, RFC 8292).

The body is the JSON object (StateChange or PushVerification, RFC 8620 §7.2). When the
subscription has ``keys`` it is encrypted with pywebpush as RFC 8291 specifies (``aes128gcm``,
RFC 8188); otherwise it goes as ``application/json``. Every request carries a VAPID
``Authorization: vapid t=…, k=…`` header signed with the key the subscription was created under
(RFC 8292 §2, RFC 9749 §4), a ``TTL`` and an ``Urgency`` header (RFC 8030 §5.2, §5.3).

``send`` only talks HTTP and classifies the answer; ``push.delivery`` decides what to do next.
"""

from __future__ import annotations

import enum
import json
import time
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

import requests
from django.conf import settings
from pywebpush import WebPusher

from jmap_core.types import JSONObject
from push import vapid
from push.models import PushSubscription

USER_AGENT = "Mailyard-JMAP-push"


class Outcome(enum.Enum):
    DELIVERED = "delivered"
    GONE = "gone"  # 404/410: the push resource no longer exists (RFC 8030 §7.3)
    RETRY = "retry"  # 429, 5xx, network trouble: try again later, less often
    FAILED = "failed"  # any other answer: this message is dropped


@dataclass(frozen=True, slots=True)
class Result:
    outcome: Outcome
    reason: str = ""
    retry_after: float | None = None


def send(subscription: PushSubscription, payload: JSONObject, *, urgency: str = "normal") -> Result:
    """POST ``payload`` to the subscription's URL and classify the answer."""
    signer = vapid.signer(subscription.vapid_public_key)
    if signer is None:
        return Result(Outcome.GONE, "the VAPID key of this subscription was rotated away")
    body, headers = _encode(subscription, json.dumps(payload).encode())
    parts = urlsplit(subscription.url)
    token_claims = vapid.claims(f"{parts.scheme}://{parts.netloc}")
    token_claims["exp"] = int(time.time()) + 12 * 3600  # RFC 8292 §2: at most 24 hours
    headers.update(signer.sign(token_claims))
    headers["TTL"] = str(settings.MAILYARD_PUSH_TTL)
    headers["Urgency"] = urgency
    headers["User-Agent"] = USER_AGENT
    try:
        response = requests.post(
            subscription.url,
            data=body,
            headers=headers,
            timeout=(5, 15),
            allow_redirects=False,  # a redirect must not carry the push elsewhere
        )
    except requests.RequestException as exc:
        return Result(Outcome.RETRY, f"network error: {type(exc).__name__}")
    return classify(response.status_code, response.headers.get("Retry-After"))


def _encode(subscription: PushSubscription, data: bytes) -> tuple[bytes, dict[str, str]]:
    if not subscription.has_keys:
        return data, {"Content-Type": "application/json"}
    pusher = WebPusher(
        {
            "endpoint": subscription.url,
            "keys": {"p256dh": subscription.p256dh, "auth": subscription.auth},
        }
    )
    encoded = pusher.encode(data, content_encoding="aes128gcm")
    return bytes(encoded["body"]), {
        "Content-Type": "application/octet-stream",
        "Content-Encoding": "aes128gcm",
    }


def classify(status: int, retry_after: str | None = None) -> Result:
    """What an HTTP status from a push service means for us (RFC 8030 §5, §7.3; RFC 8620 §7.2)."""
    if 200 <= status < 300:
        return Result(Outcome.DELIVERED)
    if status in (404, 410):
        return Result(Outcome.GONE, f"HTTP {status}: subscription gone")
    if status == 429 or status >= 500:
        return Result(Outcome.RETRY, f"HTTP {status}", _retry_after_seconds(retry_after))
    return Result(Outcome.FAILED, f"HTTP {status}")


def _retry_after_seconds(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None
