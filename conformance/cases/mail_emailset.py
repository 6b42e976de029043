"""RFC 8621 §4.6 Email/set: drafts, keywords, mailboxes, destroy and its SetErrors."""

from __future__ import annotations

from typing import Any

from conformance import messages
from conformance.checks import (
    JSONObject,
    as_list,
    as_map,
    expect,
    expect_eq,
    expect_id,
    expect_set_error,
    require,
    show,
)
from conformance.context import Context
from conformance.registry import MUST, SHOULD, Skipped, case

UNKNOWN_BLOB = "Gcf0000000000000000000000000000000000009"


def _create(ctx: Context, values: JSONObject) -> JSONObject:
    """Email/set create "d"; whatever gets created is destroyed after the case."""
    result = ctx.call("Email/set", {"create": {"d": values}})
    created = as_map(result.get("created"), "created")
    if "d" in created:
        ctx.destroy_later("Email", created["d"]["id"])
    return result


def _draft(ctx: Context, mailbox: str | None = None, **extra: Any) -> JSONObject:
    values: JSONObject = {
        "mailboxIds": {mailbox or ctx.mailbox(): True},
        "keywords": {"$draft": True},
        "from": [{"name": "Conformance", "email": "sender@conformance.example"}],
        "to": [{"name": "Receiver", "email": "receiver@conformance.example"}],
        "subject": f"Draft {messages.token()}",
        "bodyValues": {"b": {"value": "Draft body text.\n"}},
        "textBody": [{"partId": "b", "type": "text/plain"}],
    }
    values.update(extra)
    return values


def _created_id(ctx: Context, values: JSONObject) -> str:
    result = _create(ctx, values)
    created = as_map(result.get("created"), "created")
    expect("d" in created, f"Email/set create failed: {show(result.get('notCreated'))}")
    return str(created["d"]["id"])


@case(
    "mail.emailset.create-draft",
    rfc="8621",
    section="4.6",
    level=MUST,
    quote='For successfully created Email objects, the "created" response contains the '
    '"id", "blobId", "threadId", and "size" properties of the object.',
    sends="Email/set create a text/plain draft",
    expects="created[d] has id, blobId, threadId, size",
)
def create_draft(ctx: Context) -> None:
    result = _create(ctx, _draft(ctx))
    created = require(
        as_map(result.get("created"), "created").get("d"), f"not created: {show(result)}"
    )
    for key in ("id", "blobId", "threadId"):
        expect_id(created.get(key), key)
    expect(isinstance(created.get("size"), int), f"size: {show(created)}")


@case(
    "mail.emailset.create-round-trip",
    rfc="8621",
    section="4.6",
    level=MUST,
    quote="Creating a draft",
    sends="Email/set create, then Email/get subject, from, to, keywords, mailboxIds, body",
    expects="the values sent come back, and the text body value matches",
)
def create_round_trip(ctx: Context) -> None:
    mailbox = ctx.mailbox()
    values = _draft(ctx, mailbox)
    email_id = _created_id(ctx, values)
    got = ctx.call(
        "Email/get",
        {
            "ids": [email_id],
            "fetchTextBodyValues": True,
            "properties": [
                "subject",
                "from",
                "to",
                "keywords",
                "mailboxIds",
                "textBody",
                "bodyValues",
            ],
        },
    )["list"][0]
    for key in ("subject", "from", "to", "keywords", "mailboxIds"):
        expect_eq(got[key], values[key], key)
    part = got["textBody"][0]["partId"]
    expect_eq(got["bodyValues"][part]["value"], "Draft body text.\n", "body value")


@case(
    "mail.emailset.message-id-generated",
    rfc="8621",
    section="4.6",
    level=MUST,
    quote="If not included, the server MUST generate and set a Message-ID header field in "
    "conformance with [RFC5322], Section 3.6.4",
    sends="Email/set create a draft without messageId",
    expects="messageId is a 1-item array",
)
def message_id_generated(ctx: Context) -> None:
    email_id = _created_id(ctx, _draft(ctx))
    got = ctx.get_one("Email", email_id, ["messageId"])["messageId"]
    expect(isinstance(got, list) and len(got) == 1 and "@" in got[0], f"messageId {show(got)}")


