"""The standard methods of RFC 8620 §5, written once for every data type (STYLE §3)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.db.models import Q

from jmap_core import limits, state
from jmap_core.args import (
    parse_changes,
    parse_get,
    parse_query,
    parse_query_changes,
    parse_set,
)
from jmap_core.context import CallContext
from jmap_core.datatype import DataType
from jmap_core.errors import (
    AnchorNotFound,
    CannotCalculateChanges,
    InvalidArguments,
    RequestTooLarge,
    SetError,
    StateMismatch,
    TooManyChanges,
    UnsupportedFilter,
    invalid_properties,
)
from jmap_core.patch import apply_patch, path_tokens
from jmap_core.registry import DATA_TYPES, Method, add_method
from jmap_core.types import JSONObject, JSONValue

# The most ids one /query answers when the client asks for more or for no limit.
MAX_QUERY_LIMIT = 5000
Any_ = DataType[Any]


def get(dtype: Any_, ctx: CallContext, arguments: JSONObject) -> JSONObject:
    """Foo/get (RFC 8620 §5.1)."""
    args = parse_get(arguments, dtype.get_args)
    dtype.check_get_args(ctx, args.extra)
    props = _get_properties(dtype, args.properties, args.extra)
    max_objects = limits.get("maxObjectsInGet")
    # The state is read before the records so it never claims changes the list lacks.
    current = dtype.state(ctx)
    if args.ids is None:
        objs = list(dtype.queryset(ctx)[: max_objects + 1])
        if len(objs) > max_objects:
            raise RequestTooLarge(f"more than {max_objects} records; ask for ids")
        wanted = [obj.jmap_id for obj in objs]
    else:
        if len(args.ids) > max_objects:
            raise RequestTooLarge(f"at most {max_objects} ids per {dtype.name}/get")
        wanted = list(dict.fromkeys(str(ctx.resolve_id(i)) for i in args.ids))
        objs = list(dtype.fetch(ctx, wanted, props | {"id"}))
    by_id = {obj.jmap_id: obj for obj in objs}
    found = [by_id[i] for i in wanted if i in by_id]
    records = dtype.serialize(ctx, found, props | {"id"}, args.extra) if found else []
    return {
        "accountId": ctx.account.jmap_id,
        "state": current,
        "list": records,  # type: ignore[dict-item]
        "notFound": [i for i in wanted if i not in by_id],
    }


def _get_properties(dtype: Any_, requested: list[str] | None, extra: JSONObject) -> set[str]:
    if requested is None:
        return set(dtype.default_properties(extra))
    unknown = [name for name in requested if not dtype.is_property(name)]
    if unknown:
        raise InvalidArguments(f"unknown properties: {', '.join(unknown)}", properties=unknown)  # type: ignore[arg-type]
    return set(requested)


def changes(dtype: Any_, ctx: CallContext, arguments: JSONObject) -> JSONObject:
    """Foo/changes (RFC 8620 §5.2), computed from the records' modseqs."""
    args = parse_changes(arguments)
    since = state.decode_state(args.since_state)
    status = state.status(ctx.account, dtype.name)
    if since is None or since < status.floor or since > status.modseq:
        raise CannotCalculateChanges("the state is unknown or too old; refetch everything")
    rows = dtype.model.all_objects.filter(
        account=ctx.account, modseq__gt=since, modseq__lte=status.modseq
    ).order_by("modseq")
    if args.max_changes is not None:
        rows = rows[: args.max_changes + 1]
    found = list(rows.values_list("jmap_id", "created_modseq", "destroyed", "modseq"))
    has_more = args.max_changes is not None and len(found) > args.max_changes
    if has_more:
        found = found[: args.max_changes]
    new_modseq = found[-1][3] if has_more else status.modseq
    created, updated, destroyed = [], [], []
    for jmap_id, created_modseq, is_destroyed, _ in found:
        is_new = created_modseq > since
        if is_destroyed:
            if not is_new:  # created and destroyed since: the client never saw it (§5.2)
                destroyed.append(jmap_id)
        elif is_new:
            created.append(jmap_id)
        else:
            updated.append(jmap_id)
    response: JSONObject = {
        "accountId": ctx.account.jmap_id,
        "oldState": args.since_state,
        "newState": state.encode_state(new_modseq),
        "hasMoreChanges": has_more,
        "created": created,  # type: ignore[dict-item]
        "updated": updated,  # type: ignore[dict-item]
        "destroyed": destroyed,  # type: ignore[dict-item]
    }
    response.update(dtype.changes_extra(ctx, since, updated))
    return response


