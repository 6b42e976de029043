"""Storing a message: the one path by which an Email comes into being.

Import, Email/set create, Email/copy and inbound delivery all end here: the raw octets are kept
byte-exact as a content-addressed blob, parsed once into columns and a cached structure, threaded,
filed into mailboxes with new IMAP UIDs, and indexed for full-text search.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import connection
from django.db.models.expressions import RawSQL
from django.utils import timezone

from accounts.models import Account
from jmap_core import blobs, bulk, ids, state
from jmap_core.errors import SetError
from jmap_core.models import BlobContent
from jmap_mail import counts, mime, store, threads
from jmap_mail.email.view import summarise as view_summary
from jmap_mail.mime.forms import parse_date
from jmap_mail.models import Email, Mailbox, MailboxMessage

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


def _list(value: object) -> list[Any]:
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


def summarise(convenience: dict[str, Any]) -> Summary:
    """The columns, from the convenience header values (RFC 8621 §4.1.3) that ingest stores
    for Email/get anyway (``jmap_mail.email.view.summarise``): each header is parsed once."""
    subject = convenience.get("subject")
    subject = subject if isinstance(subject, str) else ""
    own = _list(convenience.get("messageId"))
    sent = convenience.get("sentAt")
    addresses = {name: _list(convenience.get(name.lower())) for name in ("From", "To", "Cc", "Bcc")}
    return Summary(
        subject=subject,
        sort_subject=threads.base_subject(subject),
        sent_at=datetime.datetime.fromisoformat(sent) if isinstance(sent, str) else None,
        message_id=own[0] if own else "",
        thread_ids=[
            *own,
            *_list(convenience.get("inReplyTo")),
            *_list(convenience.get("references")),
        ],
        sort_from=_sort_name(addresses["From"]),
        sort_to=_sort_name(addresses["To"]),
        addresses={
            name: " ".join(_address_words(a) for a in found).casefold()
            for name, found in addresses.items()
        },
    )


@dataclass(slots=True)
class Incoming:
    """One message to store, with where it goes."""

    raw: bytes
    mailboxes: list[Mailbox]
    keywords: list[str]
    received_at: datetime.datetime | None = None
    # The stored blob of ``raw`` when the caller already has it (an uploaded blob).
    content: BlobContent | None = None


@dataclass(slots=True)
class Prepared:
    """A message parsed and its Email row built, all but what needs the account lock (its id,
    modseq and thread); see ``prepare``."""

    incoming: Incoming
    summary: Summary
    content: BlobContent
    row: Email
    thread: threads.ThreadSlot | None = None

    @property
    def mailboxes(self) -> list[Mailbox]:
        return self.incoming.mailboxes


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
    incoming = Incoming(raw, mailboxes, keywords, received_at, content)
    (outcome,) = store_prepared(account, prepare([incoming]), delivery=delivery)
    if isinstance(outcome, SetError):
        raise outcome
    return outcome


def prepare(batch: list[Incoming]) -> list[Prepared]:
    """The work of storing ``batch`` that needs no account lock: the bytes stored as blobs
    (content-addressed, so shared by all accounts), each message parsed once and its row
    built. A caller that prepares before it locks lets other requests of the account proceed
    meanwhile."""
    stored = iter(blobs.save_many([item.raw for item in batch if item.content is None]))
    prepared = []
    texts = []
    for item in batch:
        content = item.content or next(stored)
        msg = mime.parse_message(item.raw)
        convenience = view_summary(msg.headers)
        summary = summarise(convenience)
        row = _email_row(item, msg, summary, convenience, content)
        prepared.append(Prepared(item, summary, content, row))
        texts.append((summary, mime.search_text(item.raw, msg, SEARCH_BODY_LIMIT)))
    for ready, vector in zip(prepared, _search_vectors(texts), strict=True):
        ready.row.search = RawSQL("%s::tsvector", [vector], output_field=_VECTOR)
    return prepared


def store_prepared(
    account: Account, batch: list[Prepared], *, delivery: bool = False
) -> list[Email | SetError]:
    """Store each prepared message as a new Email of ``account``, in order; the caller holds
    the account lock. Each outcome is the new Email or the SetError ("overQuota") that kept
    that one message out; the others are stored all the same.

    However many messages, the database sees a fixed number of statements per batch (one
    multi-row statement per table), so an import of thousands costs little more per message
    than a parse. Only a message that joins two existing threads (RFC 8621 §3 merge) makes the
    batch write what came before it and merge on its own.
    """
    outcomes: list[Email | SetError | None] = [None] * len(batch)
    held = blobs.referenced(account, [p.content for p in batch])
    left = blobs.quota_left(account)
    pending: list[tuple[int, Prepared]] = []
    for index, item in enumerate(batch):
        content = item.content
        if content.pk not in held:
            if left is not None and content.size > left:
                outcomes[index] = SetError(
                    "overQuota",
                    f"{content.size} octets do not fit in the {left} left in the quota",
                )
                continue
            if left is not None:
                left -= content.size
            held.add(content.pk)
        pending.append((index, item))
    if pending:
        blobs.keep_many(account, [p.content for _, p in pending], "message/rfc822")
    for index, email in _thread_and_write(account, pending, delivery):
        outcomes[index] = email
    return [o for o in outcomes if o is not None]


def _thread_and_write(
    account: Account, pending: list[tuple[int, Prepared]], delivery: bool
) -> list[tuple[int, Email]]:
    """Find each message's thread (RFC 8621 §3), then write the batch; a message that links
    threads first has what came before it written, then the threads merged."""
    known = threads.known_threads(
        account, [(m, p.summary.sort_subject) for _, p in pending for m in p.summary.thread_ids]
    )
    written: list[tuple[int, Email]] = []
    segment: list[tuple[int, Prepared]] = []
    for index, item in pending:
        subject = item.summary.sort_subject
        keys = [(m[: threads.MESSAGE_ID_MAX], subject) for m in item.summary.thread_ids if m]
        linked: dict[object, threads.ThreadSlot] = {}
        for key in keys:
            for slot in known.get(key, ()):
                linked.setdefault(slot.key(), slot)
        if len(linked) > 1:
            written += _write(account, segment, delivery)
            segment = []
            threads.merge(account, list(linked.values()))
        item.thread = next(iter(linked.values())) if linked else threads.ThreadSlot()
        for key in keys:
            known[key] = [item.thread]
        segment.append((index, item))
    written += _write(account, segment, delivery)
    return written


def _write(
    account: Account, segment: list[tuple[int, Prepared]], delivery: bool
) -> list[tuple[int, Email]]:
    """Write ``segment``: one block of modseqs (each email, each thread it touches, each
    mailbox whose counts move), then one multi-row statement per table."""
    if not segment:
        return []
    slots: dict[object, threads.ThreadSlot] = {}
    for _, item in segment:
        assert item.thread is not None
        slots.setdefault(item.thread.key(), item.thread)
    mailbox_pks = sorted({m.pk for _, item in segment for m in item.incoming.mailboxes})
    count = len(segment) + len(slots) + len(mailbox_pks)
    top = state.allocate(account, count)
    first = top - count + 1
    changed = [EMAIL, threads.THREAD, store.MAILBOX] + ([EMAIL_DELIVERY] if delivery else [])
    state.mark(account, top, changed)
    threads.place_many(
        account, list(slots.values()), [first + len(segment) + n for n in range(len(slots))]
    )
    rows = []
    for n, (_, item) in enumerate(segment):
        assert item.thread is not None
        assert item.thread.row is not None
        row = item.row
        row.account, row.jmap_id, row.thread = account, ids.new_id("e"), item.thread.row
        row.modseq = row.created_modseq = first + n
        rows.append(row)
    bulk.insert(rows)
    threads.record_message_ids(
        (email, item.summary.thread_ids, item.summary.sort_subject)
        for email, (_, item) in zip(rows, segment, strict=True)
    )
    _file(
        account, [(e, item.incoming.mailboxes) for e, (_, item) in zip(rows, segment, strict=True)]
    )
    mailbox_base = first + len(segment) + len(slots)
    store.set_mailbox_modseqs({pk: mailbox_base + n for n, pk in enumerate(mailbox_pks)})
    return [(index, email) for email, (index, _) in zip(rows, segment, strict=True)]


def _latest_received(msg: mime.ParsedMessage) -> datetime.datetime | None:
    """The time of the most recent (topmost) Received field (RFC 8621 §4.8 receivedAt default)."""
    for header in msg.headers:
        if header.name.lower() == "received":
            _, sep, when = header.value.rpartition(";")
            parsed = parse_date(when) if sep else None
            return datetime.datetime.fromisoformat(parsed) if parsed else None
    return None


def _email_row(
    item: Incoming,
    msg: mime.ParsedMessage,
    summary: Summary,
    convenience: dict[str, Any],
    content: BlobContent,
) -> Email:
    """The new Email's columns, all but account, id, modseq and thread."""
    arrived = item.received_at or _latest_received(msg) or timezone.now()
    return Email(
        blob=content,
        size=content.size,
        received_at=arrived.replace(microsecond=0),
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
        keywords=item.keywords,
        parsed=msg.to_cache(),
        summary=convenience,
    )


