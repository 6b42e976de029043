"""Credentials for browser push connections: EventSource tokens and the session cookie.

RFC 8620 §7.3 requires an authenticated GET; a browser's EventSource cannot send Authorization,
so a short-lived read-only token in the query string (EventSourceToken/issue) and, for
same-origin clients, the platform's session cookie are accepted too.
"""

from __future__ import annotations

import json
from importlib import import_module
from typing import Any

import pytest
from django.conf import settings
from django.utils import timezone
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect
from websockets.typing import Origin, Subprotocol

from accounts.models import AccessToken
from push import tokens
from push.consumers.auth import SESSION_ACCOUNT_KEY
from tests.jmap_client import CORE, JmapClient
from tests.push.changes import create_draft
from tests.push.conftest import LiveUser
from tests.push.server import Server
from tests.push.sse import EventStream

TOKENS = "https://mailyard.dev/jmap/eventsource-token"


def event_url(server: Server, **query: str) -> str:
    extra = "".join(f"&{name}={value}" for name, value in query.items())
    return f"{server.base}/jmap/eventsource/?types=*&closeafter=no&ping=0{extra}"


def issue(server: Server, user: LiveUser) -> dict[str, Any]:
    responses = server.api(user.auth, [["EventSourceToken/issue", {}, "0"]], using=[CORE, TOKENS])
    assert responses[0][0] == "EventSourceToken/issue", responses
    return dict(responses[0][1])


def issue_in_process(jmap: JmapClient) -> dict[str, Any]:
    responses = jmap.request([["EventSourceToken/issue", {}, "0"]], using=[CORE, TOKENS]).responses
    assert responses[0][0] == "EventSourceToken/issue", responses
    return dict(responses[0][1])


def test_issue_returns_a_token_with_its_expiry(jmap: JmapClient) -> None:
    result = issue_in_process(jmap)
    assert set(result) == {"token", "expires", "parameter"}
    assert result["parameter"] == "access_token"
    assert tokens.verify(result["token"]) is not None


def test_issued_tokens_are_read_only_and_expire(jmap: JmapClient, settings: Any) -> None:
    text = issue_in_process(jmap)["token"]
    principal = tokens.verify(text)
    assert principal is not None
    assert principal.read_only
    settings.MAILYARD_PUSH_TOKEN_SECONDS = 0
    assert tokens.verify(text) is None


def test_a_tampered_token_is_refused(jmap: JmapClient) -> None:
    text = issue_in_process(jmap)["token"]
    assert tokens.verify(text[:-2] + ("AA" if not text.endswith("AA") else "BB")) is None


def test_the_token_opens_the_event_source_and_receives_changes(
    server: Server, user: LiveUser
) -> None:
    text = issue(server, user)["token"]
    stream = EventStream(event_url(server, access_token=text))
    try:
        assert stream.status == 200
        stream.next()
        create_draft(server, user.auth, user.account.jmap_id)
        assert user.account.jmap_id in stream.next_named("state").json()["changed"]
    finally:
        stream.close()


def test_the_token_is_not_a_credential_for_the_api(server: Server, user: LiveUser) -> None:
    """Good only for the event source: never for reading or writing through the API."""
    import httpx

    text = issue(server, user)["token"]
    response = httpx.post(
        f"{server.base}/jmap/api/", headers={"Authorization": f"Bearer {text}"}, json={}
    )
    assert response.status_code == 401


def test_a_bad_token_is_a_401(server: Server) -> None:
    stream = EventStream(event_url(server, access_token="nonsense"))
    assert stream.status == 401


def test_a_token_dies_with_the_credential_that_asked_for_it(server: Server, user: LiveUser) -> None:
    text = issue(server, user)["token"]
    AccessToken.objects.filter(account=user.account).update(revoked_at=timezone.now())
    assert EventStream(event_url(server, access_token=text)).status == 401


def login_cookie(user: LiveUser) -> str:
    """A platform session as the web login makes it."""
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_ACCOUNT_KEY] = user.account.pk
    store.save()
    return f"{settings.SESSION_COOKIE_NAME}={store.session_key}"


def test_the_session_cookie_opens_a_same_origin_event_source(
    server: Server, user: LiveUser
) -> None:
    cookie = login_cookie(user)
    assert EventStream(event_url(server), {"Cookie": cookie}).status == 200
    assert EventStream(event_url(server), {"Cookie": cookie, "Origin": server.base}).status == 200


def test_the_session_cookie_is_ignored_from_another_origin(server: Server, user: LiveUser) -> None:
    stream = EventStream(
        event_url(server), {"Cookie": login_cookie(user), "Origin": "https://evil.example"}
    )
    assert stream.status == 401


def test_the_session_cookie_opens_a_same_origin_websocket(server: Server, user: LiveUser) -> None:
    cookie = login_cookie(user)
    with connect(
        server.ws_url,
        subprotocols=[Subprotocol("jmap")],
        additional_headers={"Cookie": cookie},
        origin=Origin(server.base),
        proxy=None,
    ) as ws:
        ws.send(json.dumps({"@type": "Request", "id": "1", "using": [CORE], "methodCalls": []}))
        assert json.loads(ws.recv(timeout=10))["@type"] == "Response"


def test_a_websocket_from_another_origin_cannot_ride_on_the_cookie(
    server: Server, user: LiveUser
) -> None:
    """WebSocket has no CORS: cross-site WebSocket hijacking is refused by the Origin check."""
    cookie = login_cookie(user)
    with (
        pytest.raises(InvalidStatus),
        connect(
            server.ws_url,
            subprotocols=[Subprotocol("jmap")],
            additional_headers={"Cookie": cookie},
            origin=Origin("https://evil.example"),
            proxy=None,
        ),
    ):
        pass
