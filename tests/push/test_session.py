"""Push capabilities in the Session (RFC 8887 §3, RFC 9749 §3)."""

from __future__ import annotations

import base64
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec

from tests.jmap_client import JmapClient

WEBSOCKET = "urn:ietf:params:jmap:websocket"
VAPID = "urn:ietf:params:jmap:webpush-vapid"
TOKENS = "https://mailyard.dev/jmap/eventsource-token"


def test_session_advertises_the_websocket_endpoint_with_push(jmap: JmapClient) -> None:
    """RFC 8887 §3: url is a ws(s) URI on the session's base; supportsPush is true."""
    assert jmap.session()["capabilities"][WEBSOCKET] == {
        "url": "ws://testserver/jmap/ws/",
        "supportsPush": True,
    }


def test_websocket_url_is_wss_under_an_https_public_url(jmap: JmapClient, settings: Any) -> None:
    settings.MAILYARD_PUBLIC_URL = "https://mail.example.com"
    assert jmap.session()["capabilities"][WEBSOCKET]["url"] == "wss://mail.example.com/jmap/ws/"


def test_session_state_does_not_depend_on_the_websocket_host(
    jmap: JmapClient, settings: Any
) -> None:
    """The sessionState of API responses equals the session's state (RFC 8620 §3.4)."""
    state = jmap.session()["state"]
    assert jmap.request([["Core/echo", {}, "0"]]).json["sessionState"] == state


def test_session_publishes_a_p256_application_server_key(jmap: JmapClient) -> None:
    """RFC 9749 §3: the uncompressed P-256 point, base64url-encoded, stable across requests."""
    value = jmap.session()["capabilities"][VAPID]
    assert set(value) == {"applicationServerKey"}
    key = value["applicationServerKey"]
    raw = base64.urlsafe_b64decode(key + "=" * (-len(key) % 4))
    assert len(raw) == 65
    assert raw[0] == 4
    ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), raw)
    assert "=" not in key
    assert jmap.session()["capabilities"][VAPID] == value


def test_session_advertises_the_eventsource_token_capability(jmap: JmapClient) -> None:
    assert jmap.session()["capabilities"][TOKENS] == {"parameter": "access_token", "lifetime": 900}
