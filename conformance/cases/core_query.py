"""RFC 8620 §5.5 /query, exercised through Mailbox/query over mailboxes the case creates."""

from __future__ import annotations

from conformance.checks import JSONObject, expect, expect_eq, expect_type, expect_unsigned, show
from conformance.context import Context
from conformance.registry import MUST, case

NAME_SORT = [{"property": "name", "isAscending": True}]


def _family(ctx: Context, count: int = 4) -> tuple[str, list[str]]:
    """A parent with `count` children named so that sorting by name gives creation order."""
    parent = ctx.mailbox()
    children = [
        ctx.mailbox(f"{chr(ord('a') + i)}-{ctx.unique('q')}", parentId=parent) for i in range(count)
    ]
    return parent, children


def _query(ctx: Context, parent: str, **extra: object) -> JSONObject:
    return ctx.call("Mailbox/query", {"filter": {"parentId": parent}, "sort": NAME_SORT, **extra})


@case(
    "core.query.response-shape",
    rfc="8620",
    section="5.5",
    level=MUST,
    quote='The response has the following arguments: o accountId: "Id" The id of the account '
    'used for the call. o queryState: "String"',
    sends="Mailbox/query over a family of mailboxes",
    expects="accountId, queryState (String), canCalculateChanges (Boolean), position "
    "(UnsignedInt), ids (Id[])",
)
def response_shape(ctx: Context) -> None:
    parent, _ = _family(ctx, 2)
    result = _query(ctx, parent)
    expect_eq(result.get("accountId"), ctx.account_id, "accountId")
    expect_type(result.get("queryState"), str, "queryState")
    expect_type(result.get("canCalculateChanges"), bool, "canCalculateChanges")
    expect_unsigned(result.get("position"), "position")
    expect_type(result.get("ids"), list, "ids")


@case(
    "core.query.filter-and-sort",
    rfc="8620",
    section="5.5",
    level=MUST,
    quote="Determines the set of Foos returned in the results.",
    sends="Mailbox/query filter parentId P, sort name ascending",
    expects="exactly P's children in name order",
)
def filter_and_sort(ctx: Context) -> None:
    parent, children = _family(ctx)
    expect_eq(_query(ctx, parent)["ids"], children, "ids")


@case(
    "core.query.sort-descending",
    rfc="8620",
    section="5.5",
    level=MUST,
    quote="If false, reverse the comparator's results to sort in descending order.",
    sends="Mailbox/query filter parentId P, sort name isAscending false",
    expects="P's children in reverse name order",
)
def sort_descending(ctx: Context) -> None:
    parent, children = _family(ctx)
    result = ctx.call(
        "Mailbox/query",
        {"filter": {"parentId": parent}, "sort": [{"property": "name", "isAscending": False}]},
    )
    expect_eq(result["ids"], list(reversed(children)), "ids")


@case(
    "core.query.is-ascending-default",
    rfc="8620",
    section="5.5",
    level=MUST,
    quote='isAscending: "Boolean" (optional; default: true)',
    sends="Mailbox/query sort [{property: name}] without isAscending",
    expects="ascending name order",
)
def is_ascending_default(ctx: Context) -> None:
    parent, children = _family(ctx, 3)
    result = ctx.call(
        "Mailbox/query", {"filter": {"parentId": parent}, "sort": [{"property": "name"}]}
    )
    expect_eq(result["ids"], children, "ids")


@case(
    "core.query.stable-sort",
    rfc="8620",
    section="5.5",
    level=MUST,
    quote='the sort order is server dependent, but it MUST be stable between calls to "Foo/query".',
    sends="the same Mailbox/query with no sort, twice",
    expects="identical ids in identical order",
)
def stable_sort(ctx: Context) -> None:
    parent, _ = _family(ctx)
    args = {"filter": {"parentId": parent}}
    first = ctx.call("Mailbox/query", args)["ids"]
    expect_eq(ctx.call("Mailbox/query", args)["ids"], first, "second run")


@case(
    "core.query.position",
    rfc="8620",
    section="5.5",
    level=MUST,
    quote="The zero-based index of the first id in the full list of results to return.",
    sends="Mailbox/query position 1, limit 2",
    expects="children 2 and 3, position 1",
)
def position(ctx: Context) -> None:
    parent, children = _family(ctx)
    result = _query(ctx, parent, position=1, limit=2)
    expect_eq(result["ids"], children[1:3], "ids")
    expect_eq(result["position"], 1, "position")


