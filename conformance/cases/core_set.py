"""RFC 8620 §5.3 /set, PatchObject and SetError, exercised through Mailbox/set."""

from __future__ import annotations

from conformance.checks import (
    JSONObject,
    as_list,
    as_map,
    expect,
    expect_eq,
    expect_id,
    expect_in,
    expect_set_error,
    expect_type,
    show,
)
from conformance.context import Context
from conformance.registry import MUST, SHOULD, NotSupported, case

UNKNOWN_ID = "cfUnknownId0000"
SERVER_SET = ("totalEmails", "unreadEmails", "totalThreads", "unreadThreads", "myRights")


def _set(ctx: Context, **args: object) -> JSONObject:
    return ctx.call("Mailbox/set", dict(args))


def _create(ctx: Context, values: JSONObject) -> JSONObject:
    """Mailbox/set create "c"; cleans up whatever got created."""
    result = _set(ctx, create={"c": values})
    created = as_map(result.get("created"), "created")
    if "c" in created:
        ctx.destroy_later("Mailbox", created["c"]["id"])
    return result


@case(
    "core.set.create-returns-id",
    rfc="8620",
    section="5.3",
    level=MUST,
    quote='This includes all server-set properties (such as the "id" in most object types)',
    sends="Mailbox/set create {name}",
    expects="created[c].id is a valid Id",
)
def create_returns_id(ctx: Context) -> None:
    result = _create(ctx, {"name": ctx.unique("c")})
    created = as_map(result.get("created"), "created")
    expect("c" in created, f"not created: {show(result)}")
    expect_id(created["c"].get("id"), "created id")


@case(
    "core.set.create-returns-server-set",
    rfc="8620",
    section="5.3",
    level=MUST,
    quote="A map of the creation id to an object containing any properties of the created Foo "
    "object that were not sent by the client. This includes all server-set properties",
    sends="Mailbox/set create {name}",
    expects="created[c] includes the server-set Mailbox properties (counts and myRights)",
)
def create_returns_server_set(ctx: Context) -> None:
    result = _create(ctx, {"name": ctx.unique("c")})
    created = as_map(result.get("created"), "created").get("c", {})
    missing = [p for p in SERVER_SET if p not in created]
    expect(not missing, f"created lacks server-set properties {missing}: {show(created)}")


@case(
    "core.set.create-returns-defaults",
    rfc="8620",
    section="5.3",
    level=MUST,
    quote="any properties that were omitted by the client and thus set to a default by the server.",
    sends="Mailbox/set create with only a name",
    expects="created[c] includes the defaulted properties parentId, role, sortOrder, isSubscribed",
)
def create_returns_defaults(ctx: Context) -> None:
    result = _create(ctx, {"name": ctx.unique("c")})
    created = as_map(result.get("created"), "created").get("c", {})
    missing = [p for p in ("parentId", "role", "sortOrder", "isSubscribed") if p not in created]
    expect(not missing, f"created lacks defaulted properties {missing}: {show(created)}")


@case(
    "core.set.response-shape",
    rfc="8620",
    section="5.3",
    level=MUST,
    quote='The response has the following arguments: o accountId: "Id" The id of the account '
    'used for the call. o oldState: "String|null"',
    sends="Mailbox/set creating one mailbox",
    expects="accountId, newState (String), oldState (String or null); the six result "
    "arguments are objects/arrays or null",
)
def response_shape(ctx: Context) -> None:
    result = _create(ctx, {"name": ctx.unique("c")})
    expect_eq(result.get("accountId"), ctx.account_id, "accountId")
    expect_type(result.get("newState"), str, "newState")
    expect(result.get("oldState") is None or isinstance(result["oldState"], str), "oldState")
    for key in ("created", "updated", "notCreated", "notUpdated", "notDestroyed"):
        as_map(result.get(key), key)
    as_list(result.get("destroyed"), "destroyed")


@case(
    "core.set.states",
    rfc="8620",
    section="5.3",
    level=MUST,
    quote='The state string that would have been returned by "Foo/get" before making the '
    "requested changes, or null if the server doesn't know what the previous state "
    "string was.",
    sends="Mailbox/get state S, Mailbox/set create, Mailbox/get state T",
    expects="oldState is S (or null), newState is T and differs from S",
)
def states(ctx: Context) -> None:
    before = ctx.state("Mailbox")
    result = _create(ctx, {"name": ctx.unique("c")})
    expect(result.get("oldState") in (before, None), f"oldState {result.get('oldState')!r}")
    expect(result["newState"] != before, "newState equals the state before the change")
    expect_eq(result["newState"], ctx.state("Mailbox"), "newState vs Mailbox/get state")