def _file(account: Account, placements: list[tuple[Email, list[Mailbox]]]) -> None:
    """File new emails into their mailboxes: UIDs handed out in order, one block per mailbox
    (RFC 9051 §2.3.1.1), and the mailboxes' counts moved."""
    per_mailbox: dict[int, int] = {}
    for _, mailboxes in placements:
        for mailbox in mailboxes:
            per_mailbox[mailbox.pk] = per_mailbox.get(mailbox.pk, 0) + 1
    next_uid = {pk: _take_uids(pk, n) for pk, n in sorted(per_mailbox.items())}
    rows = []
    tallies = []
    for email, mailboxes in placements:
        unread = int(counts.is_unread(email.keywords))
        for mailbox in mailboxes:
            uid = next_uid[mailbox.pk]
            next_uid[mailbox.pk] = uid + 1
            rows.append(
                MailboxMessage(
                    account=account,
                    mailbox_id=mailbox.pk,
                    email=email,
                    uid=uid,
                    modseq=email.modseq,
                    received_at=email.received_at,
                    thread_id=email.thread_id,
                )
            )
            tallies.append((mailbox.pk, email.thread_id, 1, unread))
    MailboxMessage.objects.bulk_create(rows)
    counts.adjust(tallies)


def add_memberships(account: Account, email: Email, mailboxes: list[Mailbox], modseq: int) -> None:
    """File an existing ``email`` into more ``mailboxes`` at ``modseq`` with the next UID of
    each (RFC 9051 §2.3.1.1); the mailboxes get new modseqs for their counts."""
    MailboxMessage.objects.bulk_create(
        [
            MailboxMessage(
                account=account,
                mailbox=mailbox,
                email=email,
                uid=_take_uids(mailbox.pk, 1),
                modseq=modseq,
                received_at=email.received_at,
                thread_id=email.thread_id,
            )
            for mailbox in mailboxes
        ]
    )
    counts.added([m.pk for m in mailboxes], email.thread_id, email.keywords)
    store.touch_mailboxes(account, [m.pk for m in mailboxes])


