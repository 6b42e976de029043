"""Blob ids of message parts (RFC 8621 §4.1.4 EmailBodyPart.blobId).

A part's blob is derived, never stored: ``p<sha256 of the message>_<partId, '.' as '-'>``. Reading
it finds the message among the account's own emails, so it is reachable exactly when the message
is.
"""

from __future__ import annotations

import re

from accounts.models import Account
from jmap_core import blobs

PREFIX = "p"
_PART_BLOB = re.compile(r"p([0-9a-f]{64})_([0-9A-Za-z-]{1,200})")


def part_blob_id(message_sha: str, part_id: str) -> str:
    return f"{PREFIX}{message_sha}_{part_id.replace('.', '-')}"


def split_part_blob_id(blob_id: str) -> tuple[str, str] | None:
    """The message's SHA-256 and the partId a part blobId names, or None."""
    match = _PART_BLOB.fullmatch(blob_id)
    if match is None:
        return None
    return match.group(1), match.group(2).replace("-", ".")


def read_part(account: Account, blob_id: str) -> blobs.Blob | None:
    from jmap_mail import mime
    from jmap_mail.models import Email

    split = split_part_blob_id(blob_id)
    if split is None:
        return None
    sha, part_id = split
    email = (
        Email.objects.filter(account=account, blob__sha256=sha)
        .select_related("blob")
        .only("parsed", "blob__data", "blob__sha256", "blob__store", "blob__size")
        .first()
    )
    if email is not None:
        msg = mime.ParsedMessage.from_cache(email.parsed)
        raw = blobs.read_content(email.blob)
    else:
        # A part of an uploaded message (RFC 8621 §4.9 Email/parse hands out such blobIds).
        content = blobs.find_content(account, blobs.BLOB_PREFIX + sha)
        if content is None:
            return None
        raw = blobs.read_content(content)
        msg = mime.parse_message(raw)
    part = msg.part(part_id)
    if part is None:
        return None
    return blobs.Blob(blob_id, mime.decode_part(raw, part), part.type)
