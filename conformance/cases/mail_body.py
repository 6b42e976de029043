"""RFC 8621 §4.1.4 body parts, §4.2 body values and the body-part list algorithm."""

from __future__ import annotations

from conformance import messages as m
from conformance.checks import JSONObject, expect, expect_eq, show
from conformance.context import Context
from conformance.registry import MUST, SHOULD, case

ALL_BODY = ["bodyStructure", "textBody", "htmlBody", "attachments", "bodyValues"]


def _get(
    ctx: Context, body: m.Part | m.Multipart | str, props: list[str] | None = None, **extra: object
) -> JSONObject:
    email = ctx.import_email(m.message(subject=f"Body {m.token()}", body=body))
    args: JSONObject = {"ids": [email["id"]], "properties": props or ALL_BODY, **extra}
    return dict(ctx.call("Email/get", args)["list"][0])


def _alternative() -> m.Multipart:
    return m.Multipart(
        "alternative", [m.text("Plain version.\r\n"), m.text("<p>HTML version.</p>\r\n", "html")]
    )


def _leaves(part: JSONObject) -> list[JSONObject]:
    subs = part.get("subParts")
    if isinstance(subs, list) and subs:
        return [leaf for sub in subs for leaf in _leaves(sub)]
    return [part]


@case(
    "mail.body.single-part",
    rfc="8621",
    section="4.1.4",
    level=MUST,
    quote="This is the full MIME structure of the message body, without recursing into "
    '"message/rfc822" or "message/global" parts.',
    sends="a text/plain message; Email/get bodyStructure",
    expects="a text/plain part with partId, blobId, size and charset utf-8",
)
def single_part(ctx: Context) -> None:
    part = _get(ctx, "Single part body.\r\n")["bodyStructure"]
    expect_eq(part.get("type"), "text/plain", "type")
    expect(
        isinstance(part.get("partId"), str) and isinstance(part.get("blobId"), str),
        f"part: {show(part)}",
    )
    expect_eq(str(part.get("charset")).lower(), "utf-8", "charset")


@case(
    "mail.body.text-body-plain",
    rfc="8621",
    section="4.1.4",
    level=MUST,
    quote='A list of "text/plain", "text/html", "image/*", "audio/*", and/or '
    '"video/*" parts to display (sequentially) as the message body, with a preference '
    'for "text/plain" when alternative versions are available.',
    sends="a multipart/alternative message (text/plain + text/html)",
    expects="textBody is the text/plain part only",
)
def text_body_plain(ctx: Context) -> None:
    got = _get(ctx, _alternative())
    expect_eq([p["type"] for p in got["textBody"]], ["text/plain"], "textBody types")


@case(
    "mail.body.html-body-html",
    rfc="8621",
    section="4.1.4",
    level=MUST,
    quote='with a preference for "text/html" when alternative versions are available.',
    sends="a multipart/alternative message (text/plain + text/html)",
    expects="htmlBody is the text/html part only",
)
def html_body_html(ctx: Context) -> None:
    got = _get(ctx, _alternative())
    expect_eq([p["type"] for p in got["htmlBody"]], ["text/html"], "htmlBody types")


@case(
    "mail.body.plain-in-both",
    rfc="8621",
    section="4.1.4",
    level=SHOULD,
    quote="The same part may appear in both lists where there is no alternative between the two.",
    sends="a single text/plain message",
    expects="textBody and htmlBody both hold that part (the suggested algorithm)",
)
def plain_in_both(ctx: Context) -> None:
    got = _get(ctx, "Only plain.\r\n")
    part_id = got["bodyStructure"]["partId"]
    expect_eq([p["partId"] for p in got["textBody"]], [part_id], "textBody")
    expect_eq([p["partId"] for p in got["htmlBody"]], [part_id], "htmlBody")


@case(
    "mail.body.multipart-ids-null",
    rfc="8621",
    section="4.1.4",
    level=MUST,
    quote='This is null if, and only if, the part is of type "multipart/*".',
    sends="a multipart/alternative message; Email/get bodyStructure",
    expects="the multipart node has partId null and blobId null; its leaves have both",
)
def multipart_ids_null(ctx: Context) -> None:
    top = _get(ctx, _alternative())["bodyStructure"]
    expect_eq(top.get("type"), "multipart/alternative", "type")
    expect(top.get("partId") is None and top.get("blobId") is None, f"top: {show(top)}")
    for leaf in _leaves(top):
        expect(leaf.get("partId") and leaf.get("blobId"), f"leaf: {show(leaf)}")


