"""Changes to stored emails: mailboxes, keywords, destruction and thread re-insertion.

Each writes the IMAP view too: a membership removed from a mailbox is expunged (kept, with the
modseq of its removal, for QRESYNC VANISHED), and memberships carry the modseq of the last
flag change (RFC 7162 §3.1).
"""

from __future__ import annotations

from django.utils import timezone

from accounts.models import Account
from jmap_core import blobs, ids, state
from jmap_mail import counts, store, threads
from jmap_mail.ingest import EMAIL
from jmap_mail.models import Email, Mailbox, MailboxMessage, MessageIdRef, Thread

UNREAD_FLAGS = counts.UNREAD_FLAGS


def _bump(account: Account, email: Email) -> int:
    email.modseq = state.bump(account, EMAIL)
    email.updated_at = timezone.now()
    return email.modseq


def live_mailbox_pks(email: Email) -> set[int]:
    return set(
        MailboxMessage.objects.filter(email=email, expunged=False).values_list(
            "mailbox_id", flat=True
        )
    )


def set_mailboxes(account: Account, email: Email, mailboxes: list[Mailbox]) -> None:
    """Make ``email``'s mailboxes exactly ``mailboxes`` (RFC 8621 §4.6 mailboxIds)."""
    from jmap_mail.ingest import add_memberships

    current = live_mailbox_pks(email)
    wanted = {m.pk: m for m in mailboxes}
    removed = current - set(wanted)
    added = [m for pk, m in wanted.items() if pk not in current]
    if not removed and not added:
        return
    modseq = _bump(account, email)
    email.save(update_fields=["modseq", "updated_at"])
    if removed:
        MailboxMessage.objects.filter(email=email, mailbox_id__in=removed, expunged=False).update(
            expunged=True, modseq=modseq
        )
        counts.removed(removed, email.thread_id, email.keywords)
        store.touch_mailboxes(account, removed)
    if added:
        add_memberships(account, email, added, modseq)


def set_keywords(account: Account, email: Email, keywords: list[str]) -> None:
    """Replace ``email``'s keywords; unread counts move when $seen or $draft change."""
    keywords = sorted(set(keywords))
    if keywords == sorted(email.keywords):
        return
    counts_move = (set(keywords) ^ set(email.keywords)) & UNREAD_FLAGS
    old = email.keywords
    email.keywords = keywords
    modseq = _bump(account, email)
    email.save(update_fields=["keywords", "modseq", "updated_at"])
    MailboxMessage.objects.filter(email=email, expunged=False).update(modseq=modseq)
    if counts_move:
        mailbox_pks = live_mailbox_pks(email)
        counts.keywords_changed(mailbox_pks, email.thread_id, old, keywords)
        store.touch_mailboxes(account, mailbox_pks)


def destroy_email(account: Account, email: Email) -> None:
    """Destroy ``email``: tombstone, expunge, update its thread and mailboxes, free the blob."""
    mailbox_pks = live_mailbox_pks(email)
    email.destroyed = True
    modseq = _bump(account, email)
    email.save(update_fields=["destroyed", "modseq", "updated_at"])
    MailboxMessage.objects.filter(email=email, expunged=False).update(expunged=True, modseq=modseq)
    counts.removed(mailbox_pks, email.thread_id, email.keywords)
    MessageIdRef.objects.filter(email=email).delete()
    store.touch_mailboxes(account, mailbox_pks)
    threads.touch_thread(account, email.thread)
    if not Email.objects.filter(account=account, blob_id=email.blob_id).exists():
        blobs.release(account, email.blob)


def reinsert(account: Account, email: Email, thread: Thread) -> Email:
    """Move ``email`` to ``thread`` under a new id, as RFC 8621 §3 requires for merges."""
    from jmap_mail.ingest import add_memberships

    mailboxes = list(Mailbox.objects.filter(pk__in=live_mailbox_pks(email)))
    counts.removed([m.pk for m in mailboxes], email.thread_id, email.keywords)
    old_pk = email.pk
    old = Email.objects.get(pk=old_pk)
    email.pk = None
    email.jmap_id = ids.new_id("e")
    email.thread = thread
    email.modseq = email.created_modseq = state.bump(account, EMAIL)
    email.save(force_insert=True)
    MessageIdRef.objects.filter(email_id=old_pk).update(email=email, thread=thread)
    MailboxMessage.objects.filter(email_id=old_pk, expunged=False).update(
        expunged=True, modseq=email.modseq
    )
    add_memberships(account, email, mailboxes, email.modseq)
    old.destroyed = True
    old.modseq = state.bump(account, EMAIL)
    old.save(update_fields=["destroyed", "modseq"])
    return email


def remove_mailbox_contents(account: Account, mailbox: Mailbox) -> None:
    """For Mailbox/set onDestroyRemoveEmails (RFC 8621 §2.5): emails only here are destroyed,
    the others just leave this mailbox."""
    members = (
        Email.objects.filter(memberships__mailbox=mailbox, memberships__expunged=False)
        .select_related("thread", "blob")
        .defer("blob__data")
    )
    for email in list(members):
        others = live_mailbox_pks(email) - {mailbox.pk}
        if others:
            set_mailboxes(account, email, list(Mailbox.objects.filter(pk__in=others)))
        else:
            destroy_email(account, email)
