"""What a case sees: the session, account ids, method-call helpers and cleanups."""

from __future__ import annotations

import itertools
import secrets
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from conformance.checks import JSONObject, as_map, expect, show
from conformance.client import (
    CORE,
    MAIL,
    QUOTA,
    SUBMISSION,
    VACATION,
    ApiResponse,
    JmapClient,
    Session,
)
from conformance.registry import CaseFailure, NotSupported, Skipped

JSON = Any
T = TypeVar("T")

# Which capability a method's data type belongs to (RFC 8620 §3.3: `using`).
TYPE_CAPABILITY = {
    "Core": CORE,
    "Blob": CORE,
    "PushSubscription": CORE,
    "Mailbox": MAIL,
    "Thread": MAIL,
    "Email": MAIL,
    "SearchSnippet": MAIL,
    "Identity": SUBMISSION,
    "EmailSubmission": SUBMISSION,
    "VacationResponse": VACATION,
    "Quota": QUOTA,
}
NO_ACCOUNT = {"Core/echo", "PushSubscription/get", "PushSubscription/set"}

Call = tuple[str, JSONObject] | tuple[str, JSONObject, str]


@dataclass
class RunState:
    """State shared by every case of one run: tokens, shared fixtures and their cleanups."""

    token: str = field(default_factory=lambda: secrets.token_hex(3))
    counter: itertools.count[int] = field(default_factory=itertools.count)
    fixtures: dict[str, JSON] = field(default_factory=dict)
    fixture_failures: dict[str, str] = field(default_factory=dict)
    cleanups: list[Callable[[], object]] = field(default_factory=list)
    options: dict[str, JSON] = field(default_factory=dict)


def using_for(calls: Iterable[Call]) -> list[str]:
    """`using` for a list of calls: core plus the capability of every method's type."""
    caps = [CORE]
    for call in calls:
        cap = TYPE_CAPABILITY.get(call[0].split("/")[0])
        if cap == SUBMISSION and MAIL not in caps:
            caps.append(MAIL)
        if cap and cap not in caps:
            caps.append(cap)
    return caps


