"""The Session resource (RFC 8620 §2)."""

from __future__ import annotations

import hashlib
import json
import time

from accounts.auth import Principal
from jmap_core.context import RequestContext, account_capabilities
from jmap_core.registry import CAPABILITIES
from jmap_core.types import CORE, JSONObject

WEBSOCKET = "urn:ietf:params:jmap:websocket"


def build_session(principal: Principal, public_url: str) -> JSONObject:
    """The session object for ``principal``, every URL built from ``public_url``."""
    body = _session_body(RequestContext(principal, frozenset()), public_url)
    body["state"] = _digest(body)
    _absolute_websocket_url(body, public_url)
    return body


_STATE_TTL = 10.0
_state_memo: dict[tuple[object, ...], tuple[float, str]] = {}


def session_state(rctx: RequestContext) -> str:
    """The session's state string; changes when anything in the session changes.

    Every API response carries it (RFC 8620 §3.4), so each process keeps it for a few seconds
    per credential and set of reachable accounts rather than rebuilding the whole session for
    every request. The accounts are part of the key (the request has read them anyway), so a
    share granted or revoked changes the state at once.
    """
    principal = rctx.principal
    token = principal.token
    key = (
        principal.account.pk,
        principal.account.address,
        token.pk if token else None,
        token.read_only if token else None,
        tuple(token.capabilities) if token else None,
        tuple(
            (access.account.pk, access.account.address, access.is_read_only)
            for access in rctx.access().values()
        ),
    )
    now = time.monotonic()
    memo = _state_memo.get(key)
    if memo is None or memo[0] < now:
        if len(_state_memo) > 10_000:
            _state_memo.clear()
        memo = (now + _STATE_TTL, _digest(_session_body(rctx, "")))
        _state_memo[key] = memo
    return memo[1]


def _digest(body: JSONObject) -> str:
    canonical = json.dumps({k: v for k, v in body.items() if not k.endswith("Url")}, sort_keys=True)
    return "z" + hashlib.sha256(canonical.encode()).hexdigest()[:20]


def _absolute_websocket_url(body: JSONObject, base: str) -> None:
    """RFC 8887 §3: the WebSocket capability's ``url`` is a ws(s) URI on the session's base.

    The capability gives a path; it becomes absolute after the digest, which (like the top-level
    ``*Url`` members) must not depend on the host the client used.
    """
    capabilities = body["capabilities"]
    value = capabilities.get(WEBSOCKET) if isinstance(capabilities, dict) else None
    if isinstance(value, dict) and isinstance(value.get("url"), str) and base:
        scheme, _, rest = base.partition("://")
        ws_scheme = {"https": "wss", "http": "ws"}.get(scheme, scheme)
        value["url"] = f"{ws_scheme}://{rest}{value['url']}"


def _session_body(rctx: RequestContext, base: str) -> JSONObject:
    """RFC 8620 §2: every reachable account; the primary accounts are the principal's own."""
    principal = rctx.principal
    allowed = [uri for uri in CAPABILITIES if principal.allows_capability(uri)]
    accounts: JSONObject = {}
    primary: dict[str, str] = {}
    for account_id, access in rctx.access().items():
        caps = {uri: value for uri, value in account_capabilities(access).items() if uri in allowed}
        accounts[account_id] = {
            "name": access.account.address,
            "isPersonal": access.is_personal,
            "isReadOnly": access.is_read_only,
            "accountCapabilities": caps,  # type: ignore[dict-item]
        }
        if access.is_personal:
            primary.update(dict.fromkeys(caps, account_id))
    capabilities: JSONObject = {uri: CAPABILITIES[uri].session_value() for uri in allowed}
    return {
        "capabilities": capabilities,
        "accounts": accounts,
        "primaryAccounts": primary,  # type: ignore[dict-item]
        "username": principal.account.address,
        "apiUrl": f"{base}/jmap/api/",
        "downloadUrl": f"{base}/jmap/download/{{accountId}}/{{blobId}}/{{name}}?type={{type}}",
        "uploadUrl": f"{base}/jmap/upload/{{accountId}}/",
        "eventSourceUrl": f"{base}/jmap/eventsource/?types={{types}}&closeafter={{closeafter}}&ping={{ping}}",
    }


__all__ = ["CORE", "build_session", "session_state"]
