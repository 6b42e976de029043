"""RFC 2047 encoded-words: decoding for the Text form and encoding for generated messages.

Decoding follows RFC 8621 §4.1.2.2 step 4: only syntactically correct encoded-words in a known
charset are decoded; text that merely looks like one (for example glued to other text, RFC 2047
§5 rule 1) is left alone. Adjacent encoded-words separated only by white space are joined
without that white space (RFC 2047 §6.2), and their octets are concatenated before charset
decoding so that a character split across two words (a common fault) still decodes.
"""

from __future__ import annotations

import base64
import re
import unicodedata

from jmap_mail.mime.charsets import decode_text, is_known_charset
from jmap_mail.mime.transfer import decode_base64

__all__ = [
    "decode_encoded_word",
    "decode_unstructured",
    "drop_controls",
    "encode_words",
    "needs_encoding",
]

ENCODED_WORD = re.compile(r"=\?([^?\s*]+)(?:\*[^?\s]*)?\?([bBqQ])\?([^?\s]*)\?=")
_Q_ESCAPE = re.compile(rb"=([0-9A-Fa-f]{2})")
_CONTROLS = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
_WS_SPLIT = re.compile(r"([ \t]+)")
_FOLD = re.compile(r"\r?\n(?=[ \t])")
_Q_SAFE = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!*+-/")


def drop_controls(text: str) -> str:
    """Remove NUL and control characters except TAB (RFC 8621 §4.1.2.2 step 4)."""
    return _CONTROLS.sub("", text)


def _word_octets(charset: str, encoding: str, payload: str) -> bytes | None:
    if not is_known_charset(charset):
        return None
    raw = payload.encode("ascii", errors="replace")
    if encoding in "bB":
        return decode_base64(raw)
    raw = raw.replace(b"_", b" ")
    return _Q_ESCAPE.sub(lambda m: bytes((int(m.group(1), 16),)), raw)


def decode_encoded_word(token: str) -> str | None:
    """Decode `token` if it is exactly one encoded-word in a known charset, else None."""
    match = ENCODED_WORD.fullmatch(token)
    if match is None:
        return None
    octets = _word_octets(*match.groups())
    if octets is None:
        return None
    return drop_controls(decode_text(octets, match.group(1)).text)


def decode_word_run(tokens: list[str]) -> str:
    """Decode a run of words where white space between two encoded-words vanishes (RFC 2047 §6.2).

    `tokens` alternates words and the white space between them, as `re.split` leaves them.
    Encoded-words that are adjacent (apart from white space) and share a charset have their octets
    joined before decoding.
    """
    out: list[str] = []
    pending: list[tuple[str, bytes]] = []  # (charset, octets) of consecutive encoded-words
    held_space = ""

    def flush() -> None:
        if pending:
            charset, data = pending[0][0], b"".join(octets for _, octets in pending)
            out.append(drop_controls(decode_text(data, charset).text))
            pending.clear()

    for token in tokens:
        if not token:
            continue
        if token[0] in " \t":
            if pending:
                held_space += token  # vanishes if another encoded-word follows
            else:
                out.append(token)
            continue
        match = ENCODED_WORD.fullmatch(token)
        octets = _word_octets(*match.groups()) if match else None
        if match is not None and octets is not None:
            charset = match.group(1).lower()
            if pending and pending[0][0] != charset:
                flush()
            pending.append((charset, octets))
            held_space = ""
            continue
        flush()
        out.append(held_space + token)
        held_space = ""
    flush()
    out.append(held_space)
    return "".join(out)


def decode_unstructured(value: str) -> str:
    """The Text form of a header field value (RFC 8621 §4.1.2.2).

    Unfolds (RFC 5322 §2.2.3), trims surrounding white space, decodes encoded-words that are
    delimited by white space, and normalises to NFC.
    """
    unfolded = _FOLD.sub("", value).strip(" \t\r\n")
    if "=?" in unfolded:
        unfolded = decode_word_run(_WS_SPLIT.split(unfolded))
    return unicodedata.normalize("NFC", drop_controls(unfolded))


def needs_encoding(text: str) -> bool:
    """Whether `text` cannot appear literally in a header (non-ASCII, controls or "=?")."""
    return not text.isascii() or "=?" in text or bool(_CONTROLS.search(text))


def _q_encode(data: bytes) -> str:
    return "".join(chr(b) if b in _Q_SAFE else "_" if b == 32 else f"={b:02X}" for b in data)


def encode_words(text: str, *, first_room: int = 75) -> list[str]:
    """Encode `text` as UTF-8 encoded-words of at most 75 characters each (RFC 2047 §2, §5).

    Chooses Q when most characters are ASCII, B otherwise; never splits a character between two
    words (RFC 2047 §5 rule 3). `first_room` limits the first word so it fits on the line it
    starts. The caller separates the words with folding white space, which decoding removes.
    """
    data = text.encode("utf-8")
    ascii_share = sum(1 for b in data if b < 128) / max(len(data), 1)
    use_q = ascii_share >= 0.7
    prefix, suffix = ("=?UTF-8?Q?", "?=") if use_q else ("=?UTF-8?B?", "?=")
    words: list[str] = []
    chunk = ""
    room = max(first_room, 20)
    for char in text:
        candidate = chunk + char
        raw = candidate.encode("utf-8")
        encoded = _q_encode(raw) if use_q else base64.b64encode(raw).decode("ascii")
        if chunk and len(prefix) + len(encoded) + len(suffix) > room:
            words.append(_render(prefix, chunk, use_q) + suffix)
            chunk, room = char, 75
        else:
            chunk = candidate
    if chunk or not words:
        words.append(_render(prefix, chunk, use_q) + suffix)
    return words


def _render(prefix: str, chunk: str, use_q: bool) -> str:
    raw = chunk.encode("utf-8")
    return prefix + (_q_encode(raw) if use_q else base64.b64encode(raw).decode("ascii"))