@case(
    "mail.emailset.date-generated",
    rfc="8621",
    section="4.6",
    level=MUST,
    quote="and a Date header field in conformance with Section 3.6.1.",
    sends="Email/set create a draft without sentAt",
    expects="sentAt is set and header:Date is present",
)
def date_generated(ctx: Context) -> None:
    email_id = _created_id(ctx, _draft(ctx))
    got = ctx.get_one("Email", email_id, ["sentAt", "header:Date"])
    expect(got["sentAt"] and got["header:Date"], f"got {show(got)}")


@case(
    "mail.emailset.sent-at-given",
    rfc="8621",
    section="4.1.3",
    level=MUST,
    quote='The value is identical to the value of "header:Date:asDate".',
    sends="Email/set create with sentAt 2024-02-03T04:05:06+02:00",
    expects="Email/get sentAt 2024-02-03T04:05:06+02:00",
)
def sent_at_given(ctx: Context) -> None:
    email_id = _created_id(ctx, _draft(ctx, sentAt="2024-02-03T04:05:06+02:00"))
    got = ctx.get_one("Email", email_id, ["sentAt"])["sentAt"]
    expect_eq(got, "2024-02-03T04:05:06+02:00", "sentAt")


@case(
    "mail.emailset.custom-header",
    rfc="8621",
    section="4.6",
    level=MUST,
    quote="the client must set each header field as an individual property.",
    sends='Email/set create with "header:X-CF-Custom:asText": "hello there"',
    expects='Email/get header:X-CF-Custom:asText = "hello there"',
)
def custom_header(ctx: Context) -> None:
    email_id = _created_id(ctx, _draft(ctx, **{"header:X-CF-Custom:asText": "hello there"}))
    got = ctx.get_one("Email", email_id, ["header:X-CF-Custom:asText"])
    expect_eq(got["header:X-CF-Custom:asText"], "hello there", "header")


@case(
    "mail.emailset.html-and-text",
    rfc="8621",
    section="4.6",
    level=MUST,
    quote="If given, htmlBody MUST contain exactly one body part and it MUST be of type "
    '"text/html".',
    sends="Email/set create with textBody and htmlBody",
    expects="bodyStructure is multipart/alternative of text/plain and text/html",
)
def html_and_text(ctx: Context) -> None:
    values = _draft(
        ctx,
        bodyValues={"t": {"value": "Plain"}, "h": {"value": "<b>HTML</b>"}},
        textBody=[{"partId": "t", "type": "text/plain"}],
        htmlBody=[{"partId": "h", "type": "text/html"}],
    )
    email_id = _created_id(ctx, values)
    structure = ctx.get_one("Email", email_id, ["bodyStructure"])["bodyStructure"]
    expect_eq(structure.get("type"), "multipart/alternative", "type")
    expect_eq(
        [p.get("type") for p in structure.get("subParts", [])],
        ["text/plain", "text/html"],
        "subParts",
    )


@case(
    "mail.emailset.attachment-by-blob",
    rfc="8621",
    section="4.6",
    level=MUST,
    quote="The client may specify a partId OR a blobId, but not both.",
    sends="upload a PDF, Email/set create with attachments [{blobId, type, name}]",
    expects="Email/get attachments lists it with that name; its blob has the bytes",
)
def attachment_by_blob(ctx: Context) -> None:
    data = b"%PDF-1.4 attachment " + messages.token().encode()
    blob = ctx.upload(data, "application/pdf")
    email_id = _created_id(
        ctx,
        _draft(
            ctx,
            attachments=[{"blobId": blob["blobId"], "type": "application/pdf", "name": "cf.pdf"}],
        ),
    )
    attachments = ctx.get_one("Email", email_id, ["attachments"])["attachments"]
    expect_eq(
        [(a.get("name"), a.get("type")) for a in attachments],
        [("cf.pdf", "application/pdf")],
        "attachments",
    )
    response = ctx.client.download(ctx.account_id, attachments[0]["blobId"])
    expect(response.content == data, "attachment bytes differ")


