"""RFC 8621 §2.3 and §2.4: Mailbox/query filters, sorting, trees and Mailbox/queryChanges."""

from __future__ import annotations

from conformance.checks import JSONObject, expect, expect_eq, show
from conformance.context import Context
from conformance.registry import MUST, Skipped, case


def _all(ctx: Context) -> list[JSONObject]:
    return list(ctx.call("Mailbox/get", {"ids": None})["list"])


def _query_ids(ctx: Context, condition: JSONObject, **extra: object) -> list[str]:
    return list(ctx.call("Mailbox/query", {"filter": condition, **extra})["ids"])


@case(
    "mail.mailbox.filter-parent-id",
    rfc="8621",
    section="2.3",
    level=MUST,
    quote='The Mailbox "parentId" property must match the given value exactly.',
    sends="Mailbox/query filter parentId P",
    expects="exactly P's two children",
)
def filter_parent_id(ctx: Context) -> None:
    parent = ctx.mailbox()
    kids = {ctx.mailbox(parentId=parent), ctx.mailbox(parentId=parent)}
    expect_eq(set(_query_ids(ctx, {"parentId": parent})), kids, "ids")


@case(
    "mail.mailbox.filter-parent-null",
    rfc="8621",
    section="2.3",
    level=MUST,
    quote='The Mailbox "parentId" property must match the given value exactly.',
    sends="Mailbox/query filter parentId null",
    expects="a new top-level mailbox is included, a new child is not",
)
def filter_parent_null(ctx: Context) -> None:
    top = ctx.mailbox()
    kid = ctx.mailbox(parentId=top)
    ids = _query_ids(ctx, {"parentId": None})
    expect(top in ids and kid not in ids, f"ids: {show(ids)}")


@case(
    "mail.mailbox.filter-name",
    rfc="8621",
    section="2.3",
    level=MUST,
    quote='The Mailbox "name" property contains the given string.',
    sends="Mailbox/query filter name = a unique substring of one mailbox's name",
    expects="that mailbox only",
)
def filter_name(ctx: Context) -> None:
    marker = ctx.unique("needle")
    mailbox_id = ctx.mailbox(f"hay-{marker}-stack")
    expect_eq(_query_ids(ctx, {"name": marker}), [mailbox_id], "ids")


@case(
    "mail.mailbox.filter-role",
    rfc="8621",
    section="2.3",
    level=MUST,
    quote='The Mailbox "role" property must match the given value exactly.',
    sends="Mailbox/query filter role = the role of an existing mailbox",
    expects="exactly that mailbox",
)
def filter_role(ctx: Context) -> None:
    with_role = [m for m in _all(ctx) if m.get("role")]
    if not with_role:
        raise Skipped("no mailbox has a role")
    target = with_role[0]
    expect_eq(_query_ids(ctx, {"role": target["role"]}), [target["id"]], "ids")


@case(
    "mail.mailbox.filter-has-any-role",
    rfc="8621",
    section="2.3",
    level=MUST,
    quote='If true, a Mailbox matches if it has any non-null value for its "role" property.',
    sends="Mailbox/query filter hasAnyRole true, and false",
    expects="true gives exactly the mailboxes with a role; false excludes them",
)
def filter_has_any_role(ctx: Context) -> None:
    everything = _all(ctx)
    roled = {m["id"] for m in everything if m.get("role")}
    expect_eq(set(_query_ids(ctx, {"hasAnyRole": True})), roled, "hasAnyRole true")
    unroled = set(_query_ids(ctx, {"hasAnyRole": False}))
    expect(not unroled & roled, "hasAnyRole false returned mailboxes with a role")


@case(
    "mail.mailbox.filter-is-subscribed",
    rfc="8621",
    section="2.3",
    level=MUST,
    quote='The "isSubscribed" property of the Mailbox must be identical to the value given to '
    "match the condition.",
    sends="two children of P, one subscribed and one not; query each value within P",
    expects="each query returns the matching child",
)
def filter_is_subscribed(ctx: Context) -> None:
    parent = ctx.mailbox()
    yes = ctx.mailbox(parentId=parent, isSubscribed=True)
    no = ctx.mailbox(parentId=parent, isSubscribed=False)
    for value, want in ((True, yes), (False, no)):
        ids = _query_ids(
            ctx, {"operator": "AND", "conditions": [{"parentId": parent}, {"isSubscribed": value}]}
        )
        expect_eq(ids, [want], f"isSubscribed {value}")


