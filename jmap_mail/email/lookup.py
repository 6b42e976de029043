"""Blob/lookup for Mailbox, Thread and Email (RFC 9404 §4.3).

An email references its message blob (its ``blobId``) and the blobs of its body parts; its
thread and the mailboxes holding it reference whatever it references ("you could discover this
blobId by looking at this object or at other objects recursively contained within this
object"). Only the account's own live emails count, so another account's blob matches nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from accounts.models import Account
from jmap_core import blobs
from jmap_core.registry import blob_lookup
from jmap_mail import mime
from jmap_mail.email.blobids import split_part_blob_id
from jmap_mail.models import Email, MailboxMessage


@dataclass(frozen=True, slots=True)
class _Match:
    pk: int
    email_id: str
    thread_id: str


def register() -> None:
    blob_lookup("Mailbox", mailboxes_by_blob)
    blob_lookup("Thread", threads_by_blob)
    blob_lookup("Email", emails_by_blob)


def emails_by_blob(account: Account, blob_ids: list[str]) -> dict[str, list[str]]:
    """The emails whose message or one of whose parts is each blob."""
    return {
        blob_id: [m.email_id for m in matches]
        for blob_id, matches in _matching_emails(account, blob_ids).items()
    }


def threads_by_blob(account: Account, blob_ids: list[str]) -> dict[str, list[str]]:
    """The threads of those emails."""
    return {
        blob_id: sorted({m.thread_id for m in matches})
        for blob_id, matches in _matching_emails(account, blob_ids).items()
    }


def mailboxes_by_blob(account: Account, blob_ids: list[str]) -> dict[str, list[str]]:
    """The mailboxes holding those emails."""
    found = _matching_emails(account, blob_ids)
    boxes: dict[int, set[str]] = {}
    rows = MailboxMessage.objects.filter(
        email_id__in={m.pk for matches in found.values() for m in matches},
        expunged=False,
        mailbox__destroyed=False,
    ).values_list("email_id", "mailbox__jmap_id")
    for email_pk, mailbox_id in rows:
        boxes.setdefault(email_pk, set()).add(mailbox_id)
    return {
        blob_id: sorted({box for m in matches for box in boxes.get(m.pk, ())})
        for blob_id, matches in found.items()
    }


def _matching_emails(account: Account, blob_ids: list[str]) -> dict[str, list[_Match]]:
    # blobId -> (SHA-256 of the message, partId or None for the whole message)
    wanted: dict[str, tuple[str, str | None]] = {}
    for blob_id in blob_ids:
        if blob_id.startswith(blobs.BLOB_PREFIX):
            wanted[blob_id] = (blob_id[len(blobs.BLOB_PREFIX) :], None)
        elif (split := split_part_blob_id(blob_id)) is not None:
            wanted[blob_id] = split
    if not wanted:
        return {}
    rows = (
        Email.objects.filter(account=account, blob__sha256__in={sha for sha, _ in wanted.values()})
        .order_by("jmap_id")
        .values_list("pk", "jmap_id", "thread__jmap_id", "blob__sha256")
    )
    by_sha: dict[str, list[_Match]] = {}
    for pk, email_id, thread_id, sha in rows:
        by_sha.setdefault(sha, []).append(_Match(pk, email_id, thread_id))
    parts = _PartIndex({m.pk for sha, part in wanted.values() if part for m in by_sha.get(sha, [])})
    out: dict[str, list[_Match]] = {}
    for blob_id, (sha, part_id) in wanted.items():
        matches = [m for m in by_sha.get(sha, []) if part_id is None or parts.has(m.pk, part_id)]
        if matches:
            out[blob_id] = matches
    return out


class _PartIndex:
    """Which parts the given emails have, from their cached MIME structure."""

    def __init__(self, email_pks: set[int]) -> None:
        self.cached: dict[int, Any] = (
            dict(Email.objects.filter(pk__in=email_pks).values_list("pk", "parsed"))
            if email_pks
            else {}
        )
        self.parsed: dict[int, mime.ParsedMessage] = {}

    def has(self, email_pk: int, part_id: str) -> bool:
        if email_pk not in self.parsed:
            self.parsed[email_pk] = mime.ParsedMessage.from_cache(self.cached[email_pk])
        return self.parsed[email_pk].part(part_id) is not None
