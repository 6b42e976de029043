"""RFC 8621 §4.9 Email/parse."""

from __future__ import annotations

from conformance import messages
from conformance.checks import JSONObject, as_list, as_map, expect, expect_eq, show
from conformance.context import Context
from conformance.registry import MUST, case

DEFAULT_PROPERTIES = [
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


def _parse(ctx: Context, raw: bytes, **extra: object) -> JSONObject:
    blob = ctx.upload(raw, "message/rfc822")
    result = ctx.call("Email/parse", {"blobIds": [blob["blobId"]], **extra})
    parsed = as_map(result.get("parsed"), "parsed")
    expect(blob["blobId"] in parsed, f"not parsed: {show(result)}")
    return dict(parsed[blob["blobId"]])


@case(
    "mail.parse.basic",
    rfc="8621",
    section="4.9",
    level=MUST,
    quote="This method allows you to parse blobs as messages [RFC5322] to get Email objects.",
    sends="upload a message, Email/parse its blobId",
    expects="parsed[blobId] with the message's subject and from",
)
def basic(ctx: Context) -> None:
    subject = f"Parse me {messages.token()}"
    got = _parse(ctx, messages.simple(subject=subject))
    expect_eq(got.get("subject"), subject, "subject")
    expect_eq(
        got.get("from"), [{"name": "Alice Sender", "email": "alice@conformance.example"}], "from"
    )


@case(
    "mail.parse.default-properties",
    rfc="8621",
    section="4.9",
    level=MUST,
    quote='If omitted, defaults to: [ "messageId", "inReplyTo", "references", '
    '"sender", "from", "to",',
    sends="Email/parse without properties",
    expects="exactly the 17 default properties (an id key is tolerated)",
)
def default_properties(ctx: Context) -> None:
    got = _parse(ctx, messages.simple())
    keys = sorted(k for k in got if k != "id")
    expect_eq(keys, sorted(DEFAULT_PROPERTIES), "properties")


@case(
    "mail.parse.metadata-null",
    rfc="8621",
    section="4.9",
    level=MUST,
    quote="The following metadata properties on the Email objects will be null if requested: "
    "o id o mailboxIds o keywords o receivedAt",
    sends="Email/parse properties [id, mailboxIds, keywords, receivedAt, subject]",
    expects="id, mailboxIds, keywords and receivedAt are null",
)
def metadata_null(ctx: Context) -> None:
    got = _parse(
        ctx, messages.simple(), properties=["id", "mailboxIds", "keywords", "receivedAt", "subject"]
    )
    for key in ("id", "mailboxIds", "keywords", "receivedAt"):
        expect(key in got and got[key] is None, f"{key}: {show(got.get(key))}")


@case(
    "mail.parse.thread-id",
    rfc="8621",
    section="4.9",
    level=MUST,
    quote='The "threadId" property of the Email MAY be present if the server can calculate '
    "which Thread the Email would be assigned to were it to be imported. Otherwise, this "
    "too is null if fetched.",
    sends="Email/parse properties [threadId]",
    expects="threadId is null or an Id",
)
def thread_id(ctx: Context) -> None:
    got = _parse(ctx, messages.simple(), properties=["threadId"])
    value = got.get("threadId")
    expect(value is None or isinstance(value, str), f"threadId {show(value)}")


@case(
    "mail.parse.not-found",
    rfc="8621",
    section="4.9",
    level=MUST,
    quote="A list of blob ids given that could not be found, or null if none.",
    sends="Email/parse of an unknown blobId",
    expects="notFound lists it; parsed lacks it",
)
def not_found(ctx: Context) -> None:
    unknown = "Gcf0000000000000000000000000000000000007"
    result = ctx.call("Email/parse", {"blobIds": [unknown]})
    expect_eq(as_list(result.get("notFound"), "notFound"), [unknown], "notFound")
    expect(unknown not in as_map(result.get("parsed"), "parsed"), show(result))


@case(
    "mail.parse.each-blob-once",
    rfc="8621",
    section="4.9",
    level=MUST,
    quote="A list of ids given that corresponded to blobs that could not be parsed as Emails, "
    "or null if none.",
    sends="Email/parse of an uploaded PNG image",
    expects="the blobId appears in exactly one of parsed and notParsable",
)
def each_blob_once(ctx: Context) -> None:
    blob = ctx.upload(messages.PNG_1PX, "image/png")
    result = ctx.call("Email/parse", {"blobIds": [blob["blobId"]]})
    places = [
        blob["blobId"] in as_map(result.get("parsed"), "parsed"),
        blob["blobId"] in as_list(result.get("notParsable"), "notParsable"),
        blob["blobId"] in as_list(result.get("notFound"), "notFound"),
    ]
    expect_eq(places.count(True), 1, f"places of the blob {show(result)}")
    expect(not places[2], "an uploaded blob was reported notFound")


@case(
    "mail.parse.body-values",
    rfc="8621",
    section="4.9",
    level=MUST,
    quote='If true, the "bodyValues" property includes any "text/*" part in the '
    '"textBody" property.',
    sends="Email/parse with fetchTextBodyValues true",
    expects='bodyValues holds the text body "Parsed body.\\n"',
)
def body_values(ctx: Context) -> None:
    got = _parse(ctx, messages.simple(body="Parsed body.\r\n"), fetchTextBodyValues=True)
    part = got["textBody"][0]["partId"]
    expect_eq(got["bodyValues"][part]["value"], "Parsed body.\n", "value")


@case(
    "mail.parse.max-body-value-bytes",
    rfc="8621",
    section="4.9",
    level=MUST,
    quote='If greater than zero, the "value" property of any EmailBodyValue object returned '
    'in "bodyValues" MUST be truncated if necessary so it does not exceed this number '
    "of octets in size.",
    sends="Email/parse fetchTextBodyValues, maxBodyValueBytes 10 on a long body",
    expects="a value of at most 10 octets with isTruncated true",
)
def max_body_value_bytes(ctx: Context) -> None:
    got = _parse(
        ctx, messages.simple(body="x" * 300), fetchTextBodyValues=True, maxBodyValueBytes=10
    )
    value = next(iter(got["bodyValues"].values()))
    expect(len(value["value"].encode()) <= 10 and value.get("isTruncated") is True, show(value))


@case(
    "mail.parse.attached-message",
    rfc="8621",
    section="4.9",
    level=MUST,
    quote="This can be used to parse and display attached messages without having to import "
    "them as top-level Email objects in the mail store in their own right.",
    sends="import a message with an attached message/rfc822, Email/parse the attachment's blobId",
    expects="the inner message's subject",
)
def attached_message(ctx: Context) -> None:
    inner_subject = f"Inner {messages.token()}"
    inner = messages.message(subject=inner_subject).decode()
    outer = messages.message(
        subject="Outer",
        body=messages.Multipart(
            "mixed",
            [
                messages.text("See the attached message.\r\n"),
                messages.Part("message/rfc822", inner),
            ],
        ),
    )
    email = ctx.import_email(outer)
    attachments = ctx.get_one("Email", email["id"], ["attachments"])["attachments"]
    blob_id = next(a["blobId"] for a in attachments if a["type"] == "message/rfc822")
    result = ctx.call("Email/parse", {"blobIds": [blob_id], "properties": ["subject"]})
    expect_eq(
        as_map(result.get("parsed"), "parsed").get(blob_id, {}).get("subject"),
        inner_subject,
        "inner subject",
    )


@case(
    "mail.parse.forbidden-form",
    rfc="8621",
    section="4.9",
    level=MUST,
    quote='Attempting to fetch a form that is forbidden (e.g., "header:From:asDate") MUST '
    'result in the method call being rejected with an "invalidArguments" error.',
    sends='Email/parse properties ["header:From:asDate"]',
    expects="invalidArguments",
)
def forbidden_form(ctx: Context) -> None:
    blob = ctx.upload(messages.simple(), "message/rfc822")
    ctx.expect_error(
        "Email/parse",
        {"blobIds": [blob["blobId"]], "properties": ["header:From:asDate"]},
        "invalidArguments",
    )


@case(
    "mail.parse.property-capitalisation",
    rfc="8621",
    section="4.9",
    level=MUST,
    quote="Where a specific header field is requested as a property, the capitalization of the "
    "property name in the response MUST be identical to that used in the request.",
    sends='Email/parse properties ["header:SuBjEcT:asText"]',
    expects="the parsed object has the key header:SuBjEcT:asText",
)
def property_capitalisation(ctx: Context) -> None:
    got = _parse(ctx, messages.simple(subject="Caps"), properties=["header:SuBjEcT:asText"])
    expect_eq(got.get("header:SuBjEcT:asText"), "Caps", "header:SuBjEcT:asText")


@case(
    "mail.parse.eai",
    rfc="8621",
    section="4.9",
    level=MUST,
    quote="The server MUST support messages with EAI headers [RFC6532].",
    sends="Email/parse of a message with raw UTF-8 in Subject and From",
    expects="subject and from decoded as UTF-8",
)
def eai(ctx: Context) -> None:
    got = _parse(
        ctx,
        messages.message(subject="Prüfung ✓", from_="Jürgen <jürgen@例え.jp>"),
        properties=["subject", "from"],
    )
    expect_eq(got.get("subject"), "Prüfung ✓", "subject")
    expect_eq(got.get("from"), [{"name": "Jürgen", "email": "jürgen@例え.jp"}], "from")
