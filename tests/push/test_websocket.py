"""JMAP over WebSocket (RFC 8887) against daphne, with the websockets library as the client."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import ClientConnection, connect
from websockets.typing import Subprotocol

from tests.push.changes import create_draft, states
from tests.push.conftest import LiveUser
from tests.push.server import Server

CORE = "urn:ietf:params:jmap:core"
MAIL = "urn:ietf:params:jmap:mail"


@contextmanager
def socket(server: Server, user: LiveUser, **options: Any) -> Iterator[ClientConnection]:
    with connect(
        server.ws_url,
        subprotocols=[Subprotocol(p) for p in options.pop("subprotocols", ["jmap"])],
        additional_headers={"Authorization": user.auth},
        proxy=None,
        **options,
    ) as ws:
        yield ws


def receive(ws: ClientConnection, timeout: float = 10.0) -> Any:
    return json.loads(ws.recv(timeout=timeout))


def test_the_handshake_selects_the_jmap_subprotocol(server: Server, user: LiveUser) -> None:
    """RFC 8887 §4.2."""
    with socket(server, user) as ws:
        assert ws.subprotocol == "jmap"


def test_a_request_is_answered_with_a_response_carrying_its_id(
    server: Server, user: LiveUser
) -> None:
    """§4.3.2, §4.3.3: @type Request with id -> @type Response with requestId."""
    with socket(server, user) as ws:
        ws.send(
            json.dumps(
                {
                    "@type": "Request",
                    "id": "R1",
                    "using": [CORE],
                    "methodCalls": [["Core/echo", {"hello": True, "high": 5}, "b3ff"]],
                }
            )
        )
        reply = receive(ws)
        assert reply["@type"] == "Response"
        assert reply["requestId"] == "R1"
        assert reply["methodResponses"] == [["Core/echo", {"hello": True, "high": 5}, "b3ff"]]
        assert isinstance(reply["sessionState"], str)


def test_mail_methods_work_over_the_socket(server: Server, user: LiveUser) -> None:
    with socket(server, user) as ws:
        ws.send(
            json.dumps(
                {
                    "@type": "Request",
                    "using": [CORE, MAIL],
                    "methodCalls": [["Mailbox/get", {"accountId": user.account.jmap_id}, "0"]],
                }
            )
        )
        reply = receive(ws)
        assert "requestId" not in reply
        assert reply["methodResponses"][0][0] == "Mailbox/get"


def test_text_that_is_not_json_gets_a_request_error(server: Server, user: LiveUser) -> None:
    """§4.3.4: RequestError problem document, requestId null."""
    with socket(server, user) as ws:
        ws.send("The quick brown fox jumps over the lazy dog.")
        reply = receive(ws)
        assert reply["@type"] == "RequestError"
        assert reply["requestId"] is None
        assert reply["type"] == "urn:ietf:params:jmap:error:notJSON"
        assert reply["status"] == 400


def test_an_unknown_capability_is_a_request_error_with_the_request_id(
    server: Server, user: LiveUser
) -> None:
    """§4.3.4: request-level errors of RFC 8620 §3.6.1, with requestId."""
    with socket(server, user) as ws:
        ws.send(json.dumps({"@type": "Request", "id": "R7", "using": ["urn:x"], "methodCalls": []}))
        reply = receive(ws)
        assert reply["@type"] == "RequestError"
        assert reply["requestId"] == "R7"
        assert reply["type"] == "urn:ietf:params:jmap:error:unknownCapability"


def test_a_request_over_the_size_limit_is_refused(server: Server, user: LiveUser) -> None:
    """Same limits as HTTP (maxSizeRequest, RFC 8620 §2)."""
    with socket(server, user, max_size=None) as ws:
        session = server.session(user.auth)
        limit = session["capabilities"][CORE]["maxSizeRequest"]
        padding = "x" * (limit + 1)
        ws.send(
            json.dumps(
                {"@type": "Request", "id": "big", "using": [CORE], "methodCalls": [], "p": padding}
            )
        )
        reply = receive(ws)
        assert reply["type"] == "urn:ietf:params:jmap:error:limit"
        assert reply["limit"] == "maxSizeRequest"


def test_push_enable_then_a_change_pushes_a_state_change(server: Server, user: LiveUser) -> None:
    """§4.3.5: StateChange objects with pushState after WebSocketPushEnable."""
    with socket(server, user) as ws:
        ws.send(json.dumps({"@type": "WebSocketPushEnable", "dataTypes": ["Email", "Mailbox"]}))
        create_draft(server, user.auth, user.account.jmap_id)
        push = receive(ws)
        now = states(server, user.auth, user.account.jmap_id, "Email", "Mailbox")
        assert push == {
            "@type": "StateChange",
            "changed": {user.account.jmap_id: now},
            "pushState": push["pushState"],
        }


def test_push_state_from_an_earlier_connection_brings_the_missed_changes(
    server: Server, user: LiveUser
) -> None:
    """§4.3.5.2: "the server SHOULD immediately send all changes since that state token"."""
    with socket(server, user) as ws:
        ws.send(json.dumps({"@type": "WebSocketPushEnable", "dataTypes": None}))
        create_draft(server, user.auth, user.account.jmap_id, "first")
        push_state = receive(ws)["pushState"]
    create_draft(server, user.auth, user.account.jmap_id, "while away")
    now = states(server, user.auth, user.account.jmap_id, "Email")
    with socket(server, user) as ws:
        ws.send(
            json.dumps({"@type": "WebSocketPushEnable", "dataTypes": None, "pushState": push_state})
        )
        push = receive(ws)
        assert push["changed"][user.account.jmap_id]["Email"] == now["Email"]
        assert push["pushState"] != push_state


def test_push_disable_stops_the_pushes(server: Server, user: LiveUser) -> None:
    """§4.3.5.3."""
    with socket(server, user) as ws:
        ws.send(json.dumps({"@type": "WebSocketPushEnable", "dataTypes": None}))
        ws.send(json.dumps({"@type": "WebSocketPushDisable"}))
        create_draft(server, user.auth, user.account.jmap_id)
        ws.send(json.dumps({"@type": "Request", "id": "after", "using": [CORE], "methodCalls": []}))
        reply = receive(ws)
        assert reply["@type"] == "Response"
        assert reply["requestId"] == "after"


def test_no_push_arrives_before_push_is_enabled(server: Server, user: LiveUser) -> None:
    with socket(server, user) as ws:
        create_draft(server, user.auth, user.account.jmap_id)
        ws.send(json.dumps({"@type": "Request", "id": "only", "using": [CORE], "methodCalls": []}))
        assert receive(ws)["requestId"] == "only"


def test_a_handshake_without_the_jmap_subprotocol_is_refused(
    server: Server, user: LiveUser
) -> None:
    """§4.2: the server's reply must contain "jmap"; without it there is no JMAP connection."""
    with pytest.raises(InvalidStatus), socket(server, user, subprotocols=["chat"]):
        pass


def test_a_handshake_without_credentials_is_refused(server: Server) -> None:
    """§4.1: authenticated like the API."""
    with (
        pytest.raises(InvalidStatus),
        connect(server.ws_url, subprotocols=[Subprotocol("jmap")], proxy=None),
    ):
        pass
