"""JSON out: the bodies of JMAP responses, encoded by orjson.

A mail list answer is tens of kilobytes of JSON; orjson encodes it several times faster than the
standard library, which on a small machine is a millisecond of a 20 ms inbox view. Requests are
still decoded by the standard library (``jmap_core.dispatch.parse_body``), which can refuse
duplicate member names as I-JSON asks (RFC 7493 §2.3); orjson keeps the last one silently.
"""

from __future__ import annotations

import json
from typing import Any

import orjson

_OPTIONS = orjson.OPT_NON_STR_KEYS


def dumps(value: object) -> bytes:
    """``value`` as compact UTF-8 JSON."""
    try:
        return orjson.dumps(value, option=_OPTIONS)
    except TypeError:
        # What orjson refuses and the standard library may still write (an integer beyond
        # 64 bits); anything neither can encode raises here, as before.
        return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


def dumps_text(value: object) -> str:
    return dumps(value).decode()


def loads(data: bytes | str) -> Any:
    """Decode JSON that the server wrote itself (stored values), not a client's request."""
    return orjson.loads(data)
