"""RFC 8621 §4.1.4 and §4.2: body values, truncation, body properties and the part lists."""

from __future__ import annotations

import base64

from conformance import messages as m
from conformance.cases.mail_body import _alternative, _get, _leaves
from conformance.checks import expect, expect_eq, show
from conformance.context import Context
from conformance.registry import MUST, SHOULD, case


@case(
    "mail.body.values-none-by-default",
    rfc="8621",
    section="4.2",
    level=MUST,
    quote='fetchTextBodyValues: "Boolean" (default: false)',
    sends="Email/get bodyValues without any fetch*BodyValues argument",
    expects="bodyValues is {}",
)
def values_none_by_default(ctx: Context) -> None:
    expect_eq(_get(ctx, "Hello.\r\n", ["bodyValues"])["bodyValues"], {}, "bodyValues")


@case(
    "mail.body.fetch-text-values",
    rfc="8621",
    section="4.2",
    level=MUST,
    quote='If true, the "bodyValues" property includes any "text/*" part in the '
    '"textBody" property.',
    sends="multipart/alternative; Email/get fetchTextBodyValues true",
    expects="bodyValues has the text/plain part's value only",
)
def fetch_text_values(ctx: Context) -> None:
    got = _get(ctx, _alternative(), fetchTextBodyValues=True)
    text_id = got["textBody"][0]["partId"]
    expect_eq(sorted(got["bodyValues"]), [text_id], "bodyValues keys")
    expect_eq(got["bodyValues"][text_id]["value"], "Plain version.\n", "value")


@case(
    "mail.body.fetch-html-values",
    rfc="8621",
    section="4.2",
    level=MUST,
    quote='If true, the "bodyValues" property includes any "text/*" part in the '
    '"htmlBody" property.',
    sends="multipart/alternative; Email/get fetchHTMLBodyValues true",
    expects="bodyValues has the text/html part's value only",
)
def fetch_html_values(ctx: Context) -> None:
    got = _get(ctx, _alternative(), fetchHTMLBodyValues=True)
    html_id = got["htmlBody"][0]["partId"]
    expect_eq(sorted(got["bodyValues"]), [html_id], "bodyValues keys")
    expect_eq(got["bodyValues"][html_id]["value"], "<p>HTML version.</p>\n", "value")


@case(
    "mail.body.fetch-all-values",
    rfc="8621",
    section="4.2",
    level=MUST,
    quote='If true, the "bodyValues" property includes any "text/*" part in the '
    '"bodyStructure" property.',
    sends="multipart/mixed of alternative + a text/csv attachment; fetchAllBodyValues true",
    expects="bodyValues covers all three text/* parts",
)
def fetch_all_values(ctx: Context) -> None:
    csv = m.Part(
        "text/csv; charset=utf-8",
        "a,b\r\n1,2\r\n",
        [("Content-Disposition", 'attachment; filename="t.csv"')],
    )
    got = _get(ctx, m.Multipart("mixed", [_alternative(), csv]), fetchAllBodyValues=True)
    leaves = [p["partId"] for p in _leaves(got["bodyStructure"])]
    expect_eq(sorted(got["bodyValues"]), sorted(leaves), "bodyValues keys")


@case(
    "mail.body.value-crlf-to-lf",
    rfc="8621",
    section="4.1.4",
    level=MUST,
    quote="and with any CRLF replaced with a single LF.",
    sends='a body "line one\\r\\nline two\\r\\n"; fetchTextBodyValues',
    expects='value "line one\\nline two\\n"',
)
def value_crlf_to_lf(ctx: Context) -> None:
    got = _get(ctx, "line one\r\nline two\r\n", fetchTextBodyValues=True)
    value = next(iter(got["bodyValues"].values()))
    expect_eq(value["value"], "line one\nline two\n", "value")


