"""Email/import (RFC 8621 §4.8): messages from uploaded blobs."""

from __future__ import annotations

from jmap_core import blobs, limits, state
from jmap_core.args import ArgReader
from jmap_core.context import CallContext
from jmap_core.errors import RequestTooLarge, SetError, StateMismatch, invalid_properties
from jmap_core.models import BlobContent
from jmap_core.registry import method
from jmap_core.types import JSONObject, JSONValue
from jmap_mail import ingest
from jmap_mail.capabilities import MAIL
from jmap_mail.email.create import _received_at
from jmap_mail.email.type import EMAIL_TYPE, MailboxCache
from jmap_mail.keywords import parse_keywords
from jmap_mail.models import Mailbox


@method("Email/import", capability=MAIL, writes=True, lock_first=False)
def email_import(ctx: CallContext, arguments: JSONObject) -> JSONObject:
    """Import the EmailImports (§4.8): each is checked on its own (a bad one is notCreated,
    the others go on), then all are stored as one batch; creation ids are recorded."""
    reader = ArgReader(arguments, ("accountId", "ifInState", "emails"))
    if_in_state = reader.string("ifInState")
    items = reader.mapping("emails")
    if items is None:
        reader.fail("emails", "an object")
    reader.done()
    assert items is not None
    if len(items) > limits.get("maxObjectsInSet"):
        # RFC 8620 §2 maxObjectsInSet bounds every call that creates like /set does.
        raise RequestTooLarge(f"at most {limits.get('maxObjectsInSet')} emails per import")
    _check_state(ctx, if_in_state)
    uploaded = ctx.request.uploaded
    contents = blobs.find_contents(ctx.account, _blob_ids(ctx, items), in_hand=uploaded)
    mailboxes = MailboxCache(ctx)
    outcomes: dict[str, ingest.Incoming | SetError] = {}
    for creation_id, item in items.items():
        try:
            outcomes[creation_id] = _read_one(ctx, item, contents, mailboxes)
        except SetError as error:
            outcomes[creation_id] = error
    # Parsing needs no lock: other requests of the account go on while it runs.
    prepared = iter(
        ingest.prepare([o for o in outcomes.values() if isinstance(o, ingest.Incoming)])
    )
    ready = {
        cid: next(prepared) if isinstance(o, ingest.Incoming) else o for cid, o in outcomes.items()
    }
    state.lock(ctx.account)
    old_state = _check_state(ctx, if_in_state)
    _drop_vanished_mailboxes(ready)
    batch = [o for o in ready.values() if isinstance(o, ingest.Prepared)]
    stored = iter(ingest.store_prepared(ctx.account, batch))
    created: JSONObject = {}
    not_created: JSONObject = {}
    for creation_id, outcome in ready.items():
        result = next(stored) if isinstance(outcome, ingest.Prepared) else outcome
        if isinstance(result, SetError):
            not_created[creation_id] = result.to_json()
            continue
        created[creation_id] = {
            "id": result.jmap_id,
            "blobId": "b" + result.blob.sha256,
            "threadId": result.thread.jmap_id,
            "size": result.size,
        }
        ctx.created_ids[creation_id] = result.jmap_id
    return {
        "accountId": ctx.account.jmap_id,
        "oldState": old_state,
        "newState": EMAIL_TYPE.state(ctx),
        "created": created or None,
        "notCreated": not_created or None,
    }


def _check_state(ctx: CallContext, if_in_state: str | None) -> str:
    current = EMAIL_TYPE.state(ctx)
    if if_in_state is not None and if_in_state != current:
        raise StateMismatch(f"the Email state is {current}")
    return current


def _drop_vanished_mailboxes(ready: dict[str, ingest.Prepared | SetError]) -> None:
    """A mailbox destroyed while the batch was parsed (before the lock) refuses its emails."""
    named = {m.pk for p in ready.values() if isinstance(p, ingest.Prepared) for m in p.mailboxes}
    live = set(Mailbox.objects.filter(pk__in=named).values_list("pk", flat=True))
    for creation_id, item in ready.items():
        if isinstance(item, ingest.Prepared) and any(m.pk not in live for m in item.mailboxes):
            ready[creation_id] = invalid_properties("mailboxIds", description="unknown mailbox")


def _blob_ids(ctx: CallContext, items: JSONObject) -> list[str]:
    found = []
    for item in items.values():
        if isinstance(item, dict):
            blob_id = ctx.resolve_id(item.get("blobId"))
            if isinstance(blob_id, str):
                found.append(blob_id)
    return found


def _read_one(
    ctx: CallContext,
    item: JSONValue,
    contents: dict[str, BlobContent],
    mailboxes: MailboxCache,
) -> ingest.Incoming:
    """Check one EmailImport and fetch its message; raises SetError."""
    if not isinstance(item, dict):
        raise invalid_properties(description="an EmailImport must be an object")
    unknown = set(item) - {"blobId", "mailboxIds", "keywords", "receivedAt"}
    if unknown:
        raise invalid_properties(*unknown, description="unknown EmailImport properties")
    blob_id = ctx.resolve_id(item.get("blobId"))
    content = contents.get(blob_id) if isinstance(blob_id, str) else None
    if content is not None:
        # Bytes this request uploaded (RFC 9404 Blob/upload) are not read back from the store.
        assert isinstance(blob_id, str)
        data = ctx.request.uploaded.get(blob_id) or blobs.read_content(content)
    else:
        blob = blobs.read(ctx.account, blob_id) if isinstance(blob_id, str) else None
        if blob is None:
            raise SetError("blobNotFound", f"no blob {blob_id}", notFound=[str(blob_id)])
        data = blob.data
    resolved = mailboxes.resolve(item.get("mailboxIds"))
    keywords = parse_keywords(item.get("keywords") or {})
    if keywords is None:
        raise invalid_properties("keywords")
    received_at = _received_at(item.get("receivedAt"))
    ingest.raise_for_size(data)
    if not _looks_like_a_message(data):
        raise SetError("invalidEmail", "the blob is not an RFC 5322 message")
    return ingest.Incoming(data, resolved, keywords, received_at, content)


def _looks_like_a_message(raw: bytes) -> bool:
    """At least one header field before the body (RFC 5322 §2.1); all else is stored as is."""
    head = raw[:4096].lstrip(b"\r\n")
    first_line = head.split(b"\n", 1)[0]
    name, sep, _ = first_line.partition(b":")
    return bool(sep) and bool(name) and all(33 <= c <= 126 for c in name)
