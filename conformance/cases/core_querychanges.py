"""RFC 8620 §5.6 /queryChanges, exercised through Mailbox/queryChanges."""

from __future__ import annotations

from conformance.checks import JSONObject, expect, expect_eq, expect_type, show
from conformance.context import Context
from conformance.registry import MUST, NotSupported, case

NAME_SORT = [{"property": "name", "isAscending": True}]


def _start(ctx: Context) -> tuple[str, list[str], JSONObject, str]:
    """Parent + 2 children; returns (parent, children, query args, queryState)."""
    parent = ctx.mailbox()
    children = [ctx.mailbox(f"{c}-{ctx.unique('qc')}", parentId=parent) for c in "bd"]
    args = {"filter": {"parentId": parent}, "sort": NAME_SORT}
    result = ctx.call("Mailbox/query", args)
    if not result.get("canCalculateChanges"):
        raise NotSupported("Mailbox/query answered canCalculateChanges: false")
    return parent, children, args, str(result["queryState"])


def _changes(ctx: Context, args: JSONObject, since: str, **extra: object) -> JSONObject:
    response = ctx.responses(
        [("Mailbox/queryChanges", {**args, "sinceQueryState": since, **extra})]
    )[0]
    if response[0] == "error" and response[1].get("type") == "cannotCalculateChanges":
        raise NotSupported("Mailbox/queryChanges answered cannotCalculateChanges")
    expect_eq(response[0], "Mailbox/queryChanges", f"response {show(response[1])}")
    return dict(response[1])


@case(
    "core.querychanges.response-shape",
    rfc="8620",
    section="5.6",
    level=MUST,
    quote='This is the "sinceQueryState" argument echoed back; that is, the state from which '
    "the server is returning changes.",
    sends="Mailbox/queryChanges from a queryState with nothing changed",
    expects="accountId, oldQueryState = sinceQueryState, newQueryState, removed [], added []",
)
def response_shape(ctx: Context) -> None:
    _, _, args, state = _start(ctx)
    result = _changes(ctx, args, state)
    expect_eq(result.get("accountId"), ctx.account_id, "accountId")
    expect_eq(result.get("oldQueryState"), state, "oldQueryState")
    expect_type(result.get("newQueryState"), str, "newQueryState")
    expect_eq([result.get("removed"), result.get("added")], [[], []], "removed/added")


@case(
    "core.querychanges.added",
    rfc="8620",
    section="5.6",
    level=MUST,
    quote="The id and index in the query results (in the new state) for every Foo that has "
    "been added to the results since the old state",
    sends="add a child sorting between the two existing ones, Mailbox/queryChanges",
    expects="added contains {id: new, index: 1}",
)
def added(ctx: Context) -> None:
    parent, _, args, state = _start(ctx)
    new = ctx.mailbox(f"c-{ctx.unique('qc')}", parentId=parent)
    result = _changes(ctx, args, state)
    expect({"id": new, "index": 1} in result["added"], f"added: {show(result['added'])}")


@case(
    "core.querychanges.removed",
    rfc="8620",
    section="5.6",
    level=MUST,
    quote='The "id" for every Foo that was in the query results in the old state and that is '
    "not in the results in the new state.",
    sends="destroy one child, Mailbox/queryChanges",
    expects="removed contains its id",
)
def removed(ctx: Context) -> None:
    _, children, args, state = _start(ctx)
    ctx.call("Mailbox/set", {"destroy": [children[0]]})
    result = _changes(ctx, args, state)
    expect(children[0] in result["removed"], f"removed: {show(result['removed'])}")


@case(
    "core.querychanges.added-sorted",
    rfc="8620",
    section="5.6",
    level=MUST,
    quote="The array MUST be sorted in order of index, with the lowest index first.",
    sends="add two children (sorting first and last), Mailbox/queryChanges",
    expects="added is sorted by index ascending",
)
def added_sorted(ctx: Context) -> None:
    parent, _, args, state = _start(ctx)
    ctx.mailbox(f"z-{ctx.unique('qc')}", parentId=parent)
    ctx.mailbox(f"a-{ctx.unique('qc')}", parentId=parent)
    result = _changes(ctx, args, state)
    indexes = [item["index"] for item in result["added"]]
    expect(len(indexes) >= 2 and indexes == sorted(indexes), f"added: {show(result['added'])}")


