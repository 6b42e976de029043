"""Small assertion helpers; each raises CaseFailure with a message a reader can act on."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any, TypeVar

from conformance.registry import CaseFailure

JSON = Any  # a JSON value as parsed by the json module (I-JSON, RFC 8620 §1.5)
JSONObject = dict[str, Any]

ID_RE = re.compile(r"^[A-Za-z0-9_-]{1,255}$")
UTCDATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d*[1-9])?Z$")
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d*[1-9])?(Z|[+-]\d{2}:\d{2})$")
MAX_SAFE = 2**53 - 1
T = TypeVar("T")


def require(value: T | None, message: str) -> T:
    """`value`, or a CaseFailure with `message` when it is None."""
    if value is None:
        raise CaseFailure(message)
    return value


def show(value: JSON) -> str:
    text = json.dumps(value, sort_keys=True, ensure_ascii=False)
    return text if len(text) < 400 else text[:400] + "..."


def expect(condition: object, message: str) -> None:
    if not condition:
        raise CaseFailure(message)


def expect_eq(actual: JSON, expected: JSON, what: str) -> None:
    if actual != expected:
        raise CaseFailure(f"{what}: expected {show(expected)}, got {show(actual)}")


def expect_in(actual: JSON, allowed: Iterable[JSON], what: str) -> None:
    allowed = list(allowed)
    if actual not in allowed:
        raise CaseFailure(f"{what}: expected one of {show(allowed)}, got {show(actual)}")


def expect_type(value: JSON, kind: type | tuple[type, ...], what: str) -> None:
    if kind is int or kind == (int,):
        ok = isinstance(value, int) and not isinstance(value, bool)
    else:
        ok = isinstance(value, kind)
    if not ok:
        raise CaseFailure(f"{what}: expected {getattr(kind, '__name__', kind)}, got {show(value)}")


def is_id(value: JSON) -> bool:
    return isinstance(value, str) and bool(ID_RE.match(value))


def expect_id(value: JSON, what: str) -> None:
    expect(is_id(value), f"{what}: {show(value)} is not a valid Id (RFC 8620 §1.2)")


def is_unsigned(value: JSON) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_SAFE


def expect_unsigned(value: JSON, what: str) -> None:
    expect(is_unsigned(value), f"{what}: {show(value)} is not an UnsignedInt (RFC 8620 §1.3)")


def expect_utcdate(value: JSON, what: str) -> None:
    expect(
        isinstance(value, str) and UTCDATE_RE.match(value),
        f"{what}: {show(value)} is not a UTCDate (RFC 8620 §1.4)",
    )


def expect_date(value: JSON, what: str) -> None:
    expect(
        isinstance(value, str) and DATE_RE.match(value),
        f"{what}: {show(value)} is not a Date (RFC 8620 §1.4)",
    )


def expect_keys(obj: JSON, keys: Iterable[str], what: str) -> None:
    expect(isinstance(obj, dict), f"{what}: expected an object, got {show(obj)}")
    missing = [k for k in keys if k not in obj]
    expect(not missing, f"{what}: missing {missing} in {show(obj)}")


def as_map(value: JSON, what: str) -> dict[str, JSON]:
    """`Id[Foo]|null` in a /set response: null and {} are both allowed (RFC 8620 §5.3)."""
    if value is None:
        return {}
    expect(isinstance(value, dict), f"{what}: expected an object or null, got {show(value)}")
    return dict(value)


def as_list(value: JSON, what: str) -> list[JSON]:
    """`Id[]|null`: null and [] are both allowed."""
    if value is None:
        return []
    expect(isinstance(value, list), f"{what}: expected an array or null, got {show(value)}")
    return list(value)


def set_error_type(errors: JSON, key: str, what: str) -> str:
    """The SetError type for `key` in a notCreated/notUpdated/notDestroyed map."""
    table = as_map(errors, what)
    expect(key in table, f"{what}: expected a SetError for {key!r}, got {show(errors)}")
    error = table[key]
    expect(
        isinstance(error, dict) and isinstance(error.get("type"), str),
        f"{what}[{key}]: a SetError must have a string type, got {show(error)}",
    )
    return str(error["type"])


def expect_set_error(result: JSON, bucket: str, key: str, *types: str) -> dict[str, JSON]:
    """Assert `result[bucket][key]` is a SetError of one of `types`; return it."""
    got = set_error_type(result.get(bucket), key, bucket)
    expect_in(got, types, f"{bucket}[{key}].type")
    return dict(result[bucket][key])