@case(
    "mail.emailset.blob-not-found",
    rfc="8621",
    section="4.6",
    level=MUST,
    quote='An extra "notFound" property of type "Id[]" MUST be included in the SetError '
    'object containing every "blobId" referenced by an EmailBodyPart that could not be '
    "found on the server.",
    sends="Email/set create with an attachment blobId that does not exist",
    expects="notCreated[d].type = blobNotFound with notFound [that blobId]",
)
def blob_not_found(ctx: Context) -> None:
    result = _create(
        ctx, _draft(ctx, attachments=[{"blobId": UNKNOWN_BLOB, "type": "application/pdf"}])
    )
    error = expect_set_error(result, "notCreated", "d", "blobNotFound")
    expect_eq(error.get("notFound"), [UNKNOWN_BLOB], "notFound")


@case(
    "mail.emailset.no-mailbox",
    rfc="8621",
    section="4.1.1",
    level=MUST,
    quote="An Email in the mail store MUST belong to one or more Mailboxes at all times (until "
    "it is destroyed).",
    sends="Email/set create with mailboxIds {}",
    expects="notCreated[d] (invalidProperties)",
)
def no_mailbox(ctx: Context) -> None:
    result = _create(ctx, _draft(ctx, mailboxIds={}))
    expect_set_error(result, "notCreated", "d", "invalidProperties")


@case(
    "mail.emailset.unknown-mailbox",
    rfc="8620",
    section="5.3",
    level=MUST,
    quote="There is a reference to another record (foreign key), and the given id does not "
    "correspond to a valid record.",
    sends="Email/set create with mailboxIds {unknown: true}",
    expects="notCreated[d].type = invalidProperties",
)
def unknown_mailbox(ctx: Context) -> None:
    result = _create(ctx, _draft(ctx, mailboxIds={"cfNoSuchMailbox0": True}))
    expect_set_error(result, "notCreated", "d", "invalidProperties")


@case(
    "mail.emailset.headers-property-rejected",
    rfc="8621",
    section="4.6",
    level=SHOULD,
    quote='The "headers" property MUST NOT be given on either the top-level Email or an '
    "EmailBodyPart",
    sends='Email/set create with a "headers" array',
    expects="notCreated[d].type = invalidProperties",
)
def headers_property_rejected(ctx: Context) -> None:
    result = _create(ctx, _draft(ctx, headers=[{"name": "X-CF", "value": " x"}]))
    expect_set_error(result, "notCreated", "d", "invalidProperties")


@case(
    "mail.emailset.duplicate-header-rejected",
    rfc="8621",
    section="4.6",
    level=SHOULD,
    quote="There MUST NOT be two properties that represent the same header field (e.g., "
    '"header:from" and "from") within the Email or particular EmailBodyPart.',
    sends="Email/set create with both from and header:From:asAddresses",
    expects="notCreated[d].type = invalidProperties",
)
def duplicate_header_rejected(ctx: Context) -> None:
    extra: JSONObject = {
        "header:From:asAddresses": [{"name": None, "email": "other@conformance.example"}]
    }
    result = _create(ctx, _draft(ctx, **extra))
    expect_set_error(result, "notCreated", "d", "invalidProperties")


@case(
    "mail.emailset.content-header-on-email-rejected",
    rfc="8621",
    section="4.6",
    level=SHOULD,
    quote='Header fields beginning with "Content-" MUST NOT be specified on the Email '
    "object, only on EmailBodyPart objects.",
    sends='Email/set create with "header:Content-Type" on the Email',
    expects="notCreated[d].type = invalidProperties",
)
def content_header_on_email_rejected(ctx: Context) -> None:
    result = _create(ctx, _draft(ctx, **{"header:Content-Type": " text/plain"}))
    expect_set_error(result, "notCreated", "d", "invalidProperties")


