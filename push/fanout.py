"""Change fan-out: committed state changes to the Channels layer and to Web Push (RFC 8620 §7).

``jmap_core.state`` sends ``state_changed`` once per account after a transaction commits, never for
rolled-back work. ``on_state_changed`` (connected in ``PushConfig.ready``) hands it to:

- the ``Publisher``, which coalesces bursts per account (at most one message per account per
  ``MAILYARD_PUSH_COALESCE_MS``; the first change of a quiet account goes out at once) and sends
  ``push.state`` to the account's group on the Channels layer, so that every server process's
  EventSource and WebSocket connections learn of it (Redis in production);
- ``push.delivery.note_change``, which queues Web Push deliveries for verified subscriptions.

The publisher runs on the event loop that serves this process's connections when there is one
(the in-memory layer's queues belong to that loop); otherwise (Celery workers, management
commands) on a private loop thread, which only a cross-process layer needs.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from channels.layers import InMemoryChannelLayer, get_channel_layer
from django.conf import settings

from jmap_core import state
from push import delivery, events

logger = logging.getLogger(__name__)


@dataclass(slots=True)
class _Pending:
    jmap_account_id: str
    changed: dict[str, str]
    due: float


@dataclass(slots=True)
class Coalescer:
    """Per-account throttle: the first change goes out now, later ones once per ``interval``.

    Pure bookkeeping over a monotonic clock the caller passes in; thread safety is the caller's.
    """

    interval: float
    pending: dict[int, _Pending] = field(default_factory=dict)
    last_sent: dict[int, float] = field(default_factory=dict)

    def add(
        self, account_pk: int, jmap_account_id: str, changed: Mapping[str, str], now: float
    ) -> float:
        """Record a change; returns when the account's next message is due."""
        entry = self.pending.get(account_pk)
        if entry is None:
            due = max(now, self.last_sent.get(account_pk, -self.interval) + self.interval)
            entry = self.pending[account_pk] = _Pending(jmap_account_id, {}, due)
        _merge(entry.changed, changed)
        return entry.due

    def pop_due(self, now: float) -> list[tuple[int, str, dict[str, str]]]:
        """The messages due by ``now``; they count as sent now."""
        ready = [pk for pk, entry in self.pending.items() if entry.due <= now]
        out = []
        for pk in ready:
            entry = self.pending.pop(pk)
            self.last_sent[pk] = now
            out.append((pk, entry.jmap_account_id, entry.changed))
        for pk in [pk for pk, sent in self.last_sent.items() if now - sent >= self.interval]:
            if pk not in self.pending:
                del self.last_sent[pk]
        return out

    def next_due(self) -> float | None:
        return min((entry.due for entry in self.pending.values()), default=None)


def _merge(into: dict[str, str], changed: Mapping[str, str]) -> None:
    """Keep the newest state per type: signals of one account may arrive out of commit order."""
    for type_name, value in changed.items():
        old = into.get(type_name)
        if old is None or (state.decode_state(value) or 0) >= (state.decode_state(old) or 0):
            into[type_name] = value


class Publisher:
    """Sends coalesced ``push.state`` messages to the Channels layer from any thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._coalescer: Coalescer | None = None
        self._serving_loop: asyncio.AbstractEventLoop | None = None
        self._private_loop: asyncio.AbstractEventLoop | None = None
        self._timers: dict[asyncio.AbstractEventLoop, asyncio.TimerHandle] = {}
        self._sending: set[asyncio.Task[None]] = set()

    def attach(self, loop: asyncio.AbstractEventLoop) -> None:
        """Publish on ``loop``: the loop serving this process's push connections."""
        self._serving_loop = loop

    def publish(self, account_pk: int, jmap_account_id: str, changed: Mapping[str, str]) -> None:
        """Queue ``changed`` for the account's group; never blocks on the layer."""
        loop = self._target_loop()
        if loop is None:
            return
        with self._lock:
            if self._coalescer is None:
                self._coalescer = Coalescer(settings.MAILYARD_PUSH_COALESCE_MS / 1000)
            due = self._coalescer.add(account_pk, jmap_account_id, changed, time.monotonic())
        loop.call_soon_threadsafe(self._arm, loop, due)

    def _target_loop(self) -> asyncio.AbstractEventLoop | None:
        loop = self._serving_loop
        if loop is not None and loop.is_running():
            return loop
        if isinstance(get_channel_layer(), InMemoryChannelLayer):
            return None  # nobody in another process can hear an in-memory layer
        return self._private()

    def _private(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._private_loop is None or self._private_loop.is_closed():
                loop = asyncio.new_event_loop()
                thread = threading.Thread(
                    target=loop.run_forever, name="push-publisher", daemon=True
                )
                thread.start()
                self._private_loop = loop
            return self._private_loop

    def _arm(self, loop: asyncio.AbstractEventLoop, due: float) -> None:
        timer = self._timers.get(loop)
        if timer is not None and not timer.cancelled() and timer.when() <= due:
            return
        if timer is not None:
            timer.cancel()
        self._timers[loop] = loop.call_at(max(due, loop.time()), self._fire, loop)

    def _fire(self, loop: asyncio.AbstractEventLoop) -> None:
        self._timers.pop(loop, None)
        with self._lock:
            assert self._coalescer is not None
            ready = self._coalescer.pop_due(time.monotonic())
            next_due = self._coalescer.next_due()
        if next_due is not None:
            self._arm(loop, next_due)
        if ready:
            task = loop.create_task(self._send(ready))
            self._sending.add(task)
            task.add_done_callback(self._sending.discard)

    async def _send(self, ready: list[tuple[int, str, dict[str, str]]]) -> None:
        layer = get_channel_layer()
        if layer is None:
            return
        for account_pk, jmap_account_id, changed in ready:
            try:
                await layer.group_send(
                    events.group_name(account_pk),
                    events.layer_message(account_pk, jmap_account_id, changed),
                )
            except Exception:
                # Push is best effort (RFC 8620 §7: clients resync on their next request).
                logger.exception("could not publish a state change")


publisher = Publisher()


def on_state_changed(
    sender: Any, account_id: int, jmap_account_id: str, changed: dict[str, str], **_: Any
) -> None:
    """Receiver of ``jmap_core.state.state_changed`` (sent after commit; STYLE §6).

    Push is best effort (RFC 8620 §7: a client that misses one resyncs on its next request), so
    nothing here may fail the request whose commit sent the signal.
    """
    if not changed:
        return
    try:
        publisher.publish(account_id, jmap_account_id, changed)
    except Exception:
        logger.exception("could not publish a state change")
    try:
        delivery.note_change(account_id, changed)
    except Exception:
        logger.exception("could not queue Web Push deliveries")