def set_(dtype: Any_, ctx: CallContext, arguments: JSONObject) -> JSONObject:
    """Foo/set (RFC 8620 §5.3): creates, then updates, then destroys; one SetError per record."""
    args = parse_set(arguments, dtype.set_args)
    dtype.check_set_args(ctx, args.extra)
    total = len(args.create) + len(args.update) + len(args.destroy)
    if total > limits.get("maxObjectsInSet"):
        raise RequestTooLarge(f"at most {limits.get('maxObjectsInSet')} objects per /set")
    old_state = dtype.state(ctx)
    if args.if_in_state is not None and args.if_in_state != old_state:
        raise StateMismatch(f"the {dtype.name} state is {old_state}")
    created, not_created = _create_all(dtype, ctx, args.create, args.extra)
    destroy_ids = [str(ctx.resolve_id(i)) for i in args.destroy]
    updated, not_updated = _update_all(dtype, ctx, args.update, set(destroy_ids), args.extra)
    destroyed, not_destroyed = _destroy_all(dtype, ctx, destroy_ids, args.extra)
    response: JSONObject = {
        "accountId": ctx.account.jmap_id,
        "oldState": old_state,
        "newState": None,
        "created": created or None,
        "updated": updated or None,
        "destroyed": destroyed or None,  # type: ignore[dict-item]
        "notCreated": not_created or None,
        "notUpdated": not_updated or None,
        "notDestroyed": not_destroyed or None,
    }
    dtype.after_set(ctx, args.extra, response)
    response["newState"] = dtype.state(ctx)
    return response


def _record(fn: Callable[[], Any]) -> tuple[Any, SetError | None]:
    """Run one record's write in its own savepoint so its failure undoes only itself."""
    try:
        with transaction.atomic():
            return fn(), None
    except SetError as error:
        return None, error


def _create_order(dtype: Any_, create: JSONObject) -> list[str]:
    """Creates before the creates that reference them (RFC 8620 §5.3)."""
    refs: dict[str, set[str]] = {}
    for cid, values in create.items():
        refs[cid] = set()
        if isinstance(values, dict):
            for name, value in values.items():
                refs[cid] |= _referenced_creation_ids(dtype, name, value) & set(create)
    order: list[str] = []
    remaining = list(create)
    while remaining:
        ready = [cid for cid in remaining if not (refs[cid] - set(order) - {cid})]
        chosen = ready[0] if ready else remaining[0]  # a cycle: its references will fail
        order.append(chosen)
        remaining.remove(chosen)
    return order


def _referenced_creation_ids(dtype: Any_, name: str, value: JSONValue) -> set[str]:
    prop = dtype.prop(name)
    if prop is None:
        return set()
    if prop.id_ref and isinstance(value, str) and value.startswith("#"):
        return {value[1:]}
    if prop.id_keys and isinstance(value, dict):
        return {k[1:] for k in value if k.startswith("#")}
    return set()


def _resolve_refs(dtype: Any_, ctx: CallContext, values: JSONObject) -> JSONObject:
    """Substitute "#creationId" references; an unknown one is an invalid property (§5.3)."""
    bad: list[str] = []
    out: JSONObject = {}
    for name, value in values.items():
        prop = dtype.prop(name)
        if prop is not None and prop.id_ref and isinstance(value, str) and value.startswith("#"):
            value = str(ctx.resolve_id(value))
            if value.startswith("#"):
                bad.append(name)
        elif prop is not None and prop.id_keys and isinstance(value, dict):
            mapped: dict[str, JSONValue] = {}
            for key, item in value.items():
                real = str(ctx.resolve_id(key))
                if real.startswith("#"):
                    bad.append(name)
                mapped[real] = item
            value = mapped
        out[name] = value
    if bad:
        raise invalid_properties(*bad, description="unknown creation id reference")
    return out


def _create_all(
    dtype: Any_, ctx: CallContext, create: JSONObject, extra: JSONObject
) -> tuple[JSONObject, JSONObject]:
    created: JSONObject = {}
    not_created: JSONObject = {}
    for cid in _create_order(dtype, create):
        values = create[cid]

        def one(values: JSONValue = values) -> JSONObject:
            if not isinstance(values, dict):
                raise SetError("invalidProperties", "a create must be an object", properties=[])
            unknown = [n for n in values if not dtype.is_property(n)]
            server_set = [n for n in values if (p := dtype.prop(n)) is not None and p.server_set]
            if unknown or server_set:
                raise invalid_properties(
                    *unknown, *server_set, description="unknown or server-set properties"
                )
            resolved = _resolve_refs(dtype, ctx, values)
            obj = dtype.create(ctx, resolved, extra)
            return _created_view(dtype, ctx, obj, resolved, extra)

        result, error = _record(one)
        if error is not None:
            not_created[cid] = error.to_json()
        else:
            created[cid] = result
            ctx.created_ids[cid] = result["id"]
    return created, not_created


