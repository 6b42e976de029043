"""The deployment's VAPID key pair (RFC 8292) and its advertisement (RFC 9749 §3).

The key pair is generated the first time it is needed and kept in the database, so every server
process and Celery worker signs with the same key. The public key is published in the session as
``urn:ietf:params:jmap:webpush-vapid`` ``applicationServerKey``: the uncompressed P-256 point,
base64url-encoded (RFC 9749 §3), which browsers pass to ``PushManager.subscribe``.
"""

from __future__ import annotations

import base64

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from django.db import IntegrityError, transaction
from py_vapid import Vapid02  # type: ignore[import-untyped]

from push.models import VapidKey


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def current_key() -> VapidKey:
    """The key new subscriptions are created under; generated on first use."""
    key = VapidKey.objects.order_by("-created_at", "-pk").first()
    if key is not None:
        return key
    private = ec.generate_private_key(ec.SECP256R1())
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    public = b64url(
        private.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
    )
    try:
        with transaction.atomic():
            return VapidKey.objects.create(private_pem=pem, public_key=public)
    except IntegrityError:  # pragma: no cover - another process won the race
        return VapidKey.objects.order_by("-created_at", "-pk").first()  # type: ignore[return-value]


def signer(public_key: str) -> Vapid02 | None:
    """The signer for the key a subscription was created under, or None when it is gone."""
    key = VapidKey.objects.filter(public_key=public_key).first()
    if key is None:
        return None
    return Vapid02.from_pem(key.private_pem.encode())


def claims(audience: str) -> dict[str, str | int]:
    """JWT claims for one push service origin (RFC 8292 §2): ``aud``, ``sub``; ``exp`` is added."""
    return {"aud": audience, "sub": settings.MAILYARD_VAPID_SUBJECT}


def session_value() -> dict[str, str]:
    """The ``urn:ietf:params:jmap:webpush-vapid`` capability (RFC 9749 §3)."""
    return {"applicationServerKey": current_key().public_key}
