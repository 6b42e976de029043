"""Header sections as octets (RFC 5322 §2.2, §3.5) and MIME parameters (RFC 2045 §5.1, RFC 2231).

`scan_headers` walks a header section without copying the body and reports where the body starts,
so part bodies keep their byte offsets in the raw message. Values stay in Raw form (RFC 8621
§4.1.2.1): folding is kept, NUL octets are dropped and octet runs that are not UTF-8 become U+FFFD.
"""

from __future__ import annotations

import re
import urllib.parse
from dataclasses import dataclass

from jmap_mail.mime.charsets import decode_text
from jmap_mail.mime.rfc2047 import decode_word_run

__all__ = [
    "Header",
    "HeaderBudget",
    "decode_param_words",
    "decode_raw_value",
    "last_header",
    "parse_params",
    "scan_headers",
    "strip_comments",
]

_FIELD = re.compile(rb"([\x21-\x39\x3b-\x7e]+)[ \t]*:")
_WS_SPLIT = re.compile(r"([ \t]+)")
_FOLD = re.compile(r"\r?\n(?=[ \t])")
_EXTENDED = re.compile(r"^([^*]+)\*(?:(\d{1,3})\*?)?$")


@dataclass(slots=True)
class Header:
    """One header field: name as written and value in Raw form (RFC 8621 §4.1.3 EmailHeader)."""

    name: str
    value: str


@dataclass(slots=True)
class HeaderBudget:
    """How many more header fields a message may keep; bounds memory on hostile input."""

    remaining: int


def decode_raw_value(data: bytes) -> str:
    """Raw form octets to text (RFC 8621 §4.1.2.1): NUL dropped, invalid UTF-8 runs to U+FFFD."""
    if b"\x00" in data:
        data = data.replace(b"\x00", b"")
    return data.decode("utf-8", errors="replace")


def _line_bounds(raw: bytes, pos: int, end: int) -> tuple[int, int]:
    """(content end, next line start) of the line starting at `pos`; the terminator is CRLF or LF."""
    newline = raw.find(b"\n", pos, end)
    if newline < 0:
        return end, end
    content_end = newline - 1 if newline > pos and raw[newline - 1] == 0x0D else newline
    return content_end, newline + 1


def scan_headers(
    raw: bytes, start: int, end: int, budget: HeaderBudget
) -> tuple[list[Header], int]:
    """Parse the header section of the entity in `raw[start:end]` (RFC 5322 §2.2).

    Returns the fields and the offset where the body starts: after the empty line, or at the first
    line that is neither a field nor a continuation (such a message lacks the empty line, so that
    line is body), or `end` when there is no body. A leading mbox ``From `` line is skipped.
    """
    headers: list[Header] = []
    pos = start
    name: bytes | None = None
    value_start = value_end = 0

    def finish() -> None:
        if name is not None and budget.remaining > 0:
            budget.remaining -= 1
            headers.append(
                Header(decode_raw_value(name), decode_raw_value(raw[value_start:value_end]))
            )

    while pos < end:
        content_end, next_pos = _line_bounds(raw, pos, end)
        if content_end == pos:
            finish()
            return headers, next_pos
        if raw[pos] in b" \t":
            if name is not None:
                value_end = content_end
            pos = next_pos
            continue
        match = _FIELD.match(raw, pos, content_end)
        if match is None:
            if pos == start and raw.startswith(b"From ", pos):
                pos = next_pos
                continue
            finish()
            return headers, pos
        finish()
        name, value_start, value_end = match.group(1), match.end(), content_end
        pos = next_pos
    finish()
    return headers, end


def last_header(headers: list[Header], name: str) -> str | None:
    """Value of the last field called `name`, matched case-insensitively (RFC 8621 §4.1.3)."""
    wanted = name.lower()
    for header in reversed(headers):
        if header.name.lower() == wanted:
            return header.value
    return None


