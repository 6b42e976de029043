"""The Session resource (RFC 8620 §2)."""

from __future__ import annotations

import base64
from typing import Any

from django.test import Client

from tests.jmap_client import CORE, MAIL, JmapClient


def test_session_lists_capabilities_account_and_urls(jmap: JmapClient) -> None:
    """RFC 8620 §2."""
    session = jmap.session()
    core = session["capabilities"][CORE]
    assert set(core) == {
        "maxSizeUpload",
        "maxConcurrentUpload",
        "maxSizeRequest",
        "maxConcurrentRequests",
        "maxCallsInRequest",
        "maxObjectsInGet",
        "maxObjectsInSet",
        "collationAlgorithms",
    }
    assert session["username"] == jmap.account.address
    account = session["accounts"][jmap.account_id]
    assert account["name"] == jmap.account.address
    assert account["isPersonal"] is True
    assert account["isReadOnly"] is False
    assert MAIL in account["accountCapabilities"]
    assert session["primaryAccounts"][MAIL] == jmap.account_id
    assert session["apiUrl"] == "http://testserver/jmap/api/"
    for name in ("accountId", "blobId", "type", "name"):
        assert "{" + name + "}" in session["downloadUrl"]
    assert "{accountId}" in session["uploadUrl"]
    for name in ("types", "closeafter", "ping"):
        assert "{" + name + "}" in session["eventSourceUrl"]
    assert isinstance(session["state"], str)


def test_well_known_answers_the_session(jmap: JmapClient) -> None:
    """RFC 8620 §2.2."""
    response = Client().get("/.well-known/jmap", HTTP_AUTHORIZATION=jmap.auth)
    assert response.status_code == 200
    assert response.json()["username"] == jmap.account.address


def test_urls_come_from_the_public_url_setting(jmap: JmapClient, settings: Any) -> None:
    settings.MAILYARD_PUBLIC_URL = "https://mail.example.com"
    assert jmap.session()["apiUrl"] == "https://mail.example.com/jmap/api/"


def test_trusted_proxy_headers_shape_the_urls(jmap: JmapClient, settings: Any) -> None:
    settings.USE_X_FORWARDED_HOST = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    response = Client().get(
        "/jmap/session/",
        HTTP_AUTHORIZATION=jmap.auth,
        HTTP_X_FORWARDED_HOST="jmap.example.org",
        HTTP_X_FORWARDED_PROTO="https",
    )
    assert response.json()["apiUrl"] == "https://jmap.example.org/jmap/api/"


def test_session_state_matches_the_api_session_state(jmap: JmapClient) -> None:
    """RFC 8620 §3.4 sessionState."""
    result = jmap.request([["Core/echo", {}, "a"]], using=[CORE])
    assert result.json["sessionState"] == jmap.session()["state"]


def test_cors_preflight_is_answered(db: None) -> None:
    response = Client().options(
        "/jmap/api/", HTTP_ORIGIN="https://app.example", HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST"
    )
    assert response.status_code == 204
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "Authorization" in response["Access-Control-Allow-Headers"]


def test_session_requires_authentication(db: None) -> None:
    response = Client().get(
        "/jmap/session/", HTTP_AUTHORIZATION="Basic " + base64.b64encode(b"x@y:z").decode()
    )
    assert response.status_code == 401