@case(
    "core.querychanges.total",
    rfc="8620",
    section="5.6",
    level=MUST,
    quote='The total number of Foos in the results (given the "filter").',
    sends="add a child, Mailbox/queryChanges calculateTotal true",
    expects="total 3",
)
def total(ctx: Context) -> None:
    parent, _, args, state = _start(ctx)
    ctx.mailbox(parentId=parent)
    expect_eq(_changes(ctx, args, state, calculateTotal=True).get("total"), 3, "total")


@case(
    "core.querychanges.total-omitted",
    rfc="8620",
    section="5.6",
    level=MUST,
    quote='This argument MUST be omitted if the "calculateTotal" request argument is not true.',
    sends="Mailbox/queryChanges without calculateTotal",
    expects="no total",
)
def total_omitted(ctx: Context) -> None:
    _, _, args, state = _start(ctx)
    result = _changes(ctx, args, state)
    expect("total" not in result, f"total returned unasked: {show(result)}")


@case(
    "core.querychanges.too-many-changes",
    rfc="8620",
    section="5.6",
    level=MUST,
    quote='"tooManyChanges": There are more changes than the client\'s "maxChanges" argument.',
    sends="add three children, Mailbox/queryChanges maxChanges 1",
    expects="a tooManyChanges (or cannotCalculateChanges) error",
)
def too_many_changes(ctx: Context) -> None:
    parent, _, args, state = _start(ctx)
    for _ in range(3):
        ctx.mailbox(parentId=parent)
    ctx.expect_error(
        "Mailbox/queryChanges",
        {**args, "sinceQueryState": state, "maxChanges": 1},
        "tooManyChanges",
        "cannotCalculateChanges",
    )


@case(
    "core.querychanges.bogus-state",
    rfc="8620",
    section="5.6",
    level=MUST,
    quote='"cannotCalculateChanges": The server cannot calculate the changes from the '
    "queryState string given by the client",
    sends='Mailbox/queryChanges with sinceQueryState "cf-bogus"',
    expects="a cannotCalculateChanges (or invalidArguments) error",
)
def bogus_state(ctx: Context) -> None:
    ctx.expect_error(
        "Mailbox/queryChanges",
        {"sinceQueryState": "cf-bogus", "sort": NAME_SORT},
        "cannotCalculateChanges",
        "invalidArguments",
    )


@case(
    "core.querychanges.new-state-matches-query",
    rfc="8620",
    section="5.6",
    level=MUST,
    quote="This is the state the query will be in after applying the set of changes to the old "
    "state.",
    sends="add a child, Mailbox/queryChanges, then Mailbox/query",
    expects="newQueryState equals the queryState of the fresh query",
)
def new_state_matches_query(ctx: Context) -> None:
    parent, _, args, state = _start(ctx)
    ctx.mailbox(parentId=parent)
    result = _changes(ctx, args, state)
    expect_eq(
        result["newQueryState"], ctx.call("Mailbox/query", args)["queryState"], "newQueryState"
    )


@case(
    "core.querychanges.replay",
    rfc="8620",
    section="5.6",
    level=MUST,
    quote="and *truncates* or *extends* to the new total length, then the results will now be "
    "in the new state.",
    sends="cache the query ids, add one child and destroy another, apply queryChanges",
    expects="splicing removed/added into the cached ids gives the fresh query's ids",
)
def replay(ctx: Context) -> None:
    parent, children, args, state = _start(ctx)
    cached = ctx.call("Mailbox/query", args)["ids"]
    ctx.mailbox(f"a-{ctx.unique('qc')}", parentId=parent)
    ctx.call("Mailbox/set", {"destroy": [children[1]]})
    result = _changes(ctx, args, state)
    ids = [i for i in cached if i not in result["removed"]]
    for item in result["added"]:
        ids.insert(item["index"], item["id"])
    expect_eq(ids, ctx.call("Mailbox/query", args)["ids"], "replayed ids")
