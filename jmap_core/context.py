"""The state one API request carries from call to call (RFC 8620 §3.3, §3.7)."""

from __future__ import annotations

from dataclasses import dataclass, field

from accounts.auth import Principal
from accounts.models import Account
from jmap_core import errors
from jmap_core.registry import CAPABILITIES
from jmap_core.types import JSONObject


@dataclass(slots=True)
class RequestContext:
    """Shared by every call of one request."""

    principal: Principal
    using: frozenset[str]
    created_ids: dict[str, str] = field(default_factory=dict)
    # [name, arguments, call id] triples answered so far, for result references (§3.7).
    responses: list[list[object]] = field(default_factory=list)
    public_url: str = ""

    def accessible_accounts(self) -> list[Account]:
        """Accounts this principal may use: for now, its own."""
        return [self.principal.account]

    def find_account(self, account_id: object) -> Account | None:
        for account in self.accessible_accounts():
            if account.jmap_id == account_id:
                return account
        return None


@dataclass(slots=True)
class CallContext:
    """One method call: the request plus the resolved account and the call id."""

    request: RequestContext
    call_id: str
    method_name: str
    account: Account = field(default=None)  # type: ignore[assignment]
    # Calls to run after this one under the same call id (RFC 8621 §7.5 implicit Email/set).
    implicit: list[tuple[str, JSONObject]] = field(default_factory=list)

    @property
    def principal(self) -> Principal:
        return self.request.principal

    @property
    def created_ids(self) -> dict[str, str]:
        return self.request.created_ids

    def resolve_id(self, value: object) -> object:
        """Replace a ``#creationId`` reference by the id it created (RFC 8620 §5.3)."""
        if isinstance(value, str) and value.startswith("#"):
            return self.request.created_ids.get(value[1:], value)
        return value

    def other_account(
        self, account_id: object, capability: str, *, not_found: type[errors.MethodError]
    ) -> Account:
        """Resolve another account argument such as ``fromAccountId`` (RFC 8620 §5.4)."""
        account = self.request.find_account(account_id)
        if account is None:
            raise not_found(f"no account {account_id!r}")
        if capability not in account_capabilities(account):
            raise errors.FromAccountNotSupportedByMethod()
        return account


def account_capabilities(account: Account) -> dict[str, JSONObject]:
    return {
        uri: entry.account_value(account)
        for uri, entry in CAPABILITIES.items()
        if entry.account_value is not None
    }
