"""Request parsing and method dispatch (RFC 8620 §3; STYLE §2).

``run_request`` knows no HTTP: the API view and the WebSocket consumer both call it.
"""

from __future__ import annotations

import contextlib
import json
import logging
from typing import Any

from django.db import transaction

from accounts.auth import Principal
from jmap_core import errors, limits, state
from jmap_core.context import CallContext, RequestContext, account_capabilities
from jmap_core.references import resolve_arguments
from jmap_core.registry import CAPABILITIES, METHODS, Method
from jmap_core.types import JSONObject, JSONValue

logger = logging.getLogger(__name__)


def parse_body(body: bytes) -> JSONValue:
    """Decode a request body as I-JSON (RFC 8620 §1.5, §3.6.1 notJSON)."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise errors.NotJSON("the request body is not valid UTF-8") from None
    try:
        value: JSONValue = json.loads(text, object_pairs_hook=_no_duplicate_keys)
    except RecursionError:
        raise errors.NotRequest("the request nests too deeply") from None
    except ValueError as exc:
        raise errors.NotJSON(f"the request body is not valid JSON: {exc}") from None
    if _depth(value) > limits.MAX_JSON_DEPTH:
        raise errors.NotRequest("the request nests too deeply")
    return value


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            # I-JSON (RFC 7493 §2.3) forbids duplicate member names.
            raise ValueError(f"duplicate member name {key!r}")
        out[key] = value
    return out


def _depth(value: JSONValue) -> int:
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        deepest = max(deepest, level)
        if level > limits.MAX_JSON_DEPTH:
            break
        if isinstance(item, dict):
            stack.extend((v, level + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, level + 1) for v in item)
    return deepest


def validate_request(value: JSONValue, principal: Principal) -> JSONObject:
    """Check the Request object shape (RFC 8620 §3.3) and its ``using`` list."""
    if not isinstance(value, dict):
        raise errors.NotRequest("the request must be a JSON object")
    using, calls, created = value.get("using"), value.get("methodCalls"), value.get("createdIds")
    if not isinstance(using, list) or not all(isinstance(u, str) for u in using):
        raise errors.NotRequest("using must be an array of capability strings")
    if not isinstance(calls, list) or not all(_is_invocation(c) for c in calls):
        raise errors.NotRequest("methodCalls must be an array of [name, arguments, id] triples")
    if created is not None and (
        not isinstance(created, dict) or not all(isinstance(v, str) for v in created.values())
    ):
        raise errors.NotRequest("createdIds must map creation ids to ids")
    unknown = [
        str(u) for u in using if u not in CAPABILITIES or not principal.allows_capability(str(u))
    ]
    if unknown:
        raise errors.UnknownCapability(f"unsupported capabilities: {', '.join(unknown)}")
    if len(calls) > limits.get("maxCallsInRequest"):
        raise errors.LimitExceeded(
            f"at most {limits.get('maxCallsInRequest')} method calls", limit="maxCallsInRequest"
        )
    return value


def _is_invocation(call: JSONValue) -> bool:
    return (
        isinstance(call, list)
        and len(call) == 3
        and isinstance(call[0], str)
        and isinstance(call[1], dict)
        and isinstance(call[2], str)
    )


def run_request(principal: Principal, request: JSONObject, *, public_url: str = "") -> JSONObject:
    """Process every method call in order and build the Response object (RFC 8620 §3.4)."""
    given_created = request.get("createdIds")
    rctx = RequestContext(
        principal=principal,
        using=frozenset(request["using"]),  # type: ignore[arg-type]
        created_ids=dict(given_created) if isinstance(given_created, dict) else {},  # type: ignore[arg-type]
        public_url=public_url,
    )
    calls: list[list[Any]] = request["methodCalls"]  # type: ignore[assignment]
    for name, arguments, call_id in calls:
        _run_call(rctx, name, arguments, call_id)
    from jmap_core.session import session_state

    response: JSONObject = {
        "methodResponses": rctx.responses,  # type: ignore[dict-item]
        "sessionState": session_state(rctx),
    }
    if given_created is not None:
        response["createdIds"] = rctx.created_ids  # type: ignore[assignment]
    return response


def _run_call(rctx: RequestContext, name: str, arguments: JSONObject, call_id: str) -> None:
    ctx = CallContext(request=rctx, call_id=call_id, method_name=name)
    try:
        entry = _find_method(rctx, name)
        resolved = resolve_arguments(arguments, rctx.responses)
        result = _invoke(entry, ctx, resolved)
    except errors.MethodError as error:
        rctx.responses.append(["error", error.to_json(), call_id])
        return
    except Exception:
        logger.exception("JMAP method %s failed", name)
        rctx.responses.append(["error", errors.ServerFail("internal error").to_json(), call_id])
        return
    rctx.responses.append([name, result, call_id])
    for implicit_name, implicit_args in ctx.implicit:
        _run_implicit(rctx, implicit_name, implicit_args, call_id)


def _run_implicit(rctx: RequestContext, name: str, arguments: JSONObject, call_id: str) -> None:
    """An implicit call (RFC 8621 §7.5) runs whatever ``using`` says, under the caller's id."""
    ctx = CallContext(request=rctx, call_id=call_id, method_name=name)
    try:
        result = _invoke(METHODS[name], ctx, arguments)
    except errors.MethodError as error:
        rctx.responses.append(["error", error.to_json(), call_id])
        return
    except Exception:
        logger.exception("implicit JMAP method %s failed", name)
        rctx.responses.append(["error", errors.ServerFail("internal error").to_json(), call_id])
        return
    rctx.responses.append([name, result, call_id])


def _find_method(rctx: RequestContext, name: str) -> Method:
    entry = METHODS.get(name)
    if entry is None:
        raise errors.UnknownMethod(f"no method {name!r}")
    if entry.capability not in rctx.using and not set(entry.also) & rctx.using:
        raise errors.UnknownMethod(f"{name} needs {entry.capability} in using")
    return entry


def _invoke(entry: Method, ctx: CallContext, arguments: JSONObject) -> JSONObject:
    if entry.takes_account:
        account_id = arguments.get("accountId")
        if not isinstance(account_id, str):
            raise errors.InvalidArguments("accountId must be a string", arguments=["accountId"])
        access = ctx.request.find_access(account_id)
        if access is None:
            raise errors.AccountNotFound(f"no account {account_id!r}")
        if entry.capability not in account_capabilities(access) and entry.capability != (
            "urn:ietf:params:jmap:core"
        ):
            raise errors.AccountNotSupportedByMethod()
        if entry.writes and access.is_read_only:
            # RFC 8620 §3.6.2: the session marks the account isReadOnly (a read-only credential
            # or a read-only share).
            raise errors.AccountReadOnly(
                "this credential is read-only"
                if ctx.principal.read_only
                else "this account is shared read-only"
            )
        ctx.account = access.account
    with transaction.atomic() if entry.atomic else contextlib.nullcontext():
        if entry.writes and entry.takes_account and entry.lock_first:
            state.lock(ctx.account)
        return entry.handler(ctx, arguments)
