"""Messages written for Email/set create read back as created (RFC 8621 §4.6)."""

from __future__ import annotations

import base64
import re
from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from jmap_mail.mime import (
    BuildSpec,
    ParsedMessage,
    Part,
    body_value,
    build_message,
    decode_part,
    find_part,
    parse_message,
)
from jmap_mail.mime._json import JSONValue

from .corpus import header, load, part_json

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)
BLOBS = {"png": PNG, "pdf": b"%PDF-1.4\n\x00\x01\xff binary", "eml": load("alternative.eml")}
FIXED = datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)


def _build(email: dict[str, JSONValue]) -> tuple[bytes, ParsedMessage]:
    raw = build_message(BuildSpec.from_jmap(email, domain="mailyard.test", date=FIXED), BLOBS.get)
    return raw, parse_message(raw)


def _part(msg: ParsedMessage, part_id: str) -> Part:
    part = find_part(msg.root, part_id)
    assert part is not None
    return part


def _value(raw: bytes, msg: ParsedMessage, part_id: str) -> JSONValue:
    return body_value(raw, _part(msg, part_id))["value"]


def test_convenience_headers_read_back_in_their_parsed_forms() -> None:
    """RFC 8621 §4.1.3 convenience properties written on create (§4.6) read back equal."""
    email: dict[str, JSONValue] = {
        "mailboxIds": {"inbox": True},
        "keywords": {"$draft": True},
        "from": [{"name": "Jürgen Müller", "email": "j@example.com"}],
        "to": [
            {"name": "Smythe, James", "email": "james@example.com"},
            {"name": 'Al "Pal" Ng', "email": "al@example.com"},
            {"name": None, "email": "bare@example.com"},
        ],
        "cc": [{"name": "测试 " * 20, "email": "cjk@example.cn"}],
        "bcc": [{"name": "Hidden", "email": "hidden@example.com"}],
        "replyTo": [{"name": "=?not-encoded?=", "email": "r@example.com"}],
        "sender": [{"name": "Agent", "email": "agent@example.com"}],
        "subject": "Grüße — " + "a long subject that needs folding " * 4,
        "sentAt": "2024-03-04T05:06:07+05:30",
        "messageId": ["unique.1@example.com"],
        "inReplyTo": ["parent@example.com"],
        "references": ["root@example.com", "parent@example.com"],
        "textBody": [{"partId": "t"}],
        "bodyValues": {"t": {"value": "hi"}},
    }
    _, msg = _build(email)
    for prop, (name, form) in {
        "from": ("From", "addresses"),
        "to": ("To", "addresses"),
        "bcc": ("Bcc", "addresses"),
        "replyTo": ("Reply-To", "addresses"),
        "sender": ("Sender", "addresses"),
        "sentAt": ("Date", "date"),
        "messageId": ("Message-ID", "messageids"),
        "inReplyTo": ("In-Reply-To", "messageids"),
        "references": ("References", "messageids"),
    }.items():
        assert header(msg, name, form) == email[prop], prop
    expected_cc = [{"name": ("测试 " * 20).strip(), "email": "cjk@example.cn"}]
    assert header(msg, "Cc", "addresses") == expected_cc
    # RFC 8621 §4.1.2.2 trims before decoding, so the encoded trailing space stays
    assert header(msg, "Subject", "text") == email["subject"]


def test_generated_messages_use_crlf_short_lines_and_ascii_headers() -> None:
    """RFC 5322 §2.1.1 (998-octet lines, CRLF) and RFC 2047 for non-ASCII header text."""
    raw, _ = _build(
        {
            "subject": "Ünïcödé " * 60,
            "header:X-Long": " " + "word " * 400,
            "textBody": [{"partId": "t"}],
            "bodyValues": {"t": {"value": ("x" * 3000 + "\n") * 3 + "ü" * 2000}},
        }
    )
    head, _, _ = raw.partition(b"\r\n\r\n")
    assert head.isascii()
    assert re.search(rb"(?<!\r)\n|\r(?!\n)", raw) is None
    assert max(len(line) for line in raw.split(b"\r\n")) <= 998
    generated = [line for line in head.split(b"\r\n") if b"word word" not in line]
    assert max(len(line) for line in generated) <= 78


def test_date_and_message_id_are_generated_when_absent() -> None:
    """RFC 8621 §4.6: the server MUST generate Message-ID and Date header fields."""
    _, msg = _build({"textBody": [{"partId": "t"}], "bodyValues": {"t": {"value": "x"}}})
    other, _ = _build({"textBody": [{"partId": "t"}], "bodyValues": {"t": {"value": "x"}}})
    ids = header(msg, "Message-ID", "messageids")
    assert isinstance(ids, list)
    assert len(ids) == 1
    assert re.fullmatch(r"[0-9a-f]{32}@mailyard\.test", str(ids[0]))
    assert ids != header(parse_message(other), "Message-ID", "messageids")
    assert header(msg, "Date", "date") == "2024-01-02T03:04:05Z"
    assert header(msg, "MIME-Version") == " 1.0"


