"""Hostile and broken input: parse_message never raises and bounds its work.

RFC 8621 §4.1.4 leaves decomposition of malformed content to the implementation ("likely to
require workarounds for malformed content discovered over time"); these tests pin ours.
Large inputs are generated here rather than stored in the corpus.
"""

from __future__ import annotations

import base64
import time

from jmap_mail.mime import ParsedMessage, body_value, decode_part, parse_message
from jmap_mail.mime.model import iter_parts
from jmap_mail.mime.parser import MAX_DEPTH, MAX_PARTS, OPAQUE_TYPE

from .corpus import load, part_json, text_of


def _timed_parse(raw: bytes, budget: float = 5.0) -> tuple[ParsedMessage, float]:
    started = time.perf_counter()
    msg = parse_message(raw)
    elapsed = time.perf_counter() - started
    assert elapsed < budget, f"parsing took {elapsed:.2f}s"
    return msg, elapsed


def test_a_missing_close_delimiter_ends_the_last_part_at_the_end_of_the_body() -> None:
    """RFC 2046 §5.1.1: the close delimiter is required; without it, take what is there."""
    raw = b"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\none\r\n--b\r\n\r\ntwo\r\n"
    msg = parse_message(raw)
    assert [text_of(raw, msg, pid) for pid in msg.text_body] == ["one", "two\n"]


def test_a_boundary_that_never_occurs_leaves_the_body_readable_as_text() -> None:
    """RFC 2046 §5.1.1: no delimiter at all; the content is kept as one text part."""
    raw = b"Content-Type: multipart/mixed; boundary=nothere\r\n\r\njust text\r\n"
    msg = parse_message(raw)
    assert (msg.root.part_id, msg.root.type, msg.text_body) == ("1", "text/plain", ["1"])
    assert text_of(raw, msg, "1") == "just text\n"


def test_a_multipart_without_boundary_parameter_is_kept_as_text() -> None:
    """RFC 2046 §5.1.1: the boundary parameter is required."""
    msg = parse_message(b"Content-Type: multipart/mixed\r\n\r\nhello")
    assert (msg.root.type, msg.preview) == ("text/plain", "hello")


def test_a_boundary_that_prefixes_a_nested_boundary_does_not_split_the_nested_part() -> None:
    """RFC 2046 §5.1.1: a delimiter line is the boundary followed only by white space."""
    raw = (
        b"Content-Type: multipart/mixed; boundary=ab\r\n\r\n--ab\r\n"
        b"Content-Type: multipart/alternative; boundary=abc\r\n\r\n--abc\r\n\r\ninner\r\n--abc--\r\n"
        b"--ab\r\n\r\nouter\r\n--ab--\r\n"
    )
    msg = parse_message(raw)
    assert [p.type for p in msg.root.sub_parts] == ["multipart/alternative", "text/plain"]
    assert [text_of(raw, msg, pid) for pid in ("1", "2")] == ["inner", "outer"]


def test_bare_lf_line_ends_are_understood_everywhere() -> None:
    """RFC 5322 §2.3 requires CRLF, but LF-only files are common; they parse the same."""
    raw = load("lf-only.eml")
    msg = parse_message(raw)
    assert (msg.text_body, msg.attachments) == (["1"], ["2"])
    assert text_of(raw, msg, "1") == "Line one\nLine two"
    attachment = msg.root.sub_parts[1]
    assert decode_part(raw, attachment) == b"\x00\x01\x02\x03\x04"


def test_a_header_line_without_colon_starts_the_body() -> None:
    """RFC 5322 §2.2: a line that is not a field ends a header section lacking its empty line."""
    raw = b"Subject: hi\r\nThis is body text\r\nX-Not: a header\r\n"
    msg = parse_message(raw)
    assert [h.name for h in msg.headers] == ["Subject"]
    assert text_of(raw, msg, "1") == "This is body text\nX-Not: a header\n"


def test_a_message_without_body_or_without_anything_parses() -> None:
    """RFC 5322 §3.5: the body is optional; an empty input is an empty message."""
    no_body = parse_message(b"Subject: only headers\r\nFrom: a@b")
    assert [h.value for h in no_body.headers] == [" only headers", " a@b"]
    assert (no_body.root.size, no_body.preview) == (0, "")
    empty = parse_message(b"")
    assert (empty.headers, empty.size, part_json(empty.root)["type"]) == ([], 0, "text/plain")


def test_an_mbox_from_line_before_the_headers_is_skipped() -> None:
    """mbox "From " separators are not header fields (RFC 4155 §2)."""
    msg = parse_message(b"From alice@example.com Mon Jan  1 00:00:00 2024\nSubject: x\n\nbody")
    assert [h.name for h in msg.headers] == ["Subject"]


