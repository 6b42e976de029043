"""RFC 8887: JMAP over WebSocket (needs the optional `websockets` package)."""

from __future__ import annotations

import json
import ssl
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from conformance.checks import expect, expect_eq, expect_type, show
from conformance.client import CORE, MAIL, WEBSOCKET, Exchange
from conformance.context import Context
from conformance.registry import MUST, CaseFailure, NotSupported, Skipped, case

JSON = Any
NEEDS = (WEBSOCKET,)
WAIT = 10.0


def _capability(ctx: Context) -> dict[str, JSON]:
    value = ctx.session.capabilities.get(WEBSOCKET)
    expect(isinstance(value, dict), f"{WEBSOCKET} is not an object")
    return dict(value or {})


class Socket:
    """A thin wrapper that journals every message for the report."""

    def __init__(self, ctx: Context, connection: Any, url: str) -> None:
        self.ctx = ctx
        self.connection = connection
        self.url = url

    def _log(self, direction: str, text: str) -> None:
        self.ctx.client.http.journal.append(Exchange("WS " + direction, self.url, {}, text))

    def send(self, message: JSON | str | bytes) -> None:
        data = message if isinstance(message, str | bytes) else json.dumps(message)
        self._log("send", data if isinstance(data, str) else f"<{len(data)} binary octets>")
        self.connection.send(data)

    def recv(self, timeout: float = WAIT) -> JSON | None:
        try:
            data = self.connection.recv(timeout=timeout)
        except TimeoutError:
            return None
        self._log("recv", str(data))
        return json.loads(data)

    def poll_until(self, kind: str, timeout: float = WAIT) -> JSON | None:
        """The next message with @type `kind`, or None when none arrives in `timeout`."""
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            message = self.recv(left)
            if message is None:
                return None
            if isinstance(message, dict) and message.get("@type") == kind:
                return message
        return None

    def recv_until(self, kind: str, timeout: float = WAIT) -> JSON:
        """The next message with @type `kind`; the case fails when none arrives."""
        message = self.poll_until(kind, timeout)
        if message is None:
            raise CaseFailure(f"no {kind} message within {timeout:.0f} s")
        return message


@contextmanager
def _socket(ctx: Context, *, auth: bool = True) -> Iterator[Socket]:
    try:
        from websockets.sync.client import connect
    except ImportError as exc:
        raise Skipped("the optional `websockets` package is not installed") from exc
    url = str(_capability(ctx).get("url"))
    options: dict[str, Any] = {"subprotocols": ["jmap"], "open_timeout": WAIT}
    if auth:
        options["additional_headers"] = ctx.client.http.auth_headers()
    if url.startswith("wss:") and ctx.run.options.get("insecure"):
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        options["ssl"] = context
    with connect(url, **options) as connection:
        yield Socket(ctx, connection, url)


def _request(
    calls: list[list[JSON]], request_id: str | None = "r1", using: list[str] | None = None
) -> dict[str, JSON]:
    body: dict[str, JSON] = {
        "@type": "Request",
        "using": using or [CORE, MAIL],
        "methodCalls": calls,
    }
    if request_id is not None:
        body["id"] = request_id
    return body


@case(
    "ws.capability",
    rfc="8887",
    section="3",
    level=MUST,
    quote="The value of this property is an object that MUST contain the following "
    "information on server capabilities:",
    sends="GET the session",
    expects="urn:ietf:params:jmap:websocket has url (a ws/wss URI) and supportsPush (Boolean)",
    requires=NEEDS,
)
def capability(ctx: Context) -> None:
    value = _capability(ctx)
    expect(str(value.get("url", "")).startswith(("wss://", "ws://")), f"url {show(value)}")
    expect_type(value.get("supportsPush"), bool, "supportsPush")


@case(
    "ws.capability-wss",
    rfc="8887",
    section="4.2",
    level=MUST,
    quote="the client MUST first perform a TLS handshake on a JMAP WebSocket URL endpoint "
    '(Section 3) having the "wss://" scheme',
    sends="GET the session",
    expects="the WebSocket url uses wss://",
    requires=NEEDS,
)
def capability_wss(ctx: Context) -> None:
    url = str(_capability(ctx).get("url"))
    expect(url.startswith("wss://"), f"url {url!r}")


