"""StateChange objects and push-state tokens (RFC 8620 §7.1, §7.3; RFC 8887 §4.3.5).

Every account has one Channels group; the fan-out (``push.fanout``) sends it a ``push.state``
message with the changed types' state strings, and every connection following the account
filters it through its own ``Tracker``. A connection follows every account its user may use (its
own and those shared with it, ``accounts.AccountAccess``): one ``Tracker`` each, in ``Following``.

A *push-state token* encodes, per followed type, the modseq the client was last told about. It is
the EventSource event ``id`` (RFC 8620 §7.3: "an event id that encodes the entire server state
visible to the user") and the WebSocket ``pushState`` (RFC 8887 §4.3.5.1). On reconnect
(``Last-Event-ID``, ``WebSocketPushEnable.pushState``) it is compared with the current states, and
any type that moved since is pushed at once. Clients treat it as opaque. The user's own account
comes first (``p1.Email:1a.Mailbox:2b``); each shared account follows as ``~<accountId>.Type:…``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from accounts.auth import Principal
from accounts.models import Account
from jmap_core import state
from jmap_core.registry import CAPABILITIES
from jmap_core.types import JSONObject

MESSAGE_TYPE = "push.state"  # handled by the consumers' ``push_state`` method
_VERSION = "p1"
_TYPE_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,63}")
_MAX_TOKEN = 2000  # one account's part
_MAX_TOKENS = 16_000  # a whole token, every account's part
_ACCOUNT_ID = re.compile(r"[A-Za-z0-9_-]{1,255}")  # RFC 8620 §1.2
_ACCOUNT_SEPARATOR = "~"


def group_name(account_pk: int) -> str:
    """The Channels group every connection following the account joins."""
    return f"push.account.{account_pk}"


def layer_message(
    account_pk: int, jmap_account_id: str, changed: Mapping[str, str]
) -> dict[str, object]:
    return {
        "type": MESSAGE_TYPE,
        "pk": account_pk,
        "account": jmap_account_id,
        "changed": dict(changed),
    }


def state_change(
    changed: Mapping[str, Mapping[str, str]], push_state: str | None = None
) -> JSONObject:
    """A StateChange object (RFC 8620 §7.1), with RFC 8887's ``pushState`` when given."""
    body: JSONObject = {
        "@type": "StateChange",
        "changed": {account: dict(types) for account, types in changed.items()},
    }
    if push_state is not None:
        body["pushState"] = push_state
    return body


def known_types() -> list[str]:
    """Every data type some capability declares (the meaning of ``*`` and of ``null``)."""
    return sorted({name for entry in CAPABILITIES.values() for name in entry.data_types})


def visible(
    principal: Principal, wanted: frozenset[str] | None, *, delegated: bool = False
) -> frozenset[str] | None:
    """Of ``wanted`` (None: all), the types whose capability the credential may use; in an
    account shared with the user (``delegated``), only those its session offers there."""
    allowed = {
        name
        for uri, entry in CAPABILITIES.items()
        if principal.allows_capability(uri) and (entry.delegable or not delegated)
        for name in entry.data_types
    }
    if wanted is None:
        return None if allowed == set(known_types()) else frozenset(allowed)
    return frozenset(wanted & allowed)


def is_type_name(value: object) -> bool:
    return isinstance(value, str) and _TYPE_NAME.fullmatch(value) is not None


def snapshot(account: Account, type_names: Iterable[str]) -> dict[str, int]:
    """The current modseq of each named type, as its ``Foo/get`` state encodes it."""
    return {
        name: state.decode_state(value) or 0
        for name, value in state.states(account, type_names).items()
    }


def encode_token(modseqs: Mapping[str, int]) -> str:
    """A push-state token for ``modseqs`` (type name -> modseq)."""
    parts = [f"{name}:{_base36(modseq)}" for name, modseq in sorted(modseqs.items())]
    return ".".join([_VERSION, *parts])


def decode_token(token: object) -> dict[str, int] | None:
    """The modseqs inside a push-state token, or None when it is not one of ours."""
    if not isinstance(token, str) or len(token) > _MAX_TOKEN:
        return None
    prefix, *parts = token.strip().split(".")
    if prefix != _VERSION:
        return None
    out: dict[str, int] = {}
    for part in parts:
        name, sep, number = part.partition(":")
        if not sep or not is_type_name(name) or not number.isalnum():
            return None
        try:
            out[name] = int(number, 36)
        except ValueError:
            return None
    return out


