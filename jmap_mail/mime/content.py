"""Part contents: transfer decoding, EmailBodyValue, preview and search text (RFC 8621 §4.1.4)."""

from __future__ import annotations

import re

from jmap_mail.mime._json import JSONObject
from jmap_mail.mime.charsets import Decoded, decode_text, is_known_charset
from jmap_mail.mime.html_text import collapse_whitespace, html_to_text
from jmap_mail.mime.model import Part
from jmap_mail.mime.transfer import KNOWN_ENCODINGS, decode_transfer

__all__ = ["PREVIEW_LENGTH", "body_value", "decode_part", "part_text", "preview", "search_text"]

PREVIEW_LENGTH = 256
_PREVIEW_SOURCE_OCTETS = 64 * 1024  # enough raw input for 256 characters of visible text
_META_CHARSET = re.compile(rb"<meta[^>]{0,200}?charset\s*=\s*[\"']?\s*([A-Za-z0-9_.:-]+)", re.I)


def decode_part(raw: bytes, part: Part, max_octets: int = 0) -> bytes:
    """The content of `part` after transfer decoding (RFC 8621 §4.1.4 `blobId` octets).

    With `max_octets` > 0 only about that many encoded octets are decoded, for previews.
    """
    end = part.body_end
    if max_octets > 0:
        end = min(end, part.body_start + max_octets)
    return decode_transfer(raw[part.body_start : end], part.encoding)


def _charset_for(part: Part, data: bytes) -> str | None:
    """The charset to decode with: the declared one, or an HTML <meta> one when the declared
    us-ascii is evidently wrong (RFC 8621 §4.1.4 allows heuristics)."""
    declared = part.charset
    mislabelled = declared is None or declared.lower() == "us-ascii"
    if part.type == "text/html" and mislabelled and not data.isascii():
        match = _META_CHARSET.search(data[:4096])
        if match is not None and is_known_charset(match.group(1).decode("ascii")):
            return match.group(1).decode("ascii")
    return declared or ("us-ascii" if part.type.startswith("text/") else "utf-8")


def part_text(raw: bytes, part: Part, max_octets: int = 0) -> Decoded:
    """Transfer- and charset-decoded text of `part`, with CRLF turned into LF."""
    data = decode_part(raw, part, max_octets)
    decoded = decode_text(data, _charset_for(part, data))
    problem = decoded.problem or part.encoding not in KNOWN_ENCODINGS
    return Decoded(decoded.text.replace("\r\n", "\n"), problem)


def _truncate(text: str, max_bytes: int, is_html: bool) -> str:
    """Cut `text` to at most `max_bytes` UTF-8 octets on a character boundary, and for HTML not
    inside a tag (RFC 8621 §4.2 `maxBodyValueBytes`)."""
    cut = text.encode("utf-8")[:max_bytes].decode("utf-8", errors="ignore")
    if is_html:
        open_at, close_at = cut.rfind("<"), cut.rfind(">")
        if open_at > close_at:
            cut = cut[:open_at]
    return cut


def body_value(raw: bytes, part: Part, max_bytes: int = 0) -> JSONObject:
    """The EmailBodyValue of `part` (RFC 8621 §4.1.4) truncated to `max_bytes` octets (§4.2).

    `isEncodingProblem` is true when the charset or transfer encoding is unknown or the content
    had malformed sequences (replaced by U+FFFD).
    """
    decoded = part_text(raw, part)
    value = decoded.text
    truncated = False
    if max_bytes > 0 and len(value) * 4 > max_bytes and len(value.encode("utf-8")) > max_bytes:
        value = _truncate(value, max_bytes, part.type == "text/html")
        truncated = True
    return {"value": value, "isEncodingProblem": decoded.problem, "isTruncated": truncated}


def _visible_text(raw: bytes, part: Part, max_octets: int, limit: int) -> str:
    text = part_text(raw, part, max_octets).text
    if part.type == "text/html":
        text = html_to_text(text, limit)
    return text.replace("\x00", "")


def _collapsed_start(text: str) -> str:
    """At least the first PREVIEW_LENGTH characters of ``text`` with white space collapsed,
    without collapsing all of a long text: collapsing a prefix gives a prefix of the result."""
    cut = 4 * PREVIEW_LENGTH
    while True:
        collapsed = collapse_whitespace(text[:cut])
        if len(collapsed) > PREVIEW_LENGTH or cut >= len(text):
            return collapsed
        cut *= 4


def preview(raw: bytes, text_body: list[Part]) -> str:
    """A plain-text preview (RFC 8621 §4.1.4 `preview`): the textBody text parts (HTML reduced to
    its visible text), white space collapsed, at most 256 characters."""
    collected: list[str] = []
    length = 0
    for part in text_body:
        if part.type not in ("text/plain", "text/html"):
            continue
        text = _collapsed_start(
            _visible_text(raw, part, _PREVIEW_SOURCE_OCTETS, PREVIEW_LENGTH * 4)
        )
        if text:
            collected.append(text)
            length += len(text) + 1
        if length > PREVIEW_LENGTH:
            break
    return " ".join(collected)[:PREVIEW_LENGTH].rstrip()


def search_text(raw: bytes, text_body: list[Part], limit: int = 1_000_000) -> str:
    """Plain text of the body parts for full-text indexing (RFC 8621 §4.4.1 `body`, `text`).

    Uses textBody (plain text preferred, HTML reduced to visible text) and returns at most `limit`
    characters; NUL characters are removed because databases refuse them in text columns.
    """
    pieces: list[str] = []
    remaining = limit
    for part in text_body:
        if remaining <= 0:
            break
        if part.type not in ("text/plain", "text/html"):
            continue
        text = _visible_text(raw, part, remaining * 8, remaining)[:remaining]
        pieces.append(text)
        remaining -= len(text) + 1
    return "\n".join(pieces)[:limit]