def _created_view(
    dtype: Any_, ctx: CallContext, obj: Any, given: JSONObject, extra: JSONObject
) -> JSONObject:
    """The id plus every property the client did not send (server-set or defaulted, §5.3)."""
    return dtype.serialize(ctx, [obj], dtype.created_properties(given), extra)[0]


def _update_all(
    dtype: Any_, ctx: CallContext, update: JSONObject, destroying: set[str], extra: JSONObject
) -> tuple[JSONObject, JSONObject]:
    updated: JSONObject = {}
    not_updated: JSONObject = {}
    for raw_id, patch in update.items():
        record_id = str(ctx.resolve_id(raw_id))

        def one(record_id: str = record_id, patch: JSONValue = patch) -> JSONObject | None:
            obj = dtype.queryset(ctx).filter(jmap_id=record_id).first()
            if obj is None:
                raise SetError("notFound", f"no {dtype.name} {record_id}")
            if record_id in destroying:
                raise SetError("willDestroy", "the record is destroyed in the same call")
            if not isinstance(patch, dict):
                raise SetError("invalidPatch", "a PatchObject must be an object")
            return _apply_update(dtype, ctx, obj, patch, extra)

        result, error = _record(one)
        if error is not None:
            not_updated[raw_id] = error.to_json()
        else:
            updated[raw_id] = result
    return updated, not_updated


def _apply_update(
    dtype: Any_, ctx: CallContext, obj: Any, patch: JSONObject, extra: JSONObject
) -> JSONObject | None:
    tops = {path_tokens(path)[0] for path in patch}
    unknown = sorted(n for n in tops if not dtype.is_property(n))
    if unknown:
        raise invalid_properties(*unknown, description="unknown properties")
    current = dtype.serialize(ctx, [obj], tops | {"id"}, extra)[0]
    new, touched = apply_patch(current, patch)
    for name in touched:
        prop = dtype.prop(name)
        if new.get(name) is None and prop is not None:
            new[name] = prop.default  # "If null, set to the default value" (§5.3)
    changes = {name: new.get(name) for name in touched if new.get(name) != current.get(name)}
    frozen = [
        name
        for name in changes
        if (prop := dtype.prop(name)) is not None and (prop.server_set or prop.immutable)
    ]
    if frozen:
        raise invalid_properties(*frozen, description="these properties cannot be changed")
    if not changes:
        return None
    return dtype.update(ctx, obj, _resolve_refs(dtype, ctx, changes), extra)


def _destroy_all(
    dtype: Any_, ctx: CallContext, ids: list[str], extra: JSONObject
) -> tuple[list[str], JSONObject]:
    destroyed: list[str] = []
    not_destroyed: JSONObject = {}
    for record_id in dict.fromkeys(ids):

        def one(record_id: str = record_id) -> None:
            obj = dtype.queryset(ctx).filter(jmap_id=record_id).first()
            if obj is None:
                raise SetError("notFound", f"no {dtype.name} {record_id}")
            dtype.destroy(ctx, obj, extra)

        _, error = _record(one)
        if error is not None:
            not_destroyed[record_id] = error.to_json()
        else:
            destroyed.append(record_id)
    return destroyed, not_destroyed


def build_filter(dtype: Any_, ctx: CallContext, flt: JSONValue, depth: int = 0) -> Q:
    """A FilterOperator or FilterCondition as a Q (RFC 8620 §5.5)."""
    if flt is None:
        return Q()
    if not isinstance(flt, dict):
        raise InvalidArguments("a filter must be an object")
    if depth > limits.MAX_JSON_DEPTH:
        raise UnsupportedFilter("the filter nests too deeply")
    if "operator" in flt:
        return _operator(dtype, ctx, flt, depth)
    condition = Q()
    for name, value in flt.items():
        fn = dtype.filters.get(name)
        if fn is None:
            raise UnsupportedFilter(f"cannot filter {dtype.name} by {name!r}")
        condition &= fn(ctx, value)
    return condition


def _operator(dtype: Any_, ctx: CallContext, flt: JSONObject, depth: int) -> Q:
    operator, conditions = flt.get("operator"), flt.get("conditions")
    if set(flt) - {"operator", "conditions"}:
        raise InvalidArguments("a FilterOperator has only operator and conditions")
    if operator not in ("AND", "OR", "NOT") or not isinstance(conditions, list):
        raise UnsupportedFilter(f"unknown filter operator {operator!r} or bad conditions")
    parts = [build_filter(dtype, ctx, c, depth + 1) for c in conditions]
    if operator == "AND":
        out = Q()
        for part in parts:
            out &= part
        return out
    any_of = Q(pk__in=[])
    for part in parts:
        any_of |= part
    return any_of if operator == "OR" else ~any_of


