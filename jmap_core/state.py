"""The per-account modification sequence and per-type state strings (RFC 8620 §5.1, §5.2).

Only this module touches ``AccountState`` and ``TypeState`` (STYLE §5, §11). A writer first takes
the account lock (``SELECT … FOR UPDATE`` on its ``AccountState`` row), which it holds to commit:
an account's writers run one at a time, so modseq order is commit order and a reader never sees
modseq N+1 without N. Readers never take it.

After a transaction that changed types commits, ``state_changed`` is sent once per account with
the committed state strings; nothing is sent for rolled-back work (STYLE §6).
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import connection, transaction
from django.dispatch import Signal

from accounts.models import Account
from jmap_core import bulk
from jmap_core.models import AccountState, TypeState

# Sent after commit with account_id (Account.pk), jmap_account_id and changed: {type: state}.
state_changed = Signal()

_STATE_PREFIX = "s"


def encode_state(modseq: int) -> str:
    """An opaque state string for ``modseq`` (RFC 8620 §5.1: clients must not parse it)."""
    raw = modseq.to_bytes(8, "big").lstrip(b"\0") or b"\0"
    return _STATE_PREFIX + base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_state(state: object) -> int | None:
    """The modseq inside a state string, or None when it is not one of ours."""
    if not isinstance(state, str) or not state.startswith(_STATE_PREFIX) or len(state) > 20:
        return None
    body = state[len(_STATE_PREFIX) :]
    try:
        raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    except ValueError:
        return None
    if not raw or len(raw) > 8 or encode_state(int.from_bytes(raw, "big")) != state:
        return None
    return int.from_bytes(raw, "big")


def lock(account: Account) -> None:
    """Take the account's write lock for the rest of the transaction."""
    assert connection.in_atomic_block, "state.lock() needs a transaction"
    AccountState.objects.get_or_create(account=account)
    AccountState.objects.select_for_update().filter(account=account).get()


def allocate(account: Account, count: int = 1) -> int:
    """Hand out ``count`` new modseqs; returns the highest (the others are the ones below it)."""
    assert connection.in_atomic_block, "state.allocate() needs a transaction"
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE jmap_core_accountstate SET modseq = modseq + %s WHERE account_id = %s"
            " RETURNING modseq",
            [count, account.pk],
        )
        row = cursor.fetchone()
    if row is None:
        AccountState.objects.get_or_create(account=account)
        return allocate(account, count)
    return int(row[0])


def mark(account: Account, modseq: int, type_names: Iterable[str]) -> None:
    """Record that ``type_names`` changed at ``modseq`` (their state strings move)."""
    names = sorted(set(type_names))
    if not names:
        return
    TypeState.objects.bulk_create(
        [TypeState(account=account, type_name=name, modseq=modseq) for name in names],
        update_conflicts=True,
        unique_fields=["account", "type_name"],
        update_fields=["modseq"],
    )
    _pending_for(account).update(names)


def bump(account: Account, type_name: str, *also_changed: str) -> int:
    """Allocate one modseq for a change of one ``type_name`` record and mark the types."""
    modseq = allocate(account)
    mark(account, modseq, (type_name, *also_changed))
    return modseq


@dataclass(frozen=True, slots=True)
class TypeStatus:
    modseq: int
    floor: int

    @property
    def state(self) -> str:
        return encode_state(self.modseq)


def status(account: Account, type_name: str) -> TypeStatus:
    """Read on every /get, /changes and /query: one plain statement (the ORM's compiling of
    it cost several times the query)."""
    rows = bulk.fetchall(
        "SELECT modseq, floor_modseq FROM jmap_core_typestate"
        " WHERE account_id = %s AND type_name = %s",
        [account.pk, type_name],
    )
    return TypeStatus(*rows[0]) if rows else TypeStatus(0, 0)


def current_state(account: Account, type_name: str) -> str:
    return status(account, type_name).state


def states(account: Account, type_names: Iterable[str]) -> dict[str, str]:
    names = set(type_names)
    found = dict(
        TypeState.objects.filter(account=account, type_name__in=names).values_list(
            "type_name", "modseq"
        )
    )
    return {name: encode_state(found.get(name, 0)) for name in sorted(names)}


def raise_floor(account: Account, type_name: str, floor: int) -> None:
    """Called by the purge task after tombstones at or below ``floor`` were removed."""
    TypeState.objects.filter(account=account, type_name=type_name, floor_modseq__lt=floor).update(
        floor_modseq=floor
    )


# Changed types are gathered per transaction; one flush per transaction runs on commit and reads
# the committed state (so work rolled back inside a savepoint is never announced as changed).
_BUCKET_ATTR = "_mailyard_changed_types"


def _pending_for(account: Account) -> set[str]:
    bucket: dict[int, tuple[Account, set[str]]] | None = getattr(connection, _BUCKET_ATTR, None)
    if bucket is None or not _flush_registered(bucket):
        bucket = {}
        setattr(connection, _BUCKET_ATTR, bucket)
        transaction.on_commit(_make_flush(bucket))
    return bucket.setdefault(account.pk, (account, set()))[1]


def _flush_registered(bucket: object) -> bool:
    return any(getattr(entry[1], "bucket", None) is bucket for entry in connection.run_on_commit)


def _make_flush(bucket: dict[int, tuple[Account, set[str]]]) -> Callable[[], None]:
    def flush() -> None:
        if getattr(connection, _BUCKET_ATTR, None) is bucket:
            delattr(connection, _BUCKET_ATTR)
        for account, names in bucket.values():
            state_changed.send(
                sender=Account,
                account_id=account.pk,
                jmap_account_id=account.jmap_id,
                changed=states(account, names),
            )

    flush.bucket = bucket  # type: ignore[attr-defined]
    return flush