@case(
    "core.query.negative-position",
    rfc="8620",
    section="5.5",
    level=MUST,
    quote="If a negative value is given, it is an offset from the end of the list.",
    sends="Mailbox/query position -1 over 4 results",
    expects="only the last child, response position 3",
)
def negative_position(ctx: Context) -> None:
    parent, children = _family(ctx)
    result = _query(ctx, parent, position=-1)
    expect_eq(result["ids"], children[-1:], "ids")
    expect_eq(result["position"], 3, "position")


@case(
    "core.query.negative-position-clamped",
    rfc="8620",
    section="5.5",
    level=MUST,
    quote="the negative value MUST be added to the total number of results given the filter, "
    'and if still negative, it\'s clamped to "0".',
    sends="Mailbox/query position -10 over 4 results",
    expects="all 4 children, position 0",
)
def negative_position_clamped(ctx: Context) -> None:
    parent, children = _family(ctx)
    result = _query(ctx, parent, position=-10)
    expect_eq(result["ids"], children, "ids")
    expect_eq(result["position"], 0, "position")


@case(
    "core.query.position-past-end",
    rfc="8620",
    section="5.5",
    level=MUST,
    quote="If the index is greater than or equal to the total number of objects in the results "
    'list, then the "ids" array in the response will be empty, but this is not an '
    "error.",
    sends="Mailbox/query position 10 over 4 results",
    expects="ids [] and no error",
)
def position_past_end(ctx: Context) -> None:
    parent, _ = _family(ctx)
    expect_eq(_query(ctx, parent, position=10)["ids"], [], "ids")


@case(
    "core.query.limit",
    rfc="8620",
    section="5.5",
    level=MUST,
    quote="The maximum number of results to return.",
    sends="Mailbox/query limit 2 over 4 results",
    expects="the first 2 children",
)
def limit(ctx: Context) -> None:
    parent, children = _family(ctx)
    expect_eq(_query(ctx, parent, limit=2)["ids"], children[:2], "ids")


@case(
    "core.query.limit-zero",
    rfc="8620",
    section="5.5",
    level=MUST,
    quote="The maximum number of results to return.",
    sends="Mailbox/query limit 0 with calculateTotal",
    expects="ids [] and total 4",
)
def limit_zero(ctx: Context) -> None:
    parent, _ = _family(ctx)
    result = _query(ctx, parent, limit=0, calculateTotal=True)
    expect_eq(result["ids"], [], "ids")
    expect_eq(result.get("total"), 4, "total")


@case(
    "core.query.negative-limit",
    rfc="8620",
    section="5.5",
    level=MUST,
    quote="If a negative value is given, the call MUST be rejected with an "
    '"invalidArguments" error.',
    sends="Mailbox/query limit -1",
    expects="an invalidArguments error",
)
def negative_limit(ctx: Context) -> None:
    ctx.expect_error("Mailbox/query", {"limit": -1}, "invalidArguments")


@case(
    "core.query.calculate-total",
    rfc="8620",
    section="5.5",
    level=MUST,
    quote='The total number of Foos in the results (given the "filter").',
    sends="Mailbox/query calculateTotal true, limit 1",
    expects="total 4, one id",
)
def calculate_total(ctx: Context) -> None:
    parent, _ = _family(ctx)
    result = _query(ctx, parent, calculateTotal=True, limit=1)
    expect_eq(result.get("total"), 4, "total")
    expect_eq(len(result["ids"]), 1, "number of ids")


@case(
    "core.query.total-omitted",
    rfc="8620",
    section="5.5",
    level=MUST,
    quote='This argument MUST be omitted if the "calculateTotal" request argument is not true.',
    sends="Mailbox/query without calculateTotal",
    expects="no total in the response",
)
def total_omitted(ctx: Context) -> None:
    parent, _ = _family(ctx, 2)
    result = _query(ctx, parent)
    expect("total" not in result, f"total returned unasked: {show(result)}")


@case(
    "core.query.anchor",
    rfc="8620",
    section="5.5",
    level=MUST,
    quote="The index of this id in the results will be used in combination with the "
    '"anchorOffset" argument to determine the index of the first result to return',
    sends="Mailbox/query anchor = child 3, limit 2",
    expects="children 3 and 4, position 2",
)
def anchor(ctx: Context) -> None:
    parent, children = _family(ctx)
    result = _query(ctx, parent, anchor=children[2], limit=2)
    expect_eq(result["ids"], children[2:4], "ids")
    expect_eq(result["position"], 2, "position")