def query(dtype: Any_, ctx: CallContext, arguments: JSONObject) -> JSONObject:
    """Foo/query (RFC 8620 §5.5)."""
    args = parse_query(arguments, dtype.query_args)
    ordering = dtype.order_by(ctx, args.sort)
    query_state = dtype.state(ctx)
    # A type may answer a query shape it knows with a plan of its own (the mailbox list view);
    # it validates the few arguments that shape has, so the general filter is not built.
    ids = dtype.plan_query(ctx, args.filter, args.sort, args.extra)
    if ids is None:
        condition = build_filter(dtype, ctx, args.filter)
        ids = dtype.query_ids(ctx, condition, ordering, args.extra)
    limit = args.limit
    capped = limit is None or limit > MAX_QUERY_LIMIT
    if capped:
        limit = MAX_QUERY_LIMIT
    assert limit is not None
    total: int | None = None
    if args.anchor is not None:
        all_ids = list(ids)
        total = len(all_ids)
        anchor = str(ctx.resolve_id(args.anchor))
        try:
            start = max(0, all_ids.index(anchor) + args.anchor_offset)
        except ValueError:
            raise AnchorNotFound(f"{anchor} is not in the results") from None
        window = all_ids[start : start + limit]
    else:
        start = args.position
        if start < 0:
            total = _count(ids)
            start = max(0, total + start)
        window = list(ids[start : start + limit])
    response: JSONObject = {
        "accountId": ctx.account.jmap_id,
        "queryState": query_state,
        "canCalculateChanges": dtype.can_query_changes(ctx, args.filter, args.extra),
        "position": start,
        "ids": window,
    }
    if args.calculate_total:
        response["total"] = total if total is not None else _count(ids)
    if capped and args.limit is not None:
        response["limit"] = limit
    return response


def _count(ids: Any) -> int:
    return len(ids) if isinstance(ids, list) else int(ids.count())


def query_changes(dtype: Any_, ctx: CallContext, arguments: JSONObject) -> JSONObject:
    """Foo/queryChanges (RFC 8620 §5.6).

    Every record changed since the old state is reported removed, and re-added at its index when
    it still matches; §5.6 allows extra removals, and a record whose sort or filter values
    changed is exactly such a change. Types whose results depend on other records (Email with
    collapseThreads) widen ``changed_since`` or decline through ``can_query_changes``.
    """
    args = parse_query_changes(arguments, dtype.query_args)
    condition = build_filter(dtype, ctx, args.filter)
    ordering = dtype.order_by(ctx, args.sort)
    since = state.decode_state(args.since_query_state)
    status = state.status(ctx.account, dtype.name)
    if since is None or since < status.floor or since > status.modseq:
        raise CannotCalculateChanges("the query state is unknown or too old")
    if not dtype.can_query_changes(ctx, args.filter, args.extra):
        raise CannotCalculateChanges("this query cannot report changes; run it again")
    changed = set(dtype.changed_since(ctx, since, status.modseq))
    planned = dtype.plan_query(ctx, args.filter, args.sort, args.extra)
    current = list(
        planned if planned is not None else dtype.query_ids(ctx, condition, ordering, args.extra)
    )
    added = [{"id": i, "index": n} for n, i in enumerate(current) if i in changed]
    removed = sorted(changed)
    if args.max_changes is not None and len(added) + len(removed) > args.max_changes:
        raise TooManyChanges(f"more than {args.max_changes} changes")
    response: JSONObject = {
        "accountId": ctx.account.jmap_id,
        "oldQueryState": args.since_query_state,
        "newQueryState": state.encode_state(status.modseq),
        "removed": removed,  # type: ignore[dict-item]
        "added": added,  # type: ignore[dict-item]
    }
    if args.calculate_total:
        response["total"] = len(current)
    return response


_STANDARD: dict[str, tuple[Callable[[Any_, CallContext, JSONObject], JSONObject], bool]] = {
    "get": (get, False),
    "changes": (changes, False),
    "set": (set_, True),
    "query": (query, False),
    "queryChanges": (query_changes, False),
}


def register_standard(dtype: Any_, *methods: str) -> None:
    """Register ``Type/method`` for each named standard method of ``dtype``."""
    DATA_TYPES[dtype.name] = dtype
    for name in methods:
        fn, writes = _STANDARD[name]

        def handler(
            ctx: CallContext,
            arguments: JSONObject,
            fn: Callable[[Any_, CallContext, JSONObject], JSONObject] = fn,
        ) -> JSONObject:
            return fn(dtype, ctx, arguments)

        atomic = writes or not dtype.pure_reads
        add_method(
            Method(f"{dtype.name}/{name}", dtype.capability, handler, writes=writes, atomic=atomic)
        )
