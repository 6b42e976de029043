"""Credential changes that end push subscriptions (RFC 8620 §7.2).

A token saved as revoked or expired loses its subscriptions at once. Revocations made with a
queryset ``update()`` (admin action, ``revoketoken``) send no signal: delivery checks the
credential before every push and the purge task removes them (``push.delivery``).
"""

from __future__ import annotations

from typing import Any

from accounts.models import AccessToken
from push.models import PushSubscription


def on_token_saved(sender: Any, instance: AccessToken, **_: Any) -> None:
    if not instance.is_usable:
        PushSubscription.objects.filter(token=instance).delete()