@case(
    "core.query.anchor-offset-negative",
    rfc="8620",
    section="5.5",
    level=MUST,
    quote='This MAY be negative. For example, "-1" means the Foo immediately preceding the '
    "anchor is the first result in the list returned",
    sends="Mailbox/query anchor = child 3, anchorOffset -1, limit 2",
    expects="children 2 and 3, position 1",
)
def anchor_offset_negative(ctx: Context) -> None:
    parent, children = _family(ctx)
    result = _query(ctx, parent, anchor=children[2], anchorOffset=-1, limit=2)
    expect_eq(result["ids"], children[1:3], "ids")
    expect_eq(result["position"], 1, "position")


@case(
    "core.query.anchor-offset-positive",
    rfc="8620",
    section="5.5",
    level=MUST,
    quote='If found, the "anchorOffset" is then added to its index.',
    sends="Mailbox/query anchor = child 1, anchorOffset 2",
    expects="children 3 and 4, position 2",
)
def anchor_offset_positive(ctx: Context) -> None:
    parent, children = _family(ctx)
    result = _query(ctx, parent, anchor=children[0], anchorOffset=2)
    expect_eq(result["ids"], children[2:], "ids")
    expect_eq(result["position"], 2, "position")


@case(
    "core.query.anchor-clamped",
    rfc="8620",
    section="5.5",
    level=MUST,
    quote="If the resulting index is now negative, it is clamped to 0.",
    sends="Mailbox/query anchor = child 2, anchorOffset -5",
    expects="all children from the first, position 0",
)
def anchor_clamped(ctx: Context) -> None:
    parent, children = _family(ctx)
    result = _query(ctx, parent, anchor=children[1], anchorOffset=-5)
    expect_eq(result["ids"], children, "ids")
    expect_eq(result["position"], 0, "position")


@case(
    "core.query.anchor-not-found",
    rfc="8620",
    section="5.5",
    level=MUST,
    quote='If the anchor is not found, the call is rejected with an "anchorNotFound" error.',
    sends="Mailbox/query with an anchor that is not in the results",
    expects="an anchorNotFound error",
)
def anchor_not_found(ctx: Context) -> None:
    parent, _ = _family(ctx, 2)
    outsider = ctx.mailbox()
    ctx.expect_error(
        "Mailbox/query",
        {"filter": {"parentId": parent}, "sort": NAME_SORT, "anchor": outsider},
        "anchorNotFound",
    )


@case(
    "core.query.anchor-ignores-position",
    rfc="8620",
    section="5.5",
    level=MUST,
    quote='If an "anchor" is specified, any position argument supplied by the client MUST be '
    "ignored.",
    sends="Mailbox/query anchor = child 2, position 3",
    expects="results start at child 2",
)
def anchor_ignores_position(ctx: Context) -> None:
    parent, children = _family(ctx)
    result = _query(ctx, parent, anchor=children[1], position=3)
    expect_eq(result["ids"], children[1:], "ids")


@case(
    "core.query.anchor-offset-ignored",
    rfc="8620",
    section="5.5",
    level=MUST,
    quote='If no "anchor" is supplied, any "anchorOffset" argument MUST be ignored.',
    sends="Mailbox/query anchorOffset 2 without anchor",
    expects="results start at child 1",
)
def anchor_offset_ignored(ctx: Context) -> None:
    parent, children = _family(ctx)
    expect_eq(_query(ctx, parent, anchorOffset=2)["ids"], children, "ids")


@case(
    "core.query.operator-and",
    rfc="8620",
    section="5.5",
    level=MUST,
    quote='"AND": All of the conditions must match for the filter to match.',
    sends="filter AND [parentId P, name contains the 2nd child's unique part]",
    expects="only the 2nd child",
)
def operator_and(ctx: Context) -> None:
    parent, children = _family(ctx)
    name = ctx.get_one("Mailbox", children[1], ["name"])["name"]
    result = ctx.call(
        "Mailbox/query",
        {"filter": {"operator": "AND", "conditions": [{"parentId": parent}, {"name": name}]}},
    )
    expect_eq(result["ids"], [children[1]], "ids")


@case(
    "core.query.operator-or",
    rfc="8620",
    section="5.5",
    level=MUST,
    quote='"OR": At least one of the conditions must match for the filter to match.',
    sends="filter OR [name = child 1's name, name = child 3's name]",
    expects="children 1 and 3",
)
def operator_or(ctx: Context) -> None:
    _, children = _family(ctx)
    names = [ctx.get_one("Mailbox", children[i], ["name"])["name"] for i in (0, 2)]
    result = ctx.call(
        "Mailbox/query",
        {
            "filter": {"operator": "OR", "conditions": [{"name": names[0]}, {"name": names[1]}]},
            "sort": NAME_SORT,
        },
    )
    expect_eq(result["ids"], [children[0], children[2]], "ids")