def test_nul_octets_are_dropped_from_headers_and_kept_in_bodies() -> None:
    """RFC 8621 §4.1.2.1: NUL MUST be dropped from Raw header values."""
    raw = b"Subject: a\x00b\r\nX: \x00y\r\n\r\nbo\x00dy"
    msg = parse_message(raw)
    assert [(h.name, h.value) for h in msg.headers] == [("Subject", " ab"), ("X", " y")]
    assert decode_part(raw, msg.root) == b"bo\x00dy"
    assert msg.preview == "body"


def test_a_one_megabyte_header_line_parses_quickly() -> None:
    """Bounded work: header scanning is linear."""
    raw = b"Subject: " + b"x" * 1_000_000 + b"\r\nX-Next: y\r\n\r\nbody"
    msg, _ = _timed_parse(raw)
    assert [h.name for h in msg.headers] == ["Subject", "X-Next"]
    assert msg.preview == "body"


def test_ten_thousand_parts_are_capped_and_the_rest_is_one_opaque_part() -> None:
    """Bounded work: at most MAX_PARTS parts; the remainder stays downloadable as one part."""
    parts = b"".join(b"--b\r\n\r\npart %d\r\n" % i for i in range(10_000))
    raw = b"Content-Type: multipart/mixed; boundary=b\r\n\r\n" + parts + b"--b--\r\n"
    msg, _ = _timed_parse(raw)
    all_parts = list(iter_parts(msg.root))
    assert len(all_parts) == MAX_PARTS + 1
    rest = msg.root.sub_parts[-1]
    assert rest.type == OPAQUE_TYPE
    assert decode_part(raw, rest).startswith(b"\r\npart 1999\r\n--b\r\n")
    assert decode_part(raw, rest).endswith(b"part 9998\r\n--b\r\n\r\npart 9999")


def test_deep_nesting_is_cut_at_the_depth_limit() -> None:
    """Bounded work: multiparts nested deeper than MAX_DEPTH become one opaque part."""
    depth = 500
    head = b"".join(
        b"Content-Type: multipart/mixed; boundary=b%d\r\n\r\n--b%d\r\n" % (i, i)
        for i in range(depth)
    )
    tail = b"".join(b"\r\n--b%d--" % i for i in reversed(range(depth)))
    raw = head + b"Content-Type: text/plain\r\n\r\ndeep" + tail
    msg, _ = _timed_parse(raw)
    containers = [p for p in iter_parts(msg.root) if p.part_id is None]
    leaves = [p for p in iter_parts(msg.root) if p.part_id is not None]
    assert len(containers) == MAX_DEPTH
    assert [(p.part_id, p.type) for p in leaves] == [("1", OPAQUE_TYPE)]


def test_large_base64_of_zeros_is_sized_without_being_held_decoded() -> None:
    """RFC 8621 §4.1.4 `size` for a zip-bomb-like attachment: counted, not expanded."""
    raw = (
        b"Content-Type: application/zip\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        + base64.encodebytes(bytes(8_000_000))
    )
    msg, _ = _timed_parse(raw)
    assert (msg.root.size, msg.attachments, msg.preview) == (8_000_000, ["1"], "")


def test_a_huge_html_body_is_previewed_from_its_beginning_only() -> None:
    """Bounded work: the preview reads a bounded prefix of the body."""
    raw = b"Content-Type: text/html\r\n\r\n" + b"<p>word</p>" * 2_000_000
    msg, elapsed = _timed_parse(raw)
    assert msg.preview.startswith("word word")
    assert elapsed < 2.0


def test_headers_in_legacy_8bit_charsets_become_replacement_characters() -> None:
    """RFC 8621 §4.1.2.1: octets that are not UTF-8 SHOULD become U+FFFD."""
    msg = parse_message("Subject: Grüße\r\n\r\n".encode("latin-1"))
    assert msg.headers[0].value == " Gr\ufffd\ufffde"


def test_a_wrong_charset_label_is_flagged_not_fatal() -> None:
    """RFC 8621 §4.1.4 `isEncodingProblem`: content that is not in its declared charset."""
    raw = b"Content-Type: text/plain; charset=utf-8\r\n\r\nd\xe9j\xe0 vu"
    assert body_value(raw, parse_message(raw).root) == {
        "value": "d\ufffdj\ufffd vu",
        "isEncodingProblem": True,
        "isTruncated": False,
    }


def test_garbage_content_type_falls_back_to_plain_text() -> None:
    """RFC 2045 §5.2: an invalid Content-Type means text/plain; charset=us-ascii."""
    msg = parse_message(b"Content-Type: ;;;===\r\n\r\nx")
    assert (msg.root.type, msg.root.charset) == ("text/plain", "us-ascii")


def test_every_corpus_message_survives_truncation_at_every_hundredth_octet() -> None:
    """Never raises, offsets stay inside the input, for every prefix of every message."""
    from .corpus import corpus_names

    for name in corpus_names():
        raw = load(name)
        for cut in range(0, len(raw), 100):
            prefix = raw[:cut]
            msg = parse_message(prefix)
            for part in iter_parts(msg.root):
                assert 0 <= part.body_start <= part.body_end <= len(prefix), name