@case(
    "mail.body.value-flags-default",
    rfc="8621",
    section="4.1.4",
    level=MUST,
    quote='isEncodingProblem: "Boolean" (default: false)',
    sends="a clean UTF-8 body; fetchTextBodyValues",
    expects="isEncodingProblem and isTruncated are false (or omitted)",
)
def value_flags_default(ctx: Context) -> None:
    got = _get(ctx, "Clean body.\r\n", fetchTextBodyValues=True)
    value = next(iter(got["bodyValues"].values()))
    expect(not value.get("isEncodingProblem") and not value.get("isTruncated"), show(value))


@case(
    "mail.body.value-quoted-printable",
    rfc="8621",
    section="4.1.4",
    level=MUST,
    quote="The value of the body part after decoding Content-Transfer-Encoding and the "
    "Content-Type charset",
    sends='a quoted-printable UTF-8 body "Caf=C3=A9 soft=\\r\\nbreak"',
    expects='value "Café softbreak"',
)
def value_quoted_printable(ctx: Context) -> None:
    part = m.Part(
        "text/plain; charset=utf-8",
        "Caf=C3=A9 soft=\r\nbreak",
        [("Content-Transfer-Encoding", "quoted-printable")],
    )
    got = _get(ctx, part, fetchTextBodyValues=True)
    expect_eq(next(iter(got["bodyValues"].values()))["value"], "Café softbreak", "value")


@case(
    "mail.body.value-base64",
    rfc="8621",
    section="4.1.4",
    level=MUST,
    quote="The value of the body part after decoding Content-Transfer-Encoding and the "
    "Content-Type charset",
    sends="a base64 UTF-8 text body",
    expects="the decoded text",
)
def value_base64(ctx: Context) -> None:
    encoded = base64.b64encode("Base64 ünïcode text".encode()).decode()
    part = m.Part(
        "text/plain; charset=utf-8", encoded + "\r\n", [("Content-Transfer-Encoding", "base64")]
    )
    got = _get(ctx, part, fetchTextBodyValues=True)
    expect_eq(next(iter(got["bodyValues"].values()))["value"], "Base64 ünïcode text", "value")


@case(
    "mail.body.value-latin1",
    rfc="8621",
    section="4.1.4",
    level=MUST,
    quote="The value of the body part after decoding Content-Transfer-Encoding and the "
    "Content-Type charset",
    sends='an ISO-8859-1 quoted-printable body "caf=E9"',
    expects='value "café"',
)
def value_latin1(ctx: Context) -> None:
    part = m.Part(
        "text/plain; charset=iso-8859-1",
        "caf=E9",
        [("Content-Transfer-Encoding", "quoted-printable")],
    )
    got = _get(ctx, part, fetchTextBodyValues=True)
    expect_eq(next(iter(got["bodyValues"].values()))["value"], "café", "value")


@case(
    "mail.body.value-unknown-charset",
    rfc="8621",
    section="4.1.4",
    level=MUST,
    quote="This is true if malformed sections were found while decoding the charset, the "
    "charset was unknown, or the content-transfer-encoding was unknown.",
    sends="a body declared charset=x-conformance-unknown",
    expects="isEncodingProblem true",
)
def value_unknown_charset(ctx: Context) -> None:
    part = m.Part("text/plain; charset=x-conformance-unknown", "Odd charset.\r\n")
    got = _get(ctx, part, fetchTextBodyValues=True)
    expect_eq(
        next(iter(got["bodyValues"].values())).get("isEncodingProblem"), True, "isEncodingProblem"
    )


@case(
    "mail.body.truncate",
    rfc="8621",
    section="4.2",
    level=MUST,
    quote='If greater than zero, the "value" property of any EmailBodyValue object returned '
    'in "bodyValues" MUST be truncated if necessary so it does not exceed this number '
    "of octets in size.",
    sends="a 200-octet ASCII body; fetchTextBodyValues, maxBodyValueBytes 50",
    expects="a value of at most 50 octets that is a prefix of the body; isTruncated true",
)
def truncate(ctx: Context) -> None:
    text = "abcdefghij" * 20
    got = _get(ctx, text, fetchTextBodyValues=True, maxBodyValueBytes=50)
    value = next(iter(got["bodyValues"].values()))
    expect(len(value["value"].encode()) <= 50 and text.startswith(value["value"]), show(value))
    expect_eq(value.get("isTruncated"), True, "isTruncated")


