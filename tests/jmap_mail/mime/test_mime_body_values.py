"""Transfer decoding and EmailBodyValue (RFC 8621 §4.1.4, §4.2 maxBodyValueBytes; RFC 2045 §6)."""

from __future__ import annotations

import base64

import pytest

from jmap_mail.mime import body_value, decode_part, parse_message

from .corpus import load, text_of


def _single(
    content_type: bytes, body: bytes, encoding: bytes = b""
) -> tuple[bytes, dict[str, object]]:
    """Parse a one-part message and return its raw octets and the part's body value."""
    cte = b"Content-Transfer-Encoding: " + encoding + b"\r\n" if encoding else b""
    raw = b"Content-Type: " + content_type + b"\r\n" + cte + b"\r\n" + body
    msg = parse_message(raw)
    return raw, dict(body_value(raw, msg.root))


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("iso-2022-jp.eml", "こんにちは、世界。\n会議は明日です。\n"),
        ("koi8-r.eml", "Здравствуйте, Анна!\nВстреча в пятницу.\n"),  # noqa: RUF001
        ("big5.eml", "大家好，明天開會。\n"),  # noqa: RUF001
        ("alternative.eml", None),
    ],
)
def test_legacy_charsets_decode_to_unicode_with_lf_line_ends(name: str, text: str | None) -> None:
    """RFC 8621 §4.1.4 EmailBodyValue `value`: charset decoded, CRLF replaced with LF."""
    raw = load(name)
    msg = parse_message(raw)
    expected = text or (
        "Hallo Bob,\n\nanbei der Quartalsbericht für Q4. Die Zahlen sind gut — sehr gut sogar."
        "\n\nGrüße\nAlice\n"
    )
    assert body_value(raw, msg.root if msg.root.part_id else msg.root.sub_parts[0]) == {
        "value": expected,
        "isEncodingProblem": False,
        "isTruncated": False,
    }


def test_windows_1252_quoted_printable_html_decodes_the_euro_sign() -> None:
    """RFC 2045 §6.7 quoted-printable, then windows-1252 (0x80 is the euro sign)."""
    raw = load("html-only.eml")
    assert "Café prices &amp; more € 5" in text_of(raw, parse_message(raw), "1")


def test_iso_8859_1_is_read_as_its_windows_1252_superset() -> None:
    """RFC 8621 §4.1.4 allows heuristics: real-world "iso-8859-1" mail uses 0x80-0x9F as
    windows-1252 characters."""
    _, value = _single(b"text/plain; charset=iso-8859-1", b"\x93quoted\x94 caf\xe9")
    assert value == {
        "value": "\u201cquoted\u201d café",
        "isEncodingProblem": False,
        "isTruncated": False,
    }


def test_malformed_utf8_is_replaced_and_flagged() -> None:
    """RFC 8621 §4.1.4 `isEncodingProblem`: malformed sections found while decoding."""
    _, value = _single(b"text/plain; charset=utf-8", b"ok \xff\xfe end")
    assert value == {
        "value": "ok \ufffd\ufffd end",
        "isEncodingProblem": True,
        "isTruncated": False,
    }


def test_an_unknown_charset_is_decoded_as_utf8_and_flagged() -> None:
    """RFC 8621 §4.1.4 `isEncodingProblem`: the charset was unknown."""
    _, value = _single(b"text/plain; charset=x-martian", "naïve".encode())
    assert value == {"value": "naïve", "isEncodingProblem": True, "isTruncated": False}


def test_an_unknown_charset_falls_back_to_windows_1252_when_not_utf8() -> None:
    """RFC 8621 §4.1.4: best-effort decoding with the problem flagged."""
    _, value = _single(b"text/plain; charset=x-martian", b"na\xefve")
    assert value == {"value": "naïve", "isEncodingProblem": True, "isTruncated": False}


def test_a_non_text_codec_name_is_not_accepted_as_a_charset() -> None:
    """RFC 2046 §4.1.2: a charset maps octets to characters; "zlib" or "base64" do not."""
    _, value = _single(b"text/plain; charset=zlib", b"plain")
    assert value == {"value": "plain", "isEncodingProblem": True, "isTruncated": False}


def test_undeclared_8bit_text_is_read_as_utf8_without_a_problem() -> None:
    """RFC 8621 §4.1.4: heuristics when the declared us-ascii is evidently wrong."""
    _, value = _single(b"text/plain", "Grüße".encode())
    assert value == {"value": "Grüße", "isEncodingProblem": False, "isTruncated": False}


def test_html_without_charset_parameter_uses_its_meta_charset() -> None:
    """RFC 8621 §4.1.4: heuristics for a missing charset."""
    body = b'<html><head><meta charset="koi8-r"></head><body>\xf0\xd2\xc9\xd7\xc5\xd4</body></html>'
    _, value = _single(b"text/html", body)
    assert value["value"] == '<html><head><meta charset="koi8-r"></head><body>Привет</body></html>'