@case(
    "mail.emailset.text-body-type",
    rfc="8621",
    section="4.6",
    level=SHOULD,
    quote="If given, textBody MUST contain exactly one body part and it MUST be of type "
    '"text/plain".',
    sends="Email/set create with textBody [{partId, type: text/html}]",
    expects="notCreated[d].type = invalidProperties",
)
def text_body_type(ctx: Context) -> None:
    result = _create(ctx, _draft(ctx, textBody=[{"partId": "b", "type": "text/html"}]))
    expect_set_error(result, "notCreated", "d", "invalidProperties")


@case(
    "mail.emailset.part-id-and-blob-id",
    rfc="8621",
    section="4.6",
    level=SHOULD,
    quote="The client may specify a partId OR a blobId, but not both.",
    sends="a textBody part with both partId and blobId",
    expects="notCreated[d].type = invalidProperties",
)
def part_id_and_blob_id(ctx: Context) -> None:
    blob = ctx.upload(b"text", "text/plain")
    result = _create(
        ctx, _draft(ctx, textBody=[{"partId": "b", "blobId": blob["blobId"], "type": "text/plain"}])
    )
    expect_set_error(result, "notCreated", "d", "invalidProperties")


@case(
    "mail.emailset.truncated-body-value",
    rfc="8621",
    section="4.6",
    level=SHOULD,
    quote="Within an EmailBodyValue object, isEncodingProblem and isTruncated MUST be either "
    "false or omitted.",
    sends="bodyValues {b: {value, isTruncated: true}}",
    expects="notCreated[d].type = invalidProperties",
)
def truncated_body_value(ctx: Context) -> None:
    result = _create(ctx, _draft(ctx, bodyValues={"b": {"value": "x", "isTruncated": True}}))
    expect_set_error(result, "notCreated", "d", "invalidProperties")


@case(
    "mail.emailset.keywords-replace",
    rfc="8621",
    section="4.6",
    level=MUST,
    quote="you can either replace the entire set of keywords/ Mailboxes (by setting the full "
    "value of the property)",
    sends="an email with {$seen}; update keywords {$flagged: true, cf-tag: true}",
    expects="keywords exactly {$flagged, cf-tag}",
)
def keywords_replace(ctx: Context) -> None:
    email = ctx.import_email(messages.simple(), keywords={"$seen": True})
    wanted = {"$flagged": True, "cf-tag": True}
    ctx.call("Email/set", {"update": {email["id"]: {"keywords": wanted}}})
    expect_eq(ctx.get_one("Email", email["id"], ["keywords"])["keywords"], wanted, "keywords")


@case(
    "mail.emailset.keyword-patch-add",
    rfc="8621",
    section="4.6",
    level=MUST,
    quote="or add/remove individual ones using the JMAP patch syntax",
    sends='an email with {$seen}; update {"keywords/$flagged": true}',
    expects="keywords {$seen, $flagged}",
)
def keyword_patch_add(ctx: Context) -> None:
    email = ctx.import_email(messages.simple(), keywords={"$seen": True})
    ctx.call("Email/set", {"update": {email["id"]: {"keywords/$flagged": True}}})
    expect_eq(
        ctx.get_one("Email", email["id"], ["keywords"])["keywords"],
        {"$seen": True, "$flagged": True},
        "keywords",
    )


@case(
    "mail.emailset.keyword-patch-remove",
    rfc="8621",
    section="4.6",
    level=MUST,
    quote="or add/remove individual ones using the JMAP patch syntax",
    sends='an email with {$seen, $flagged}; update {"keywords/$seen": null}',
    expects="keywords {$flagged}",
)
def keyword_patch_remove(ctx: Context) -> None:
    email = ctx.import_email(messages.simple(), keywords={"$seen": True, "$flagged": True})
    ctx.call("Email/set", {"update": {email["id"]: {"keywords/$seen": None}}})
    expect_eq(
        ctx.get_one("Email", email["id"], ["keywords"])["keywords"], {"$flagged": True}, "keywords"
    )


