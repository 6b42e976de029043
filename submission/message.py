"""Byte-level edits of a message's header section (RFC 5322 §2.2).

Delivery changes messages only at the top: it removes Bcc (RFC 8621 §7.5), prepends trace fields
(Return-Path and Received, RFC 5321 §4.4) and a DKIM-Signature (RFC 6376 §5.6). Working on the
octets keeps the rest of the message, and so any signature over it, exactly as submitted.
"""

from __future__ import annotations

import re
import secrets
import socket
from email.utils import format_datetime

from django.conf import settings
from django.utils import timezone

_FIELD_NAME = re.compile(rb"([\x21-\x39\x3b-\x7e]+)[ \t]*:")
_BARE_LF = re.compile(rb"(?<!\r)\n")
_BARE_CR = re.compile(rb"\r(?!\n)")


def hostname() -> str:
    """The name this server gives in EHLO, banners and Received fields."""
    return settings.MAILYARD_SMTP_HOSTNAME or socket.getfqdn()


def to_crlf(raw: bytes) -> bytes:
    """Every line ending as CRLF (RFC 5322 §2.3): what SMTP DATA needs."""
    if b"\n" not in raw and b"\r" not in raw:
        return raw
    return _BARE_LF.sub(b"\r\n", _BARE_CR.sub(b"\r\n", raw))


def has_bare_lf(raw: bytes) -> bool:
    """Whether some line ends in LF without CR (RFC 5321 §2.3.8 forbids it on the wire)."""
    return _BARE_LF.search(raw) is not None


def is_eight_bit(raw: bytes) -> bool:
    return any(byte > 127 for byte in raw)


def header_end(raw: bytes) -> int:
    """Offset of the empty line ending the header section (or the end of ``raw``)."""
    found = raw.find(b"\r\n\r\n")
    return len(raw) if found < 0 else found + 2


def split_fields(raw: bytes) -> tuple[list[bytes], bytes]:
    """The header fields (each with its folded continuation lines and CRLF) and the rest."""
    end = header_end(raw)
    fields: list[bytes] = []
    for line in raw[:end].splitlines(keepends=True):
        if line[:1] in (b" ", b"\t") and fields:
            fields[-1] += line
        else:
            fields.append(line)
    return fields, raw[end:]


def field_name(field: bytes) -> str:
    match = _FIELD_NAME.match(field)
    return match.group(1).decode("ascii").lower() if match else ""


def remove_fields(raw: bytes, names: set[str]) -> bytes:
    """``raw`` without the header fields called ``names`` (lower-case)."""
    fields, rest = split_fields(raw)
    kept = [f for f in fields if field_name(f) not in names]
    if len(kept) == len(fields):
        return raw
    return b"".join(kept) + rest


def has_field(raw: bytes, name: str) -> bool:
    fields, _ = split_fields(raw)
    return any(field_name(f) == name for f in fields)


def prepend(raw: bytes, *lines: str) -> bytes:
    """Put header fields (without their CRLF) on top of ``raw`` (trace fields go first)."""
    head = "".join(line + "\r\n" for line in lines)
    return head.encode() + raw


def rfc5322_date() -> str:
    return format_datetime(timezone.now().astimezone(), usegmt=False)


def received_field(
    *, protocol: str, helo: str | None = None, peer: str | None = None, recipient: str | None = None
) -> str:
    """A Received trace field (RFC 5321 §4.4): from, by, with, id, for; date."""
    parts = ["Received:"]
    if helo or peer:
        parts.append(f"from {helo or 'unknown'}" + (f" ([{peer}])" if peer else ""))
    parts.append(f"by {hostname()} (Mailyard) with {protocol} id {secrets.token_hex(8)}")
    if recipient:
        parts.append(f"for <{recipient}>")
    return "\r\n\t".join([" ".join(parts) + ";", rfc5322_date()])


def prepare_outgoing(raw: bytes, *, domain: str) -> bytes:
    """A stored Email ready for delivery: CRLF, no Bcc (RFC 8621 §7.5), with Date and
    Message-ID (RFC 5322 §3.6, RFC 6409 §8.2-8.3 as a submission server may add them)."""
    data = remove_fields(to_crlf(raw), {"bcc"})
    extra: list[str] = []
    if not has_field(data, "date"):
        extra.append(f"Date: {rfc5322_date()}")
    if not has_field(data, "message-id"):
        extra.append(f"Message-ID: <{secrets.token_hex(16)}@{domain}>")
    if not extra:
        return data
    fields, rest = split_fields(data)
    return b"".join(fields) + "".join(f"{line}\r\n" for line in extra).encode() + rest