def test_an_unknown_transfer_encoding_is_treated_as_none_and_flagged() -> None:
    """RFC 8621 §4.1.4 `blobId` and `isEncodingProblem`."""
    raw, value = _single(b"text/plain", b"=?data?=", b"x-uuencode")
    msg = parse_message(raw)
    assert decode_part(raw, msg.root) == b"=?data?="
    assert value == {"value": "=?data?=", "isEncodingProblem": True, "isTruncated": False}


def test_invalid_base64_is_decoded_leniently() -> None:
    """RFC 2045 §6.8: characters outside the alphabet are ignored; padding is repaired."""
    raw, value = _single(b"text/plain", b"SGV*sbG8g!d2\r\n9y bGQ", b"BASE64")
    msg = parse_message(raw)
    assert decode_part(raw, msg.root) == b"Hello world"
    assert msg.root.size == 11
    assert value["value"] == "Hello world"


def test_base64_size_equals_the_decoded_length_for_every_remainder() -> None:
    """RFC 8621 §4.1.4 `size`: octets after transfer decoding."""
    for length in range(9):
        data = bytes(range(length))
        raw = b"Content-Transfer-Encoding: base64\r\n\r\n" + base64.encodebytes(data)
        msg = parse_message(raw)
        assert (msg.root.size, decode_part(raw, msg.root)) == (length, data)


def test_quoted_printable_soft_breaks_and_trailing_whitespace_are_removed() -> None:
    """RFC 2045 §6.7 rules 3 and 5."""
    raw, value = _single(
        b"text/plain; charset=utf-8", b"caf=C3=A9 =\r\nau lait   \r\nend", b"quoted-printable"
    )
    assert value["value"] == "café au lait\nend"
    assert parse_message(raw).root.size == len("café au lait\r\nend".encode())


def test_truncation_respects_the_octet_limit_and_character_boundaries() -> None:
    """RFC 8621 §4.2 maxBodyValueBytes: valid UTF-8, never mid-codepoint."""
    raw, _ = _single(b"text/plain; charset=utf-8", "aé€😀b".encode())
    msg = parse_message(raw)
    results = [body_value(raw, msg.root, n)["value"] for n in range(1, 12)]
    assert results == ["a", "a", "aé", "aé", "aé", "aé€", "aé€", "aé€", "aé€", "aé€😀", "aé€😀b"]
    assert body_value(raw, msg.root, 10)["isTruncated"] is True
    assert body_value(raw, msg.root, 11)["isTruncated"] is False
    assert body_value(raw, msg.root, 0)["isTruncated"] is False


def test_html_truncation_does_not_cut_inside_a_tag() -> None:
    """RFC 8621 §4.2: the server SHOULD NOT truncate inside an HTML tag."""
    raw, _ = _single(b"text/html", b'<p>Hi <a href="https://example.com">there</a></p>')
    msg = parse_message(raw)
    assert body_value(raw, msg.root, 20) == {
        "value": "<p>Hi ",
        "isEncodingProblem": False,
        "isTruncated": True,
    }


def test_decode_part_returns_binary_attachment_octets() -> None:
    """RFC 8621 §4.1.4 `blobId`: the octets after transfer decoding."""
    raw = load("smime-signed.eml")
    signature = parse_message(raw).root.sub_parts[1]
    assert decode_part(raw, signature) == bytes(range(256))
    assert signature.size == 256


@pytest.mark.parametrize(
    ("label", "codec", "text"),
    [
        ("utf-7", "utf-7", "Hi Mom -☺-!"),
        ("gb2312", "gb2312", "你好，世界"),  # noqa: RUF001
        ("GBK", "gbk", "你好，世界"),  # noqa: RUF001
        ("gb18030", "gb18030", "你好，世界"),  # noqa: RUF001
        ("Shift_JIS", "cp932", "こんにちは ①"),
        ("euc-jp", "euc_jp", "こんにちは"),
        ("ks_c_5601-1987", "cp949", "안녕하세요"),
        ("windows-1251", "cp1251", "Привет"),
        ("ISO-8859-2", "iso8859_2", "Zażółć gęślą jaźń"),
        ("iso-8859-15", "iso8859_15", "€uro"),
        ('"UTF-8"', "utf-8", "quoted label ✓"),
    ],
)
def test_common_legacy_charsets_decode_without_problems(label: str, codec: str, text: str) -> None:
    """RFC 8621 §4.1.4 `value`: the charset parameter names the encoding (RFC 2046 §4.1.2)."""
    header = b"text/plain; charset=" + label.encode()
    _, value = _single(header, text.encode(codec))
    assert value == {"value": text, "isEncodingProblem": False, "isTruncated": False}