@case(
    "mail.emailset.patch-overlap",
    rfc="8620",
    section="5.3",
    level=MUST,
    quote="There MUST NOT be two patches in the PatchObject where the pointer of one is the "
    "prefix of the pointer of the other",
    sends='update {keywords: {$seen: true}, "keywords/$flagged": true}',
    expects="notUpdated[id].type = invalidPatch",
)
def patch_overlap(ctx: Context) -> None:
    email = ctx.import_email(messages.simple())
    result = ctx.call(
        "Email/set",
        {"update": {email["id"]: {"keywords": {"$seen": True}, "keywords/$flagged": True}}},
    )
    expect_set_error(result, "notUpdated", email["id"], "invalidPatch")


@case(
    "mail.emailset.mailbox-patch-add",
    rfc="8621",
    section="4.6",
    level=MUST,
    quote="Adding/removing an Email to/from Mailboxes (moving a message)",
    sends='an email in A; update {"mailboxIds/B": true}',
    expects="mailboxIds {A: true, B: true}",
)
def mailbox_patch_add(ctx: Context) -> None:
    first, second = ctx.mailbox(), ctx.mailbox()
    email = ctx.import_email(messages.simple(), first)
    ctx.call("Email/set", {"update": {email["id"]: {f"mailboxIds/{second}": True}}})
    expect_eq(
        ctx.get_one("Email", email["id"], ["mailboxIds"])["mailboxIds"],
        {first: True, second: True},
        "mailboxIds",
    )


@case(
    "mail.emailset.remove-last-mailbox",
    rfc="8621",
    section="4.1.1",
    level=MUST,
    quote="An Email in the mail store MUST belong to one or more Mailboxes at all times (until "
    "it is destroyed).",
    sends='an email only in A; update {"mailboxIds/A": null}',
    expects="notUpdated[id] (invalidProperties); the email stays in A",
)
def remove_last_mailbox(ctx: Context) -> None:
    mailbox = ctx.mailbox()
    email = ctx.import_email(messages.simple(), mailbox)
    result = ctx.call("Email/set", {"update": {email["id"]: {f"mailboxIds/{mailbox}": None}}})
    expect_set_error(result, "notUpdated", email["id"], "invalidProperties")
    expect_eq(
        ctx.get_one("Email", email["id"], ["mailboxIds"])["mailboxIds"],
        {mailbox: True},
        "mailboxIds",
    )


@case(
    "mail.emailset.immutable-subject",
    rfc="8621",
    section="4.1.3",
    level=MUST,
    quote='o subject: "String|null" (immutable)',
    sends="update subject of an existing email",
    expects="notUpdated[id].type = invalidProperties",
)
def immutable_subject(ctx: Context) -> None:
    email = ctx.import_email(messages.simple())
    result = ctx.call("Email/set", {"update": {email["id"]: {"subject": "changed"}}})
    expect_set_error(result, "notUpdated", email["id"], "invalidProperties")


@case(
    "mail.emailset.immutable-received-at",
    rfc="8621",
    section="4.1.1",
    level=MUST,
    quote='o receivedAt: "UTCDate" (immutable; default: time of creation on server)',
    sends="update receivedAt of an existing email to another date",
    expects="notUpdated[id].type = invalidProperties",
)
def immutable_received_at(ctx: Context) -> None:
    email = ctx.import_email(messages.simple(), received_at="2022-01-01T00:00:00Z")
    result = ctx.call(
        "Email/set", {"update": {email["id"]: {"receivedAt": "2021-01-01T00:00:00Z"}}}
    )
    expect_set_error(result, "notUpdated", email["id"], "invalidProperties")