def test_text_html_and_attachments_become_alternative_related_and_mixed() -> None:
    """RFC 8621 §4.6 textBody/htmlBody/attachments: the usual structure a client expects."""
    raw, msg = _build(
        {
            "textBody": [{"partId": "t", "type": "text/plain"}],
            "htmlBody": [{"partId": "h", "type": "text/html"}],
            "attachments": [
                {"blobId": "png", "type": "image/png", "cid": "logo@x", "disposition": "inline"},
                {
                    "blobId": "pdf",
                    "type": "application/pdf",
                    "name": "Jahresübersicht " + "sehr lang " * 10 + ".pdf",
                    "disposition": "attachment",
                },
            ],
            "bodyValues": {
                "t": {"value": "Hello\nwörld\n"},
                "h": {"value": '<p>Hello <img src="cid:logo@x"></p>'},
            },
        }
    )
    assert part_json(msg.root) == {
        "partId": None,
        "size": msg.root.size,
        "name": None,
        "type": "multipart/mixed",
        "charset": None,
        "disposition": None,
        "cid": None,
        "language": None,
        "location": None,
        "subParts": [
            {
                "partId": None,
                "size": msg.root.sub_parts[0].size,
                "name": None,
                "type": "multipart/alternative",
                "charset": None,
                "disposition": None,
                "cid": None,
                "language": None,
                "location": None,
                "subParts": [
                    _leaf("1", 15, "text/plain", "utf-8"),
                    {
                        "partId": None,
                        "size": msg.root.sub_parts[0].sub_parts[1].size,
                        "name": None,
                        "type": "multipart/related",
                        "charset": None,
                        "disposition": None,
                        "cid": None,
                        "language": None,
                        "location": None,
                        "subParts": [
                            _leaf("2", 35, "text/html", "utf-8"),
                            _leaf(
                                "3", len(PNG), "image/png", None, disposition="inline", cid="logo@x"
                            ),
                        ],
                    },
                ],
            },
            _leaf(
                "4",
                len(BLOBS["pdf"]),
                "application/pdf",
                None,
                disposition="attachment",
                name="Jahresübersicht " + "sehr lang " * 10 + ".pdf",
            ),
        ],
    }
    assert (msg.text_body, msg.html_body, msg.attachments) == (["1"], ["2"], ["3", "4"])
    assert _value(raw, msg, "1") == "Hello\nwörld\n"
    assert _value(raw, msg, "2") == '<p>Hello <img src="cid:logo@x"></p>'
    assert decode_part(raw, _part(msg, "3")) == PNG
    assert decode_part(raw, _part(msg, "4")) == BLOBS["pdf"]


def _leaf(
    part_id: str,
    size: int,
    media: str,
    charset: str | None,
    *,
    disposition: str | None = None,
    cid: str | None = None,
    name: str | None = None,
) -> dict[str, JSONValue]:
    return {
        "partId": part_id,
        "size": size,
        "name": name,
        "type": media,
        "charset": charset,
        "disposition": disposition,
        "cid": cid,
        "language": None,
        "location": None,
    }


def test_a_body_structure_is_written_as_given() -> None:
    """RFC 8621 §4.6 bodyStructure, with per-part properties and header properties."""
    raw, msg = _build(
        {
            "subject": "structure",
            "bodyStructure": {
                "type": "multipart/mixed",
                "header:X-Root": " yes",
                "subParts": [
                    {
                        "partId": "a",
                        "type": "text/plain",
                        "language": ["en", "de"],
                        "location": "https://example.com/a.txt",
                    },
                    {
                        "blobId": "eml",
                        "type": "message/rfc822",
                        "disposition": "attachment",
                        "name": "forwarded.eml",
                        "header:X-Part:asText": "Ünï",
                    },
                ],
            },
            "bodyValues": {"a": {"value": "text"}},
        }
    )
    assert header(msg, "X-Root") == " yes"
    text, attached = msg.root.sub_parts
    assert (text.language, text.location) == (["en", "de"], "https://example.com/a.txt")
    assert (attached.type, attached.name, attached.encoding) == (
        "message/rfc822",
        "forwarded.eml",
        "7bit",
    )
    assert [h.name for h in attached.headers][-1] == "X-Part"
    assert decode_part(raw, attached) == BLOBS["eml"]
    inner = parse_message(decode_part(raw, attached))
    assert header(inner, "Subject", "text") == "Grüße aus Köln — Quartalsbericht"


