"""Cross-process fan-out through the Redis channel layer (issue 5; RFC 8620 §7).

A change committed through one daphne process is pushed to clients connected to another.
"""

from __future__ import annotations

import json

from websockets.sync.client import connect
from websockets.typing import Subprotocol

from tests.push.changes import create_draft, states
from tests.push.conftest import LiveUser
from tests.push.server import Server
from tests.push.sse import EventStream


def test_a_change_made_through_one_process_reaches_an_event_source_on_another(
    redis_servers: tuple[Server, Server], user: LiveUser
) -> None:
    writer, listener = redis_servers
    stream = EventStream(
        f"{listener.base}/jmap/eventsource/?types=*&closeafter=no&ping=0",
        {"Authorization": user.auth},
    )
    try:
        stream.next()
        create_draft(writer, user.auth, user.account.jmap_id)
        event = stream.next_named("state")
        now = states(writer, user.auth, user.account.jmap_id, "Email")
        assert event.json()["changed"][user.account.jmap_id]["Email"] == now["Email"]
    finally:
        stream.close()


def test_a_change_made_through_one_process_reaches_a_websocket_on_another(
    redis_servers: tuple[Server, Server], user: LiveUser
) -> None:
    writer, listener = redis_servers
    with connect(
        listener.ws_url,
        subprotocols=[Subprotocol("jmap")],
        additional_headers={"Authorization": user.auth},
        proxy=None,
    ) as ws:
        ws.send(json.dumps({"@type": "WebSocketPushEnable", "dataTypes": ["Email"]}))
        ws.send(
            json.dumps(
                {
                    "@type": "Request",
                    "id": "sync",
                    "using": ["urn:ietf:params:jmap:core"],
                    "methodCalls": [],
                }
            )
        )
        assert json.loads(ws.recv(timeout=10))["requestId"] == "sync"  # push is enabled by now
        create_draft(writer, user.auth, user.account.jmap_id)
        push = json.loads(ws.recv(timeout=10))
        now = states(writer, user.auth, user.account.jmap_id, "Email")
        assert push["changed"] == {user.account.jmap_id: now}