@case(
    "core.set.update",
    rfc="8620",
    section="5.3",
    level=MUST,
    quote="The keys in this map are the ids of all Foos that were successfully updated.",
    sends="Mailbox/set update {name} of a mailbox",
    expects="updated has the id (value null or an object); Mailbox/get shows the new name",
)
def update(ctx: Context) -> None:
    mailbox_id = ctx.mailbox()
    name = ctx.unique("renamed")
    result = _set(ctx, update={mailbox_id: {"name": name}})
    updated = as_map(result.get("updated"), "updated")
    expect(mailbox_id in updated, f"not updated: {show(result)}")
    expect(updated[mailbox_id] is None or isinstance(updated[mailbox_id], dict), "updated value")
    expect_eq(ctx.get_one("Mailbox", mailbox_id, ["name"])["name"], name, "name")


@case(
    "core.set.destroy",
    rfc="8620",
    section="5.3",
    level=MUST,
    quote="A list of Foo ids for records that were successfully destroyed, or null if none.",
    sends="Mailbox/set destroy of a new mailbox",
    expects="destroyed lists it; Mailbox/get reports it notFound",
)
def destroy(ctx: Context) -> None:
    mailbox_id = ctx.mailbox()
    result = _set(ctx, destroy=[mailbox_id])
    expect(mailbox_id in as_list(result.get("destroyed"), "destroyed"), f"{show(result)}")
    got = ctx.call("Mailbox/get", {"ids": [mailbox_id]})
    expect_eq(got["notFound"], [mailbox_id], "notFound after destroy")


@case(
    "core.set.if-in-state-mismatch",
    rfc="8620",
    section="5.3",
    level=MUST,
    quote="If supplied, the string must match the current state; otherwise, the method will be "
    'aborted and a "stateMismatch" error returned.',
    sends="Mailbox/set with ifInState from before another change",
    expects="a stateMismatch error and no change",
)
def if_in_state_mismatch(ctx: Context) -> None:
    old = ctx.state("Mailbox")
    mailbox_id = ctx.mailbox()
    name = ctx.unique("never")
    ctx.expect_error(
        "Mailbox/set", {"ifInState": old, "update": {mailbox_id: {"name": name}}}, "stateMismatch"
    )
    expect(ctx.get_one("Mailbox", mailbox_id, ["name"])["name"] != name, "update was applied")


@case(
    "core.set.if-in-state-match",
    rfc="8620",
    section="5.3",
    level=MUST,
    quote="If supplied, the string must match the current state",
    sends="Mailbox/set with ifInState equal to the current state",
    expects="the update succeeds",
)
def if_in_state_match(ctx: Context) -> None:
    mailbox_id = ctx.mailbox()
    result = _set(
        ctx, ifInState=ctx.state("Mailbox"), update={mailbox_id: {"name": ctx.unique("ok")}}
    )
    expect(mailbox_id in as_map(result.get("updated"), "updated"), f"{show(result)}")


@case(
    "core.set.update-not-found",
    rfc="8620",
    section="5.3",
    level=MUST,
    quote="If an id given cannot be found, the update or destroy MUST be rejected with a "
    '"notFound" set error.',
    sends="Mailbox/set update of an unknown id",
    expects="notUpdated[id].type = notFound",
)
def update_not_found(ctx: Context) -> None:
    result = _set(ctx, update={UNKNOWN_ID: {"name": ctx.unique("x")}})
    expect_set_error(result, "notUpdated", UNKNOWN_ID, "notFound")


@case(
    "core.set.destroy-not-found",
    rfc="8620",
    section="5.3",
    level=MUST,
    quote="If an id given cannot be found, the update or destroy MUST be rejected with a "
    '"notFound" set error.',
    sends="Mailbox/set destroy of an unknown id",
    expects="notDestroyed[id].type = notFound",
)
def destroy_not_found(ctx: Context) -> None:
    result = _set(ctx, destroy=[UNKNOWN_ID])
    expect_set_error(result, "notDestroyed", UNKNOWN_ID, "notFound")