def test_text_that_is_mostly_not_ascii_is_base64_and_reads_back_exactly() -> None:
    """RFC 2045 §6.8 base64 for CJK text; value round-trips with LF line ends."""
    text = "会議は明日です。\n" * 50
    raw, msg = _build({"textBody": [{"partId": "t"}], "bodyValues": {"t": {"value": text}}})
    assert msg.root.encoding == "base64"
    assert _value(raw, msg, "1") == text


def test_long_lines_are_quoted_printable_and_read_back_exactly() -> None:
    """RFC 2045 §6.7 soft line breaks keep lines within 76 characters."""
    text = "a" * 2000 + " \nend with space \n\nFrom here"
    raw, msg = _build({"textBody": [{"partId": "t"}], "bodyValues": {"t": {"value": text}}})
    assert msg.root.encoding == "quoted-printable"
    assert _value(raw, msg, "1") == text


def test_binary_blobs_and_text_blobs_keep_their_exact_octets() -> None:
    """RFC 8621 §4.1.4 blobId: the decoded octets equal the uploaded blob."""
    blobs = {"lf": b"line1\nline2\r\nlone\rcr\n", "bin": bytes(range(256))}
    spec = BuildSpec.from_jmap(
        {
            "attachments": [
                {"blobId": "lf", "type": "text/plain", "charset": "utf-8"},
                {"blobId": "bin"},
            ]
        },
        domain="x.test",
    )
    raw = build_message(spec, blobs.get)
    msg = parse_message(raw)
    assert [decode_part(raw, p) for p in msg.root.sub_parts] == [blobs["lf"], blobs["bin"]]
    assert [p.type for p in msg.root.sub_parts] == ["text/plain", "application/octet-stream"]


def test_arbitrary_header_forms_read_back_in_the_same_form() -> None:
    """RFC 8621 §4.1.3 header:{name}:as{form}[:all] on create."""
    raw, msg = _build(
        {
            "header:X-Text:asText": "naïve — text",
            "header:List-Unsubscribe:asURLs": ["mailto:u@example.com", "https://e.com/u"],
            "header:Resent-To:asGroupedAddresses": [
                {"name": "Team A", "addresses": [{"name": "A", "email": "a@x"}]},
                {"name": None, "addresses": [{"name": None, "email": "b@x"}]},
                {"name": "Empty", "addresses": []},
            ],
            "header:X-Multi:all": [" one", " two"],
            "header:Resent-Date:asDate": "2024-05-06T07:08:09-04:00",
            "textBody": [{"partId": "t"}],
            "bodyValues": {"t": {"value": ""}},
        }
    )
    assert header(msg, "X-Text", "text") == "naïve — text"
    assert header(msg, "List-Unsubscribe", "urls") == ["mailto:u@example.com", "https://e.com/u"]
    assert header(msg, "Resent-To", "groupedaddresses") == [
        {"name": "Team A", "addresses": [{"name": "A", "email": "a@x"}]},
        {"name": None, "addresses": [{"name": None, "email": "b@x"}]},
        {"name": "Empty", "addresses": []},
    ]
    assert [h.value for h in msg.headers if h.name == "X-Multi"] == [" one", " two"]
    assert header(msg, "Resent-Date", "date") == "2024-05-06T07:08:09-04:00"
    assert _value(raw, msg, "1") == ""


def test_an_email_without_any_body_gets_an_empty_text_part() -> None:
    """RFC 8621 §4.6: a half-finished draft is still a message."""
    raw, msg = _build({"subject": "empty draft"})
    assert (msg.root.type, msg.root.size, msg.text_body) == ("text/plain", 0, ["1"])
    assert raw.endswith(b"\r\n\r\n")


@settings(max_examples=200, deadline=None)
@given(st.text(st.characters(codec="utf-8"), max_size=3000), st.booleans())
def test_any_body_text_reads_back_with_lf_line_ends(text: str, html: bool) -> None:
    """RFC 8621 §4.1.4 EmailBodyValue: what bodyValues gave comes back, CRLF as LF."""
    key = "htmlBody" if html else "textBody"
    raw, msg = _build({key: [{"partId": "t"}], "bodyValues": {"t": {"value": text}}})
    expected = text.replace("\r\n", "\n").replace("\r", "\n")
    assert body_value(raw, msg.root) == {
        "value": expected,
        "isEncodingProblem": False,
        "isTruncated": False,
    }
    assert max(len(line) for line in raw.split(b"\r\n")) <= 998