@case(
    "ws.subprotocol",
    rfc="8887",
    section="4.2",
    level=MUST,
    quote="The reply from the server MUST also contain a corresponding "
    '"Sec-WebSocket-Protocol" header field with a value of "jmap"',
    sends="an authenticated WebSocket handshake offering subprotocol jmap",
    expects="the connection is established with subprotocol jmap",
    requires=NEEDS,
)
def subprotocol(ctx: Context) -> None:
    with _socket(ctx) as socket:
        expect_eq(socket.connection.subprotocol, "jmap", "negotiated subprotocol")


@case(
    "ws.unauthenticated",
    rfc="8887",
    section="4.1",
    level=MUST,
    quote="A JMAP WebSocket connection is authenticated by presenting a user's credentials in "
    "the HTTP request [RFC7235] that initiates the WebSocket handshake.",
    sends="a WebSocket handshake without credentials",
    expects="the handshake is refused (or the socket answers requests with errors only)",
    requires=NEEDS,
)
def unauthenticated(ctx: Context) -> None:
    try:
        with _socket(ctx, auth=False) as socket:
            socket.send(_request([["Core/echo", {"x": 1}, "c0"]]))
            reply = socket.poll_until("Response")
    except Skipped:
        raise
    except Exception:  # a refused handshake is the expected outcome
        return
    expect(
        not (isinstance(reply, dict) and reply.get("@type") == "Response"),
        f"an unauthenticated socket served a Response: {show(reply)}",
    )


@case(
    "ws.echo",
    rfc="8887",
    section="4.3.3",
    level=MUST,
    quote='This MUST be the string "Response".',
    sends="{@type: Request, id: r1, Core/echo}",
    expects="{@type: Response, requestId: r1} with the echoed arguments and a sessionState",
    requires=NEEDS,
)
def echo(ctx: Context) -> None:
    with _socket(ctx) as socket:
        socket.send(_request([["Core/echo", {"hello": True, "high": 5}, "b3ff"]]))
        reply = socket.recv_until("Response")
    expect_eq(reply.get("requestId"), "r1", "requestId")
    expect_eq(
        reply.get("methodResponses"),
        [["Core/echo", {"hello": True, "high": 5}, "b3ff"]],
        "methodResponses",
    )
    expect_type(reply.get("sessionState"), str, "sessionState")


@case(
    "ws.request-id-optional",
    rfc="8887",
    section="4.3.2",
    level=MUST,
    quote='id: "String" (optional) A client-specified identifier for the request to be '
    "echoed back in the response to this request.",
    sends="a Request without id",
    expects="a Response",
    requires=NEEDS,
)
def request_id_optional(ctx: Context) -> None:
    with _socket(ctx) as socket:
        socket.send(_request([["Core/echo", {}, "c0"]], request_id=None))
        socket.recv_until("Response")


@case(
    "ws.method-error",
    rfc="8620",
    section="3.6.2",
    level=MUST,
    quote="Errors at the method level MUST NOT generate an HTTP-level error.",
    sends="a Request calling an unknown method over the socket",
    expects="a Response whose methodResponses hold an error invocation",
    requires=NEEDS,
)
def method_error(ctx: Context) -> None:
    with _socket(ctx) as socket:
        socket.send(_request([["Conformance/nothing", {}, "c0"]]))
        reply = socket.recv_until("Response")
    expect_eq(reply["methodResponses"][0][:1], ["error"], "response name")


@case(
    "ws.not-json",
    rfc="8887",
    section="4.3.1",
    level=MUST,
    quote="A server MUST return an appropriate JSON Problem Details object (Section 4.3.4) for "
    "any request-level errors",
    sends="a text frame that is not JSON",
    expects="{@type: RequestError, type: urn:ietf:params:jmap:error:notJSON}",
    requires=NEEDS,
)
def not_json(ctx: Context) -> None:
    with _socket(ctx) as socket:
        socket.send("The quick brown fox jumps over the lazy dog.")
        reply = socket.recv_until("RequestError")
    expect_eq(reply.get("type"), "urn:ietf:params:jmap:error:notJSON", "type")


@case(
    "ws.request-error-id",
    rfc="8887",
    section="4.3.4",
    level=MUST,
    quote='requestId: "String" (optional; MUST be returned if given in the request)',
    sends="a Request with id r9 and an unknown capability in using",
    expects="{@type: RequestError, requestId: r9, type …unknownCapability}",
    requires=NEEDS,
)
def request_error_id(ctx: Context) -> None:
    with _socket(ctx) as socket:
        socket.send(
            _request([["Core/echo", {}, "c0"]], "r9", [CORE, "https://conformance.example/unknown"])
        )
        reply = socket.recv_until("RequestError")
    expect_eq(reply.get("requestId"), "r9", "requestId")
    expect_eq(reply.get("type"), "urn:ietf:params:jmap:error:unknownCapability", "type")


