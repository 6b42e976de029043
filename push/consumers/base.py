"""What EventSource and WebSocket connections share: following accounts through the hub."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

from channels.db import database_sync_to_async

from accounts.auth import Principal
from accounts.models import Account
from jmap_core.context import Access, RequestContext
from push import events
from push.consumers.auth import isolated
from push.fanout import publisher
from push.hub import hub

# Connections get state changes from ``push.hub``, never from a layer channel of their own: an
# alias that names no configured layer keeps Channels from creating one per connection.
NO_LAYER = "push-connections-listen-through-the-hub"


def reachable(principal: Principal) -> list[Access]:
    """The accounts the principal may use (its own first), as its session lists them."""
    return list(RequestContext(principal, frozenset()).access().values())


class PushTarget:
    """Mixin for Channels consumers that receive ``push.state`` messages (``push.fanout``)."""

    channel_layer_alias = NO_LAYER
    principal: Principal
    following: events.Following
    _accounts: dict[str, Account]
    _account_pks: tuple[int, ...] = ()
    _generation = 0  # moves on every leave(), so that a join still reading the accounts stops

    async def push_state(self, message: Mapping[str, Any]) -> None:
        raise NotImplementedError

    async def join(self, principal: Principal, types: frozenset[str] | None) -> bool:
        """Follow every account the principal may use for ``types`` (None: all types); False
        when the connection left meanwhile.

        RFC 8620 §7.1: a StateChange maps each account id to its changed types, so a shared
        account's changes reach the user like its own. The accounts are read once, here: a
        share revoked later is dropped when the client reconnects.
        """
        self.principal = principal
        generation = self._generation
        accesses: list[Access] = await database_sync_to_async(isolated)(reachable, principal)
        if generation != self._generation:
            return False  # left (disconnected) while the accounts were read
        self._accounts = {access.account.jmap_id: access.account for access in accesses}
        self.following = events.Following(
            principal.account.jmap_id,
            {
                access.account.jmap_id: events.Tracker(
                    access.account.jmap_id,
                    events.visible(principal, types, delegated=not access.is_personal),
                )
                for access in accesses
            },
        )
        publisher.attach(asyncio.get_running_loop())
        self._account_pks = tuple(access.account.pk for access in accesses)
        for account_pk in self._account_pks:
            await hub.add(account_pk, self)
        return True

    def leave(self) -> None:
        self._generation += 1
        for account_pk in self._account_pks:
            hub.discard(account_pk, self)
        self._account_pks = ()

    def decode_token(self, token: object) -> dict[str, dict[str, int]] | None:
        """A push-state token the client sent back (``events.decode_tokens``)."""
        return events.decode_tokens(token, self.principal.account.jmap_id)

    def catch_up(
        self, previous: Mapping[str, Mapping[str, int]] | None
    ) -> dict[str, dict[str, str]]:
        """Read the current states (sync: database); per account, the types that moved since
        ``previous``."""
        current = {
            account_id: events.snapshot(self._accounts[account_id], tracker.followed())
            for account_id, tracker in self.following.trackers.items()
        }
        return self.following.missed(current, previous)
