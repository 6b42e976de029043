"""The JMAP event source (RFC 8620 §7.3) as a Channels consumer, served asynchronously by daphne.

``GET /jmap/eventsource/?types=…&closeafter=state|no&ping=N`` opens a ``text/event-stream``:

- the connection joins the Channels group of each account the user may use (its own and those
  shared with it); each ``push.state`` message is filtered by ``types`` and sent as an event
  ``state`` whose data is the StateChange (§7.1) and whose ``id`` is a push-state token encoding
  the states the client now knows (``push.events``);
- the stream starts with that ``id`` alone (no event is dispatched, but browsers remember it), so
  a client that reconnects sends it back as ``Last-Event-ID`` and gets a StateChange at once for
  anything that changed while it was away;
- ``ping`` events carry ``{"interval": N}`` and no id, N clamped to
  ``MAILYARD_PUSH_PING_MIN``..``MAILYARD_PUSH_PING_MAX`` (§7.3: a minimum of at most 30 and a
  maximum of at least 300 seconds); ``ping=0`` sends none;
- ``closeafter=state`` ends the response after the first state event.

An idle connection holds the consumer, one waiting task and, with pings, one timer; it gets state
changes from ``push.hub`` and touches the database only when it opens. ``Cache-Control: no-cache`` and ``X-Accel-Buffering: no`` keep proxies from
buffering. Sending never waits for the client, so a slow or dead client blocks nobody.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from channels.db import database_sync_to_async
from channels.exceptions import StopConsumer
from channels.generic.http import AsyncHttpConsumer
from django.conf import settings

from accounts.auth import REALM, AuthenticationFailed, Principal
from accounts.throttle import Throttled
from jmap_core import jsonio
from jmap_core.views import CORS_HEADERS
from push import events
from push.consumers.auth import authenticate_scope, header, isolated, query
from push.consumers.base import PushTarget

_TYPES = re.compile(r"\*|[A-Za-z][A-Za-z0-9_]{0,63}(,[A-Za-z][A-Za-z0-9_]{0,63}){0,99}")


class BadParameters(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class Parameters:
    types: frozenset[str] | None  # None: every type ("*")
    close_after_state: bool
    ping: int  # seconds; 0 for none


def parse_parameters(params: dict[str, list[str]]) -> Parameters:
    """The URL template variables of §7.3; raises BadParameters."""
    types = (params.get("types") or ["*"])[0]
    close_after = (params.get("closeafter") or ["no"])[0]
    ping = (params.get("ping") or ["0"])[0]
    if not _TYPES.fullmatch(types):
        raise BadParameters("types must be '*' or a comma-separated list of type names")
    if close_after not in ("state", "no"):
        raise BadParameters("closeafter must be 'state' or 'no'")
    if not ping.isdigit() or len(ping) > 9:
        raise BadParameters("ping must be a non-negative integer")
    interval = int(ping)
    if interval:
        interval = min(
            max(interval, settings.MAILYARD_PUSH_PING_MIN), settings.MAILYARD_PUSH_PING_MAX
        )
    return Parameters(
        None if types == "*" else frozenset(types.split(",")), close_after == "state", interval
    )


def sse(event: str | None, data: object = None, event_id: str | None = None) -> bytes:
    """One event in the text/event-stream format (EventSource §6: event, id, data fields)."""
    lines = []
    if event is not None:
        lines.append(f"event: {event}")
    if event_id is not None:
        lines.append(f"id: {event_id}")
    if data is not None:
        lines.append("data: " + jsonio.dumps_text(data))
    return ("\n".join(lines) + "\n\n").encode()


class EventSourceConsumer(PushTarget, AsyncHttpConsumer):  # type: ignore[misc]
    """One event-source connection (RFC 8620 §7.3)."""

    params: Parameters
    _timer: asyncio.TimerHandle | None = None
    _pinging: asyncio.Task[None] | None = None
    _last_write = 0.0
    _finished = False

    async def http_request(self, message: dict[str, Any]) -> None:
        # AsyncHttpConsumer ends the response when handle() returns; a stream must outlive it.
        if message.get("more_body"):
            return
        if not await self.handle(b""):
            raise StopConsumer()

    async def http_disconnect(self, message: dict[str, Any]) -> None:
        # No database connection to close here (Channels' version hops to the sync thread).
        await self.disconnect()
        raise StopConsumer()

    async def handle(self, body: bytes) -> bool:
        """Open the stream; returns False when the request was answered and is over."""
        method = self.scope.get("method", "GET")
        if method == "OPTIONS":
            await self.send_response(204, b"", headers=_cors())
            return False
        if method not in ("GET", "HEAD"):
            await self._problem(405, "use GET")
            return False
        try:
            self.params = parse_parameters(query(self.scope))
        except BadParameters as exc:
            await self._problem(400, str(exc))
            return False
        try:
            principal = await authenticate_scope(self.scope, query_token=True)
        except Throttled as exc:
            await self._problem(429, str(exc), [("Retry-After", str(exc.retry_after))])
            return False
        except AuthenticationFailed as exc:
            await self._problem(401, str(exc), [("WWW-Authenticate", REALM)])
            return False
        if method == "HEAD":
            await self.send_response(200, b"", headers=_stream_headers())
            return False
        return await self._open(principal)

    async def _open(self, principal: Principal) -> bool:
        if not await self.join(principal, self.params.types):
            return False
        previous = self.decode_token(header(self.scope, "Last-Event-ID"))
        missed = await database_sync_to_async(isolated)(self.catch_up, previous)
        await self.send_headers(status=200, headers=_stream_headers())
        if missed:
            await self._state(missed)
        else:
            await self._write(sse(None, None, self.following.token()))
        if self._finished:
            return False
        self._arm()
        return True

    async def push_state(self, message: Mapping[str, Any]) -> None:
        """A ``push.state`` message for a followed account, from ``push.hub``."""
        if self._finished:
            return
        news = self.following.absorb(message["account"], message["changed"])
        if news:
            await self._state({message["account"]: news})

    async def _state(self, changed: dict[str, dict[str, str]]) -> None:
        await self._write(sse("state", events.state_change(changed), self.following.token()))
        if self.params.close_after_state:
            # Ending the response makes daphne send http.disconnect, which stops the consumer.
            self._finished = True
            await self.send_body(b"", more_body=False)
            self._stop()

    async def _write(self, data: bytes) -> None:
        self._last_write = asyncio.get_running_loop().time()
        await self.send_body(data, more_body=True)

    def _arm(self) -> None:
        """The next ping (§7.3: whenever the interval elapses since the previous event)."""
        if self.params.ping and not self._finished:
            due = self._last_write + self.params.ping
            self._timer = asyncio.get_running_loop().call_at(due, self._tick)

    def _tick(self) -> None:
        self._timer = None
        if self._finished:
            return
        now = asyncio.get_running_loop().time()
        if now - self._last_write >= self.params.ping - 0.01:
            self._last_write = now
            self._pinging = asyncio.get_running_loop().create_task(self._ping())
        self._arm()

    async def _ping(self) -> None:
        if not self._finished:
            await self.send_body(sse("ping", {"interval": self.params.ping}), more_body=True)

    async def disconnect(self) -> None:
        self._finished = True
        self._stop()

    def _stop(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self.leave()

    async def _problem(
        self, status: int, detail: str, extra: list[tuple[str, str]] | None = None
    ) -> None:
        body = json.dumps({"type": "about:blank", "status": status, "detail": detail}).encode()
        headers = [("Content-Type", "application/problem+json"), *(extra or [])]
        await self.send_response(status, body, headers=_encode(headers) + _cors())


def _cors() -> list[tuple[bytes, bytes]]:
    return _encode(list(CORS_HEADERS.items()))


def _stream_headers() -> list[tuple[bytes, bytes]]:
    return _encode(
        [
            ("Content-Type", "text/event-stream; charset=utf-8"),
            ("Cache-Control", "no-cache"),
            ("X-Accel-Buffering", "no"),
            *CORS_HEADERS.items(),
        ]
    )


def _encode(headers: list[tuple[str, str]]) -> list[tuple[bytes, bytes]]:
    return [(name.encode("latin-1"), value.encode("latin-1")) for name, value in headers]
