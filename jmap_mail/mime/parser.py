"""MIME structure scanning over raw octets (RFC 2045, RFC 2046 §5.1, RFC 8621 §4.1.4).

The scanner works on byte offsets so every part body can later be sliced from the stored message
without re-parsing. It accepts CRLF and bare LF line ends, treats a missing close delimiter as the
end of the enclosing body, and bounds its work on hostile input: at most `MAX_PARTS` parts (the
remaining siblings at each open level become one opaque part), multipart nesting at most
`MAX_DEPTH` deep (deeper containers are opaque leaves) and at most `MAX_HEADERS` header fields
kept per message. Each nesting level rescans its own body once, so time is linear in the input
times a bounded depth.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from jmap_mail.mime.headers import (
    Header,
    HeaderBudget,
    decode_param_words,
    last_header,
    parse_params,
    scan_headers,
    strip_comments,
)
from jmap_mail.mime.model import Part
from jmap_mail.mime.transfer import base64_decoded_size, decode_quoted_printable

__all__ = ["MAX_DEPTH", "MAX_HEADERS", "MAX_PARTS", "OPAQUE_TYPE", "parse_structure"]

MAX_PARTS = 2000
MAX_DEPTH = 50
MAX_HEADERS = 50_000
OPAQUE_TYPE = "application/octet-stream"

_MEDIA_TYPE = re.compile(r"[a-z0-9!#$&^_.+\-]+/[a-z0-9!#$&^_.+\-]+")
_FOLD = re.compile(r"\r?\n(?=[ \t])")


@dataclass(slots=True)
class _Scan:
    raw: bytes
    parts_left: int
    next_id: int
    budget: HeaderBudget

    def take_id(self) -> str:
        self.next_id += 1
        return str(self.next_id)


@dataclass(frozen=True, slots=True)
class _Delimiter:
    before: int  # end of the preceding part: the line break before "--" belongs to the delimiter
    after: int  # start of the next part: just past the delimiter line
    close: bool


def _content_type(headers: list[Header], default: str) -> tuple[str, dict[str, str]]:
    """Media type and parameters; RFC 2045 §5.2 defaults for a missing or invalid field."""
    value = last_header(headers, "Content-Type")
    if value is None:
        return default, {}
    media, params = parse_params(value)
    if not _MEDIA_TYPE.fullmatch(media):
        return "text/plain", {}
    return media, params


def _simple_value(headers: list[Header], name: str) -> str | None:
    """A header value with comments, folding and all white space removed; None if absent/empty."""
    value = last_header(headers, name)
    if value is None:
        return None
    cleaned = "".join(strip_comments(_FOLD.sub("", value)).split())
    return cleaned or None


def _delimiters(raw: bytes, start: int, end: int, boundary: bytes, limit: int) -> list[_Delimiter]:
    """Boundary delimiter lines in `raw[start:end]` up to and including the close delimiter.

    A delimiter starts a line, is "--" boundary, optionally "--", then only linear white space
    (RFC 2046 §5.1.1); that last rule keeps a boundary that prefixes a nested one from matching.
    Past `limit` delimiters only the close delimiter is still looked for.
    """
    found: list[_Delimiter] = []
    marker = b"--" + boundary
    pos = raw.find(marker, start, end)
    while pos >= 0:
        if pos == start or raw[pos - 1] == 0x0A:
            tail = pos + len(marker)
            close = raw.startswith(b"--", tail, end)
            newline = raw.find(b"\n", tail, end)
            line_end = end if newline < 0 else newline + 1
            if close or not raw[tail:line_end].strip(b" \t\r\n"):
                before = pos
                if pos > start:
                    before = pos - 2 if pos - 1 > start and raw[pos - 2] == 0x0D else pos - 1
                if close or len(found) < limit:
                    found.append(_Delimiter(before, line_end, close))
                if close:
                    break
                pos = raw.find(marker, line_end, end)
                continue
        pos = raw.find(marker, pos + 1, end)
    return found


def _decoded_size(raw: bytes, start: int, end: int, encoding: str) -> int:
    if encoding == "base64":
        return base64_decoded_size(raw[start:end])
    if encoding == "quoted-printable":
        return len(decode_quoted_printable(raw[start:end]))
    return end - start


def _part(
    scan: _Scan,
    headers: list[Header],
    media: str,
    params: dict[str, str],
    span: tuple[int, int],
    children: list[Part] | None = None,
) -> Part:
    """A part with the EmailBodyPart fields of RFC 8621 §4.1.4; containers get no partId."""
    start, end = span
    disposition_value = last_header(headers, "Content-Disposition")
    disposition, disposition_params = (
        parse_params(disposition_value) if disposition_value is not None else ("", {})
    )
    name = disposition_params.get("filename") or params.get("name")
    charset = params.get("charset") or None
    if charset is None and media.startswith("text/"):
        charset = "us-ascii"
    cid = (_simple_value(headers, "Content-ID") or "").strip("<>")
    language = (_simple_value(headers, "Content-Language") or "").split(",")
    encoding = (_simple_value(headers, "Content-Transfer-Encoding") or "7bit").lower()
    return Part(
        part_id=None if children is not None else scan.take_id(),
        headers=headers,
        type=media,
        charset=charset,
        name=decode_param_words(name) if name else None,
        disposition=disposition or None,
        cid=cid or None,
        language=[tag for tag in language if tag] or None,
        location=_simple_value(headers, "Content-Location"),
        encoding=encoding,
        body_start=start,
        body_end=end,
        size=end - start if children is not None else _decoded_size(scan.raw, start, end, encoding),
        sub_parts=children or [],
    )


def _opaque(scan: _Scan, start: int, end: int) -> Part:
    """The rest of a body kept as one undecoded part once a limit is reached."""
    scan.parts_left -= 1
    return _part(scan, [], OPAQUE_TYPE, {}, (start, end))


def _children(
    scan: _Scan, delimiters: list[_Delimiter], end: int, default: str, depth: int
) -> list[Part]:
    """Parse the parts between consecutive delimiters (RFC 2046 §5.1.1)."""
    children: list[Part] = []
    for index, delimiter in enumerate(delimiters):
        if delimiter.close:
            break
        following = delimiters[index + 1].before if index + 1 < len(delimiters) else end
        if scan.parts_left <= 0:
            last = delimiters[-1]
            children.append(_opaque(scan, delimiter.after, last.before if last.close else end))
            break
        child_end = max(following, delimiter.after)
        children.append(_entity(scan, delimiter.after, child_end, default, depth + 1))
    return children


def _entity(scan: _Scan, start: int, end: int, default: str, depth: int) -> Part:
    """Parse the entity in `raw[start:end]` (header section, then body) recursively."""
    scan.parts_left -= 1
    headers, body_start = scan_headers(scan.raw, start, end, scan.budget)
    media, params = _content_type(headers, default)
    if not media.startswith("multipart/"):
        return _part(scan, headers, media, params, (body_start, end))
    boundary = params.get("boundary", "").encode("utf-8", errors="replace")
    if not boundary or depth >= MAX_DEPTH:
        # no boundary: keep the content visible as text; too deep: keep it as one opaque blob
        kind = "text/plain" if not boundary else OPAQUE_TYPE
        return _part(scan, headers, kind, {}, (body_start, end))
    delimiters = _delimiters(scan.raw, body_start, end, boundary, scan.parts_left + 2)
    if not delimiters:
        return _part(scan, headers, "text/plain", {}, (body_start, end))
    child_default = "message/rfc822" if media == "multipart/digest" else "text/plain"
    children = _children(scan, delimiters, end, child_default, depth)
    return _part(scan, headers, media, params, (body_start, end), children)


def parse_structure(raw: bytes) -> Part:
    """The MIME tree of message `raw`; partIds number the leaves depth first from "1"."""
    scan = _Scan(raw, MAX_PARTS, 0, HeaderBudget(MAX_HEADERS))
    return _entity(scan, 0, len(raw), "text/plain", 0)