@case(
    "core.set.continue-after-rejection",
    rfc="8620",
    section="5.3",
    level=MUST,
    quote="the server MUST continue to the next create/update/destroy. It does not terminate "
    "the method.",
    sends='one Mailbox/set with an invalid create (name ""), a valid create and a destroy '
    "of an unknown id",
    expects="notCreated for the bad one, created for the good one, notDestroyed for the unknown id",
)
def continue_after_rejection(ctx: Context) -> None:
    result = _set(
        ctx,
        create={"bad": {"name": ""}, "good": {"name": ctx.unique("good")}},
        destroy=[UNKNOWN_ID],
    )
    created = as_map(result.get("created"), "created")
    for key in ("bad", "good"):
        if key in created:
            ctx.destroy_later("Mailbox", created[key]["id"])
    expect("good" in created, f"the valid create was not done: {show(result)}")
    expect("bad" in as_map(result.get("notCreated"), "notCreated"), f"{show(result)}")
    expect(UNKNOWN_ID in as_map(result.get("notDestroyed"), "notDestroyed"), f"{show(result)}")


@case(
    "core.set.set-error-shape",
    rfc="8620",
    section="5.3",
    level=MUST,
    quote='A *SetError* object has the following properties: o type: "String" The type of '
    'error. o description: "String|null"',
    sends="Mailbox/set destroy of an unknown id",
    expects="the SetError has a string type and a description that is a string or absent/null",
)
def set_error_shape(ctx: Context) -> None:
    error = expect_set_error(
        _set(ctx, destroy=[UNKNOWN_ID]), "notDestroyed", UNKNOWN_ID, "notFound"
    )
    expect(
        error.get("description") is None or isinstance(error["description"], str),
        f"description: {show(error)}",
    )


@case(
    "core.set.create-server-set-property",
    rfc="8620",
    section="5.3",
    level=MUST,
    quote='It contains a property that may only be set by the server (e.g., "id") and is '
    "different to the current value.",
    sends='Mailbox/set create with id: "cfChosenId"',
    expects="notCreated[c].type = invalidProperties",
)
def create_server_set_property(ctx: Context) -> None:
    result = _create(ctx, {"name": ctx.unique("c"), "id": "cfChosenId"})
    expect_set_error(result, "notCreated", "c", "invalidProperties")


@case(
    "core.set.create-server-set-count",
    rfc="8620",
    section="5.3",
    level=MUST,
    quote='It contains a property that may only be set by the server (e.g., "id") and is '
    "different to the current value.",
    sends="Mailbox/set create with totalEmails: 5",
    expects="notCreated[c].type = invalidProperties",
)
def create_server_set_count(ctx: Context) -> None:
    result = _create(ctx, {"name": ctx.unique("c"), "totalEmails": 5})
    expect_set_error(result, "notCreated", "c", "invalidProperties")


@case(
    "core.set.update-server-set-different",
    rfc="8620",
    section="5.3",
    level=MUST,
    quote='Otherwise, the update MUST be rejected with an "invalidProperties" SetError.',
    sends="Mailbox/set update with totalEmails: 99 on an empty mailbox",
    expects="notUpdated[id].type = invalidProperties",
)
def update_server_set_different(ctx: Context) -> None:
    mailbox_id = ctx.mailbox()
    result = _set(ctx, update={mailbox_id: {"totalEmails": 99}})
    expect_set_error(result, "notUpdated", mailbox_id, "invalidProperties")


@case(
    "core.set.update-server-set-identical",
    rfc="8620",
    section="5.3",
    level=MUST,
    quote="Any server-set properties MAY be included in the patch if their value is identical "
    "to the current server value",
    sends="Mailbox/set update {totalEmails: 0, name: new} on an empty mailbox",
    expects="the update succeeds",
)
def update_server_set_identical(ctx: Context) -> None:
    mailbox_id = ctx.mailbox()
    result = _set(ctx, update={mailbox_id: {"totalEmails": 0, "name": ctx.unique("same")}})
    expect(mailbox_id in as_map(result.get("updated"), "updated"), f"{show(result)}")


@case(
    "core.set.whole-object-patch",
    rfc="8620",
    section="5.3",
    level=MUST,
    quote="This patch definition is designed such that an entire Foo object is also a valid "
    "PatchObject.",
    sends="Mailbox/get a mailbox, change its name in the object, send the whole object as the "
    "update",
    expects="the update succeeds and the name changes",
)
def whole_object_patch(ctx: Context) -> None:
    mailbox_id = ctx.mailbox()
    whole = ctx.get_one("Mailbox", mailbox_id)
    whole["name"] = ctx.unique("whole")
    result = _set(ctx, update={mailbox_id: whole})
    expect(mailbox_id in as_map(result.get("updated"), "updated"), f"{show(result)}")
    expect_eq(ctx.get_one("Mailbox", mailbox_id, ["name"])["name"], whole["name"], "name")


