"""Charset labels to Python codecs, and best-effort decoding (RFC 8621 §4.1.4 EmailBodyValue).

MIME charset labels (RFC 2045 §5.1, RFC 2046 §4.1.2) name IANA charsets; mail in the wild also uses
vendor aliases and mislabels legacy encodings. Each label resolves to a *chain* of Python codecs
tried strictly in order, so a superset that real senders actually used (windows-1252 for
iso-8859-1, gb18030 for gb2312, cp949 for euc-kr…) wins without flagging a problem. Only codecs
that turn octets into text are reachable: a label such as ``zlib`` or ``unicode_escape`` is
treated as unknown.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from functools import lru_cache

__all__ = ["Decoded", "decode_text", "is_known_charset", "normalise_label"]

# Labels whose bytes in practice come from a superset, or that Python spells differently.
_ALIASES: dict[str, tuple[str, ...]] = {
    "us-ascii": ("ascii",),
    "ascii": ("ascii",),
    "iso-8859-1": ("cp1252", "latin-1"),
    "latin1": ("cp1252", "latin-1"),
    "iso-8859-9": ("cp1254", "iso8859-9"),
    "iso-8859-8-i": ("iso8859-8",),
    "iso-8859-6-i": ("iso8859-6",),
    "gb2312": ("gb18030",),
    "gbk": ("gb18030",),
    "x-gbk": ("gb18030",),
    "cp936": ("gb18030",),
    "euc-cn": ("gb18030",),
    "big5": ("big5", "cp950", "big5hkscs"),
    "x-big5": ("big5", "cp950", "big5hkscs"),
    "iso-2022-jp": ("iso2022_jp", "iso2022_jp_ext", "iso2022_jp_2", "iso2022_jp_3"),
    "shift_jis": ("cp932", "shift_jis"),
    "shift-jis": ("cp932", "shift_jis"),
    "sjis": ("cp932", "shift_jis"),
    "x-sjis": ("cp932", "shift_jis"),
    "ms_kanji": ("cp932",),
    "windows-31j": ("cp932",),
    "euc-jp": ("euc_jp", "euc_jis_2004"),
    "euc-kr": ("cp949", "euc_kr"),
    "ks_c_5601-1987": ("cp949",),
    "ks_c_5601": ("cp949",),
    "x-mac-roman": ("mac-roman",),
    "x-mac-cyrillic": ("mac-cyrillic",),
    "tis-620": ("cp874", "tis-620"),
    "windows-874": ("cp874",),
    "x-unknown": (),
    "unknown-8bit": (),
}

# Python codec names that decode octets to text and make sense for mail bodies.
_ALLOWED_CODEC = re.compile(
    r"^(ascii|latin-1|utf-(7|8|16|16-be|16-le|32|32-be|32-le)|iso8859-\d+|cp\d+|koi8-[a-z]+"
    r"|mac-[a-z]+|big5(hkscs)?|gb(2312|k|18030)|hz|euc[-_][a-z0-9_]+|shift_jis(_2004|x0213)?"
    r"|iso2022_[a-z0-9_]+|johab|tis-620|ptcp154|kz1048|utf-8-sig)$"
)


@dataclass(frozen=True, slots=True)
class Decoded:
    """Text decoded from octets, and whether anything had to be guessed or replaced."""

    text: str
    problem: bool


def normalise_label(label: str) -> str:
    """Lower-case a charset label and strip quotes, comments and an RFC 2231 language suffix."""
    cleaned = label.strip().strip("\"'").strip().lower()
    cleaned = cleaned.split("*", 1)[0]
    return cleaned.replace("_", "-") if cleaned.startswith("iso_") else cleaned


@lru_cache(maxsize=512)
def _codecs_for(label: str) -> tuple[str, ...]:
    name = normalise_label(label)
    if name in _ALIASES:
        return _ALIASES[name]
    try:
        info = codecs.lookup(name)
    except (LookupError, ValueError):
        return ()
    if not _ALLOWED_CODEC.match(info.name):
        return ()
    if info.name == "utf-8":
        return ("utf-8",)
    return (info.name,)


def is_known_charset(label: str) -> bool:
    """Whether `label` names a charset this server can decode (RFC 2047 §4: known charsets)."""
    return bool(_codecs_for(label))


def _sniff_unlabelled(data: bytes) -> Decoded:
    """Decode octets whose label is missing, unknown or plainly wrong: UTF-8, else windows-1252."""
    try:
        return Decoded(data.decode("utf-8"), False)
    except UnicodeDecodeError:
        pass
    try:
        return Decoded(data.decode("cp1252"), True)
    except UnicodeDecodeError:
        return Decoded(data.decode("latin-1"), True)


def decode_text(data: bytes, label: str | None) -> Decoded:
    """Decode `data` in charset `label` best-effort (RFC 8621 §4.1.4 EmailBodyValue `value`).

    Malformed sequences become U+FFFD and set `problem`; an unknown charset is decoded as UTF-8
    (falling back to windows-1252) with `problem` set, as RFC 8621 §4.1.4 `isEncodingProblem`
    requires. Text labelled US-ASCII but carrying 8-bit octets is mislabelled so often that it is
    decoded heuristically (RFC 8621 §4.1.4 allows heuristics) and flagged only if not UTF-8.
    """
    if not data:
        return Decoded("", False)
    chain = _codecs_for(label) if label else ("ascii",)
    if not chain:
        sniffed = _sniff_unlabelled(data)
        return Decoded(sniffed.text, True)
    if chain == ("ascii",):
        if data.isascii():
            return Decoded(data.decode("ascii"), False)
        return _sniff_unlabelled(data)
    for codec in chain:
        try:
            return Decoded(data.decode(codec), False)
        except (UnicodeDecodeError, LookupError):
            continue
    return Decoded(data.decode(chain[0], errors="replace"), True)
