"""Argument parsing for the standard methods (RFC 8620 §3.5, §5).

Each ``parse_*`` builds a frozen dataclass once, collecting every bad argument before raising one
``invalidArguments`` (STYLE §4). Omitted arguments take their RFC default (§3.5). Arguments that
a data type adds (``Email/get`` ``bodyProperties``…) are allowed through ``extra`` and handed to
the type as ``extra_args``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from jmap_core.errors import InvalidArguments
from jmap_core.ids import is_valid_id
from jmap_core.types import JSONObject, JSONValue

MAX_SAFE = 2**53 - 1


class ArgReader:
    """Reads typed arguments out of one call's arguments object, gathering problems."""

    def __init__(self, args: JSONObject, known: Iterable[str]) -> None:
        self.args = args
        unknown = sorted(set(args) - set(known))
        self.problems: list[str] = [f"unknown argument {name!r}" for name in unknown]
        self.names: list[str] = list(unknown)

    def fail(self, name: str, expected: str) -> None:
        self.problems.append(f"{name} must be {expected}")
        self.names.append(name)

    def raw(self, name: str) -> JSONValue:
        return self.args.get(name)

    def string(self, name: str, *, required: bool = False) -> str | None:
        value = self.args.get(name)
        if value is None:
            if required:
                self.fail(name, "a string")
            return None
        if not isinstance(value, str):
            self.fail(name, "a string")
            return None
        return value

    def boolean(self, name: str, default: bool = False) -> bool:
        value = self.args.get(name)
        if value is None:
            return default
        if not isinstance(value, bool):
            self.fail(name, "a boolean")
            return default
        return value

    def integer(self, name: str, default: int | None, *, minimum: int = -MAX_SAFE) -> int | None:
        value = self.args.get(name)
        if value is None:
            return default
        if (
            isinstance(value, bool)
            or not isinstance(value, int)
            or not minimum <= value <= MAX_SAFE
        ):
            self.fail(name, "an UnsignedInt" if minimum >= 0 else "an Int")
            return default
        return value

    def ids(self, name: str, *, required: bool = False) -> list[str] | None:
        value = self.args.get(name)
        if value is None:
            if required:
                self.fail(name, "a list of ids")
            return None
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.fail(name, "a list of ids")
            return None
        return [str(v) for v in value]

    def strings(self, name: str) -> list[str] | None:
        value = self.args.get(name)
        if value is None:
            return None
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.fail(name, "a list of strings")
            return None
        return [str(v) for v in value]

    def mapping(self, name: str) -> JSONObject | None:
        value = self.args.get(name)
        if value is None:
            return None
        if not isinstance(value, dict):
            self.fail(name, "an object")
            return None
        return value

    def done(self) -> None:
        if self.problems:
            raise InvalidArguments("; ".join(self.problems), arguments=self._names())

    def _names(self) -> list[JSONValue]:
        names: list[JSONValue] = []
        names.extend(sorted(set(self.names)))
        return names


def _extra(args: JSONObject, names: Iterable[str]) -> JSONObject:
    return {name: args[name] for name in names if name in args}


@dataclass(frozen=True, slots=True)
class GetArgs:
    ids: list[str] | None
    properties: list[str] | None
    extra: JSONObject = field(default_factory=dict)


def parse_get(args: JSONObject, extra: Iterable[str] = ()) -> GetArgs:
    """RFC 8620 §5.1."""
    extra = tuple(extra)
    reader = ArgReader(args, ("accountId", "ids", "properties", *extra))
    parsed = GetArgs(reader.ids("ids"), reader.strings("properties"), _extra(args, extra))
    reader.done()
    return parsed


@dataclass(frozen=True, slots=True)
class ChangesArgs:
    since_state: str
    max_changes: int | None


def parse_changes(args: JSONObject) -> ChangesArgs:
    """RFC 8620 §5.2: maxChanges, when given, is an UnsignedInt greater than 0."""
    reader = ArgReader(args, ("accountId", "sinceState", "maxChanges"))
    since = reader.string("sinceState", required=True)
    max_changes = reader.integer("maxChanges", None, minimum=0)
    if max_changes == 0:
        reader.fail("maxChanges", "greater than 0")
    reader.done()
    return ChangesArgs(since or "", max_changes)


@dataclass(frozen=True, slots=True)
class SetArgs:
    if_in_state: str | None
    create: JSONObject
    update: JSONObject
    destroy: list[str]
    extra: JSONObject = field(default_factory=dict)


