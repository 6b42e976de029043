"""Push subscriptions (RFC 8620 §7.2) and the deployment's VAPID key pair (RFC 8292, RFC 9749).

A ``PushSubscription`` belongs to the credential that created it: the account and, when an
access token was used, that token (RFC 8620 §7.2: "tied to the credentials"). Subscriptions made
with the account password remember a fingerprint of the password hash, so that a password
change ends them like a token revocation does. Rows are deleted, never tombstoned: destroying a
subscription must erase its URL and keys (§7.2).

Delivery health (push service host, last success, last failure and its reason) lives on the row
for operators (admin); ``pending_types`` and ``next_attempt_at`` drive coalescing and back-off.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import ClassVar
from urllib.parse import urlsplit

from django.db import models
from django.utils import timezone

from accounts.models import AccessToken, Account


def password_fingerprint(account: Account) -> str:
    """A short digest of the stored password hash; it changes whenever the password does."""
    return hashlib.sha256(f"mailyard-push\0{account.password}".encode()).hexdigest()[:32]


class VapidKey(models.Model):
    """One P-256 key pair per deployment, generated on first use (RFC 8292 §3, RFC 9749 §3)."""

    private_pem = models.TextField(editable=False)
    # Uncompressed SEC1 point, base64url without padding: the session's applicationServerKey.
    public_key = models.CharField(max_length=100, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering: ClassVar = ["-created_at"]
        verbose_name = "VAPID key"

    def __str__(self) -> str:
        return f"VAPID key {self.public_key[:16]}… ({self.created_at:%Y-%m-%d})"


class PushSubscription(models.Model):
    jmap_id = models.CharField(max_length=32, unique=True, editable=False)
    account = models.ForeignKey(
        Account, on_delete=models.CASCADE, related_name="push_subscriptions"
    )
    token = models.ForeignKey(
        AccessToken,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="push_subscriptions",
        help_text="The token that created the subscription; empty when the password did.",
    )
    password_fingerprint = models.CharField(max_length=32, blank=True, editable=False)
    device_client_id = models.CharField(max_length=255)
    url = models.CharField(max_length=2048)
    p256dh = models.CharField(max_length=200, blank=True)
    auth = models.CharField(max_length=100, blank=True)
    verification_code = models.CharField(max_length=64, editable=False)
    verified = models.BooleanField(default=False)
    expires_at = models.DateTimeField(null=True, blank=True)
    types = models.JSONField(null=True, blank=True, help_text="Type names; empty for all types.")
    # The applicationServerKey advertised when the subscription was created (RFC 9749 §4).
    vapid_public_key = models.CharField(max_length=100, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    # Delivery state.
    pending_types = models.JSONField(default=list, blank=True, editable=False)
    delivery_queued = models.BooleanField(default=False, editable=False)
    next_attempt_at = models.DateTimeField(null=True, blank=True, editable=False)
    failures = models.PositiveIntegerField(default=0, editable=False)
    last_success_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_failure_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_failure_reason = models.CharField(max_length=300, blank=True, editable=False)

    class Meta:
        ordering: ClassVar = ["-created_at"]
        indexes: ClassVar = [models.Index(fields=["account", "verified"], name="push_sub_account")]

    def __str__(self) -> str:
        return f"{self.jmap_id} ({self.push_host})"

    @property
    def push_host(self) -> str:
        """The push service's host, the only part of the URL an operator needs to see."""
        return urlsplit(self.url).hostname or "?"

    @property
    def has_keys(self) -> bool:
        return bool(self.p256dh and self.auth)

    def is_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()

    def wanted(self, changed_types: Iterable[str]) -> list[str]:
        """Of ``changed_types``, those this subscription asked for (RFC 8620 §7.2 ``types``)."""
        if self.types is None:
            return sorted(set(changed_types))
        allowed = set(self.types)
        return sorted({name for name in changed_types if name in allowed})