@case(
    "mail.emailset.destroy",
    rfc="8621",
    section="4.6",
    level=MUST,
    quote="Destroying an Email removes it from all Mailboxes to which it belonged.",
    sends="an email in A and B; Email/set destroy",
    expects="destroyed lists it; Email/get notFound; A and B totalEmails drop to 0",
)
def destroy(ctx: Context) -> None:
    first, second = ctx.mailbox(), ctx.mailbox()
    email = ctx.import_email(messages.simple(), first)
    ctx.call("Email/set", {"update": {email["id"]: {f"mailboxIds/{second}": True}}})
    result = ctx.call("Email/set", {"destroy": [email["id"]]})
    expect(email["id"] in as_list(result.get("destroyed"), "destroyed"), show(result))
    expect_eq(ctx.call("Email/get", {"ids": [email["id"]]})["notFound"], [email["id"]], "notFound")
    for mailbox in (first, second):
        count = ctx.get_one("Mailbox", mailbox, ["totalEmails"])["totalEmails"]
        expect_eq(count, 0, "totalEmails after destroy")


@case(
    "mail.emailset.too-many-mailboxes",
    rfc="8621",
    section="4.6",
    level=MUST,
    quote='"tooManyMailboxes": The change to the set of Mailboxes that this Email is in '
    "would exceed a server-defined maximum.",
    sends="maxMailboxesPerEmail + 1 mailboxes; update an email's mailboxIds to all of them",
    expects="notUpdated[id].type = tooManyMailboxes",
)
def too_many_mailboxes(ctx: Context) -> None:
    caps = ctx.account_capability("urn:ietf:params:jmap:mail") or {}
    limit = caps.get("maxMailboxesPerEmail")
    if not isinstance(limit, int) or limit > 50:
        raise Skipped(f"maxMailboxesPerEmail is {limit!r}")
    boxes = [ctx.mailbox() for _ in range(limit + 1)]
    email = ctx.import_email(messages.simple(), boxes[0])
    result = ctx.call(
        "Email/set", {"update": {email["id"]: {"mailboxIds": dict.fromkeys(boxes, True)}}}
    )
    expect_set_error(result, "notUpdated", email["id"], "tooManyMailboxes")


@case(
    "mail.emailset.creation-reference-mailbox",
    rfc="8620",
    section="5.3",
    level=MUST,
    quote="That reference may be set (via create or update) in the same request as the "
    "referenced record is created.",
    sends='Mailbox/set create "mb", then Email/set create with mailboxIds {"#mb": true}',
    expects="the email is in the new mailbox",
)
def creation_reference_mailbox(ctx: Context) -> None:
    responses = ctx.responses(
        [
            ("Mailbox/set", {"create": {"mb": {"name": ctx.unique("ref")}}}),
            ("Email/set", {"create": {"d": _draft(ctx, mailboxIds={"#mb": True})}}),
        ]
    )
    mailbox = as_map(responses[0][1].get("created"), "created").get("mb", {}).get("id")
    if mailbox:
        ctx.destroy_later("Mailbox", mailbox)
    created = as_map(responses[1][1].get("created"), "created").get("d")
    if created:
        ctx.destroy_later("Email", created["id"])
    expect(mailbox and created, f"responses: {show(responses)}")
    created = require(created, "not created")
    expect_eq(
        ctx.get_one("Email", created["id"], ["mailboxIds"])["mailboxIds"],
        {mailbox: True},
        "mailboxIds",
    )


@case(
    "mail.emailset.state-changes",
    rfc="8620",
    section="5.3",
    level=MUST,
    quote='newState: "String" The state string that will now be returned by "Foo/get".',
    sends="Email/set update keywords of an email",
    expects="newState differs from oldState and equals the Email/get state",
)
def state_changes(ctx: Context) -> None:
    email = ctx.import_email(messages.simple())
    result = ctx.call("Email/set", {"update": {email["id"]: {"keywords/$seen": True}}})
    expect(result["newState"] != result.get("oldState"), show(result))
    expect_eq(result["newState"], ctx.state("Email"), "newState")
