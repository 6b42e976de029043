"""RFC 8620 §5.1 /get, exercised through Mailbox/get (and Thread/Identity where noted)."""

from __future__ import annotations

from conformance.checks import expect, expect_eq, expect_type, show
from conformance.context import Context
from conformance.registry import MUST, SHOULD, case

UNKNOWN_ID = "cfUnknownId0000"


@case(
    "core.get.ids-null-all",
    rfc="8620",
    section="5.1",
    level=MUST,
    quote="If null, then *all* records of the data type are returned, if this is supported for "
    "that data type",
    sends="create a mailbox, then Mailbox/get with ids null",
    expects="the list contains the new mailbox (RFC 8621 §2.1 allows ids null for Mailbox)",
)
def ids_null_all(ctx: Context) -> None:
    mailbox_id = ctx.mailbox()
    result = ctx.call("Mailbox/get", {"ids": None})
    expect(mailbox_id in [m.get("id") for m in result["list"]], "new mailbox missing")
    expect_eq(result.get("notFound"), [], "notFound with ids null")


@case(
    "core.get.empty-ids",
    rfc="8620",
    section="5.1",
    level=MUST,
    quote='This is the *empty array* if no objects were found or if the "ids" argument passed '
    "in was also an empty array.",
    sends="Mailbox/get with ids []",
    expects="list [] and notFound []",
)
def empty_ids(ctx: Context) -> None:
    result = ctx.call("Mailbox/get", {"ids": []})
    expect_eq(result.get("list"), [], "list")
    expect_eq(result.get("notFound"), [], "notFound")


@case(
    "core.get.not-found",
    rfc="8620",
    section="5.1",
    level=MUST,
    quote="This array contains the ids passed to the method for records that do not exist.",
    sends="Mailbox/get with one existing id and one unknown id",
    expects="the existing one in list, the unknown one in notFound",
)
def not_found(ctx: Context) -> None:
    mailbox_id = ctx.mailbox()
    result = ctx.call("Mailbox/get", {"ids": [mailbox_id, UNKNOWN_ID], "properties": ["name"]})
    expect_eq([m["id"] for m in result["list"]], [mailbox_id], "list ids")
    expect_eq(result.get("notFound"), [UNKNOWN_ID], "notFound")


@case(
    "core.get.not-found-empty-when-all-found",
    rfc="8620",
    section="5.1",
    level=MUST,
    quote="The array is empty if all requested ids were found",
    sends="Mailbox/get with one existing id",
    expects="notFound is [] (an array, not null)",
)
def not_found_empty(ctx: Context) -> None:
    result = ctx.call("Mailbox/get", {"ids": [ctx.mailbox()]})
    expect_eq(result.get("notFound"), [], "notFound")


@case(
    "core.get.properties-subset",
    rfc="8620",
    section="5.1",
    level=MUST,
    quote="If supplied, only the properties listed in the array are returned for each Foo object.",
    sends='Mailbox/get with properties ["name"]',
    expects="each object has exactly the keys id and name",
)
def properties_subset(ctx: Context) -> None:
    result = ctx.call("Mailbox/get", {"ids": [ctx.mailbox()], "properties": ["name"]})
    expect_eq(sorted(result["list"][0]), ["id", "name"], "returned properties")


@case(
    "core.get.id-always-returned",
    rfc="8620",
    section="5.1",
    level=MUST,
    quote="The id property of the object is *always* returned, even if not explicitly requested.",
    sends='Mailbox/get with properties ["sortOrder"]',
    expects="each object still has id",
)
def id_always_returned(ctx: Context) -> None:
    mailbox_id = ctx.mailbox()
    result = ctx.call("Mailbox/get", {"ids": [mailbox_id], "properties": ["sortOrder"]})
    expect_eq(result["list"][0].get("id"), mailbox_id, "id")


@case(
    "core.get.properties-empty",
    rfc="8620",
    section="5.1",
    level=MUST,
    quote="If supplied, only the properties listed in the array are returned for each Foo object.",
    sends="Mailbox/get with properties []",
    expects="each object is exactly {id}",
)
def properties_empty(ctx: Context) -> None:
    mailbox_id = ctx.mailbox()
    result = ctx.call("Mailbox/get", {"ids": [mailbox_id], "properties": []})
    expect_eq(result["list"], [{"id": mailbox_id}], "list")


@case(
    "core.get.invalid-property",
    rfc="8620",
    section="5.1",
    level=MUST,
    quote="If an invalid property is requested, the call MUST be rejected with an "
    '"invalidArguments" error.',
    sends='Mailbox/get with properties ["conformanceNoSuchProperty"]',
    expects="an invalidArguments error",
)
def invalid_property(ctx: Context) -> None:
    ctx.expect_error(
        "Mailbox/get", {"ids": [], "properties": ["conformanceNoSuchProperty"]}, "invalidArguments"
    )


