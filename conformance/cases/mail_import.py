"""RFC 8621 §4.8 Email/import."""

from __future__ import annotations

from conformance import messages
from conformance.checks import (
    JSONObject,
    as_map,
    expect,
    expect_eq,
    expect_id,
    expect_set_error,
    require,
    show,
)
from conformance.context import Context
from conformance.registry import MUST, case

UNKNOWN_BLOB = "Gcf0000000000000000000000000000000000008"


def _import(ctx: Context, items: dict[str, JSONObject], **extra: object) -> JSONObject:
    result = ctx.call("Email/import", {"emails": items, **extra})
    for created in as_map(result.get("created"), "created").values():
        ctx.destroy_later("Email", created["id"])
    return result


def _item(ctx: Context, raw: bytes | None = None, **extra: object) -> JSONObject:
    blob = ctx.upload(raw or messages.simple(), "message/rfc822")
    return {"blobId": blob["blobId"], "mailboxIds": {ctx.mailbox(): True}, **extra}


@case(
    "mail.import.created",
    rfc="8621",
    section="4.8",
    level=MUST,
    quote='A map of the creation id to an object containing the "id", "blobId", '
    '"threadId", and "size" properties for each successfully imported Email',
    sends="Email/import one uploaded message",
    expects="created[e] with id, blobId, threadId (Ids) and size = the message's octets",
)
def created(ctx: Context) -> None:
    raw = messages.simple()
    result = _import(ctx, {"e": _item(ctx, raw)})
    item = require(
        as_map(result.get("created"), "created").get("e"), f"not imported: {show(result)}"
    )
    for key in ("id", "blobId", "threadId"):
        expect_id(item.get(key), key)
    expect_eq(item.get("size"), len(raw), "size")


@case(
    "mail.import.states",
    rfc="8621",
    section="4.8",
    level=MUST,
    quote='The state string that will now be returned by "Email/get" on this account.',
    sends="Email/get state S, Email/import, Email/get state T",
    expects="oldState S (or null), newState T, and T differs from S",
)
def states(ctx: Context) -> None:
    before = ctx.state("Email")
    result = _import(ctx, {"e": _item(ctx)})
    expect("newState" in result, f"the response has no newState: {show(result)}")
    expect(result.get("oldState") in (before, None), f"oldState {result.get('oldState')!r}")
    expect_eq(result["newState"], ctx.state("Email"), "newState")
    expect(result["newState"] != before, "newState equals the old state")


@case(
    "mail.import.missing-mailbox-ids",
    rfc="8621",
    section="4.8",
    level=MUST,
    quote='If the "blobId", "mailboxIds", or "keywords" properties are invalid (e.g., '
    "missing, wrong type, id not found), the server MUST reject the import with an "
    '"invalidProperties" SetError.',
    sends="Email/import without mailboxIds",
    expects="notCreated[e].type = invalidProperties",
)
def missing_mailbox_ids(ctx: Context) -> None:
    item = _item(ctx)
    del item["mailboxIds"]
    expect_set_error(_import(ctx, {"e": item}), "notCreated", "e", "invalidProperties")


@case(
    "mail.import.empty-mailbox-ids",
    rfc="8621",
    section="4.8",
    level=MUST,
    quote="The ids of the Mailboxes to assign this Email to. At least one Mailbox MUST be given.",
    sends="Email/import with mailboxIds {}",
    expects="notCreated[e].type = invalidProperties",
)
def empty_mailbox_ids(ctx: Context) -> None:
    result = _import(ctx, {"e": _item(ctx, mailboxIds={})})
    expect_set_error(result, "notCreated", "e", "invalidProperties")


@case(
    "mail.import.unknown-mailbox",
    rfc="8621",
    section="4.8",
    level=MUST,
    quote='If the "blobId", "mailboxIds", or "keywords" properties are invalid (e.g., '
    "missing, wrong type, id not found), the server MUST reject the import with an "
    '"invalidProperties" SetError.',
    sends="Email/import into an unknown mailbox id",
    expects="notCreated[e].type = invalidProperties",
)
def unknown_mailbox(ctx: Context) -> None:
    result = _import(ctx, {"e": _item(ctx, mailboxIds={"cfNoSuchMailbox0": True})})
    expect_set_error(result, "notCreated", "e", "invalidProperties")


@case(
    "mail.import.unknown-blob",
    rfc="8621",
    section="4.8",
    level=MUST,
    quote='If the "blobId", "mailboxIds", or "keywords" properties are invalid (e.g., '
    "missing, wrong type, id not found), the server MUST reject the import with an "
    '"invalidProperties" SetError.',
    sends="Email/import of an unknown blobId",
    expects="notCreated[e].type = invalidProperties (blobNotFound also accepted)",
)
def unknown_blob(ctx: Context) -> None:
    result = _import(ctx, {"e": _item(ctx, blobId=UNKNOWN_BLOB)})
    expect_set_error(result, "notCreated", "e", "invalidProperties", "blobNotFound")


@case(
    "mail.import.keywords-wrong-type",
    rfc="8621",
    section="4.8",
    level=MUST,
    quote='If the "blobId", "mailboxIds", or "keywords" properties are invalid (e.g., '
    "missing, wrong type, id not found), the server MUST reject the import with an "
    '"invalidProperties" SetError.',
    sends='Email/import with keywords ["$seen"] (an array)',
    expects="notCreated[e].type = invalidProperties",
)
def keywords_wrong_type(ctx: Context) -> None:
    result = _import(ctx, {"e": _item(ctx, keywords=["$seen"])})
    expect_set_error(result, "notCreated", "e", "invalidProperties")