def strip_comments(value: str) -> str:
    """Remove RFC 5322 §3.2.2 comments (nested, with quoted-pairs) outside quoted strings."""
    if "(" not in value:
        return value
    out: list[str] = []
    depth = 0
    quoted = escaped = False
    for char in value:
        if escaped:
            escaped = False
            if depth == 0:
                out.append(char)
            continue
        if char == "\\":
            escaped = True
            if depth == 0:
                out.append(char)
        elif depth == 0 and char == '"':
            quoted = not quoted
            out.append(char)
        elif not quoted and char == "(":
            depth += 1
        elif not quoted and char == ")" and depth > 0:
            depth -= 1
            if depth == 0:
                out.append(" ")
        elif depth == 0:
            out.append(char)
    return "".join(out)


def _split_params(value: str) -> list[str]:
    """Split on ";" outside quoted strings."""
    parts: list[str] = []
    current: list[str] = []
    quoted = escaped = False
    for char in value:
        if escaped:
            escaped = False
        elif char == "\\" and quoted:
            escaped = True
        elif char == '"':
            quoted = not quoted
        elif char == ";" and not quoted:
            parts.append("".join(current))
            current = []
            continue
        current.append(char)
    parts.append("".join(current))
    return parts


def _unquote(value: str) -> str:
    value = value.strip()
    if not value.startswith('"'):
        return value.strip()
    body = value[1:-1] if value.endswith('"') and len(value) > 1 else value[1:]
    return re.sub(r"\\(.)", r"\1", body, flags=re.DOTALL)


def _join_extended(segments: dict[int, tuple[bool, str]]) -> str:
    """Join RFC 2231 §3-§4 continuations: percent-decode starred pieces, then apply the charset."""
    charset: str | None = None
    octets = bytearray()
    for index in sorted(segments):
        extended, text = segments[index]
        if extended and index == min(segments):
            pieces = text.split("'", 2)
            if len(pieces) == 3:
                charset, text = pieces[0] or None, pieces[2]
        if extended:
            octets += urllib.parse.unquote_to_bytes(text)
        else:
            octets += text.encode("utf-8")
    return decode_text(bytes(octets), charset or "utf-8").text


def parse_params(value: str) -> tuple[str, dict[str, str]]:
    """Split a Content-Type/Content-Disposition value into its lower-cased value and parameters.

    Parameter names are lower-cased; RFC 2231 continuations and charset/language encoding are
    decoded (RFC 2231 §3, §4) and win over a plain parameter of the same name. Comments are
    removed (RFC 2045 §5.1 allows them between tokens). A parameter that follows the value
    without its ";" (``text/plain charset=utf-8``) is still read.
    """
    pieces = _split_params(strip_comments(_FOLD.sub("", value)))
    first, *rest = re.split(r"\s+", pieces[0].strip(), maxsplit=1)
    if rest and "=" in rest[0] and "=" not in first:
        pieces[0:1] = [first, rest[0]]
    main = "".join(pieces[0].split()).lower()
    plain: dict[str, str] = {}
    extended: dict[str, dict[int, tuple[bool, str]]] = {}
    for piece in pieces[1:]:
        key, sep, raw_value = piece.partition("=")
        key = key.strip().lower()
        if not sep or not key:
            continue
        match = _EXTENDED.match(key)
        if match is None:
            plain.setdefault(key, _unquote(raw_value))
            continue
        base, index, starred = match.group(1), int(match.group(2) or 0), key.endswith("*")
        extended.setdefault(base, {}).setdefault(index, (starred, _unquote(raw_value)))
    for base, segments in extended.items():
        plain[base] = _join_extended(segments)
    return main, plain


def decode_param_words(value: str) -> str:
    """Decode RFC 2047 encoded-words inside a parameter value, a common non-standard practice."""
    if "=?" not in value:
        return value
    return decode_word_run(_WS_SPLIT.split(value))