@case(
    "mail.body.truncate-utf8-boundary",
    rfc="8621",
    section="4.2",
    level=MUST,
    quote="The server MUST ensure the truncation results in valid UTF-8 and does not occur "
    "mid-codepoint.",
    sends='a body of 40 x "é" (2 octets each); maxBodyValueBytes 5',
    expects='value "éé" (4 octets), never a broken or replaced character',
)
def truncate_utf8_boundary(ctx: Context) -> None:
    got = _get(ctx, "é" * 40, fetchTextBodyValues=True, maxBodyValueBytes=5)
    value = next(iter(got["bodyValues"].values()))["value"]
    expect_eq(value, "éé", "value")


@case(
    "mail.body.no-truncation-by-default",
    rfc="8621",
    section="4.2",
    level=MUST,
    quote="If 0 (the default), no truncation occurs.",
    sends="a 5000-octet body; fetchTextBodyValues without maxBodyValueBytes",
    expects="the whole value, isTruncated false",
)
def no_truncation_by_default(ctx: Context) -> None:
    text = ("0123456789" * 10 + "\r\n") * 49
    got = _get(ctx, text, fetchTextBodyValues=True)
    value = next(iter(got["bodyValues"].values()))
    expect_eq(value["value"], text.replace("\r\n", "\n"), "value")
    expect(not value.get("isTruncated"), "isTruncated")


@case(
    "mail.body.body-properties",
    rfc="8621",
    section="4.2",
    level=MUST,
    quote="A list of properties to fetch for each EmailBodyPart returned.",
    sends='Email/get bodyStructure with bodyProperties ["partId", "type"]',
    expects="each part has only partId, type (and subParts for multiparts)",
)
def body_properties(ctx: Context) -> None:
    got = _get(ctx, _alternative(), ["bodyStructure"], bodyProperties=["partId", "type"])
    for leaf in _leaves(got["bodyStructure"]):
        expect_eq(sorted(leaf), ["partId", "type"], "leaf properties")


@case(
    "mail.body.default-body-properties",
    rfc="8621",
    section="4.2",
    level=MUST,
    quote='If omitted, this defaults to: [ "partId", "blobId", "size", "name", '
    '"type", "charset", "disposition", "cid", "language", "location" ]',
    sends="Email/get textBody without bodyProperties",
    expects="each part has exactly the ten default properties",
)
def default_body_properties(ctx: Context) -> None:
    got = _get(ctx, "Defaults.\r\n", ["textBody"])
    want = sorted(
        [
            "partId",
            "blobId",
            "size",
            "name",
            "type",
            "charset",
            "disposition",
            "cid",
            "language",
            "location",
        ]
    )
    expect_eq(sorted(got["textBody"][0]), want, "part properties")


@case(
    "mail.body.part-header-property",
    rfc="8621",
    section="4.1.4",
    level=MUST,
    quote="In addition, the client may request/send EmailBodyPart properties representing "
    "individual header fields, following the same syntax and semantics as for the Email "
    "object",
    sends='bodyProperties ["partId", "header:Content-Type", "headers"]',
    expects="each part has header:Content-Type (raw) and a headers list",
)
def part_header_property(ctx: Context) -> None:
    got = _get(
        ctx,
        m.Part("text/plain; charset=utf-8", "Hdr.\r\n"),
        ["bodyStructure"],
        bodyProperties=["partId", "header:Content-Type", "headers"],
    )
    part = got["bodyStructure"]
    expect_eq(part.get("header:Content-Type"), " text/plain; charset=utf-8", "header")
    expect(isinstance(part.get("headers"), list) and part["headers"], show(part))