class Context:
    """The handle a case works with; one per case and user, sharing the run state."""

    def __init__(self, run: RunState, client: JmapClient, other: JmapClient | None) -> None:
        self.run = run
        self.client = client
        self._other_client = other
        self.cleanups: list[Callable[[], object]] = []
        self.cleanup_errors: list[str] = []

    # ----- session and accounts --------------------------------------------------------
    @property
    def session(self) -> Session:
        return self.client.session

    @property
    def account_id(self) -> str:
        account = self.session.account_id_for(MAIL) or self.session.account_id_for(CORE)
        if account is None:
            account = next(iter(self.session.accounts), None)
        if account is None:
            raise CaseFailure("the session lists no account")
        return account

    def account_capability(self, capability: str) -> dict[str, JSON] | None:
        account = self.session.accounts.get(self.account_id, {})
        value = account.get("accountCapabilities", {}).get(capability)
        return value if isinstance(value, dict) else None

    def require_capability(self, capability: str) -> None:
        if capability not in self.session.capabilities:
            raise NotSupported(f"the server does not advertise {capability}")

    @property
    def other(self) -> Context:
        """The second user's context (`--user2`); the case is skipped without one."""
        if self._other_client is None:
            raise Skipped("needs a second account (--user2/--password2)")
        other = Context(self.run, self._other_client, self.client)
        other.cleanups = self.cleanups
        other.cleanup_errors = self.cleanup_errors
        return other

    @property
    def has_other(self) -> bool:
        return self._other_client is not None

    # ----- naming and cleanup ----------------------------------------------------------
    def unique(self, label: str = "x") -> str:
        return f"cf-{self.run.token}-{label}-{next(self.run.counter)}"

    def defer(self, func: Callable[[], object]) -> None:
        self.cleanups.append(func)

    def run_cleanups(self) -> None:
        while self.cleanups:
            func = self.cleanups.pop()
            try:
                func()
            except Exception as exc:
                self.cleanup_errors.append(f"{type(exc).__name__}: {exc}")

    # ----- API calls -------------------------------------------------------------------
    def _prepare(self, calls: Sequence[Call]) -> list[list[JSON]]:
        out: list[list[JSON]] = []
        for index, call in enumerate(calls):
            name, args = call[0], dict(call[1])
            call_id = call[2] if len(call) == 3 else f"c{index}"
            takes_account = name not in NO_ACCOUNT and not name.endswith("/copy")
            if takes_account and "accountId" not in args and "#accountId" not in args:
                args["accountId"] = self.account_id
            out.append([name, args, call_id])
        return out

    def request(
        self,
        calls: Sequence[Call],
        *,
        using: list[str] | None = None,
        created_ids: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> ApiResponse:
        """POST one Request; asserts only that it was answered with a Response object."""
        body: dict[str, JSON] = {
            "using": using if using is not None else using_for(calls),
            "methodCalls": self._prepare(calls),
        }
        if created_ids is not None:
            body["createdIds"] = created_ids
        response = self.client.post_api(body, extra_headers=headers)
        if response.status != 200 or not isinstance(response.body, dict):
            raise CaseFailure(f"API request answered HTTP {response.status}: {response.text[:300]}")
        return response

    def responses(
        self, calls: Sequence[Call], *, using: list[str] | None = None
    ) -> list[list[JSON]]:
        return self.request(calls, using=using).method_responses

    def call(
        self,
        name: str,
        args: dict[str, JSON],
        *,
        optional: bool = False,
        using: list[str] | None = None,
    ) -> dict[str, JSON]:
        """Make one call and return the arguments of its (same-named) response."""
        responses = self.responses([(name, args)], using=using)
        expect(responses, f"{name}: no method response")
        first = responses[0]
        if first[0] == "error":
            error_type = first[1].get("type")
            if optional and error_type in ("unknownMethod", "accountNotSupportedByMethod"):
                raise NotSupported(f"{name} answered {error_type}")
            raise CaseFailure(f"{name} failed with error {show(first[1])}")
        expect(first[0] == name, f"expected a {name} response, got {first[0]}")
        return dict(first[1])

    def call_error(
        self, name: str, args: dict[str, JSON], *, using: list[str] | None = None
    ) -> dict[str, JSON]:
        """Make one call that must fail; return the error's arguments."""
        responses = self.responses([(name, args)], using=using)
        expect(responses, f"{name}: no method response")
        first = responses[0]
        expect(
            first[0] == "error",
            f"{name}: expected an error response, got {first[0]} {show(first[1])}",
        )
        expect(isinstance(first[1].get("type"), str), "an error must have a type (§3.6.2)")
        return dict(first[1])

    def expect_error(
        self, name: str, args: dict[str, JSON], *types: str, using: list[str] | None = None
    ) -> dict[str, JSON]:
        error = self.call_error(name, args, using=using)
        if error["type"] not in types:
            raise CaseFailure(f"{name}: expected error {' or '.join(types)}, got {show(error)}")
        return error

    def state(self, type_name: str) -> str:
        result = self.call(f"{type_name}/get", {"ids": []})
        return str(result["state"])

    def get_one(
        self, type_name: str, obj_id: str, properties: list[str] | None = None, **extra: JSON
    ) -> dict[str, JSON]:
        args: dict[str, JSON] = {"ids": [obj_id], **extra}
        if properties is not None:
            args["properties"] = properties
        result = self.call(f"{type_name}/get", args)
        found = [o for o in result.get("list", []) if o.get("id") == obj_id]
        expect(found, f"{type_name}/get did not return {obj_id}: {show(result)}")
        return dict(found[0])

    # ----- creating records (each one cleaned up after the case) -----------------------
    def mailbox(self, name: str | None = None, **props: JSON) -> str:
        values = {"name": name or self.unique("mbox"), **props}
        result = self.call("Mailbox/set", {"create": {"mb": values}})
        created = as_map(result.get("created"), "created")
        expect("mb" in created, f"could not create a mailbox: {show(result.get('notCreated'))}")
        mailbox_id = str(created["mb"]["id"])
        self.defer(lambda: self._destroy("Mailbox", mailbox_id, onDestroyRemoveEmails=True))
        return mailbox_id

    def _destroy(self, type_name: str, obj_id: str, **extra: JSON) -> None:
        self.call(f"{type_name}/set", {"destroy": [obj_id], **extra})

    def destroy_later(self, type_name: str, obj_id: str) -> None:
        self.defer(lambda: self._destroy(type_name, obj_id))

    def upload(
        self, data: bytes, content_type: str = "application/octet-stream"
    ) -> dict[str, JSON]:
        response = self.client.upload(self.account_id, data, content_type)
        if response.status_code not in (200, 201):
            raise CaseFailure(f"upload answered HTTP {response.status_code}: {response.text[:200]}")
        body = response.json()
        expect(isinstance(body, dict) and "blobId" in body, f"upload answer: {show(body)}")
        return dict(body)

    def import_email(
        self,
        raw: bytes,
        mailbox_id: str | None = None,
        *,
        keywords: dict[str, bool] | None = None,
        received_at: str | None = None,
    ) -> dict[str, JSON]:
        """Upload `raw` and Email/import it; returns the created {id, blobId, threadId, size}."""
        mailbox_id = mailbox_id or self.mailbox()
        blob = self.upload(raw, "message/rfc822")
        item: dict[str, JSON] = {"blobId": blob["blobId"], "mailboxIds": {mailbox_id: True}}
        if keywords is not None:
            item["keywords"] = keywords
        if received_at is not None:
            item["receivedAt"] = received_at
        result = self.call("Email/import", {"emails": {"e": item}})
        created = as_map(result.get("created"), "created")
        expect("e" in created, f"Email/import failed: {show(result.get('notCreated'))}")
        email = dict(created["e"])
        self.destroy_later("Email", str(email["id"]))
        return email

    # ----- waiting ---------------------------------------------------------------------
    def eventually(
        self, probe: Callable[[], T | None], timeout: float = 8.0, interval: float = 0.3
    ) -> T | None:
        """Call `probe` until it returns a truthy value or `timeout` passes (search indexes)."""
        deadline = time.monotonic() + timeout
        while True:
            value = probe()
            if value or time.monotonic() >= deadline:
                return value
            time.sleep(interval)

    # ----- shared fixtures -------------------------------------------------------------
    def fixture(self, key: str, build: Callable[[Context], T]) -> T:
        """A run-wide fixture, built once; its cleanups run at the end of the run."""
        if key in self.run.fixture_failures:
            raise Skipped(f"fixture {key} could not be built: {self.run.fixture_failures[key]}")
        if key not in self.run.fixtures:
            builder = Context(self.run, self.client, self._other_client)
            try:
                self.run.fixtures[key] = build(builder)
            except (CaseFailure, NotSupported, Skipped) as exc:
                builder.run_cleanups()
                self.run.fixture_failures[key] = str(exc)
                raise
            finally:
                self.run.cleanups.extend(builder.cleanups)
                builder.cleanups = []
        value: T = self.run.fixtures[key]
        return value