def _take_uids(mailbox_pk: int, count: int) -> int:
    """Reserve ``count`` UIDs of a mailbox; returns the first."""
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE jmap_mail_mailbox SET uid_next = uid_next + %s WHERE id = %s"
            " RETURNING uid_next - %s",
            [count, mailbox_pk, count],
        )
        return int(cursor.fetchone()[0])


_SEARCH_SQL = """
SELECT (setweight(to_tsvector(%s::regconfig, subject), 'A')
        || setweight(to_tsvector('simple'::regconfig, people), 'B')
        || setweight(to_tsvector(%s::regconfig, body), 'C'))::text
  FROM unnest(%b::text[], %b::text[], %b::text[]) WITH ORDINALITY AS m(subject, people, body, n)
 ORDER BY n
"""


def _search_vectors(texts: list[tuple[Summary, str]]) -> list[str]:
    """The full-text vector of each message, subject (A), addresses (B) and body text (C), in
    one statement before the account is locked: splitting words and stemming them is most of
    what the database spends on a new message, and the account's other writers need not wait
    for it. The vectors come back as text, which the insert casts back (exactly). The texts go
    as binary arrays (%b), which psycopg writes without escaping each character."""
    if not texts:
        return []
    config = settings.MAILYARD_SEARCH_CONFIG
    subjects = [summary.subject for summary, _ in texts]
    people = [" ".join(summary.addresses.values()) for summary, _ in texts]
    bodies = [body for _, body in texts]
    rows = bulk.fetchall(_SEARCH_SQL, [config, config, subjects, people, bodies])
    return [row[0] for row in rows]


_VECTOR = SearchVectorField()


def raise_for_size(raw: bytes) -> None:
    limit = settings.MAILYARD_MAX_MESSAGE_SIZE
    if len(raw) > limit:
        raise SetError("tooLarge", f"the message is larger than {limit} octets", maxSize=limit)
