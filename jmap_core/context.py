"""The state one API request carries from call to call (RFC 8620 §3.3, §3.7)."""

from __future__ import annotations

from dataclasses import dataclass, field

from accounts.auth import Principal
from accounts.models import Account, delegated_accounts
from jmap_core import errors
from jmap_core.registry import CAPABILITIES
from jmap_core.types import JSONObject


@dataclass(frozen=True, slots=True)
class Access:
    """One account the principal may use, as its session Account object shows it (RFC 8620 §2).

    ``is_personal``: the principal's own account; ``is_read_only``: every write is refused with
    ``accountReadOnly`` (RFC 8620 §3.6.2), for a read-only credential or a read-only share.
    """

    account: Account
    is_personal: bool
    is_read_only: bool


@dataclass(slots=True)
class RequestContext:
    """Shared by every call of one request."""

    principal: Principal
    using: frozenset[str]
    created_ids: dict[str, str] = field(default_factory=dict)
    # [name, arguments, call id] triples answered so far, for result references (§3.7).
    responses: list[list[object]] = field(default_factory=list)
    public_url: str = ""
    # The bytes of blobs this request's Blob/upload calls stored, by blobId: a later call of
    # the same request (Email/import of them) reads them here rather than back from the store.
    uploaded: dict[str, bytes] = field(default_factory=dict)
    _access: dict[str, Access] | None = None

    def access(self) -> dict[str, Access]:
        """Every account this principal may use, by JMAP id: its own first, then the accounts
        shared with it (``accounts.AccountAccess``). Read once per request, so that every call
        of one request sees the same accounts."""
        if self._access is None:
            own = self.principal.account
            token_read_only = self.principal.read_only
            found = {own.jmap_id: Access(own, is_personal=True, is_read_only=token_read_only)}
            for account, may_write in delegated_accounts(own):
                found[account.jmap_id] = Access(
                    account, is_personal=False, is_read_only=token_read_only or not may_write
                )
            self._access = found
        return self._access

    def accessible_accounts(self) -> list[Account]:
        """Accounts this principal may use: its own, then those shared with it."""
        return [access.account for access in self.access().values()]

    def find_access(self, account_id: object) -> Access | None:
        """How the principal may use ``account_id``; None for any account it cannot reach
        (RFC 8620 §3.6.2 accountNotFound: another tenant's, a revoked share, a made-up id)."""
        if not isinstance(account_id, str):
            return None
        return self.access().get(account_id)

    def find_account(self, account_id: object) -> Account | None:
        access = self.find_access(account_id)
        return access.account if access is not None else None


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

    @property
    def access(self) -> Access:
        """How the principal may use the call's account (RFC 8620 §2 isPersonal, isReadOnly)."""
        found = self.request.find_access(self.account.jmap_id)
        assert found is not None, "dispatch resolves only reachable accounts"
        return found

    def resolve_id(self, value: object) -> object:
        """Replace a ``#creationId`` reference by the id it created (RFC 8620 §5.3)."""
        if isinstance(value, str) and value.startswith("#"):
            return self.request.created_ids.get(value[1:], value)
        return value

    def other_account(
        self, account_id: object, capability: str, *, not_found: type[errors.MethodError]
    ) -> Account:
        """Resolve another account argument such as ``fromAccountId`` (RFC 8620 §5.4)."""
        access = self.request.find_access(account_id)
        if access is None:
            raise not_found(f"no account {account_id!r}")
        if capability not in account_capabilities(access):
            raise errors.FromAccountNotSupportedByMethod()
        return access.account


def account_capabilities(access: Access) -> dict[str, JSONObject]:
    """The account's ``accountCapabilities`` for this principal (RFC 8620 §2).

    A shared account offers only capabilities that may be delegated; a read-only account takes
    each capability's ``read_only_value`` over its usual value (``mayCreateTopLevelMailbox``).
    """
    out: dict[str, JSONObject] = {}
    for uri, entry in CAPABILITIES.items():
        if entry.account_value is None or (not access.is_personal and not entry.delegable):
            continue
        value = entry.account_value(access.account)
        if access.is_read_only and entry.read_only_value:
            value = {**value, **entry.read_only_value}
        out[uri] = value
    return out
