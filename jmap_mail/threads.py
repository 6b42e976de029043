"""Threading (RFC 8621 §3): the suggested algorithm.

Two messages share a thread when a message id appears in both (Message-ID, In-Reply-To,
References) and their base subjects match. Every id a message names is recorded, so a reply that
arrives before its parent still finds it, and a message that links two existing threads merges
them: since threadId is immutable, the emails of the absorbed threads are destroyed and
re-inserted under new ids (§3).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection

from accounts.models import Account
from jmap_core import ids, state
from jmap_mail.models import Email, MessageIdRef, Thread

THREAD = "Thread"
_PREFIX = re.compile(
    r"^\s*(?:(?:re|fwd?|aw|sv|vs|antw|wg|tr|rif)\s*(?:\[\d+\])?\s*:|\[[^\]]*\])\s*", re.I
)
_TRAILER = re.compile(r"\s*\((?:fwd)\)\s*$", re.I)


def base_subject(subject: str) -> str:
    """The base subject (RFC 5256 §2.1, simplified): no Re:/Fwd:/[tag] prefixes, folded case."""
    text = " ".join(subject.split())
    while True:
        stripped = _TRAILER.sub("", _PREFIX.sub("", text, count=1))
        if stripped == text:
            break
        text = stripped
    return text.casefold()


MESSAGE_ID_MAX = 255  # MessageIdRef.message_id


@dataclass(slots=True, eq=False)
class ThreadSlot:
    """A thread as seen while a batch is stored: an existing row, or (``row`` None) one that
    is created when the batch is written. After a merge, slots of absorbed threads point at the
    keeper, so every message that named them follows."""

    row: Thread | None = None

    def key(self) -> object:
        return self.row.pk if self.row is not None else id(self)


def known_threads(
    account: Account, keys: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], list[ThreadSlot]]:
    """The threads that already hold each (message id, base subject) key, in one query."""
    wanted = {(m[:MESSAGE_ID_MAX], subject) for m, subject in keys if m}
    if not wanted:
        return {}
    refs = (
        MessageIdRef.objects.filter(account=account, message_id__in=sorted({m for m, _ in wanted}))
        .select_related("thread")
        .order_by("thread_id")
    )
    found: dict[tuple[str, str], list[ThreadSlot]] = {}
    slots: dict[int, ThreadSlot] = {}
    for ref in refs:
        key = (ref.message_id, ref.sort_subject)
        if key not in wanted:
            continue
        slot = slots.setdefault(ref.thread_id, ThreadSlot(ref.thread))
        bucket = found.setdefault(key, [])
        if slot not in bucket:
            bucket.append(slot)
    return found


def merge(account: Account, linked: list[ThreadSlot]) -> None:
    """A message links the ``linked`` threads (all written): the oldest absorbs the others
    (§3), and every slot then points at it."""
    rows = sorted({s.row.pk: s.row for s in linked if s.row is not None}.values(), key=_pk)
    keeper = rows[0]
    for other in rows[1:]:
        _merge(account, other, keeper)
    for slot in linked:
        slot.row = keeper


def _pk(thread: Thread) -> int:
    return int(thread.pk)


def place_many(account: Account, slots: list[ThreadSlot], modseqs: list[int]) -> None:
    """Give each thread of ``slots`` (distinct threads) its modseq, writing new ones."""
    created: list[Thread] = []
    updated: list[tuple[int, int]] = []
    for slot, modseq in zip(slots, modseqs, strict=True):
        if slot.row is None:
            slot.row = Thread(
                account=account, jmap_id=ids.new_id("t"), modseq=modseq, created_modseq=modseq
            )
            created.append(slot.row)
        else:
            slot.row.modseq, slot.row.destroyed = modseq, False
            updated.append((slot.row.pk, modseq))
    if created:
        Thread.objects.bulk_create(created)
    if updated:
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE jmap_mail_thread t SET modseq = v.modseq, destroyed = false"
                " FROM unnest(%s::bigint[], %s::bigint[]) AS v(id, modseq) WHERE t.id = v.id",
                [[pk for pk, _ in updated], [m for _, m in updated]],
            )


def touch_thread(account: Account, thread: Thread) -> None:
    """The thread's emailIds changed: destroy it when empty, else give it a new modseq."""
    thread.modseq = state.bump(account, THREAD)
    thread.destroyed = not Email.objects.filter(thread=thread).exists()
    thread.save(update_fields=["modseq", "destroyed"])


def record_message_ids(entries: Iterable[tuple[Email, list[str], str]]) -> None:
    """Record every message id each new email names, with its base subject, so that a later
    message, or one that arrived earlier and waits for its parent, finds the thread."""
    rows = []
    for email, names, subject in entries:
        rows += [
            MessageIdRef(
                account_id=email.account_id,
                message_id=m,
                email=email,
                thread_id=email.thread_id,
                sort_subject=subject,
            )
            for m in sorted({m[:MESSAGE_ID_MAX] for m in names if m})
        ]
    MessageIdRef.objects.bulk_create(rows)


def _merge(account: Account, absorbed: Thread, keeper: Thread) -> None:
    from jmap_mail.emails import reinsert

    for email in list(Email.objects.filter(thread=absorbed)):
        reinsert(account, email, keeper)
    touch_thread(account, absorbed)