def parse_set(args: JSONObject, extra: Iterable[str] = ()) -> SetArgs:
    """RFC 8620 §5.3."""
    extra = tuple(extra)
    reader = ArgReader(args, ("accountId", "ifInState", "create", "update", "destroy", *extra))
    if_in_state = reader.string("ifInState")
    create = reader.mapping("create") or {}
    update = reader.mapping("update") or {}
    destroy = reader.ids("destroy") or []
    for creation_id in create:
        if not is_valid_id(creation_id):
            reader.fail("create", "keyed by valid creation ids")
            break
    reader.done()
    return SetArgs(if_in_state, create, update, destroy, _extra(args, extra))


@dataclass(frozen=True, slots=True)
class QueryArgs:
    filter: JSONValue
    sort: list[JSONObject]
    position: int
    anchor: str | None
    anchor_offset: int
    limit: int | None
    calculate_total: bool
    extra: JSONObject = field(default_factory=dict)


def parse_query(args: JSONObject, extra: Iterable[str] = ()) -> QueryArgs:
    """RFC 8620 §5.5."""
    extra = tuple(extra)
    reader = ArgReader(
        args,
        (
            "accountId",
            "filter",
            "sort",
            "position",
            "anchor",
            "anchorOffset",
            "limit",
            "calculateTotal",
            *extra,
        ),
    )
    flt = args.get("filter")
    if flt is not None and not isinstance(flt, dict):
        reader.fail("filter", "an object")
    parsed = QueryArgs(
        filter=flt,
        sort=_sort(reader),
        position=reader.integer("position", 0) or 0,
        anchor=reader.string("anchor"),
        anchor_offset=reader.integer("anchorOffset", 0) or 0,
        limit=reader.integer("limit", None, minimum=0),
        calculate_total=reader.boolean("calculateTotal"),
        extra=_extra(args, extra),
    )
    reader.done()
    return parsed


def _sort(reader: ArgReader) -> list[JSONObject]:
    value = reader.raw("sort")
    if value is None:
        return []
    if not isinstance(value, list) or not all(
        isinstance(c, dict) and isinstance(c.get("property"), str) for c in value
    ):
        reader.fail("sort", "a list of Comparator objects with a property")
        return []
    for comparator in value:
        assert isinstance(comparator, dict)
        if not isinstance(comparator.get("isAscending", True), bool):
            reader.fail("sort", "a list of Comparators whose isAscending is a boolean")
        collation = comparator.get("collation")
        if collation is not None and not isinstance(collation, str):
            reader.fail("sort", "a list of Comparators whose collation is a string")
    return [c for c in value if isinstance(c, dict)]


@dataclass(frozen=True, slots=True)
class QueryChangesArgs:
    filter: JSONValue
    sort: list[JSONObject]
    since_query_state: str
    max_changes: int | None
    up_to_id: str | None
    calculate_total: bool
    extra: JSONObject = field(default_factory=dict)


def parse_query_changes(args: JSONObject, extra: Iterable[str] = ()) -> QueryChangesArgs:
    """RFC 8620 §5.6."""
    extra = tuple(extra)
    reader = ArgReader(
        args,
        (
            "accountId",
            "filter",
            "sort",
            "sinceQueryState",
            "maxChanges",
            "upToId",
            "calculateTotal",
            *extra,
        ),
    )
    flt = args.get("filter")
    if flt is not None and not isinstance(flt, dict):
        reader.fail("filter", "an object")
    parsed = QueryChangesArgs(
        filter=flt,
        sort=_sort(reader),
        since_query_state=reader.string("sinceQueryState", required=True) or "",
        max_changes=reader.integer("maxChanges", None, minimum=0),
        up_to_id=reader.string("upToId"),
        calculate_total=reader.boolean("calculateTotal"),
        extra=_extra(args, extra),
    )
    reader.done()
    return parsed


@dataclass(frozen=True, slots=True)
class CopyArgs:
    from_account_id: str
    if_from_in_state: str | None
    if_in_state: str | None
    create: JSONObject
    on_success_destroy_original: bool
    destroy_from_if_in_state: str | None


def parse_copy(args: JSONObject) -> CopyArgs:
    """RFC 8620 §5.4."""
    reader = ArgReader(
        args,
        (
            "fromAccountId",
            "ifFromInState",
            "accountId",
            "ifInState",
            "create",
            "onSuccessDestroyOriginal",
            "destroyFromIfInState",
        ),
    )
    parsed = CopyArgs(
        from_account_id=reader.string("fromAccountId", required=True) or "",
        if_from_in_state=reader.string("ifFromInState"),
        if_in_state=reader.string("ifInState"),
        create=reader.mapping("create") or {},
        on_success_destroy_original=reader.boolean("onSuccessDestroyOriginal"),
        destroy_from_if_in_state=reader.string("destroyFromIfInState"),
    )
    reader.done()
    return parsed