@case(
    "core.query.operator-not",
    rfc="8620",
    section="5.5",
    level=MUST,
    quote='"NOT": None of the conditions must match for the filter to match.',
    sends="filter AND [parentId P, NOT [name = child 2's name]]",
    expects="children 1, 3 and 4",
)
def operator_not(ctx: Context) -> None:
    parent, children = _family(ctx)
    name = ctx.get_one("Mailbox", children[1], ["name"])["name"]
    result = ctx.call(
        "Mailbox/query",
        {
            "filter": {
                "operator": "AND",
                "conditions": [
                    {"parentId": parent},
                    {"operator": "NOT", "conditions": [{"name": name}]},
                ],
            },
            "sort": NAME_SORT,
        },
    )
    expect_eq(result["ids"], [children[0], children[2], children[3]], "ids")


@case(
    "core.query.bad-operator",
    rfc="8620",
    section="5.5",
    level=MUST,
    quote="This MUST be one of the following strings:",
    sends='filter {operator: "XOR", conditions: []}',
    expects="an invalidArguments (or unsupportedFilter) error",
)
def bad_operator(ctx: Context) -> None:
    ctx.expect_error(
        "Mailbox/query",
        {"filter": {"operator": "XOR", "conditions": []}},
        "invalidArguments",
        "unsupportedFilter",
    )


@case(
    "core.query.unsupported-sort",
    rfc="8620",
    section="5.5",
    level=MUST,
    quote='"unsupportedSort": The "sort" is syntactically valid, but it includes a property '
    "the server does not support sorting on",
    sends='Mailbox/query sort on property "conformanceNoSuch"',
    expects="an unsupportedSort (or invalidArguments) error",
)
def unsupported_sort(ctx: Context) -> None:
    ctx.expect_error(
        "Mailbox/query",
        {"sort": [{"property": "conformanceNoSuch"}]},
        "unsupportedSort",
        "invalidArguments",
    )


@case(
    "core.query.unsupported-collation",
    rfc="8620",
    section="5.5",
    level=MUST,
    quote="it includes a property the server does not support sorting on or a collation method "
    "it does not recognise.",
    sends='Mailbox/query sort name with collation "x-conformance-none"',
    expects="an unsupportedSort error",
)
def unsupported_collation(ctx: Context) -> None:
    ctx.expect_error(
        "Mailbox/query",
        {"sort": [{"property": "name", "collation": "x-conformance-none"}]},
        "unsupportedSort",
    )


@case(
    "core.query.unsupported-filter",
    rfc="8620",
    section="5.5",
    level=MUST,
    quote='"unsupportedFilter": The "filter" is syntactically valid, but the server cannot '
    "process it.",
    sends="Mailbox/query filter {conformanceNoSuch: 1}",
    expects="an unsupportedFilter (or invalidArguments) error",
)
def unsupported_filter(ctx: Context) -> None:
    ctx.expect_error(
        "Mailbox/query",
        {"filter": {"conformanceNoSuch": 1}},
        "unsupportedFilter",
        "invalidArguments",
    )


@case(
    "core.query.query-state-changes",
    rfc="8620",
    section="5.5",
    level=MUST,
    quote="This string MUST change if the results of the query (i.e., the matching ids and "
    "their sort order) have changed.",
    sends="Mailbox/query over P's children, add a child, query again",
    expects="different queryState strings",
)
def query_state_changes(ctx: Context) -> None:
    parent, _ = _family(ctx, 2)
    before = _query(ctx, parent)["queryState"]
    ctx.mailbox(parentId=parent)
    expect(_query(ctx, parent)["queryState"] != before, "queryState did not change")


@case(
    "core.query.collation-advertised",
    rfc="8620",
    section="5.5",
    level=MUST,
    quote="The algorithms the server supports are advertised in the capabilities object "
    "returned with the Session object",
    sends="Mailbox/query sort name with each advertised collationAlgorithms entry",
    expects="no error for any advertised collation",
)
def collation_advertised(ctx: Context) -> None:
    collations = ctx.session.capabilities.get("urn:ietf:params:jmap:core", {}).get(
        "collationAlgorithms", []
    )
    for collation in collations:
        ctx.call(
            "Mailbox/query", {"sort": [{"property": "name", "collation": collation}], "limit": 1}
        )
