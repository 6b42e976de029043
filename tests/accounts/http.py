"""Raw HTTP access to the JMAP endpoints, for tests of authentication itself (RFC 8620 §2, §3.1)."""

from __future__ import annotations

import base64
import json
from typing import Any

from django.test import Client

CORE = "urn:ietf:params:jmap:core"


def basic(login: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{login}:{password}".encode()).decode()


def bearer(token: str) -> str:
    return f"Bearer {token}"


def get_session(authorization: str | None, *, ip: str = "192.0.2.1") -> Any:
    """GET /jmap/session/ from client address ``ip``; None sends no Authorization header."""
    headers = {} if authorization is None else {"Authorization": authorization}
    return Client().get("/jmap/session/", headers=headers, REMOTE_ADDR=ip)


def post_api(authorization: str, using: list[str], *, ip: str = "192.0.2.1") -> Any:
    """POST one Core/echo call to /jmap/api/ with the given ``using``."""
    body = {"using": using, "methodCalls": [["Core/echo", {"ping": 1}, "c0"]]}
    return Client().post(
        "/jmap/api/",
        data=json.dumps(body),
        content_type="application/json",
        REMOTE_ADDR=ip,
        HTTP_AUTHORIZATION=authorization,
    )


def body(response: Any) -> Any:
    return json.loads(response.content)
