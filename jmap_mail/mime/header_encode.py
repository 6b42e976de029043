"""Header field rendering for generated messages (RFC 5322 §2.2, §3; RFC 2047; RFC 2231).

Every function returns a field *value* in Raw form (RFC 8621 §4.1.2.1): it starts with a space
and may contain folding CRLF SP sequences; lines are kept to 78 characters where a fold point
exists (RFC 5322 §2.1.1) and never exceed 998.
"""

from __future__ import annotations

import re
import urllib.parse
from datetime import datetime, timedelta, timezone

from jmap_mail.mime.rfc2047 import encode_words, needs_encoding

__all__ = [
    "SOFT_LIMIT",
    "fold_tokens",
    "format_date",
    "parse_jmap_date",
    "phrase_tokens",
    "render_address",
    "render_params",
    "render_raw",
    "render_unstructured",
]

SOFT_LIMIT = 78
HARD_LIMIT = 998
_ATEXT_PHRASE = re.compile(r"[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~ ]+")
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_JMAP_DATE = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?([Zz]|[+-]\d{2}:\d{2})"
)
_BARE_BREAK = re.compile(r"\r\n(?![ \t])|\r(?!\n)|(?<!\r)\n")
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def fold_tokens(name: str, tokens: list[str]) -> str:
    """Join `tokens` with single spaces after ``name:``, folding before a token when the line
    would pass 78 characters. Empty tokens (from runs of spaces) are never fold points."""
    out: list[str] = []
    line_length = len(name) + 1
    for token in tokens:
        fits = line_length + 1 + len(token) <= SOFT_LIMIT
        if out and token and not fits:
            out.append("\r\n " + token)
            line_length = 1 + len(token)
        else:
            out.append(" " + token)
            line_length += 1 + len(token)
    return "".join(out) if out else " "


def render_unstructured(name: str, text: str) -> str:
    """An unstructured value such as Subject (RFC 5322 §3.2.5): literal ASCII folded at spaces,
    otherwise RFC 2047 encoded-words (RFC 2047 §5 rule 1) carrying every character."""
    words = text.split(" ")
    if not needs_encoding(text) and all(len(w) < HARD_LIMIT - len(name) - 4 for w in words):
        return fold_tokens(name, words)
    return fold_tokens(name, encode_words(text, first_room=SOFT_LIMIT - len(name) - 2))


def phrase_tokens(display_name: str) -> list[str]:
    """A display-name (RFC 5322 §3.2.5 phrase): atoms, a quoted-string or encoded-words."""
    if needs_encoding(display_name):
        return encode_words(display_name)
    if _ATEXT_PHRASE.fullmatch(display_name):
        return [w for w in display_name.split(" ") if w] or ['""']
    escaped = display_name.replace("\\", "\\\\").replace('"', '\\"')
    return [f'"{escaped}"']


def render_address(name: str | None, email: str) -> list[str]:
    """Tokens of one mailbox (RFC 5322 §3.4): ``phrase <addr-spec>`` or a bare addr-spec."""
    if name:
        return [*phrase_tokens(name), f"<{email}>"]
    return [email]


def render_params(value: str, params: list[tuple[str, str]]) -> list[str]:
    """Tokens of ``value; key=val; ...`` with RFC 2231 §3-§4 encoding for long or non-ASCII
    parameter values and RFC 2045 §5.1 quoting otherwise."""
    tokens = [value]
    for key, param in params:
        for piece in _param_pieces(key, param):
            tokens[-1] += ";"
            tokens.append(piece)
    return tokens


def _quote(text: str) -> str:
    if _TOKEN.fullmatch(text):
        return text
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _chunks(atoms: list[str], first_room: int, room: int) -> list[str]:
    """Group `atoms` into strings no longer than `first_room`, then `room` characters."""
    chunks: list[str] = [""]
    limit = first_room
    for atom in atoms:
        if chunks[-1] and len(chunks[-1]) + len(atom) > limit:
            chunks.append("")
            limit = room
        chunks[-1] += atom
    return chunks


def _param_pieces(key: str, value: str) -> list[str]:
    """One parameter as ``key=value`` or RFC 2231 §3-§4 sections, each fitting a folded line."""
    room = SOFT_LIMIT - 3 - len(key) - len("*99*=")
    if not needs_encoding(value):
        simple = f"{key}={_quote(value)}"
        if len(simple) <= SOFT_LIMIT - 2:
            return [simple]
        escaped = ["\\" + char if char in '"\\' else char for char in value]
        parts = _chunks(escaped, room - 2, room - 2)
        return [f'{key}*{i}="{chunk}"' for i, chunk in enumerate(parts)]
    encoded = urllib.parse.quote(value, safe="!#$&+-.^_`|~")
    if len(key) + len(encoded) + 10 <= SOFT_LIMIT - 2:
        return [f"{key}*=utf-8''{encoded}"]
    atoms = re.findall(r"%[0-9A-F]{2}|[^%]", encoded)
    parts = _chunks(atoms, room - len("utf-8''"), room)
    return [f"{key}*0*=utf-8''{parts[0]}"] + [
        f"{key}*{i}*={chunk}" for i, chunk in enumerate(parts[1:], 1)
    ]


def render_raw(name: str, value: str) -> str | None:
    """A Raw form value given by a client, or None if it cannot be written safely.

    Line breaks are allowed only as folds (CRLF before white space); a bare CR or LF would
    inject header fields. Over-long lines are folded at existing white space.
    """
    if "\x00" in value or _BARE_BREAK.search(value):
        return None
    lines = value.split("\r\n")
    lines[0] = name + ":" + lines[0]
    folded: list[str] = []
    for line in lines:
        while len(line.encode("utf-8")) > HARD_LIMIT:
            fits = len(line.encode("utf-8")[:HARD_LIMIT].decode("utf-8", errors="ignore"))
            cut = max(line.rfind(" ", 1, fits), line.rfind("\t", 1, fits))
            if cut <= 0 or not line[:cut].strip():
                return None
            folded.append(line[:cut])
            line = line[cut:]
        folded.append(line)
    return "\r\n".join(folded)[len(name) + 1 :]


def parse_jmap_date(value: str) -> datetime | None:
    """An RFC 8620 §1.4 Date (RFC 3339 date-time with offset) as an aware datetime, or None."""
    match = _JMAP_DATE.fullmatch(value)
    if match is None:
        return None
    year, month, day, hour, minute, second = (int(g) for g in match.groups()[:6])
    zone = match.group(7)
    offset = 0
    if zone not in ("Z", "z"):
        hours, minutes = int(zone[1:3]), int(zone[4:6])
        if hours > 23 or minutes > 59:
            return None
        offset = (hours * 60 + minutes) * (-1 if zone[0] == "-" else 1)
    try:
        return datetime(
            year,
            month,
            day,
            hour,
            minute,
            min(second, 59),
            tzinfo=timezone(timedelta(minutes=offset)),
        )
    except ValueError:
        return None


def format_date(moment: datetime) -> str:
    """An RFC 5322 §3.3 date-time, keeping `moment`'s UTC offset: ``Tue, 02 Jan 2024 03:04:05 +0100``."""
    offset = moment.utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    return (
        f"{_DAYS[moment.weekday()]}, {moment.day:02d} {_MONTHS[moment.month - 1]} "
        f"{moment.year:04d} {moment.hour:02d}:{moment.minute:02d}:{moment.second:02d} "
        f"{sign}{abs(minutes) // 60:02d}{abs(minutes) % 60:02d}"
    )
