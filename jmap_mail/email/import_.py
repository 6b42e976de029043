"""Email/import (RFC 8621 §4.8): messages from uploaded blobs."""

from __future__ import annotations

from django.db import transaction

from jmap_core import blobs
from jmap_core.args import ArgReader
from jmap_core.context import CallContext
from jmap_core.errors import SetError, StateMismatch, invalid_properties
from jmap_core.registry import method
from jmap_core.types import JSONObject, JSONValue
from jmap_mail import ingest
from jmap_mail.capabilities import MAIL
from jmap_mail.email.create import _received_at
from jmap_mail.email.type import EMAIL_TYPE, resolve_mailboxes
from jmap_mail.keywords import parse_keywords
from jmap_mail.models import Email


@method("Email/import", capability=MAIL, writes=True)
def email_import(ctx: CallContext, arguments: JSONObject) -> JSONObject:
    """Import each EmailImport in its own savepoint; creation ids are recorded (§4.8)."""
    reader = ArgReader(arguments, ("accountId", "ifInState", "emails"))
    if_in_state = reader.string("ifInState")
    items = reader.mapping("emails")
    if items is None:
        reader.fail("emails", "an object")
    reader.done()
    assert items is not None
    old_state = EMAIL_TYPE.state(ctx)
    if if_in_state is not None and if_in_state != old_state:
        raise StateMismatch(f"the Email state is {old_state}")
    created: JSONObject = {}
    not_created: JSONObject = {}
    for creation_id, item in items.items():
        try:
            with transaction.atomic():
                email = _import_one(ctx, item)
        except SetError as error:
            not_created[creation_id] = error.to_json()
            continue
        created[creation_id] = {
            "id": email.jmap_id,
            "blobId": "b" + email.blob.sha256,
            "threadId": email.thread.jmap_id,
            "size": email.size,
        }
        ctx.created_ids[creation_id] = email.jmap_id
    return {
        "accountId": ctx.account.jmap_id,
        "oldState": old_state,
        "newState": EMAIL_TYPE.state(ctx),
        "created": created or None,
        "notCreated": not_created or None,
    }


def _import_one(ctx: CallContext, item: JSONValue) -> Email:
    if not isinstance(item, dict):
        raise invalid_properties(description="an EmailImport must be an object")
    unknown = set(item) - {"blobId", "mailboxIds", "keywords", "receivedAt"}
    if unknown:
        raise invalid_properties(*unknown, description="unknown EmailImport properties")
    blob_id = ctx.resolve_id(item.get("blobId"))
    content = blobs.find_content(ctx.account, blob_id) if isinstance(blob_id, str) else None
    if content is not None:
        data = blobs.read_content(content)
    else:
        blob = blobs.read(ctx.account, blob_id) if isinstance(blob_id, str) else None
        if blob is None:
            raise SetError("blobNotFound", f"no blob {blob_id}", notFound=[str(blob_id)])
        data = blob.data
    mailboxes = resolve_mailboxes(ctx, item.get("mailboxIds"))
    keywords = parse_keywords(item.get("keywords") or {})
    if keywords is None:
        raise invalid_properties("keywords")
    received_at = _received_at(item.get("receivedAt"))
    ingest.raise_for_size(data)
    if not _looks_like_a_message(data):
        raise SetError("invalidEmail", "the blob is not an RFC 5322 message")
    return ingest.store_message(
        ctx.account,
        data,
        mailboxes=mailboxes,
        keywords=keywords,
        received_at=received_at,
        content=content,
    )


def _looks_like_a_message(raw: bytes) -> bool:
    """At least one header field before the body (RFC 5322 §2.1); all else is stored as is."""
    head = raw[:4096].lstrip(b"\r\n")
    first_line = head.split(b"\n", 1)[0]
    name, sep, _ = first_line.partition(b":")
    return bool(sep) and bool(name) and all(33 <= c <= 126 for c in name)
