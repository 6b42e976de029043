"""Keywords (RFC 8621 §4.1.1): validation and the IMAP flag names they stand for."""

from __future__ import annotations

import re

from jmap_core.types import JSONValue
from jmap_mail.capabilities import MAX_KEYWORDS_PER_EMAIL

# RFC 8621 §4.1.1: 1-255 printable ASCII characters excluding ( ) { ] % * " \ and space.
_KEYWORD = re.compile(r"[\x21-\x7e]{1,255}")
_FORBIDDEN = set('(){]%*"\\')


def is_keyword(value: str) -> bool:
    return bool(_KEYWORD.fullmatch(value)) and not (set(value) & _FORBIDDEN)


def parse_keywords(value: JSONValue) -> list[str] | None:
    """A keywords map (String[Boolean], values true) as a sorted lower-case list, or None."""
    if not isinstance(value, dict):
        return None
    out: set[str] = set()
    for key, flag in value.items():
        if flag is not True or not is_keyword(key):
            return None
        out.add(key.lower())
    if len(out) > MAX_KEYWORDS_PER_EMAIL:
        return None
    return sorted(out)