def encode_tokens(own: str, modseqs: Mapping[str, Mapping[str, int]]) -> str:
    """A push-state token for several accounts: ``own``'s part first, as ``encode_token``."""
    parts = [encode_token(modseqs.get(own, {}))]
    for account_id in sorted(modseqs):
        if account_id != own:
            parts.append(account_id + encode_token(modseqs[account_id])[len(_VERSION) :])
    return _ACCOUNT_SEPARATOR.join(parts)


def decode_tokens(token: object, own: str) -> dict[str, dict[str, int]] | None:
    """The modseqs per account inside a push-state token, or None when it is not one of ours."""
    if not isinstance(token, str) or len(token) > _MAX_TOKENS:
        return None
    first, *others = token.strip().split(_ACCOUNT_SEPARATOR)
    own_part = decode_token(first)
    if own_part is None:
        return None
    out = {own: own_part}
    for part in others:
        account_id, dot, types = part.partition(".")
        modseqs = decode_token(_VERSION + dot + types) if types or not dot else None
        if not _ACCOUNT_ID.fullmatch(account_id) or modseqs is None:
            return None
        out[account_id] = modseqs
    return out


def _base36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        number, rest = divmod(number, 36)
        out = digits[rest] + out
        if not number:
            return out


@dataclass(slots=True)
class Tracker:
    """What one connection has told its client about one account.

    ``types`` is None to follow every type. ``known`` holds, per followed type, the modseq of the
    state last pushed (or read when the connection started).
    """

    account_id: str
    types: frozenset[str] | None
    known: dict[str, int] = field(default_factory=dict)

    def follows(self, type_name: str) -> bool:
        return self.types is None or type_name in self.types

    def followed(self) -> list[str]:
        return sorted(self.types) if self.types is not None else known_types()

    def absorb(self, account_id: object, changed: Mapping[str, str]) -> dict[str, str]:
        """Of a ``changed`` map (type -> state), what is news to this client; remembers it.

        A message for another account (say, of another deployment sharing the Redis layer with
        the same primary keys) is never news.
        """
        news: dict[str, str] = {}
        if account_id != self.account_id:
            return news
        for type_name, state_string in changed.items():
            modseq = state.decode_state(state_string)
            if modseq is None or not self.follows(type_name):
                continue
            if modseq > self.known.get(type_name, -1):
                self.known[type_name] = modseq
                news[type_name] = state_string
        return news

    def missed(
        self, current: Mapping[str, int], previous: Mapping[str, int] | None
    ) -> dict[str, str]:
        """Types that moved since the client's token ``previous``; ``known`` becomes ``current``.

        A followed type the token does not mention counts as moved unless it never changed.
        """
        self.known = {name: modseq for name, modseq in current.items() if self.follows(name)}
        if previous is None:
            return {}
        return {
            name: state.encode_state(modseq)
            for name, modseq in sorted(self.known.items())
            if modseq != previous.get(name, 0)
        }

    def token(self) -> str:
        return encode_token(self.known)


@dataclass(slots=True)
class Following:
    """What one connection follows: a ``Tracker`` per account, the user's own (``own``) first."""

    own: str
    trackers: dict[str, Tracker]

    def absorb(self, account_id: object, changed: Mapping[str, str]) -> dict[str, str]:
        """What is news in a ``push.state`` message of one account (``Tracker.absorb``)."""
        tracker = self.trackers.get(account_id) if isinstance(account_id, str) else None
        return tracker.absorb(account_id, changed) if tracker is not None else {}

    def missed(
        self,
        current: Mapping[str, Mapping[str, int]],
        previous: Mapping[str, Mapping[str, int]] | None,
    ) -> dict[str, dict[str, str]]:
        """Per account, the types that moved since the token ``previous`` (``Tracker.missed``).

        An account the token does not mention (shared since) counts as all news.
        """
        out: dict[str, dict[str, str]] = {}
        for account_id, tracker in self.trackers.items():
            since = None if previous is None else previous.get(account_id, {})
            moved = tracker.missed(current.get(account_id, {}), since)
            if moved:
                out[account_id] = moved
        return out

    def token(self) -> str:
        return encode_tokens(
            self.own, {account_id: t.known for account_id, t in self.trackers.items()}
        )
