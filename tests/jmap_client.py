"""A small JMAP client for tests, in the vocabulary of JMAP::Tester (STYLE §9)."""

from __future__ import annotations

import base64
import json
from typing import Any

from django.test import Client

from accounts.models import Account

CORE = "urn:ietf:params:jmap:core"
MAIL = "urn:ietf:params:jmap:mail"
DEFAULT_USING = [CORE, MAIL]


class Result:
    def __init__(self, http: Any) -> None:
        self.http = http
        self.status: int = http.status_code
        self.json: Any = json.loads(http.content) if http.content else None

    @property
    def responses(self) -> list[list[Any]]:
        assert self.status == 200, (self.status, self.json)
        return list(self.json["methodResponses"])

    def sentence(self, index: int) -> list[Any]:
        return self.responses[index]

    def single(self, name: str) -> dict[str, Any]:
        matches = [r for r in self.responses if r[0] == name]
        assert len(matches) == 1, self.responses
        return dict(matches[0][1])

    def triples(self) -> list[tuple[str, Any, str]]:
        return [tuple(r) for r in self.responses]


class JmapClient:
    def __init__(
        self, account: Account, password: str | None = None, token: str | None = None
    ) -> None:
        self.account = account
        self.account_id = account.jmap_id
        self.http = Client()
        if token is not None:
            self.auth = f"Bearer {token}"
        else:
            raw = f"{account.address}:{password}".encode()
            self.auth = "Basic " + base64.b64encode(raw).decode()
        self.using = list(DEFAULT_USING)

    def session(self) -> dict[str, Any]:
        response = self.http.get("/jmap/session/", HTTP_AUTHORIZATION=self.auth)
        assert response.status_code == 200, response.content
        return dict(json.loads(response.content))

    def post(
        self, body: Any, *, raw: bytes | None = None, content_type: str = "application/json"
    ) -> Result:
        data = raw if raw is not None else json.dumps(body).encode()
        return Result(
            self.http.post(
                "/jmap/api/", data=data, content_type=content_type, HTTP_AUTHORIZATION=self.auth
            )
        )

    def request(
        self, calls: list[list[Any]], using: list[str] | None = None, **extra: Any
    ) -> Result:
        body = {"using": using or self.using, "methodCalls": calls, **extra}
        return self.post(body)

    def _with_account(self, name: str, args: dict[str, Any]) -> dict[str, Any]:
        if name.startswith(("Core/", "PushSubscription/")) or "accountId" in args:
            return args
        return {"accountId": self.account_id, **args}

    def call(
        self, name: str, args: dict[str, Any] | None = None, using: list[str] | None = None
    ) -> dict[str, Any]:
        """One call that must succeed; returns its response arguments."""
        result = self.request([[name, self._with_account(name, args or {}), "c0"]], using=using)
        responses = result.responses
        assert responses[0][0] == name, responses
        return dict(responses[0][1])

    def call_error(
        self, name: str, args: dict[str, Any] | None = None, using: list[str] | None = None
    ) -> str:
        """One call that must fail; returns the error type."""
        result = self.request([[name, self._with_account(name, args or {}), "c0"]], using=using)
        response = result.responses[0]
        assert response[0] == "error", response
        return str(response[1]["type"])

    def state(self, type_name: str) -> str:
        return str(self.call(f"{type_name}/get", {"ids": []})["state"])

    def upload(
        self,
        data: bytes,
        content_type: str = "application/octet-stream",
        account_id: str | None = None,
    ) -> Any:
        return self.http.post(
            f"/jmap/upload/{account_id or self.account_id}/",
            data=data,
            content_type=content_type,
            HTTP_AUTHORIZATION=self.auth,
        )

    def download(
        self,
        blob_id: str,
        name: str = "file",
        type_: str = "application/octet-stream",
        account_id: str | None = None,
    ) -> Any:
        return self.http.get(
            f"/jmap/download/{account_id or self.account_id}/{blob_id}/{name}",
            {"type": type_},
            HTTP_AUTHORIZATION=self.auth,
        )
