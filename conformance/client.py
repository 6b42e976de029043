"""HTTP access to a JMAP server, journaling every exchange for the report.

Only httpx is used; nothing from the server under test is imported (black-box).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urljoin

import httpx

JSON = Any
BODY_LIMIT = 6000

CORE = "urn:ietf:params:jmap:core"
MAIL = "urn:ietf:params:jmap:mail"
SUBMISSION = "urn:ietf:params:jmap:submission"
VACATION = "urn:ietf:params:jmap:vacationresponse"
WEBSOCKET = "urn:ietf:params:jmap:websocket"
QUOTA = "urn:ietf:params:jmap:quota"
BLOB = "urn:ietf:params:jmap:blob"


def _clip(text: str) -> str:
    if len(text) <= BODY_LIMIT:
        return text
    return text[:BODY_LIMIT] + f"\n... [{len(text) - BODY_LIMIT} more characters]"


def _text(data: bytes | str | None) -> str:
    if data is None:
        return ""
    if isinstance(data, str):
        return _clip(data)
    try:
        return _clip(data.decode("utf-8"))
    except UnicodeDecodeError:
        return f"<{len(data)} bytes of binary data>"


def _safe_headers(headers: httpx.Headers) -> dict[str, str]:
    return {k: ("<redacted>" if k.lower() == "authorization" else v) for k, v in headers.items()}


@dataclass
class Exchange:
    """One HTTP request and its response, as recorded for a report."""

    method: str
    url: str
    request_headers: dict[str, str]
    request_body: str
    status: int | None = None
    response_headers: dict[str, str] = field(default_factory=dict)
    response_body: str = ""
    error: str | None = None

    def to_json(self) -> dict[str, JSON]:
        return {
            "method": self.method,
            "url": self.url,
            "requestHeaders": self.request_headers,
            "requestBody": self.request_body,
            "status": self.status,
            "responseHeaders": self.response_headers,
            "responseBody": self.response_body,
            "error": self.error,
        }


class Http:
    """An httpx client for one set of credentials; appends every exchange to `journal`."""

    def __init__(self, auth: httpx.Auth | None, *, timeout: float, verify: bool) -> None:
        self.auth = auth
        self.client = httpx.Client(
            auth=auth,
            timeout=timeout,
            verify=verify,
            headers={"User-Agent": "mailyard-conformance/1"},
        )
        self.journal: list[Exchange] = []

    def close(self) -> None:
        self.client.close()

    def auth_headers(self) -> dict[str, str]:
        """The Authorization header this client sends (for the WebSocket handshake)."""
        if self.auth is None:
            return {}
        request = httpx.Request("GET", "http://localhost/")
        flow = self.auth.sync_auth_flow(request)
        authed = next(flow)
        value = authed.headers.get("Authorization")
        return {"Authorization": value} if value else {}

    def send(
        self,
        method: str,
        url: str,
        *,
        content: bytes | str | None = None,
        headers: dict[str, str] | None = None,
        follow: bool = False,
        anonymous: bool = False,
    ) -> httpx.Response:
        """Send one request; transport errors are journaled and re-raised."""
        request = self.client.build_request(method, url, content=content, headers=headers)
        if anonymous:
            request.headers.pop("Authorization", None)
        entry = Exchange(method, url, _safe_headers(request.headers), _text(content))
        self.journal.append(entry)
        try:
            response = self.client.send(
                request,
                auth=None if anonymous else httpx.USE_CLIENT_DEFAULT,
                follow_redirects=follow,
            )
        except httpx.HTTPError as exc:
            entry.error = f"{type(exc).__name__}: {exc}"
            raise
        entry.status = response.status_code
        entry.url = str(response.url)
        entry.response_headers = dict(response.headers)
        entry.response_body = _text(response.content)
        return response

    @contextmanager
    def stream(self, url: str, headers: dict[str, str] | None = None) -> Iterator[httpx.Response]:
        """A streaming GET (EventSource); the body is journaled as it is read by the caller."""
        entry = Exchange("GET", url, dict(headers or {}), "")
        self.journal.append(entry)
        try:
            with self.client.stream("GET", url, headers=headers) as response:
                entry.status = response.status_code
                entry.response_headers = dict(response.headers)
                entry.response_body = "<event stream>"
                yield response
        except httpx.HTTPError as exc:
            entry.error = f"{type(exc).__name__}: {exc}"
            raise


def expand(template: str, **values: str) -> str:
    """RFC 6570 level 1 expansion: every variable is percent-encoded (unreserved kept)."""
    out = template
    for name, value in values.items():
        out = out.replace("{" + name + "}", quote(value, safe=""))
    return out


@dataclass
class Session:
    """The Session object, with its URLs resolved against the URL it was fetched from."""

    raw: dict[str, JSON]
    url: str

    @property
    def capabilities(self) -> dict[str, JSON]:
        caps = self.raw.get("capabilities")
        return caps if isinstance(caps, dict) else {}

    @property
    def accounts(self) -> dict[str, JSON]:
        accounts = self.raw.get("accounts")
        return accounts if isinstance(accounts, dict) else {}

    @property
    def primary_accounts(self) -> dict[str, str]:
        primary = self.raw.get("primaryAccounts")
        return primary if isinstance(primary, dict) else {}

    def resolve(self, key: str) -> str:
        return urljoin(self.url, str(self.raw.get(key, "")))

    @property
    def api_url(self) -> str:
        return self.resolve("apiUrl")

    def upload_url(self, account_id: str) -> str:
        return expand(self.resolve("uploadUrl"), accountId=account_id)

    def download_url(self, account_id: str, blob_id: str, type_: str, name: str) -> str:
        return expand(
            self.resolve("downloadUrl"), accountId=account_id, blobId=blob_id, type=type_, name=name
        )

    def event_source_url(self, types: str, closeafter: str, ping: str) -> str:
        return expand(self.resolve("eventSourceUrl"), types=types, closeafter=closeafter, ping=ping)

    def core_limit(self, name: str) -> int | None:
        core = self.capabilities.get(CORE)
        value = core.get(name) if isinstance(core, dict) else None
        return value if isinstance(value, int) else None

    def account_id_for(self, capability: str) -> str | None:
        primary = self.primary_accounts.get(capability)
        if isinstance(primary, str):
            return primary
        for account_id, account in self.accounts.items():
            if isinstance(account, dict) and capability in account.get("accountCapabilities", {}):
                return account_id
        return None


class ApiResponse:
    """The answer to one POST to the API URL."""

    def __init__(self, http_response: httpx.Response) -> None:
        self.status = http_response.status_code
        self.headers = http_response.headers
        self.text = http_response.text
        try:
            self.body: JSON = http_response.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            self.body = None

    @property
    def method_responses(self) -> list[list[JSON]]:
        if isinstance(self.body, dict) and isinstance(self.body.get("methodResponses"), list):
            responses: list[list[JSON]] = self.body["methodResponses"]
            return responses
        return []


class JmapClient:
    """Session, API, upload and download access for one user."""

    def __init__(self, http: Http, session_url: str) -> None:
        self.http = http
        self.session_url = session_url
        self._session: Session | None = None

    def fetch_session(self) -> httpx.Response:
        return self.http.send("GET", self.session_url, follow=True)

    @property
    def session(self) -> Session:
        if self._session is None:
            response = self.fetch_session()
            response.raise_for_status()
            self._session = Session(response.json(), str(response.url))
        return self._session

    def post_api(
        self,
        body: JSON | bytes | str,
        content_type: str = "application/json",
        extra_headers: dict[str, str] | None = None,
    ) -> ApiResponse:
        content = body if isinstance(body, bytes | str) else json.dumps(body)
        headers = {"Content-Type": content_type, "Accept": "application/json"}
        headers.update(extra_headers or {})
        return ApiResponse(
            self.http.send("POST", self.session.api_url, content=content, headers=headers)
        )

    def upload(self, account_id: str, data: bytes, content_type: str) -> httpx.Response:
        return self.http.send(
            "POST",
            self.session.upload_url(account_id),
            content=data,
            headers={"Content-Type": content_type},
        )

    def download(
        self,
        account_id: str,
        blob_id: str,
        type_: str = "application/octet-stream",
        name: str = "blob.bin",
    ) -> httpx.Response:
        url = self.session.download_url(account_id, blob_id, type_, name)
        return self.http.send("GET", url, follow=True)
