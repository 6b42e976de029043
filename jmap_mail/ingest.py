"""Storing a message: the one path by which an Email comes into being.

Import, Email/set create, Email/copy and inbound delivery all end here: the raw octets are kept
byte-exact as a content-addressed blob, parsed once into columns and a cached structure, threaded,
filed into mailboxes with new IMAP UIDs, and indexed for full-text search.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.contrib.postgres.search import SearchVector
from django.db import connection
from django.db.models import Value
from django.db.models.expressions import CombinedExpression
from django.utils import timezone

from accounts.models import Account
from jmap_core import blobs, ids, state
from jmap_core.errors import SetError
from jmap_core.models import BlobContent, BlobRef
from jmap_mail import counts, mime, store, threads
from jmap_mail.email.view import summarise as view_summary
from jmap_mail.mime.forms import parse_date
from jmap_mail.models import Email, Mailbox, MailboxMessage, Thread

EMAIL = "Email"
EMAIL_DELIVERY = "EmailDelivery"
SEARCH_BODY_LIMIT = 200_000


@dataclass(frozen=True, slots=True)
class Summary:
    """What the columns of an Email hold, taken from its parsed headers."""

    subject: str
    sort_subject: str
    sent_at: datetime.datetime | None
    message_id: str
    thread_ids: list[str]
    sort_from: str
    sort_to: str
    addresses: dict[str, str]


def _header(msg: mime.ParsedMessage, spec: str) -> object:
    prop = mime.parse_header_property(spec)
    assert prop is not None
    return mime.header_property_value(msg.headers, prop)


def _addresses(msg: mime.ParsedMessage, name: str) -> list[dict[str, str | None]]:
    value = _header(msg, f"header:{name}:asAddresses")
    return value if isinstance(value, list) else []


def _sort_name(addresses: list[dict[str, str | None]]) -> str:
    if not addresses:
        return ""
    first = addresses[0]
    return (first.get("name") or first.get("email") or "").casefold()


def _address_words(address: dict[str, str | None]) -> str:
    """Name and address, and the address's local part and domain as words of their own, so that
    a search for "carol" or "example" finds carol@example.com."""
    email = address.get("email") or ""
    local, _, domain = email.partition("@")
    return f"{address.get('name') or ''} {email} {local} {domain}"


def summarise(msg: mime.ParsedMessage) -> Summary:
    subject = _header(msg, "header:Subject:asText")
    subject = subject if isinstance(subject, str) else ""
    own = _header(msg, "header:Message-ID:asMessageIds") or []
    replied = _header(msg, "header:In-Reply-To:asMessageIds") or []
    refs = _header(msg, "header:References:asMessageIds") or []
    sent = _header(msg, "header:Date:asDate")
    addresses = {name: _addresses(msg, name) for name in ("From", "To", "Cc", "Bcc")}
    return Summary(
        subject=subject,
        sort_subject=threads.base_subject(subject),
        sent_at=datetime.datetime.fromisoformat(sent) if isinstance(sent, str) else None,
        message_id=own[0] if isinstance(own, list) and own else "",
        thread_ids=[*own, *replied, *refs],  # type: ignore[misc]
        sort_from=_sort_name(addresses["From"]),
        sort_to=_sort_name(addresses["To"]),
        addresses={
            name: " ".join(_address_words(a) for a in found).casefold()
            for name, found in addresses.items()
        },
    )


def store_message(
    account: Account,
    raw: bytes,
    *,
    mailboxes: list[Mailbox],
    keywords: list[str],
    received_at: datetime.datetime | None = None,
    delivery: bool = False,
    content: BlobContent | None = None,
) -> Email:
    """Store ``raw`` as a new Email of ``account``; raises SetError("overQuota").

    The caller holds the account lock. ``delivery`` marks mail that arrived from outside, which
    moves the EmailDelivery push state (RFC 8621 §1.5). ``content``, when the caller already has
    the stored blob of ``raw``, saves storing it again.
    """
    content = content or blobs.save_bytes(raw)
    if not BlobRef.objects.filter(account=account, content=content).exists():
        blobs.check_quota(account, content.size)
    blobs.grant(account, content, "message/rfc822", expires=False)
    msg = mime.parse_message(raw)
    summary = summarise(msg)
    thread = threads.find_thread(account, summary.thread_ids, summary.sort_subject)
    # One block of modseqs for the email, its thread and each mailbox whose counts move.
    top = state.allocate(account, 2 + len(mailboxes))
    first = top - len(mailboxes) - 1
    changed = [EMAIL, threads.THREAD, store.MAILBOX] + ([EMAIL_DELIVERY] if delivery else [])
    state.mark(account, top, changed)
    thread = threads.place(account, thread, first + 1)
    arrived = received_at or _latest_received(msg) or timezone.now()
    email = _create_row(account, content, msg, summary, thread, keywords, arrived, first, raw)
    threads.record_message_ids(email, summary.thread_ids, summary.sort_subject)
    add_memberships(account, email, mailboxes, first, touch=False)
    store.set_mailbox_modseqs({m.pk: first + 2 + n for n, m in enumerate(mailboxes)})
    return email


def _latest_received(msg: mime.ParsedMessage) -> datetime.datetime | None:
    """The time of the most recent (topmost) Received field (RFC 8621 §4.8 receivedAt default)."""
    for header in msg.headers:
        if header.name.lower() == "received":
            _, sep, when = header.value.rpartition(";")
            parsed = parse_date(when) if sep else None
            return datetime.datetime.fromisoformat(parsed) if parsed else None
    return None


def _create_row(
    account: Account,
    content: BlobContent,
    msg: mime.ParsedMessage,
    summary: Summary,
    thread: Thread,
    keywords: list[str],
    received_at: datetime.datetime,
    modseq: int,
    raw: bytes,
) -> Email:
    return Email.objects.create(
        account=account,
        jmap_id=ids.new_id("e"),
        modseq=modseq,
        created_modseq=modseq,
        thread=thread,
        blob=content,
        size=content.size,
        received_at=received_at.replace(microsecond=0),
        sent_at=summary.sent_at,
        message_id=summary.message_id[:998],
        subject=summary.subject,
        sort_subject=summary.sort_subject,
        sort_from=summary.sort_from,
        sort_to=summary.sort_to,
        from_text=summary.addresses["From"],
        to_text=summary.addresses["To"],
        cc_text=summary.addresses["Cc"],
        bcc_text=summary.addresses["Bcc"],
        has_attachment=msg.has_attachment,
        preview=msg.preview[:256],
        keywords=keywords,
        parsed=msg.to_cache(),
        summary=view_summary(msg.headers),
        search=_search_vector(summary, mime.search_text(raw, msg, SEARCH_BODY_LIMIT)),
    )


def add_memberships(
    account: Account, email: Email, mailboxes: list[Mailbox], modseq: int, *, touch: bool = True
) -> None:
    """File ``email`` into ``mailboxes`` with the next UID of each (RFC 9051 §2.3.1.1)."""
    for mailbox in mailboxes:
        uid = _next_uid(mailbox)
        MailboxMessage.objects.create(
            account=account,
            mailbox=mailbox,
            email=email,
            uid=uid,
            modseq=modseq,
            received_at=email.received_at,
            thread_id=email.thread_id,
        )
    counts.added([m.pk for m in mailboxes], email.thread_id, email.keywords)
    if touch:
        store.touch_mailboxes(account, [m.pk for m in mailboxes])


def _next_uid(mailbox: Mailbox) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE jmap_mail_mailbox SET uid_next = uid_next + 1 WHERE id = %s RETURNING uid_next - 1",
            [mailbox.pk],
        )
        return int(cursor.fetchone()[0])


def _search_vector(summary: Summary, body: str) -> CombinedExpression:
    """The full-text vector: subject (A), addresses (B), body text (C)."""
    config = settings.MAILYARD_SEARCH_CONFIG
    people = " ".join(summary.addresses.values())
    return (
        SearchVector(Value(summary.subject), config=config, weight="A")
        + SearchVector(Value(people), config="simple", weight="B")
        + SearchVector(Value(body), config=config, weight="C")
    )


def raise_for_size(raw: bytes) -> None:
    limit = settings.MAILYARD_MAX_MESSAGE_SIZE
    if len(raw) > limit:
        raise SetError("tooLarge", f"the message is larger than {limit} octets", maxSize=limit)
