"""Capabilities the push app advertises in the session (RFC 8887 §3, RFC 9749 §3).

``urn:ietf:params:jmap:websocket`` carries the WebSocket endpoint; its ``url`` here is the path,
which ``jmap_core.session`` turns into an absolute ``ws://``/``wss://`` URI on the session's base
(the same base as ``apiUrl``). ``urn:ietf:params:jmap:webpush-vapid`` carries the deployment's
VAPID public key. The vendor capability of ``EventSourceToken/issue`` lives in ``push.tokens``.
"""

from __future__ import annotations

from jmap_core.registry import Capability, capability
from jmap_core.types import JSONObject
from push import tokens, vapid

WEBSOCKET = "urn:ietf:params:jmap:websocket"
WEBPUSH_VAPID = "urn:ietf:params:jmap:webpush-vapid"
WEBSOCKET_PATH = "/jmap/ws/"


def _websocket() -> JSONObject:
    return {"url": WEBSOCKET_PATH, "supportsPush": True}


def _vapid() -> JSONObject:
    return dict(vapid.session_value())


def register() -> None:
    capability(Capability(WEBSOCKET, session_value=_websocket))
    capability(Capability(WEBPUSH_VAPID, session_value=_vapid))
    tokens.register()
