"""What EventSource and WebSocket connections share: following one account through the hub."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

from accounts.auth import Principal
from push import events
from push.fanout import publisher
from push.hub import hub

# Connections get state changes from ``push.hub``, never from a layer channel of their own: an
# alias that names no configured layer keeps Channels from creating one per connection.
NO_LAYER = "push-connections-listen-through-the-hub"


class PushTarget:
    """Mixin for Channels consumers that receive ``push.state`` messages (``push.fanout``)."""

    channel_layer_alias = NO_LAYER
    principal: Principal
    tracker: events.Tracker
    _account_pk: int | None = None

    async def push_state(self, message: Mapping[str, Any]) -> None:
        raise NotImplementedError

    async def join(self, principal: Principal, types: frozenset[str] | None) -> None:
        """Follow the principal's account for ``types`` (None: all types)."""
        self.principal = principal
        self.tracker = events.Tracker(principal.account.jmap_id, events.visible(principal, types))
        publisher.attach(asyncio.get_running_loop())
        self._account_pk = principal.account.pk
        await hub.add(self._account_pk, self)

    def leave(self) -> None:
        if self._account_pk is not None:
            hub.discard(self._account_pk, self)
            self._account_pk = None

    def catch_up(self, previous: Mapping[str, int] | None) -> dict[str, str]:
        """Read the current states (sync: database); the types that moved since ``previous``."""
        current = events.snapshot(self.principal.account, self.tracker.followed())
        return self.tracker.missed(current, previous)
