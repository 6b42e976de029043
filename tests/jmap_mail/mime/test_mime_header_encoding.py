"""Header writing reads back through the parsed forms (RFC 2047, RFC 2231, RFC 5322 §3.4)."""

from __future__ import annotations

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from jmap_mail.mime import header_form
from jmap_mail.mime.header_encode import (
    fold_tokens,
    format_date,
    parse_jmap_date,
    render_address,
    render_params,
    render_unstructured,
)
from jmap_mail.mime.headers import parse_params
from jmap_mail.mime.rfc2047 import encode_words

_TEXT = st.text(
    st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), min_size=1, max_size=200
).map(lambda s: unicodedata.normalize("NFC", s).strip(" \t"))


@settings(max_examples=300, deadline=None)
@given(_TEXT)
def test_unstructured_text_reads_back_as_written(text: str) -> None:
    """RFC 8621 §4.1.2.2 Text form of what RFC 2047 §5 rule 1 encoding wrote."""
    value = render_unstructured("Subject", text)
    assert value.isascii() or not text.isascii()
    assert all(len(line) <= 78 for line in ("Subject:" + value).split("\r\n") if "=?" in line)
    assert header_form(value, "text") == text


@settings(max_examples=300, deadline=None)
@given(
    _TEXT.map(lambda s: " ".join(s.split())),
    st.from_regex(r"[a-z0-9.]{1,20}@[a-z]{1,10}\.test", fullmatch=True),
)
def test_display_names_read_back_as_written(name: str, email: str) -> None:
    """RFC 8621 §4.1.2.3 `name` of what RFC 5322 §3.4 / RFC 2047 §5 rule 3 encoding wrote."""
    value = fold_tokens("To", render_address(name or None, email))
    assert header_form(value, "addresses") == [{"name": name or None, "email": email}]


@settings(max_examples=300, deadline=None)
@given(st.text(st.characters(codec="utf-8"), min_size=1, max_size=150))
def test_parameters_read_back_as_written(filename: str) -> None:
    """RFC 2231 §3-§4 sections and RFC 2045 §5.1 quoting round-trip through parse_params."""
    tokens = render_params("attachment", [("filename", filename)])
    value = fold_tokens("Content-Disposition", tokens)
    assert all(len(line) <= 78 for line in ("Content-Disposition:" + value).split("\r\n"))
    assert parse_params(value) == ("attachment", {"filename": filename})


def test_encoded_words_never_exceed_75_characters_or_split_a_character() -> None:
    """RFC 2047 §2 (75 characters) and §5 rule 3 (whole characters per word)."""
    words = encode_words("😀é" * 100)
    assert all(len(word) <= 75 for word in words)
    assert header_form(" " + " ".join(words), "text") == "😀é" * 100


def test_dates_are_written_with_their_offset() -> None:
    """RFC 5322 §3.3 date-time from an RFC 8620 §1.4 Date, offset kept."""
    moment = parse_jmap_date("2024-02-29T23:59:58.123-09:30")
    assert moment is not None
    assert format_date(moment) == "Thu, 29 Feb 2024 23:59:58 -0930"
    assert parse_jmap_date("2024-02-30T00:00:00Z") is None
    assert parse_jmap_date("2024-02-01 00:00:00Z") is None


def test_a_parameter_without_its_semicolon_is_still_read() -> None:
    """RFC 2045 §5.1 requires ";" before each parameter; some senders omit it."""
    assert parse_params(" text/plain charset=koi8-r") == ("text/plain", {"charset": "koi8-r"})
    assert parse_params(' attachment\tfilename="a b.txt"') == (
        "attachment",
        {"filename": "a b.txt"},
    )