@case(
    "ws.many-requests",
    rfc="8887",
    section="4.3.2",
    level=MUST,
    quote="The client-specified identifier is used as a mechanism for the client to correlate "
    "requests and responses.",
    sends="three Requests (ids a, b, c) sent back to back",
    expects="three Responses whose requestIds are a, b, c (in any order), each with its own echo",
    requires=NEEDS,
)
def many_requests(ctx: Context) -> None:
    with _socket(ctx) as socket:
        for rid in "abc":
            socket.send(_request([["Core/echo", {"rid": rid}, "c0"]], rid))
        replies = [socket.recv_until("Response") for _ in range(3)]
    pairs = sorted((r["requestId"], r["methodResponses"][0][1]["rid"]) for r in replies)
    expect_eq(pairs, [("a", "a"), ("b", "b"), ("c", "c")], "requestId/echo pairs")


@case(
    "ws.fragmented",
    rfc="8887",
    section="4.3",
    level=MUST,
    quote="Note that fragmented WebSocket messages (split over multiple text frames) MUST be "
    "coalesced prior to parsing them as JSON objects.",
    sends="one Request split over three text frames",
    expects="a normal Response",
    requires=NEEDS,
)
def fragmented(ctx: Context) -> None:
    text = json.dumps(_request([["Core/echo", {"frag": True}, "c0"]]))
    third = len(text) // 3
    with _socket(ctx) as socket:
        socket.connection.send([text[:third], text[third : 2 * third], text[2 * third :]])
        reply = socket.recv_until("Response")
    expect(reply["methodResponses"][0][1] == {"frag": True}, show(reply))


def _push_socket(ctx: Context) -> None:
    if not _capability(ctx).get("supportsPush"):
        raise NotSupported("supportsPush is false")


@case(
    "ws.push-enable",
    rfc="8887",
    section="4.3.5.2",
    level=MUST,
    quote="A client enables push notifications from the server for the current connection by "
    "sending a WebSocketPushEnable object to the server.",
    sends="WebSocketPushEnable {dataTypes: null}, then create a mailbox over HTTP",
    expects="a StateChange naming Mailbox for the account",
    requires=NEEDS,
)
def push_enable(ctx: Context) -> None:
    _push_socket(ctx)
    with _socket(ctx) as socket:
        socket.send({"@type": "WebSocketPushEnable", "dataTypes": None})
        ctx.mailbox()
        change = socket.recv_until("StateChange")
    expect("Mailbox" in change.get("changed", {}).get(ctx.account_id, {}), show(change))


@case(
    "ws.push-data-types",
    rfc="8887",
    section="4.3.5.2",
    level=MUST,
    quote="A StateChange notification will only be sent if the data for one of these types "
    "changes. Other types are omitted from the TypeState object.",
    sends="WebSocketPushEnable {dataTypes: [Mailbox]}, then create a mailbox",
    expects="StateChange objects naming only Mailbox",
    requires=NEEDS,
)
def push_data_types(ctx: Context) -> None:
    _push_socket(ctx)
    with _socket(ctx) as socket:
        socket.send({"@type": "WebSocketPushEnable", "dataTypes": ["Mailbox"]})
        ctx.mailbox()
        change = socket.recv_until("StateChange")
    for account, types in change.get("changed", {}).items():
        expect(set(types) <= {"Mailbox"}, f"{account}: {show(types)}")


@case(
    "ws.push-disable",
    rfc="8887",
    section="4.3.5.3",
    level=MUST,
    quote="A client disables push notifications from the server for the current connection by "
    "sending a WebSocketPushDisable object to the server.",
    sends="enable push, then WebSocketPushDisable, then create a mailbox",
    expects="no StateChange within 5 s after the disable",
    requires=NEEDS,
)
def push_disable(ctx: Context) -> None:
    _push_socket(ctx)
    with _socket(ctx) as socket:
        socket.send({"@type": "WebSocketPushEnable", "dataTypes": None})
        socket.send({"@type": "WebSocketPushDisable"})
        socket.send(_request([["Core/echo", {}, "sync"]], "sync"))
        socket.recv_until("Response")
        ctx.mailbox()
        expect(socket.poll_until("StateChange", 5.0) is None, "StateChange after disable")