@case(
    "mail.body.attached-message-not-recursed",
    rfc="8621",
    section="4.1.4",
    level=MUST,
    quote='None of these parts include subParts, including "message/*" types.',
    sends="multipart/mixed: text + message/rfc822 (itself multipart)",
    expects="the message/rfc822 part is in attachments and has no subParts",
)
def attached_message_not_recursed(ctx: Context) -> None:
    inner = m.message(subject="Inner", body=_alternative()).decode()
    body = m.Multipart("mixed", [m.text("Forwarded.\r\n"), m.Part("message/rfc822", inner)])
    got = _get(ctx, body)
    parts = [p for p in got["attachments"] if p.get("type") == "message/rfc822"]
    expect(parts, f"attachments: {show(got['attachments'])}")
    expect(not parts[0].get("subParts"), "the attached message was recursed into")


@case(
    "mail.body.related-image",
    rfc="8621",
    section="4.1.4",
    level=SHOULD,
    quote='Note that a "text/html" body part [HTML] may reference image parts in attachments '
    'by using "cid:" links',
    sends="multipart/alternative: text/plain + multipart/related(text/html + image/png)",
    expects="htmlBody [text/html], textBody [text/plain], attachments [image/png]",
)
def related_image(ctx: Context) -> None:
    image = m.attachment(m.PNG_1PX, "image/png", "i.png", inline=True, cid="i@cf")
    related = m.Multipart("related", [m.text('<img src="cid:i@cf">\r\n', "html"), image])
    got = _get(ctx, m.Multipart("alternative", [m.text("Plain.\r\n"), related]))
    expect_eq([p["type"] for p in got["htmlBody"]], ["text/html"], "htmlBody")
    expect_eq([p["type"] for p in got["textBody"]], ["text/plain"], "textBody")
    expect_eq([p["type"] for p in got["attachments"]], ["image/png"], "attachments")


def _rfc_example() -> m.Multipart:
    """The MIME tree of RFC 8621 §4.1.4's example, with parts labelled A..K by content."""

    def inline(label: str) -> m.Part:
        return m.text(f"{label}\r\n", Content_Disposition="inline")

    def image(label: str, disposition: str | None) -> m.Part:
        headers = [("Content-Transfer-Encoding", "base64")]
        if disposition:
            headers.append(("Content-Disposition", f'{disposition}; filename="{label}.png"'))
        return m.Part("image/jpeg", base64.b64encode(label.encode() * 4).decode(), headers)

    return m.Multipart(
        "mixed",
        [
            inline("A"),
            m.Multipart(
                "mixed",
                [
                    m.Multipart(
                        "alternative",
                        [
                            m.Multipart("mixed", [inline("B"), image("C", "inline"), inline("D")]),
                            m.Multipart(
                                "related", [m.text("<p>E</p>\r\n", "html"), image("F", None)]
                            ),
                        ],
                    ),
                    image("G", "attachment"),
                    m.Part("application/x-excel", "H\r\n"),
                    m.Part("message/rfc822", m.message(subject="J", body="J\r\n").decode()),
                ],
            ),
            inline("K"),
        ],
    )


@case(
    "mail.body.rfc-example-decomposition",
    rfc="8621",
    section="4.1.4",
    level=SHOULD,
    quote="In this case, the above algorithm would decompose this to: textBody => [ A, B, C, "
    "D, K ] htmlBody => [ A, E, K ] attachments => [ C, F, G, H, J ]",
    sends="the RFC's example MIME tree (parts A to K)",
    expects="textBody [A,B,C,D,K], htmlBody [A,E,K], attachments [C,F,G,H,J]",
)
def rfc_example_decomposition(ctx: Context) -> None:
    got = _get(ctx, _rfc_example())
    order = [p.get("partId") for p in _leaves(got["bodyStructure"])]
    labels = dict(zip(order, "ABCDEFGHJK", strict=True))

    def names(key: str) -> list[str]:
        return [labels.get(p.get("partId"), "?") for p in got[key]]

    expect_eq(names("textBody"), list("ABCDK"), "textBody")
    expect_eq(names("htmlBody"), list("AEK"), "htmlBody")
    expect_eq(names("attachments"), list("CFGHJ"), "attachments")