@case(
    "core.get.invalid-property-thread",
    rfc="8620",
    section="5.1",
    level=MUST,
    quote="If an invalid property is requested, the call MUST be rejected with an "
    '"invalidArguments" error.',
    sends='Thread/get with properties ["subject"] (not a Thread property)',
    expects="an invalidArguments error",
)
def invalid_property_thread(ctx: Context) -> None:
    ctx.expect_error("Thread/get", {"ids": [], "properties": ["subject"]}, "invalidArguments")


@case(
    "core.get.duplicate-ids",
    rfc="8620",
    section="5.1",
    level=MUST,
    quote="If an identical id is included more than once in the request, the server MUST only "
    'include it once in either the "list" or the "notFound" argument of the response.',
    sends="Mailbox/get with the same existing id twice and the same unknown id twice",
    expects="the mailbox once in list, the unknown id once in notFound",
)
def duplicate_ids(ctx: Context) -> None:
    mailbox_id = ctx.mailbox()
    result = ctx.call(
        "Mailbox/get",
        {"ids": [mailbox_id, mailbox_id, UNKNOWN_ID, UNKNOWN_ID], "properties": ["name"]},
    )
    expect_eq([m["id"] for m in result["list"]], [mailbox_id], "list ids")
    expect_eq(result.get("notFound"), [UNKNOWN_ID], "notFound")


@case(
    "core.get.response-shape",
    rfc="8620",
    section="5.1",
    level=MUST,
    quote='The response has the following arguments: o accountId: "Id" The id of the account '
    'used for the call. o state: "String"',
    sends="Mailbox/get with ids []",
    expects="accountId equals the request's, state is a string, list and notFound arrays",
)
def response_shape(ctx: Context) -> None:
    result = ctx.call("Mailbox/get", {"ids": []})
    expect_eq(result.get("accountId"), ctx.account_id, "accountId")
    expect_type(result.get("state"), str, "state")
    expect_type(result.get("list"), list, "list")
    expect_type(result.get("notFound"), list, "notFound")


@case(
    "core.get.state-changes",
    rfc="8620",
    section="5.1",
    level=MUST,
    quote="If the data changes, this string MUST change.",
    sends="Mailbox/get, create a mailbox, Mailbox/get again",
    expects="the two state strings differ",
)
def state_changes(ctx: Context) -> None:
    before = ctx.state("Mailbox")
    ctx.mailbox()
    expect(ctx.state("Mailbox") != before, "Mailbox state did not change after a create")


@case(
    "core.get.state-stable",
    rfc="8620",
    section="5.1",
    level=SHOULD,
    quote="If the Foo data is unchanged, servers SHOULD return the same state string on "
    "subsequent requests for this data type.",
    sends="two Mailbox/get calls with no change between them",
    expects="the same state string",
)
def state_stable(ctx: Context) -> None:
    responses = ctx.responses([("Mailbox/get", {"ids": []}), ("Mailbox/get", {"ids": []})])
    expect_eq(responses[1][1]["state"], responses[0][1]["state"], "second state")


@case(
    "core.get.state-covers-all-records",
    rfc="8620",
    section="5.1",
    level=MUST,
    quote="representing the state on the server for *all* the data of this type in the account "
    "(not just the objects returned in this call).",
    sends="Mailbox/get of mailbox A, rename mailbox B, Mailbox/get of A again",
    expects="the state of the second get differs from the first",
)
def state_covers_all(ctx: Context) -> None:
    first, second = ctx.mailbox(), ctx.mailbox()
    before = ctx.call("Mailbox/get", {"ids": [first]})["state"]
    ctx.call("Mailbox/set", {"update": {second: {"name": ctx.unique("renamed")}}})
    after = ctx.call("Mailbox/get", {"ids": [first]})["state"]
    expect(after != before, f"state {after!r} unchanged although another mailbox changed")


@case(
    "core.get.order-independent",
    rfc="8620",
    section="5.1",
    level=MUST,
    quote='The results MAY be in a different order to the "ids" in the request arguments.',
    sends="Mailbox/get of two mailboxes in both orders",
    expects="both calls return the same two mailboxes (in any order)",
)
def order_independent(ctx: Context) -> None:
    a, b = ctx.mailbox(), ctx.mailbox()
    one = ctx.call("Mailbox/get", {"ids": [a, b], "properties": ["name"]})["list"]
    two = ctx.call("Mailbox/get", {"ids": [b, a], "properties": ["name"]})["list"]
    expect_eq(sorted(m["id"] for m in one), sorted([a, b]), "first call")
    expect_eq(sorted(m["id"] for m in two), sorted([a, b]), "second call")


@case(
    "core.get.identity-ids-null",
    rfc="8621",
    section="6.1",
    level=MUST,
    quote='The "ids" argument may be null to fetch all at once.',
    sends="Identity/get with ids null",
    expects="a list of Identity objects, each with an id",
    requires=("urn:ietf:params:jmap:submission",),
)
def identity_ids_null(ctx: Context) -> None:
    result = ctx.call("Identity/get", {"ids": None})
    expect_type(result.get("list"), list, "list")
    expect(all("id" in i for i in result["list"]), f"list: {show(result['list'])}")