@case(
    "mail.body.sub-parts",
    rfc="8621",
    section="4.1.4",
    level=MUST,
    quote='If the type is "multipart/*", this contains the body parts of each child.',
    sends="a multipart/alternative message",
    expects="subParts: [text/plain, text/html]",
)
def sub_parts(ctx: Context) -> None:
    top = _get(ctx, _alternative())["bodyStructure"]
    expect_eq(
        [p.get("type") for p in top.get("subParts") or []],
        ["text/plain", "text/html"],
        "subParts types",
    )


@case(
    "mail.body.attachment-listed",
    rfc="8621",
    section="4.1.4",
    level=MUST,
    quote='A list, traversing depth-first, of all parts in "bodyStructure" that satisfy '
    'either of the following conditions: * not of type "multipart/*" and not included '
    'in "textBody" or "htmlBody"',
    sends='multipart/mixed: text/plain + application/pdf attachment "doc.pdf"',
    expects="attachments is the PDF part, with name doc.pdf, type application/pdf, "
    "disposition attachment",
)
def attachment_listed(ctx: Context) -> None:
    body = m.Multipart(
        "mixed", [m.text("Body.\r\n"), m.attachment(b"%PDF-1.4 x", "application/pdf", "doc.pdf")]
    )
    got = _get(ctx, body)
    attachments = got["attachments"]
    expect_eq(len(attachments), 1, "number of attachments")
    expect_eq(
        [attachments[0].get(k) for k in ("name", "type", "disposition")],
        ["doc.pdf", "application/pdf", "attachment"],
        "name, type, disposition",
    )


@case(
    "mail.body.type-without-parameters",
    rfc="8621",
    section="4.1.4",
    level=MUST,
    quote="CFWS is removed and any parameters are stripped.",
    sends='Content-Type: Text/Plain; charset="utf-8"; format=flowed',
    expects='type "text/plain" without parameters',
)
def type_without_parameters(ctx: Context) -> None:
    part = m.Part('text/plain; charset="utf-8"; format=flowed', "Flowed.\r\n")
    got = _get(ctx, part)["bodyStructure"]
    expect_eq(str(got.get("type")).lower(), "text/plain", "type")


@case(
    "mail.body.charset-implicit",
    rfc="8621",
    section="4.1.4",
    level=MUST,
    quote='If there is no Content-Type header field, or it exists and is of type "text/*" but '
    "has no charset parameter, this is the implicit charset as per the MIME standard: "
    '"us-ascii".',
    sends="Content-Type: text/plain without charset",
    expects='charset "us-ascii"',
)
def charset_implicit(ctx: Context) -> None:
    got = _get(ctx, m.Part("text/plain", "No charset.\r\n"))["bodyStructure"]
    expect_eq(str(got.get("charset")).lower(), "us-ascii", "charset")


@case(
    "mail.body.charset-null-non-text",
    rfc="8621",
    section="4.1.4",
    level=MUST,
    quote='or null if the header field is present but not of type "text/*".',
    sends="an application/pdf attachment",
    expects="its charset is null",
)
def charset_null_non_text(ctx: Context) -> None:
    body = m.Multipart(
        "mixed", [m.text("Body.\r\n"), m.attachment(b"%PDF-1.4 y", "application/pdf", "y.pdf")]
    )
    leaf = _leaves(_get(ctx, body)["bodyStructure"])[1]
    expect("charset" in leaf and leaf["charset"] is None, f"part: {show(leaf)}")


@case(
    "mail.body.name-rfc2231",
    rfc="8621",
    section="4.1.4",
    level=MUST,
    quote='This is the decoded "filename" parameter of the Content-Disposition header field '
    "per [RFC2231]",
    sends="Content-Disposition: attachment; filename*=UTF-8''na%C3%AFve%20file.txt",
    expects='name "naïve file.txt"',
)
def name_rfc2231(ctx: Context) -> None:
    part = m.Part(
        "text/plain; charset=utf-8",
        "Attached.\r\n",
        [("Content-Disposition", "attachment; filename*=UTF-8''na%C3%AFve%20file.txt")],
    )
    got = _get(ctx, m.Multipart("mixed", [m.text("Body.\r\n"), part]))
    expect_eq(_leaves(got["bodyStructure"])[1].get("name"), "naïve file.txt", "name")


