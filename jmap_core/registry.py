"""The method and capability registry (STYLE §3).

One declaration maps ``Type/method`` to its handler, the capability that must be in ``using``,
and whether it writes (and so takes the account lock). Apps register in ``AppConfig.ready()``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from jmap_core.types import JSONObject

if TYPE_CHECKING:
    from accounts.models import Account
    from jmap_core.context import CallContext

Handler = Callable[["CallContext", JSONObject], JSONObject]
# Blob/lookup (RFC 9404 §4.3): for one data type, the ids of the account's objects that
# reference each of the given blobIds ({blobId: [id, ...]}; blobs nothing references may be
# left out).
BlobLookup = Callable[["Account", list[str]], dict[str, list[str]]]


@dataclass(frozen=True, slots=True)
class Method:
    name: str  # "Mailbox/get"
    capability: str  # must appear in the request's `using`
    handler: Handler
    writes: bool = False  # takes the account write lock; refused on read-only accounts
    takes_account: bool = True  # has an `accountId` argument resolved by dispatch
    # Capabilities also accepted in `using` instead of `capability` (implicit calls, RFC 8621 §7.5).
    also: tuple[str, ...] = ()
    # A writing method's account lock is taken by dispatch before the handler runs; False for a
    # handler that first does lock-free work (parsing) and then calls ``state.lock`` itself,
    # or that changes no state (Blob/upload).
    lock_first: bool = True
    # Run in a transaction. A read that writes nothing needs none (each statement sees the
    # latest commit either way), and skips two round trips.
    atomic: bool = True


@dataclass(frozen=True, slots=True)
class Capability:
    uri: str
    # The value in the session's `capabilities` (RFC 8620 §2).
    session_value: Callable[[], JSONObject]
    # The value in an account's `accountCapabilities`, or None when not account-scoped.
    account_value: Callable[[Account], JSONObject] | None = None
    data_types: tuple[str, ...] = field(default=())
    # Offered on accounts shared with the user (``accounts.AccountAccess``), not only its own.
    delegable: bool = True
    # Members of the account value that differ when the account is read-only to the user.
    read_only_value: JSONObject = field(default_factory=dict)


METHODS: dict[str, Method] = {}
CAPABILITIES: dict[str, Capability] = {}
# Data types served by the standard methods, by name (for the purge task and push).
DATA_TYPES: dict[str, Any] = {}
# Data types that can reference blobs, for Blob/lookup (RFC 9404 §4.3), by name.
BLOB_LOOKUPS: dict[str, BlobLookup] = {}


def method(
    name: str,
    *,
    capability: str,
    writes: bool = False,
    takes_account: bool = True,
    also: tuple[str, ...] = (),
    lock_first: bool = True,
) -> Callable[[Handler], Handler]:
    """Add the decorated handler to METHODS under ``name``; a second registration fails."""

    def register(handler: Handler) -> Handler:
        add_method(Method(name, capability, handler, writes, takes_account, also, lock_first))
        return handler

    return register


def add_method(entry: Method) -> None:
    if entry.name in METHODS:
        raise RuntimeError(f"JMAP method {entry.name} registered twice")
    METHODS[entry.name] = entry


def capability(entry: Capability) -> None:
    if entry.uri in CAPABILITIES:
        raise RuntimeError(f"JMAP capability {entry.uri} registered twice")
    CAPABILITIES[entry.uri] = entry


def type_capability(type_name: str) -> str | None:
    """The capability that owns data type ``type_name`` (for push and Blob/lookup)."""
    for entry in CAPABILITIES.values():
        if type_name in entry.data_types:
            return entry.uri
    return None


def blob_lookup(type_name: str, lookup: BlobLookup) -> None:
    """Let Blob/lookup find ``type_name`` objects by blobId (RFC 9404 §4.3).

    The type's capability (``Capability.data_types``) must be in ``using`` to look it up.
    """
    if type_name in BLOB_LOOKUPS:
        raise RuntimeError(f"Blob/lookup for {type_name} registered twice")
    BLOB_LOOKUPS[type_name] = lookup
