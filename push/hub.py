"""The per-process push hub: one Channels-layer listener for all of a process's connections.

Every EventSource and WebSocket connection of this process registers here under its account.
The hub joins the account's group (``push.events.group_name``) on the layer once, with one
channel for the whole process, and hands each ``push.state`` message to the account's local
connections. Compared with one layer channel per connection this keeps an idle connection to
its consumer object and one waiting task, makes a fan-out one pass over a set instead of one
layer queue per client, and leaves one Redis subscription per account and process.

A group nobody here follows any more is left after ``LINGER`` seconds, so that a client that
reconnects at once does not make the process leave and rejoin.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from typing import Any, Protocol

from channels.layers import get_channel_layer

from push import events

logger = logging.getLogger(__name__)
LINGER = 60.0
# The in-memory layer forgets group members after a day (group_expiry); rejoin well before.
REJOIN = 3600.0


class Target(Protocol):
    async def push_state(self, message: Mapping[str, Any]) -> None: ...


class Hub:
    def __init__(self) -> None:
        self._targets: dict[int, dict[Target, None]] = {}  # ordered sets
        self._joined: dict[int, asyncio.Future[None]] = {}
        self._channel: str | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._listener: asyncio.Task[None] | None = None
        self._fanouts: set[asyncio.Task[None]] = set()

    def count(self) -> int:
        return sum(len(targets) for targets in self._targets.values())

    async def add(self, account_pk: int, target: Target) -> None:
        """Deliver the account's state changes to ``target`` from now on."""
        await self._ensure_listener()
        self._targets.setdefault(account_pk, {})[target] = None
        joined = self._joined.get(account_pk)
        if joined is None:
            joined = self._joined[account_pk] = asyncio.get_running_loop().create_future()
            try:
                await get_channel_layer().group_add(events.group_name(account_pk), self._channel)
            except BaseException as exc:
                del self._joined[account_pk]
                joined.set_exception(exc)
                joined.exception()  # retrieved: later waiters raise it themselves
                raise
            joined.set_result(None)
        await asyncio.shield(joined)

    def discard(self, account_pk: int, target: Target) -> None:
        targets = self._targets.get(account_pk)
        if targets is None:
            return
        targets.pop(target, None)
        if not targets:
            asyncio.get_running_loop().call_later(LINGER, self._maybe_leave, account_pk)

    def _maybe_leave(self, account_pk: int) -> None:
        if self._targets.get(account_pk) or account_pk not in self._joined:
            return
        self._targets.pop(account_pk, None)
        if not self._joined.pop(account_pk).done():
            return
        self._spawn(self._leave(account_pk))

    async def _leave(self, account_pk: int) -> None:
        if self._channel is not None:
            await get_channel_layer().group_discard(events.group_name(account_pk), self._channel)

    async def _ensure_listener(self) -> None:
        loop = asyncio.get_running_loop()
        if self._loop is not loop:  # first use, or a new event loop (tests)
            self._targets.clear()
            self._joined.clear()
            self._loop, self._channel, self._listener = loop, None, None
        if self._channel is None:
            self._channel = await get_channel_layer().new_channel("push.hub.")
        if self._listener is None or self._listener.done():
            self._listener = loop.create_task(self._listen(self._channel))
            self._spawn(self._rejoin_periodically())

    async def _listen(self, channel: str) -> None:
        layer = get_channel_layer()
        while True:
            try:
                message = await layer.receive(channel)
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("push hub could not read from the channel layer")
                await asyncio.sleep(1)
                continue
            # A fan-out never holds up the next message (another account's, say).
            self._spawn(self._fan_out(message))

    async def _rejoin_periodically(self) -> None:
        while True:
            await asyncio.sleep(REJOIN)
            layer = get_channel_layer()
            for account_pk, joined in list(self._joined.items()):
                if joined.done() and self._channel is not None:
                    await layer.group_add(events.group_name(account_pk), self._channel)

    async def _fan_out(self, message: Mapping[str, Any]) -> None:
        targets = self._targets.get(int(message.get("pk", 0)))
        for target in list(targets or ()):
            try:
                await target.push_state(message)
            except Exception:
                logger.exception("push to one connection failed")

    def _spawn(self, coroutine: Any) -> None:
        task = asyncio.get_running_loop().create_task(coroutine)
        self._fanouts.add(task)
        task.add_done_callback(self._fanouts.discard)


hub = Hub()