@case(
    "core.set.invalid-properties-unknown",
    rfc="8620",
    section="5.3",
    level=MUST,
    quote="It contains properties that are invalid according to the type specification of "
    "this record type.",
    sends="Mailbox/set create with an unknown property conformanceBogus",
    expects="notCreated[c].type = invalidProperties",
)
def invalid_properties_unknown(ctx: Context) -> None:
    result = _create(ctx, {"name": ctx.unique("c"), "conformanceBogus": 1})
    expect_set_error(result, "notCreated", "c", "invalidProperties")


@case(
    "core.set.invalid-properties-type",
    rfc="8620",
    section="5.3",
    level=MUST,
    quote="It contains properties that are invalid according to the type specification of "
    "this record type.",
    sends="Mailbox/set create with name: 42",
    expects="notCreated[c].type = invalidProperties",
)
def invalid_properties_type(ctx: Context) -> None:
    expect_set_error(_create(ctx, {"name": 42}), "notCreated", "c", "invalidProperties")


@case(
    "core.set.invalid-properties-list",
    rfc="8620",
    section="5.3",
    level=SHOULD,
    quote='The SetError object SHOULD also have a property called "properties" of type '
    '"String[]" that lists *all* the properties that were invalid.',
    sends='Mailbox/set create with name: 42 and sortOrder: "x"',
    expects="the invalidProperties SetError lists both name and sortOrder",
)
def invalid_properties_list(ctx: Context) -> None:
    result = _create(ctx, {"name": 42, "sortOrder": "x"})
    error = expect_set_error(result, "notCreated", "c", "invalidProperties")
    listed = error.get("properties")
    expect(
        isinstance(listed, list) and {"name", "sortOrder"} <= set(listed),
        f"properties: {show(listed)}",
    )


@case(
    "core.set.invalid-foreign-key",
    rfc="8620",
    section="5.3",
    level=MUST,
    quote="There is a reference to another record (foreign key), and the given id does not "
    "correspond to a valid record.",
    sends="Mailbox/set create with parentId of an unknown mailbox",
    expects="notCreated[c].type = invalidProperties",
)
def invalid_foreign_key(ctx: Context) -> None:
    result = _create(ctx, {"name": ctx.unique("c"), "parentId": UNKNOWN_ID})
    expect_set_error(result, "notCreated", "c", "invalidProperties")


@case(
    "core.set.patch-null-default",
    rfc="8620",
    section="5.3",
    level=MUST,
    quote="If null, set to the default value if specified for this property",
    sends="create a mailbox with sortOrder 7, then update {sortOrder: null}",
    expects="the update succeeds and sortOrder is 0, its default (RFC 8621 §2)",
)
def patch_null_default(ctx: Context) -> None:
    mailbox_id = ctx.mailbox(sortOrder=7)
    result = _set(ctx, update={mailbox_id: {"sortOrder": None}})
    expect(mailbox_id in as_map(result.get("updated"), "updated"), f"{show(result)}")
    expect_eq(ctx.get_one("Mailbox", mailbox_id, ["sortOrder"])["sortOrder"], 0, "sortOrder")


@case(
    "core.set.patch-array-index",
    rfc="8620",
    section="5.3",
    level=MUST,
    quote="The pointer MUST NOT reference inside an array (i.e., you MUST NOT insert/delete "
    "from an array; the array MUST be replaced in its entirety instead).",
    sends='create an Identity with bcc [one address], then update it with the pointer "bcc/0"',
    expects="notUpdated[id].type = invalidPatch (not supported if Identity/set is not)",
    requires=("urn:ietf:params:jmap:submission",),
)
def patch_array_index(ctx: Context) -> None:
    identities = ctx.call("Identity/get", {"ids": None})["list"]
    email = next((i["email"] for i in identities if "@" in str(i.get("email", ""))), None)
    if email is None:
        raise NotSupported("no Identity with an email address to copy")
    result = ctx.call(
        "Identity/set",
        {
            "create": {
                "i": {
                    "email": email,
                    "name": ctx.unique("ident"),
                    "bcc": [{"name": None, "email": "archive@conformance.example"}],
                }
            }
        },
        optional=True,
    )
    created = as_map(result.get("created"), "created")
    if "i" not in created:
        raise NotSupported(f"cannot create an Identity: {show(result.get('notCreated'))}")
    identity_id = created["i"]["id"]
    ctx.destroy_later("Identity", identity_id)
    result = ctx.call(
        "Identity/set",
        {"update": {identity_id: {"bcc/0": {"name": None, "email": "other@conformance.example"}}}},
    )
    expect_set_error(result, "notUpdated", identity_id, "invalidPatch")


