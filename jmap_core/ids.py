"""Object ids (RFC 8620 §1.2).

Every id is a type letter followed by 24 lower-case base32 characters from ``secrets``: 120 random
bits, so ids are unguessable and never reveal row counts. Lower case only, so no two ids differ by
case; starting with a letter, so none starts with a digit or '-' and none is all digits.
"""

from __future__ import annotations

import base64
import re
import secrets

_VALID = re.compile(r"[A-Za-z0-9_-]{1,255}")


def new_id(letter: str) -> str:
    """A fresh id such as ``m3kq…``; ``letter`` names the type (RFC 8620 §1.2 recommends it)."""
    assert len(letter) == 1
    assert letter.isalpha()
    return letter + base64.b32encode(secrets.token_bytes(15)).decode().lower()


def is_valid_id(value: object) -> bool:
    """True when ``value`` is a syntactically valid Id (RFC 8620 §1.2)."""
    return isinstance(value, str) and _VALID.fullmatch(value) is not None