@case(
    "mail.mailbox.sort-sort-order",
    rfc="8621",
    section="2.3",
    level=MUST,
    quote='The following Mailbox properties MUST be supported for sorting: o "sortOrder" o "name"',
    sends="children with sortOrder 30, 10, 20; query sorted by sortOrder",
    expects="the children ordered 10, 20, 30",
)
def sort_sort_order(ctx: Context) -> None:
    parent = ctx.mailbox()
    made = {order: ctx.mailbox(parentId=parent, sortOrder=order) for order in (30, 10, 20)}
    ids = _query_ids(ctx, {"parentId": parent}, sort=[{"property": "sortOrder"}])
    expect_eq(ids, [made[10], made[20], made[30]], "ids")


@case(
    "mail.mailbox.sort-name",
    rfc="8621",
    section="2.3",
    level=MUST,
    quote='The following Mailbox properties MUST be supported for sorting: o "sortOrder" o "name"',
    sends="children named c…, a…, b…; query sorted by name",
    expects="a…, b…, c…",
)
def sort_name(ctx: Context) -> None:
    parent = ctx.mailbox()
    made = {c: ctx.mailbox(f"{c}-{ctx.unique('s')}", parentId=parent) for c in "cab"}
    ids = _query_ids(ctx, {"parentId": parent}, sort=[{"property": "name"}])
    expect_eq(ids, [made["a"], made["b"], made["c"]], "ids")


@case(
    "mail.mailbox.sort-as-tree",
    rfc="8621",
    section="2.3",
    level=MUST,
    quote="If A is an ancestor of B, it always comes first regardless of the sort comparators.",
    sends="top T with children Z… and A…, where Z… has a child; query sortAsTree by name "
    "descending within T's subtree (filter name = the run's marker)",
    expects="each parent before its descendants, siblings by name descending",
)
def sort_as_tree(ctx: Context) -> None:
    marker = ctx.unique("tree")
    top = ctx.mailbox(f"m-{marker}")
    zed = ctx.mailbox(f"z-{marker}", parentId=top)
    ann = ctx.mailbox(f"a-{marker}", parentId=top)
    leaf = ctx.mailbox(f"b-{marker}", parentId=zed)
    ids = _query_ids(
        ctx, {"name": marker}, sortAsTree=True, sort=[{"property": "name", "isAscending": False}]
    )
    expect_eq(ids, [top, zed, leaf, ann], "ids")


@case(
    "mail.mailbox.filter-as-tree",
    rfc="8621",
    section="2.3",
    level=MUST,
    quote="If true, a Mailbox is only included in the query if all its ancestors are also "
    "included in the query according to the filter.",
    sends="P (unsubscribed) with subscribed child C; query isSubscribed true, filterAsTree true",
    expects="C is not in the results",
)
def filter_as_tree(ctx: Context) -> None:
    parent = ctx.mailbox(isSubscribed=False)
    kid = ctx.mailbox(parentId=parent, isSubscribed=True)
    ids = _query_ids(ctx, {"isSubscribed": True}, filterAsTree=True)
    expect(kid not in ids, "a child whose parent does not match was included")
    plain = _query_ids(ctx, {"isSubscribed": True})
    expect(kid in plain, "without filterAsTree the subscribed child must match")


@case(
    "mail.mailbox.query-changes",
    rfc="8621",
    section="2.4",
    level=MUST,
    quote='This is a standard "/queryChanges" method as described in [RFC8620], Section 5.6.',
    sends="Mailbox/query, add a matching mailbox, Mailbox/queryChanges",
    expects="a Mailbox/queryChanges response listing the new mailbox in added (or "
    "cannotCalculateChanges)",
)
def query_changes(ctx: Context) -> None:
    parent = ctx.mailbox()
    args = {"filter": {"parentId": parent}, "sort": [{"property": "name"}]}
    state = ctx.call("Mailbox/query", args)["queryState"]
    new = ctx.mailbox(parentId=parent)
    response = ctx.responses([("Mailbox/queryChanges", {**args, "sinceQueryState": state})])[0]
    if response[0] == "error":
        expect_eq(response[1].get("type"), "cannotCalculateChanges", "error type")
        return
    expect(new in [a["id"] for a in response[1]["added"]], f"added: {show(response[1])}")
