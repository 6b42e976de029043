"""JMAP over WebSocket (RFC 8887) as a Channels consumer.

The handshake must offer the ``jmap`` subprotocol (§4.2) and carry the same credentials as the
API (§4.1; for browsers also the same-origin session cookie, ``push.consumers.auth``); otherwise
it is refused. Then each text message is one of (§4.3):

- ``Request`` (``@type``, optional ``id``): run through ``jmap_core.dispatch`` exactly as the
  HTTP API does, under the same limits (``maxSizeRequest``, ``maxConcurrentRequests`` counted
  together with HTTP requests, §4.3.2); answered by a ``Response`` with ``requestId`` or a
  ``RequestError`` problem document (§4.3.3, §4.3.4). Requests run concurrently, so answers may
  come out of order (§4.3.2).
- ``WebSocketPushEnable`` (``dataTypes``, ``pushState``): push StateChange objects with a
  ``pushState`` from now on; with a ``pushState`` from earlier, first everything that changed
  since (§4.3.5.2).
- ``WebSocketPushDisable``: stop pushing (§4.3.5.3).

Binary frames close the connection with 1003 (§4.3.1).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings

from accounts.auth import AuthenticationFailed
from accounts.throttle import Throttled
from jmap_core import dispatch, jsonio, limits
from jmap_core.errors import LimitExceeded, NotRequest, RequestError
from jmap_core.types import JSONObject, JSONValue
from push import events
from push.capabilities import WEBSOCKET
from push.consumers.auth import authenticate_scope, header, isolated
from push.consumers.base import PushTarget

SUBPROTOCOL = "jmap"


class JmapWebSocketConsumer(PushTarget, AsyncWebsocketConsumer):  # type: ignore[misc]
    """One JMAP WebSocket connection (RFC 8887 §4)."""

    pushing = False

    async def connect(self) -> None:
        if SUBPROTOCOL not in self.scope.get("subprotocols", []):
            await self.close()
            return
        try:
            principal = await authenticate_scope(self.scope, query_token=False)
        except (AuthenticationFailed, Throttled):
            await self.close()
            return
        if not principal.allows_capability(WEBSOCKET):
            await self.close()
            return
        self.principal = principal
        self._inflight: set[asyncio.Task[None]] = set()
        await self.accept(SUBPROTOCOL)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if text_data is None:
            await self.close(1003)
            return
        message: JSONObject | None = None
        try:
            message = self._parse(text_data)
            await self._handle(message)
        except RequestError as error:
            await self._send_json(
                {"@type": "RequestError", "requestId": _request_id(message), **error.problem()}
            )

    async def _handle(self, message: JSONObject) -> None:
        kind = message.get("@type")
        if kind == "Request":
            self._start(message)
        elif kind == "WebSocketPushEnable":
            await self._enable(message)
        elif kind == "WebSocketPushDisable":
            self.pushing = False
            self.leave()
        else:
            raise NotRequest("@type must be Request, WebSocketPushEnable or WebSocketPushDisable")

    def _parse(self, text: str) -> JSONObject:
        data = text.encode()
        if len(data) > limits.get("maxSizeRequest"):
            raise LimitExceeded(
                f"the request is larger than {limits.get('maxSizeRequest')} octets",
                limit="maxSizeRequest",
            )
        value = dispatch.parse_body(data)
        if not isinstance(value, dict):
            raise NotRequest("a message must be a JSON object")
        return value

    def _start(self, message: JSONObject) -> None:
        if "id" in message and not isinstance(message["id"], str):
            raise NotRequest("id must be a string")
        if len(self._inflight) >= limits.get("maxConcurrentRequests"):
            raise LimitExceeded("too many requests in flight", limit="maxConcurrentRequests")
        task = asyncio.get_running_loop().create_task(self._request(message))
        self._inflight.add(task)
        task.add_done_callback(self._inflight.discard)

    async def _request(self, message: JSONObject) -> None:
        request_id = _request_id(message)
        body = {key: value for key, value in message.items() if key not in ("@type", "id")}
        try:
            response = await database_sync_to_async(isolated)(self._run, body)
        except RequestError as error:
            reply: JSONObject = {
                "@type": "RequestError",
                "requestId": request_id,
                **error.problem(),
            }
        else:
            reply = {"@type": "Response", **response}
            if request_id is not None:
                reply["requestId"] = request_id
        await self._send_json(reply)

    def _run(self, body: JSONObject) -> JSONObject:
        account_key = self.principal.account.jmap_id
        with limits.concurrency_slot("api", account_key, "maxConcurrentRequests"):
            request = dispatch.validate_request(body, self.principal)
            return dispatch.run_request(self.principal, request, public_url=self._public_url())

    def _public_url(self) -> str:
        if settings.MAILYARD_PUBLIC_URL:
            return str(settings.MAILYARD_PUBLIC_URL)
        scheme = "https" if self.scope.get("scheme") == "wss" else "http"
        return f"{scheme}://{header(self.scope, 'Host') or 'localhost'}"

    async def _enable(self, message: JSONObject) -> None:
        """WebSocketPushEnable (RFC 8887 §4.3.5.2)."""
        data_types = message.get("dataTypes")
        push_state = message.get("pushState")
        if data_types is not None and (
            not isinstance(data_types, list) or not all(events.is_type_name(t) for t in data_types)
        ):
            raise NotRequest("dataTypes must be null or a list of type names")
        if push_state is not None and not isinstance(push_state, str):
            raise NotRequest("pushState must be a string")
        self.leave()
        types = None if data_types is None else frozenset(str(t) for t in data_types)
        if not await self.join(self.principal, types):
            return
        previous = self.decode_token(push_state) if push_state is not None else None
        missed = await database_sync_to_async(isolated)(self.catch_up, previous)
        self.pushing = True
        if missed:
            await self._push(missed)

    async def push_state(self, message: Mapping[str, Any]) -> None:
        """A ``push.state`` message for a followed account, from ``push.hub``."""
        if not self.pushing:
            return
        news = self.following.absorb(message["account"], message["changed"])
        if news:
            await self._push({message["account"]: news})

    async def _push(self, changed: dict[str, dict[str, str]]) -> None:
        await self._send_json(events.state_change(changed, self.following.token()))

    async def _send_json(self, value: JSONObject) -> None:
        await self.send(text_data=jsonio.dumps_text(value))

    async def disconnect(self, code: int) -> None:
        self.pushing = False
        for task in getattr(self, "_inflight", ()):
            task.cancel()
        self.leave()


def _request_id(message: JSONObject | None) -> JSONValue:
    if isinstance(message, dict) and isinstance(message.get("id"), str):
        return message["id"]
    return None
