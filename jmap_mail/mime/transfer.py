"""Content-Transfer-Encoding decoding and encoding (RFC 2045 §6).

Decoding is lenient, because the world's mail is: base64 ignores every octet outside its alphabet
(RFC 2045 §6.8 says such characters "are to be ignored") and repairs missing padding;
quoted-printable leaves malformed ``=`` sequences as they are (RFC 2045 §6.7 note 1). An unknown
transfer encoding is treated as no encoding (RFC 8621 §4.1.4 `blobId`).
"""

from __future__ import annotations

import binascii
import re

__all__ = [
    "KNOWN_ENCODINGS",
    "base64_decoded_size",
    "decode_base64",
    "decode_quoted_printable",
    "decode_transfer",
    "encode_base64",
    "encode_quoted_printable",
]

KNOWN_ENCODINGS = frozenset({"7bit", "8bit", "binary", "base64", "quoted-printable"})

_B64_ALPHABET = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
_NOT_B64 = bytes(sorted(set(range(256)) - set(_B64_ALPHABET)))
_QP_TRAILING_WS = re.compile(rb"[ \t]+(?=\r?\n|\Z)")
_QP_SAFE = frozenset(range(33, 127)) - {ord("=")}


def _b64_payload(data: bytes) -> bytes:
    """Keep only base64 alphabet octets (RFC 2045 §6.8), dropping a dangling sextet."""
    clean = data.translate(None, _NOT_B64)
    if len(clean) % 4 == 1:
        clean = clean[:-1]
    return clean


def base64_decoded_size(data: bytes) -> int:
    """Octets that `decode_base64(data)` yields, computed without decoding (RFC 2045 §6.8)."""
    n = len(_b64_payload(data))
    return n // 4 * 3 + (0, 0, 1, 2)[n % 4]


def decode_base64(data: bytes) -> bytes:
    """Decode base64 leniently: junk octets and padding ignored, truncated quanta completed."""
    clean = _b64_payload(data)
    clean += b"=" * (-len(clean) % 4)
    try:
        return binascii.a2b_base64(clean)
    except binascii.Error:  # pragma: no cover - the payload is already well formed
        return b""


def decode_quoted_printable(data: bytes) -> bytes:
    """Decode quoted-printable (RFC 2045 §6.7), dropping trailing white space on each line."""
    return binascii.a2b_qp(_QP_TRAILING_WS.sub(b"", data))


def decode_transfer(data: bytes, encoding: str) -> bytes:
    """Undo `encoding` on `data`; unknown encodings and identity encodings return `data`."""
    if encoding == "base64":
        return decode_base64(data)
    if encoding == "quoted-printable":
        return decode_quoted_printable(data)
    return data


def encode_base64(data: bytes) -> bytes:
    """Base64 in CRLF-terminated lines of 76 characters (RFC 2045 §6.8)."""
    encoded = binascii.b2a_base64(data, newline=False)
    lines = [encoded[i : i + 76] for i in range(0, len(encoded), 76)]
    return b"".join(line + b"\r\n" for line in lines)


def _qp_line(line: bytes, out: list[bytes]) -> None:
    """Append one quoted-printable encoded line, soft-wrapped at 76 characters."""
    current = bytearray()
    last = len(line) - 1
    for i, octet in enumerate(line):
        if octet in _QP_SAFE or (octet in (9, 32) and i != last):
            token = bytes((octet,))
        else:
            token = b"=%02X" % octet
        if i == 0 and line.startswith(b"From "):
            token = b"=46"  # keeps mbox readers from mangling the line
        if len(current) + len(token) > 75:
            out.append(bytes(current) + b"=\r\n")
            current = bytearray()
        current += token
    out.append(bytes(current) + b"\r\n")


def encode_quoted_printable(data: bytes) -> bytes:
    """Quoted-printable of CRLF-delimited `data` (RFC 2045 §6.7 rules 1-5), lines <= 76 octets.

    Line breaks in `data` must be CRLF; each becomes a hard line break. The output ends with CRLF
    only if `data` did; otherwise the last line ends with a soft line break so decoding yields
    exactly `data`.
    """
    out: list[bytes] = []
    lines = data.split(b"\r\n")
    for line in lines:
        _qp_line(line, out)
    result = b"".join(out)
    # the final element came from the text after the last CRLF: make its break soft
    return result[:-2] if data.endswith(b"\r\n") else result[:-2] + b"=\r\n"
