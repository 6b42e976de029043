"""RFC 8621 §4.1.1 Email metadata and §4.2 Email/get."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from conformance import messages
from conformance.checks import (
    as_map,
    expect,
    expect_eq,
    expect_id,
    expect_set_error,
    expect_type,
    expect_unsigned,
    expect_utcdate,
)
from conformance.context import Context
from conformance.registry import MUST, SHOULD, case

DEFAULT_PROPERTIES = [
    "id",
    "blobId",
    "threadId",
    "mailboxIds",
    "keywords",
    "size",
    "receivedAt",
    "messageId",
    "inReplyTo",
    "references",
    "sender",
    "from",
    "to",
    "cc",
    "bcc",
    "replyTo",
    "subject",
    "sentAt",
    "hasAttachment",
    "preview",
    "bodyValues",
    "textBody",
    "htmlBody",
    "attachments",
]


def _parse_utc(value: str) -> datetime:
    return datetime.strptime(value[:19], "%Y-%m-%dT%H:%M:%S").replace(tzinfo=UTC)


@case(
    "mail.email.default-properties",
    rfc="8621",
    section="4.2",
    level=MUST,
    quote='If the standard "properties" argument is omitted or null, the following default '
    'MUST be used instead of "all" properties:',
    sends="Email/get of an imported email without properties",
    expects="exactly the 24 default properties (no headers, no bodyStructure)",
)
def default_properties(ctx: Context) -> None:
    email = ctx.import_email(messages.simple())
    got = ctx.get_one("Email", email["id"])
    expect_eq(sorted(got), sorted(DEFAULT_PROPERTIES), "returned properties")


@case(
    "mail.email.metadata-types",
    rfc="8621",
    section="4.1.1",
    level=MUST,
    quote="These properties represent metadata about the message in the mail store and are not "
    "derived from parsing the message itself.",
    sends="Email/get id, blobId, threadId, mailboxIds, keywords, size, receivedAt",
    expects="Ids, an Id[Boolean] map, a String[Boolean] map, an UnsignedInt and a UTCDate",
)
def metadata_types(ctx: Context) -> None:
    email = ctx.import_email(messages.simple())
    got = ctx.get_one(
        "Email", email["id"], ["blobId", "threadId", "mailboxIds", "keywords", "size", "receivedAt"]
    )
    for key in ("id", "blobId", "threadId"):
        expect_id(got[key], key)
    expect_type(got["mailboxIds"], dict, "mailboxIds")
    expect_type(got["keywords"], dict, "keywords")
    expect_unsigned(got["size"], "size")
    expect_utcdate(got["receivedAt"], "receivedAt")


@case(
    "mail.email.import-result-matches-get",
    rfc="8621",
    section="4.8",
    level=MUST,
    quote='A map of the creation id to an object containing the "id", "blobId", '
    '"threadId", and "size" properties for each successfully imported Email',
    sends="Email/import, then Email/get blobId, threadId, size",
    expects="the import result and Email/get agree",
)
def import_result_matches_get(ctx: Context) -> None:
    email = ctx.import_email(messages.simple())
    got = ctx.get_one("Email", email["id"], ["blobId", "threadId", "size"])
    for key in ("blobId", "threadId", "size"):
        expect_eq(got[key], email.get(key), key)


@case(
    "mail.email.mailbox-ids",
    rfc="8621",
    section="4.1.1",
    level=MUST,
    quote="The set of Mailbox ids this Email belongs to.",
    sends="import into mailboxes A and B",
    expects="mailboxIds {A: true, B: true}",
)
def mailbox_ids(ctx: Context) -> None:
    first, second = ctx.mailbox(), ctx.mailbox()
    blob = ctx.upload(messages.simple(), "message/rfc822")
    result = ctx.call(
        "Email/import",
        {"emails": {"e": {"blobId": blob["blobId"], "mailboxIds": {first: True, second: True}}}},
    )
    email_id = as_map(result.get("created"), "created")["e"]["id"]
    ctx.destroy_later("Email", email_id)
    got = ctx.get_one("Email", email_id, ["mailboxIds"])
    expect_eq(got["mailboxIds"], {first: True, second: True}, "mailboxIds")


@case(
    "mail.email.keywords",
    rfc="8621",
    section="4.1.1",
    level=MUST,
    quote="A set of keywords that apply to the Email.",
    sends="import with keywords {$seen, $flagged, $answered, $forwarded, cf-custom}",
    expects="exactly those keywords, each true",
)
def keywords(ctx: Context) -> None:
    wanted = dict.fromkeys(("$seen", "$flagged", "$answered", "$forwarded", "cf-custom"), True)
    email = ctx.import_email(messages.simple(), keywords=wanted)
    expect_eq(ctx.get_one("Email", email["id"], ["keywords"])["keywords"], wanted, "keywords")


@case(
    "mail.email.keywords-lowercase",
    rfc="8621",
    section="4.1.1",
    level=MUST,
    quote="Because JSON is case sensitive, servers MUST return keywords in lowercase.",
    sends="import with keywords {$Flagged, CF-MixedCase}",
    expects="keywords {$flagged, cf-mixedcase}",
)
def keywords_lowercase(ctx: Context) -> None:
    email = ctx.import_email(messages.simple(), keywords={"$Flagged": True, "CF-MixedCase": True})
    got = ctx.get_one("Email", email["id"], ["keywords"])["keywords"]
    expect_eq(got, {"$flagged": True, "cf-mixedcase": True}, "keywords")


@case(
    "mail.email.keyword-value-true",
    rfc="8621",
    section="4.1.1",
    level=MUST,
    quote="The value for each key in the object MUST be true.",
    sends="Email/set update keywords {$seen: false}",
    expects="notUpdated[id].type = invalidProperties",
)
def keyword_value_true(ctx: Context) -> None:
    email = ctx.import_email(messages.simple())
    result = ctx.call("Email/set", {"update": {email["id"]: {"keywords": {"$seen": False}}}})
    expect_set_error(result, "notUpdated", email["id"], "invalidProperties")


@case(
    "mail.email.keyword-forbidden-chars",
    rfc="8621",
    section="4.1.1",
    level=MUST,
    quote='it MUST NOT include any of these characters: ( ) { ] % * " \\',
    sends="Email/set update keywords/cf(bad) = true",
    expects="notUpdated[id].type = invalidProperties (or invalidPatch)",
)
def keyword_forbidden_chars(ctx: Context) -> None:
    email = ctx.import_email(messages.simple())
    result = ctx.call("Email/set", {"update": {email["id"]: {"keywords/cf(bad)": True}}})
    expect_set_error(result, "notUpdated", email["id"], "invalidProperties", "invalidPatch")


@case(
    "mail.email.mailbox-value-true",
    rfc="8621",
    section="4.1.1",
    level=MUST,
    quote="The value for each key in the object MUST be true.",
    sends="Email/set update mailboxIds {M: false}",
    expects="notUpdated[id].type = invalidProperties",
)
def mailbox_value_true(ctx: Context) -> None:
    mailbox_id = ctx.mailbox()
    email = ctx.import_email(messages.simple(), mailbox_id)
    result = ctx.call("Email/set", {"update": {email["id"]: {"mailboxIds": {mailbox_id: False}}}})
    expect_set_error(result, "notUpdated", email["id"], "invalidProperties")


@case(
    "mail.email.size",
    rfc="8621",
    section="4.1.1",
    level=MUST,
    quote="The size, in octets, of the raw data for the message [RFC5322] (as referenced by "
    'the "blobId", i.e., the number of octets in the file the user would download).',
    sends="import a message of N octets",
    expects="size N",
)
def size(ctx: Context) -> None:
    raw = messages.simple()
    email = ctx.import_email(raw)
    expect_eq(ctx.get_one("Email", email["id"], ["size"])["size"], len(raw), "size")


@case(
    "mail.email.received-at-given",
    rfc="8621",
    section="4.8",
    level=MUST,
    quote='The "receivedAt" date to set on the Email.',
    sends="import with receivedAt 2023-06-15T12:34:56Z",
    expects="receivedAt 2023-06-15T12:34:56Z",
)
def received_at_given(ctx: Context) -> None:
    email = ctx.import_email(messages.simple(), received_at="2023-06-15T12:34:56Z")
    got = ctx.get_one("Email", email["id"], ["receivedAt"])["receivedAt"]
    expect_eq(got, "2023-06-15T12:34:56Z", "receivedAt")


@case(
    "mail.email.received-at-default",
    rfc="8621",
    section="4.8",
    level=MUST,
    quote='receivedAt: "UTCDate" (default: time of most recent Received header, or time of '
    "import on server if none)",
    sends="import a message without Received header fields and without receivedAt",
    expects="receivedAt within a day of now (the server's import time)",
)
def received_at_default(ctx: Context) -> None:
    email = ctx.import_email(messages.simple())
    got = _parse_utc(ctx.get_one("Email", email["id"], ["receivedAt"])["receivedAt"])
    expect(abs(datetime.now(UTC) - got) < timedelta(days=1), f"receivedAt {got.isoformat()}")


@case(
    "mail.email.received-at-from-header",
    rfc="8621",
    section="4.8",
    level=MUST,
    quote='receivedAt: "UTCDate" (default: time of most recent Received header, or time of '
    "import on server if none)",
    sends="import a message whose most recent Received header is dated "
    "Sat, 01 Jul 2023 08:00:00 +0000, without receivedAt",
    expects="receivedAt 2023-07-01T08:00:00Z",
)
def received_at_from_header(ctx: Context) -> None:
    received = (
        b"Received: from a.example by b.example; Sat, 01 Jul 2023 08:00:00 +0000\r\n"
        b"Received: from c.example by a.example; Fri, 30 Jun 2023 08:00:00 +0000\r\n"
    )
    raw = received + messages.simple()
    email = ctx.import_email(raw)
    got = ctx.get_one("Email", email["id"], ["receivedAt"])["receivedAt"]
    expect_eq(got, "2023-07-01T08:00:00Z", "receivedAt")


@case(
    "mail.email.not-found",
    rfc="8620",
    section="5.1",
    level=MUST,
    quote="This array contains the ids passed to the method for records that do not exist.",
    sends="Email/get of an unknown id",
    expects="notFound lists it",
)
def not_found(ctx: Context) -> None:
    result = ctx.call("Email/get", {"ids": ["cfNoSuchEmail0"], "properties": ["id"]})
    expect_eq(result["notFound"], ["cfNoSuchEmail0"], "notFound")


@case(
    "mail.email.invalid-property",
    rfc="8620",
    section="5.1",
    level=MUST,
    quote="If an invalid property is requested, the call MUST be rejected with an "
    '"invalidArguments" error.',
    sends='Email/get properties ["conformanceNoSuch"]',
    expects="invalidArguments",
)
def invalid_property(ctx: Context) -> None:
    ctx.expect_error(
        "Email/get", {"ids": [], "properties": ["conformanceNoSuch"]}, "invalidArguments"
    )


@case(
    "mail.email.preview-length",
    rfc="8621",
    section="4.1.4",
    level=MUST,
    quote="This MUST NOT be more than 256 characters in length.",
    sends="import a message with a 2000-character body, Email/get preview",
    expects="a preview string of at most 256 characters",
)
def preview_length(ctx: Context) -> None:
    body = " ".join(f"word{i}" for i in range(400)) + "\r\n"
    email = ctx.import_email(messages.simple(body=body))
    preview = ctx.get_one("Email", email["id"], ["preview"])["preview"]
    expect_type(preview, str, "preview")
    expect(len(preview) <= 256, f"preview has {len(preview)} characters")


@case(
    "mail.email.preview-text",
    rfc="8621",
    section="4.1.4",
    level=SHOULD,
    quote="A plaintext fragment of the message body.",
    sends="import a message whose body starts with a unique word",
    expects="the preview contains that word",
)
def preview_text(ctx: Context) -> None:
    word = "Preview" + messages.token()
    email = ctx.import_email(messages.simple(body=f"{word} is the first word.\r\n"))
    preview = ctx.get_one("Email", email["id"], ["preview"])["preview"]
    expect(word in preview, f"preview {preview!r}")


@case(
    "mail.email.preview-plaintext-from-html",
    rfc="8621",
    section="4.1.4",
    level=MUST,
    quote="A plaintext fragment of the message body.",
    sends="import an HTML-only message",
    expects="the preview contains no HTML tags",
)
def preview_plaintext_from_html(ctx: Context) -> None:
    word = "Html" + messages.token()
    body = messages.text(f"<html><body><p><b>{word}</b> here</p></body></html>\r\n", "html")
    email = ctx.import_email(messages.message(subject="html", body=body))
    preview = ctx.get_one("Email", email["id"], ["preview"])["preview"]
    expect("<p>" not in preview and "<b>" not in preview, f"preview {preview!r}")


@case(
    "mail.email.has-attachment-false",
    rfc="8621",
    section="4.1.4",
    level=MUST,
    quote="This is true if there are one or more parts in the message that a client UI should "
    "offer as downloadable.",
    sends="import a single text/plain message",
    expects="hasAttachment false",
)
def has_attachment_false(ctx: Context) -> None:
    email = ctx.import_email(messages.simple())
    expect_eq(
        ctx.get_one("Email", email["id"], ["hasAttachment"])["hasAttachment"],
        False,
        "hasAttachment",
    )


@case(
    "mail.email.has-attachment-true",
    rfc="8621",
    section="4.1.4",
    level=SHOULD,
    quote='A server SHOULD set hasAttachment to true if the "attachments" list contains at '
    'least one item that does not have "Content-Disposition: inline".',
    sends="import text + an attached PDF (Content-Disposition: attachment)",
    expects="hasAttachment true",
)
def has_attachment_true(ctx: Context) -> None:
    body = messages.Multipart(
        "mixed",
        [
            messages.text("See attached.\r\n"),
            messages.attachment(b"%PDF-1.4 test", "application/pdf", "doc.pdf"),
        ],
    )
    email = ctx.import_email(messages.message(body=body))
    expect_eq(
        ctx.get_one("Email", email["id"], ["hasAttachment"])["hasAttachment"], True, "hasAttachment"
    )


@case(
    "mail.email.thread-id",
    rfc="8621",
    section="3",
    level=MUST,
    quote="Every Email MUST belong to a Thread, even if it is the only Email in the Thread.",
    sends="import a lone message, Thread/get its threadId",
    expects="a Thread whose emailIds is exactly [the email]",
)
def thread_id(ctx: Context) -> None:
    email = ctx.import_email(messages.simple())
    thread = ctx.get_one("Thread", email["threadId"])
    expect_eq(thread["emailIds"], [email["id"]], "emailIds")


@case(
    "mail.email.id-unchanged-on-move",
    rfc="8621",
    section="2",
    level=MUST,
    quote="The Email id does not change if the Email changes Mailboxes.",
    sends="move an email from mailbox A to B with Email/set",
    expects="Email/get of the same id shows mailboxIds {B: true}",
)
def id_unchanged_on_move(ctx: Context) -> None:
    first, second = ctx.mailbox(), ctx.mailbox()
    email = ctx.import_email(messages.simple(), first)
    ctx.call("Email/set", {"update": {email["id"]: {"mailboxIds": {second: True}}}})
    got = ctx.get_one("Email", email["id"], ["mailboxIds"])
    expect_eq(got["mailboxIds"], {second: True}, "mailboxIds")
