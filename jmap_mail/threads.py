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


def find_thread(account: Account, message_ids: Iterable[str], subject: str) -> Thread | None:
    """The thread a new message joins, or None for a new one; merges threads it links (§3)."""
    wanted = sorted({m for m in message_ids if m})
    thread_pks = (
        sorted(
            set(
                MessageIdRef.objects.filter(
                    account=account, message_id__in=wanted, sort_subject=subject
                ).values_list("thread_id", flat=True)
            )
        )
        if wanted
        else []
    )
    if not thread_pks:
        return None
    keeper = Thread.objects.get(pk=thread_pks[0])
    for other_pk in thread_pks[1:]:
        _merge(account, Thread.objects.get(pk=other_pk), keeper)
    return keeper


def place(account: Account, thread: Thread | None, modseq: int) -> Thread:
    """The thread a new email goes into, created or updated at ``modseq`` (marked by the caller)."""
    if thread is None:
        return Thread.objects.create(
            account=account, jmap_id=ids.new_id("t"), modseq=modseq, created_modseq=modseq
        )
    Thread.all_objects.filter(pk=thread.pk).update(modseq=modseq, destroyed=False)
    thread.modseq = modseq
    return thread


def touch_thread(account: Account, thread: Thread) -> None:
    """The thread's emailIds changed: destroy it when empty, else give it a new modseq."""
    thread.modseq = state.bump(account, THREAD)
    thread.destroyed = not Email.objects.filter(thread=thread).exists()
    thread.save(update_fields=["modseq", "destroyed"])


def record_message_ids(email: Email, message_ids: Iterable[str], subject: str) -> None:
    MessageIdRef.objects.bulk_create(
        [
            MessageIdRef(
                account_id=email.account_id,
                message_id=m[:255],
                email=email,
                thread_id=email.thread_id,
                sort_subject=subject,
            )
            for m in sorted({m for m in message_ids if m})
        ]
    )


def _merge(account: Account, absorbed: Thread, keeper: Thread) -> None:
    from jmap_mail.emails import reinsert

    for email in list(Email.objects.filter(thread=absorbed)):
        reinsert(account, email, keeper)
    touch_thread(account, absorbed)