@case(
    "core.set.patch-missing-parent",
    rfc="8620",
    section="5.3",
    level=MUST,
    quote="All parts prior to the last (i.e., the value after the final slash) MUST already "
    "exist on the object being patched.",
    sends='Mailbox/set update with pointer "conformanceNoSuch/child"',
    expects="notUpdated[id].type = invalidPatch (invalidProperties also accepted)",
)
def patch_missing_parent(ctx: Context) -> None:
    mailbox_id = ctx.mailbox()
    result = _set(ctx, update={mailbox_id: {"conformanceNoSuch/child": 1}})
    expect_set_error(result, "notUpdated", mailbox_id, "invalidPatch", "invalidProperties")


@case(
    "core.set.patch-into-string",
    rfc="8620",
    section="5.3",
    level=MUST,
    quote="All parts prior to the last (i.e., the value after the final slash) MUST already "
    "exist on the object being patched.",
    sends='Mailbox/set update with pointer "name/first" (name is a string)',
    expects="notUpdated[id].type = invalidPatch (invalidProperties also accepted)",
)
def patch_into_string(ctx: Context) -> None:
    mailbox_id = ctx.mailbox()
    result = _set(ctx, update={mailbox_id: {"name/first": "x"}})
    expect_set_error(result, "notUpdated", mailbox_id, "invalidPatch", "invalidProperties")


@case(
    "core.set.empty-patch",
    rfc="8620",
    section="5.3",
    level=MUST,
    quote='A *PatchObject* is of type "String[*]" and represents an unordered set of patches.',
    sends="Mailbox/set update with an empty PatchObject {}",
    expects="updated lists the id (an empty set of patches is valid)",
)
def empty_patch(ctx: Context) -> None:
    mailbox_id = ctx.mailbox()
    result = _set(ctx, update={mailbox_id: {}})
    expect(mailbox_id in as_map(result.get("updated"), "updated"), f"{show(result)}")


@case(
    "core.set.atomic-update",
    rfc="8620",
    section="5.3",
    level=MUST,
    quote="it MUST NOT only commit part of an update to a single record (e.g., update a "
    '"name" property but not a "count" property, if both are supplied in the update '
    "object).",
    sends="Mailbox/set update {name: new, parentId: unknown id}",
    expects="notUpdated for the id, and the name is unchanged",
)
def atomic_update(ctx: Context) -> None:
    name = ctx.unique("orig")
    mailbox_id = ctx.mailbox(name)
    result = _set(ctx, update={mailbox_id: {"name": ctx.unique("half"), "parentId": UNKNOWN_ID}})
    expect(mailbox_id in as_map(result.get("notUpdated"), "notUpdated"), f"{show(result)}")
    expect_eq(ctx.get_one("Mailbox", mailbox_id, ["name"])["name"], name, "name")


@case(
    "core.set.update-and-destroy",
    rfc="8620",
    section="5.3",
    level=MUST,
    quote='The server MAY skip an update (rejecting it with a "willDestroy" SetError) if '
    "that object is destroyed in the same /set request.",
    sends="one Mailbox/set that updates and destroys the same mailbox",
    expects="the mailbox is destroyed; the update is either applied or rejected with willDestroy",
)
def update_and_destroy(ctx: Context) -> None:
    mailbox_id = ctx.mailbox()
    result = _set(ctx, update={mailbox_id: {"name": ctx.unique("u")}}, destroy=[mailbox_id])
    expect(mailbox_id in as_list(result.get("destroyed"), "destroyed"), f"{show(result)}")
    not_updated = as_map(result.get("notUpdated"), "notUpdated")
    if mailbox_id in not_updated:
        expect_in(not_updated[mailbox_id].get("type"), ["willDestroy"], "SetError type")


@case(
    "core.set.rename-swap",
    rfc="8620",
    section="5.3",
    level=SHOULD,
    quote="A single method call could rename an object A => B and simultaneously rename another "
    "object B => A. If the final state is valid, this is allowed.",
    sends="two sibling mailboxes A and B renamed to each other's names in one Mailbox/set",
    expects="both updates succeed",
)
def rename_swap(ctx: Context) -> None:
    name_a, name_b = ctx.unique("A"), ctx.unique("B")
    a, b = ctx.mailbox(name_a), ctx.mailbox(name_b)
    result = _set(ctx, update={a: {"name": name_b}, b: {"name": name_a}})
    updated = as_map(result.get("updated"), "updated")
    expect(a in updated and b in updated, f"{show(result)}")
