"""Write functions of the mail store (STYLE §6): the only code that saves mail rows.

Each allocates modseqs through ``jmap_core.state`` and marks the types whose states move. The
caller holds the account lock (``state.lock``), as every writing JMAP method does.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable

from django.utils import timezone

from accounts.models import Account
from jmap_core import ids, state
from jmap_mail.models import Mailbox

MAILBOX = "Mailbox"


def create_mailbox(
    account: Account,
    *,
    name: str,
    role: str | None = None,
    sort_order: int = 0,
    parent: Mailbox | None = None,
    is_subscribed: bool = True,
) -> Mailbox:
    modseq = state.bump(account, MAILBOX)
    return Mailbox.objects.create(
        account=account,
        jmap_id=ids.new_id("m"),
        name=name,
        role=role,
        sort_order=sort_order,
        parent=parent,
        is_subscribed=is_subscribed,
        uid_validity=secrets.randbelow(2**31 - 2) + 1,
        modseq=modseq,
        created_modseq=modseq,
        props_modseq=modseq,
    )


def touch_mailboxes(account: Account, mailbox_pks: Iterable[int], *, props: bool = False) -> None:
    """Give each mailbox a new modseq: its counts (or, with ``props``, other properties) moved."""
    pks = sorted(set(mailbox_pks))
    if not pks:
        return
    top = state.allocate(account, len(pks))
    now = timezone.now()
    for offset, pk in enumerate(pks):
        modseq = top - len(pks) + 1 + offset
        fields: dict[str, object] = {"modseq": modseq, "updated_at": now}
        if props:
            fields["props_modseq"] = modseq
        Mailbox.all_objects.filter(pk=pk).update(**fields)
    state.mark(account, top, [MAILBOX])


def set_mailbox_modseqs(modseqs: dict[int, int]) -> None:
    """Counts of these mailboxes moved at the given, already allocated and marked, modseqs."""
    now = timezone.now()
    for pk, modseq in modseqs.items():
        Mailbox.all_objects.filter(pk=pk).update(modseq=modseq, updated_at=now)


def mailbox_counts(mailboxes: list[Mailbox]) -> dict[int, tuple[int, int, int, int]]:
    """totalEmails, unreadEmails, totalThreads, unreadThreads per mailbox (RFC 8621 §2),
    as maintained by jmap_mail.counts."""
    return {
        m.pk: (m.total_emails, m.unread_emails, m.total_threads, m.unread_threads)
        for m in mailboxes
    }