@case(
    "mail.body.name-from-content-type",
    rfc="8621",
    section="4.1.4",
    level=MUST,
    quote='if not present, then it\'s the decoded "name" parameter of the Content-Type header '
    "field per [RFC2047].",
    sends='an attachment with Content-Type name="legacy.bin" and no filename',
    expects='name "legacy.bin"',
)
def name_from_content_type(ctx: Context) -> None:
    part = m.Part(
        'application/octet-stream; name="legacy.bin"',
        "AAAA\r\n",
        [("Content-Transfer-Encoding", "base64")],
    )
    got = _get(ctx, m.Multipart("mixed", [m.text("Body.\r\n"), part]))
    expect_eq(_leaves(got["bodyStructure"])[1].get("name"), "legacy.bin", "name")


@case(
    "mail.body.cid",
    rfc="8621",
    section="4.1.4",
    level=MUST,
    quote='CFWS and surrounding angle brackets ("<>") are removed.',
    sends="an image part with Content-ID: <img1@conformance.example>",
    expects='cid "img1@conformance.example"',
)
def cid(ctx: Context) -> None:
    image = m.attachment(
        m.PNG_1PX, "image/png", "i.png", inline=True, cid="img1@conformance.example"
    )
    related = m.Multipart(
        "related", [m.text('<img src="cid:img1@conformance.example">\r\n', "html"), image]
    )
    leaf = _leaves(_get(ctx, related)["bodyStructure"])[1]
    expect_eq(leaf.get("cid"), "img1@conformance.example", "cid")


@case(
    "mail.body.language-location",
    rfc="8621",
    section="4.1.4",
    level=MUST,
    quote="The list of language tags, as defined in [RFC3282], in the Content-Language header "
    "field of the part, if present.",
    sends="a part with Content-Language: en, fr and Content-Location: https://example.com/doc",
    expects='language ["en", "fr"], location "https://example.com/doc"',
)
def language_location(ctx: Context) -> None:
    part = m.Part(
        "text/plain; charset=utf-8",
        "Bonjour.\r\n",
        [("Content-Language", "en, fr"), ("Content-Location", "https://example.com/doc")],
    )
    got = _get(ctx, part)["bodyStructure"]
    expect_eq(got.get("language"), ["en", "fr"], "language")
    expect_eq(got.get("location"), "https://example.com/doc", "location")


@case(
    "mail.body.part-size-decoded",
    rfc="8621",
    section="4.1.4",
    level=MUST,
    quote="The size, in octets, of the raw data after content transfer decoding",
    sends="a base64 attachment of exactly 300 octets",
    expects="the part's size is 300",
)
def part_size_decoded(ctx: Context) -> None:
    data = bytes(range(256)) + bytes(44)
    body = m.Multipart(
        "mixed", [m.text("Body.\r\n"), m.attachment(data, "application/octet-stream", "b.bin")]
    )
    expect_eq(_leaves(_get(ctx, body)["bodyStructure"])[1].get("size"), 300, "size")


@case(
    "mail.body.part-blob-decoded",
    rfc="8621",
    section="4.1.4",
    level=MUST,
    quote="The id representing the raw octets of the contents of the part, after decoding any "
    "known Content-Transfer-Encoding",
    sends="a base64 attachment; download the part's blobId",
    expects="the decoded octets",
)
def part_blob_decoded(ctx: Context) -> None:
    data = b"\x00\x01binary attachment\xff" + m.token().encode()
    body = m.Multipart(
        "mixed", [m.text("Body.\r\n"), m.attachment(data, "application/octet-stream", "c.bin")]
    )
    leaf = _leaves(_get(ctx, body)["bodyStructure"])[1]
    response = ctx.client.download(ctx.account_id, leaf["blobId"])
    expect(response.content == data, "downloaded part differs from the decoded attachment")