@case(
    "mail.import.if-in-state",
    rfc="8621",
    section="4.8",
    level=MUST,
    quote="If supplied, the string must match the current state of the account referenced by "
    'the accountId; otherwise, the method will be aborted and a "stateMismatch" error '
    "returned.",
    sends="note the Email state, import one email, then Email/import with the noted (stale) "
    "state as ifInState",
    expects="a stateMismatch error",
)
def if_in_state(ctx: Context) -> None:
    stale = ctx.state("Email")
    ctx.import_email(messages.simple())
    ctx.expect_error(
        "Email/import", {"ifInState": stale, "emails": {"e": _item(ctx)}}, "stateMismatch"
    )


@case(
    "mail.import.partial-success",
    rfc="8621",
    section="4.8",
    level=MUST,
    quote="Each Email to import is considered an atomic unit that may succeed or fail "
    "individually.",
    sends="Email/import of one valid and one invalid (unknown mailbox) email",
    expects="the valid one in created, the invalid one in notCreated",
)
def partial_success(ctx: Context) -> None:
    result = _import(
        ctx, {"good": _item(ctx), "bad": _item(ctx, mailboxIds={"cfNoSuchMailbox0": True})}
    )
    expect("good" in as_map(result.get("created"), "created"), show(result))
    expect("bad" in as_map(result.get("notCreated"), "notCreated"), show(result))


@case(
    "mail.import.duplicate",
    rfc="8621",
    section="4.8",
    level=MUST,
    quote="In this case, it MUST reject attempts to import an Email considered to be a "
    'duplicate with an "alreadyExists" SetError. An "existingId" property of type '
    '"Id" MUST be included on the SetError object with the id of the existing Email.',
    sends="import the same blob twice into the same mailbox",
    expects="either alreadyExists with existingId = the first id, or a second Email with a "
    "different id",
)
def duplicate(ctx: Context) -> None:
    item = _item(ctx)
    first = as_map(_import(ctx, {"a": item}).get("created"), "created")["a"]["id"]
    result = _import(ctx, {"b": item})
    not_created = as_map(result.get("notCreated"), "notCreated")
    if "b" in not_created:
        expect_eq(not_created["b"].get("type"), "alreadyExists", "SetError type")
        expect_eq(not_created["b"].get("existingId"), first, "existingId")
    else:
        second = as_map(result.get("created"), "created")["b"]["id"]
        expect(second != first, "a duplicate import reused the existing id")


@case(
    "mail.import.duplicate-independent",
    rfc="8621",
    section="4.8",
    level=MUST,
    quote="If duplicates are allowed, the newly created Email object MUST have a separate id "
    "and independent mutable properties to the existing object.",
    sends="import the same blob twice; if both exist, flag only the second",
    expects="the first stays unflagged (skipped as passed when duplicates are refused)",
)
def duplicate_independent(ctx: Context) -> None:
    item = _item(ctx)
    first = as_map(_import(ctx, {"a": item}).get("created"), "created")["a"]["id"]
    second = as_map(_import(ctx, {"b": item}).get("created"), "created").get("b", {}).get("id")
    if second is None:
        return
    ctx.call("Email/set", {"update": {second: {"keywords/$flagged": True}}})
    expect_eq(ctx.get_one("Email", first, ["keywords"])["keywords"], {}, "first's keywords")


@case(
    "mail.import.eai-headers",
    rfc="8621",
    section="4.8",
    level=MUST,
    quote="The server MUST support messages with Email Address Internationalization (EAI) "
    "headers [RFC6532].",
    sends="import a message with raw UTF-8 in From (display name and local part) and Subject",
    expects="from [{name: Zoë Ünicode, email: zoë@bücher.example}], subject Ünïcode ✓",
)
def eai_headers(ctx: Context) -> None:
    raw = messages.message(subject="Ünïcode ✓", from_='"Zoë Ünicode" <zoë@bücher.example>')
    email = ctx.import_email(raw)
    got = ctx.get_one("Email", email["id"], ["from", "subject"])
    expect_eq(got["from"], [{"name": "Zoë Ünicode", "email": "zoë@bücher.example"}], "from")
    expect_eq(got["subject"], "Ünïcode ✓", "subject")


@case(
    "mail.import.modified-message-new-blob",
    rfc="8621",
    section="4.8",
    level=MUST,
    quote='If it does this, the "blobId" on the response MUST represent the new '
    'representation and therefore be different to the "blobId" on the EmailImport '
    "object.",
    sends="import a message with a NUL octet in its body",
    expects="invalidEmail, or an Email whose blob is unchanged when its blobId is the uploaded one",
)
def modified_message_new_blob(ctx: Context) -> None:
    raw = messages.simple(body="Body with a NUL \x00 octet.\r\n")
    item = _item(ctx, raw)
    result = _import(ctx, {"e": item})
    not_created = as_map(result.get("notCreated"), "notCreated")
    if "e" in not_created:
        expect_eq(not_created["e"].get("type"), "invalidEmail", "SetError type")
        return
    created = as_map(result.get("created"), "created")["e"]
    if created["blobId"] == item["blobId"]:
        response = ctx.client.download(ctx.account_id, created["blobId"])
        expect(response.content == raw, "the message changed but kept the uploaded blobId")


@case(
    "mail.import.changes",
    rfc="8620",
    section="5.2",
    level=MUST,
    quote="An array of ids for records that have been created since the old state.",
    sends="Email/get state, Email/import, Email/changes",
    expects="the imported id is in created",
)
def changes(ctx: Context) -> None:
    since = ctx.state("Email")
    email = ctx.import_email(messages.simple())
    result = ctx.call("Email/changes", {"sinceState": since})
    expect(email["id"] in result["created"], show(result))
