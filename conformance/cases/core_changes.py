"""RFC 8620 §5.2 /changes, exercised through Mailbox/changes."""

from __future__ import annotations

from conformance.checks import JSONObject, expect, expect_eq, expect_id, expect_type, show
from conformance.context import Context
from conformance.registry import MUST, SHOULD, case


def _changes(ctx: Context, since: str, type_name: str = "Mailbox", **extra: object) -> JSONObject:
    return ctx.call(f"{type_name}/changes", {"sinceState": since, **extra})


def _all_changes(ctx: Context, since: str, max_changes: int) -> tuple[set[str], int]:
    """Page through /changes with maxChanges; returns every id seen and the page count."""
    seen: set[str] = set()
    pages = 0
    state = since
    while pages < 50:
        result = _changes(ctx, state, maxChanges=max_changes)
        ids = result["created"] + result["updated"] + result["destroyed"]
        expect(len(ids) <= max_changes, f"{len(ids)} ids returned with maxChanges {max_changes}")
        seen.update(ids)
        pages += 1
        state = str(result["newState"])
        if not result["hasMoreChanges"]:
            break
    return seen, pages


@case(
    "core.changes.response-shape",
    rfc="8620",
    section="5.2",
    level=MUST,
    quote='The response has the following arguments: o accountId: "Id" The id of the account '
    'used for the call. o oldState: "String"',
    sends="Mailbox/changes from the current state",
    expects="accountId, oldState, newState (String), hasMoreChanges (Boolean), created, "
    "updated, destroyed (arrays)",
)
def response_shape(ctx: Context) -> None:
    result = _changes(ctx, ctx.state("Mailbox"))
    expect_eq(result.get("accountId"), ctx.account_id, "accountId")
    for key, kind in (
        ("oldState", str),
        ("newState", str),
        ("hasMoreChanges", bool),
        ("created", list),
        ("updated", list),
        ("destroyed", list),
    ):
        expect_type(result.get(key), kind, key)


@case(
    "core.changes.old-state-echo",
    rfc="8620",
    section="5.2",
    level=MUST,
    quote='This is the "sinceState" argument echoed back; it\'s the state from which the '
    "server is returning changes.",
    sends="Mailbox/changes with sinceState S",
    expects="oldState equals S",
)
def old_state_echo(ctx: Context) -> None:
    since = ctx.state("Mailbox")
    expect_eq(_changes(ctx, since)["oldState"], since, "oldState")


@case(
    "core.changes.no-changes",
    rfc="8620",
    section="5.2",
    level=MUST,
    quote='If false, "newState" is the current server state.',
    sends="Mailbox/changes from the current state with nothing changed",
    expects="empty created/updated/destroyed, hasMoreChanges false, newState = current state",
)
def no_changes(ctx: Context) -> None:
    since = ctx.state("Mailbox")
    result = _changes(ctx, since)
    expect_eq(
        [result["created"], result["updated"], result["destroyed"]],
        [[], [], []],
        "created/updated/destroyed",
    )
    expect_eq(result["hasMoreChanges"], False, "hasMoreChanges")
    expect_eq(result["newState"], ctx.state("Mailbox"), "newState")


@case(
    "core.changes.created",
    rfc="8620",
    section="5.2",
    level=MUST,
    quote="An array of ids for records that have been created since the old state.",
    sends="note the state, create a mailbox, Mailbox/changes",
    expects="the new id is in created; newState equals the current Mailbox/get state",
)
def created(ctx: Context) -> None:
    since = ctx.state("Mailbox")
    mailbox_id = ctx.mailbox()
    result = _changes(ctx, since)
    expect(mailbox_id in result["created"], f"created: {show(result)}")
    if not result["hasMoreChanges"]:
        expect_eq(result["newState"], ctx.state("Mailbox"), "newState")


@case(
    "core.changes.updated",
    rfc="8620",
    section="5.2",
    level=MUST,
    quote="An array of ids for records that have been updated since the old state.",
    sends="create a mailbox, note the state, rename it, Mailbox/changes",
    expects="the id is in updated and not in created",
)
def updated(ctx: Context) -> None:
    mailbox_id = ctx.mailbox()
    since = ctx.state("Mailbox")
    ctx.call("Mailbox/set", {"update": {mailbox_id: {"name": ctx.unique("upd")}}})
    result = _changes(ctx, since)
    expect(mailbox_id in result["updated"], f"updated: {show(result)}")
    expect(mailbox_id not in result["created"], "an old record was reported as created")


@case(
    "core.changes.destroyed",
    rfc="8620",
    section="5.2",
    level=MUST,
    quote="An array of ids for records that have been destroyed since the old state.",
    sends="create a mailbox, note the state, destroy it, Mailbox/changes",
    expects="the id is in destroyed",
)
def destroyed(ctx: Context) -> None:
    result = ctx.call("Mailbox/set", {"create": {"m": {"name": ctx.unique("gone")}}})
    mailbox_id = result["created"]["m"]["id"]
    since = ctx.state("Mailbox")
    ctx.call("Mailbox/set", {"destroy": [mailbox_id]})
    result = _changes(ctx, since)
    expect(mailbox_id in result["destroyed"], f"destroyed: {show(result)}")


@case(
    "core.changes.created-and-updated",
    rfc="8620",
    section="5.2",
    level=MUST,
    quote="If a record has been created AND updated since the old state, the server SHOULD "
    'just return the id in the "created" list but MAY return it in the "updated" list '
    "as well.",
    sends="note the state, create then rename a mailbox, Mailbox/changes",
    expects="the id is in created",
)
def created_and_updated(ctx: Context) -> None:
    since = ctx.state("Mailbox")
    mailbox_id = ctx.mailbox()
    ctx.call("Mailbox/set", {"update": {mailbox_id: {"name": ctx.unique("upd")}}})
    result = _changes(ctx, since)
    expect(mailbox_id in result["created"], f"created: {show(result)}")
    expect(mailbox_id not in result["destroyed"], "a live record is reported destroyed")


@case(
    "core.changes.created-and-updated-only-created",
    rfc="8620",
    section="5.2",
    level=SHOULD,
    quote="If a record has been created AND updated since the old state, the server SHOULD "
    'just return the id in the "created" list',
    sends="note the state, create then rename a mailbox, Mailbox/changes",
    expects="the id is in created and not in updated",
)
def created_and_updated_only_created(ctx: Context) -> None:
    since = ctx.state("Mailbox")
    mailbox_id = ctx.mailbox()
    ctx.call("Mailbox/set", {"update": {mailbox_id: {"name": ctx.unique("upd")}}})
    result = _changes(ctx, since)
    expect(
        mailbox_id in result["created"] and mailbox_id not in result["updated"],
        f"changes: {show(result)}",
    )


@case(
    "core.changes.created-and-destroyed",
    rfc="8620",
    section="5.2",
    level=MUST,
    quote="If a record has been created AND destroyed since the old state, the server SHOULD "
    "remove the id from the response entirely. However, it MAY include it in just the "
    '"destroyed" list or in both the "destroyed" and "created" lists.',
    sends="note the state, create then destroy a mailbox, Mailbox/changes",
    expects="the id is absent, or in destroyed (alone or with created); never only created "
    "or in updated",
)
def created_and_destroyed(ctx: Context) -> None:
    since = ctx.state("Mailbox")
    result = ctx.call("Mailbox/set", {"create": {"m": {"name": ctx.unique("brief")}}})
    mailbox_id = result["created"]["m"]["id"]
    ctx.call("Mailbox/set", {"destroy": [mailbox_id]})
    changes = _changes(ctx, since)
    expect(mailbox_id not in changes["updated"], f"in updated: {show(changes)}")
    if mailbox_id in changes["created"]:
        expect(mailbox_id in changes["destroyed"], f"only in created: {show(changes)}")


@case(
    "core.changes.created-and-destroyed-omitted",
    rfc="8620",
    section="5.2",
    level=SHOULD,
    quote="If a record has been created AND destroyed since the old state, the server SHOULD "
    "remove the id from the response entirely.",
    sends="note the state, create then destroy a mailbox, Mailbox/changes",
    expects="the id appears in none of the three lists",
)
def created_and_destroyed_omitted(ctx: Context) -> None:
    since = ctx.state("Mailbox")
    result = ctx.call("Mailbox/set", {"create": {"m": {"name": ctx.unique("brief")}}})
    mailbox_id = result["created"]["m"]["id"]
    ctx.call("Mailbox/set", {"destroy": [mailbox_id]})
    changes = _changes(ctx, since)
    listed = changes["created"] + changes["updated"] + changes["destroyed"]
    expect(mailbox_id not in listed, f"changes: {show(changes)}")


@case(
    "core.changes.updated-and-destroyed",
    rfc="8620",
    section="5.2",
    level=MUST,
    quote="If a record has been updated AND destroyed since the old state, the server SHOULD "
    'just return the id in the "destroyed" list but MAY return it in the "updated" '
    "list as well.",
    sends="create a mailbox, note the state, rename then destroy it, Mailbox/changes",
    expects="the id is in destroyed and not in created",
)
def updated_and_destroyed(ctx: Context) -> None:
    result = ctx.call("Mailbox/set", {"create": {"m": {"name": ctx.unique("ud")}}})
    mailbox_id = result["created"]["m"]["id"]
    since = ctx.state("Mailbox")
    ctx.call("Mailbox/set", {"update": {mailbox_id: {"name": ctx.unique("ud2")}}})
    ctx.call("Mailbox/set", {"destroy": [mailbox_id]})
    changes = _changes(ctx, since)
    expect(mailbox_id in changes["destroyed"], f"changes: {show(changes)}")
    expect(mailbox_id not in changes["created"], "a pre-existing record reported created")


@case(
    "core.changes.max-changes-zero",
    rfc="8620",
    section="5.2",
    level=MUST,
    quote="If a value outside of this range is given, the server MUST reject the call with an "
    '"invalidArguments" error.',
    sends="Mailbox/changes with maxChanges 0",
    expects="an invalidArguments error",
)
def max_changes_zero(ctx: Context) -> None:
    ctx.expect_error(
        "Mailbox/changes", {"sinceState": ctx.state("Mailbox"), "maxChanges": 0}, "invalidArguments"
    )


@case(
    "core.changes.max-changes-negative",
    rfc="8620",
    section="5.2",
    level=MUST,
    quote="If a value outside of this range is given, the server MUST reject the call with an "
    '"invalidArguments" error.',
    sends="Mailbox/changes with maxChanges -1",
    expects="an invalidArguments error",
)
def max_changes_negative(ctx: Context) -> None:
    ctx.expect_error(
        "Mailbox/changes",
        {"sinceState": ctx.state("Mailbox"), "maxChanges": -1},
        "invalidArguments",
    )


@case(
    "core.changes.max-changes-paging",
    rfc="8620",
    section="5.2",
    level=MUST,
    quote='the server MUST ensure the number of ids returned across "created", "updated", '
    'and "destroyed" does not exceed this limit.',
    sends="create 3 mailboxes in 3 calls, then page Mailbox/changes with maxChanges 1",
    expects="each page has at most 1 id, hasMoreChanges is true until the end, and the pages "
    "together report all 3 (cannotCalculateChanges is also allowed)",
)
def max_changes_paging(ctx: Context) -> None:
    since = ctx.state("Mailbox")
    made = {ctx.mailbox(), ctx.mailbox(), ctx.mailbox()}
    first = ctx.responses([("Mailbox/changes", {"sinceState": since, "maxChanges": 1})])[0]
    if first[0] == "error":
        expect_eq(first[1].get("type"), "cannotCalculateChanges", "error type")
        return
    expect(first[1]["hasMoreChanges"] is True, f"hasMoreChanges: {show(first[1])}")
    seen, pages = _all_changes(ctx, since, 1)
    expect(made <= seen, f"paging lost changes: saw {sorted(seen)}, made {sorted(made)}")
    expect(pages >= 3, f"only {pages} pages for 3 changes with maxChanges 1")


@case(
    "core.changes.intermediate-state-resumes",
    rfc="8620",
    section="5.2",
    level=MUST,
    quote='If true, the client may call "Foo/changes" again with the "newState" returned '
    "to get further updates.",
    sends="create 2 mailboxes, Mailbox/changes maxChanges 1, then Mailbox/changes from its "
    "newState",
    expects="the second page reports the mailbox the first did not",
)
def intermediate_state_resumes(ctx: Context) -> None:
    since = ctx.state("Mailbox")
    made = {ctx.mailbox(), ctx.mailbox()}
    first = ctx.responses([("Mailbox/changes", {"sinceState": since, "maxChanges": 1})])[0]
    if first[0] == "error":
        expect_eq(first[1].get("type"), "cannotCalculateChanges", "error type")
        return
    page1 = set(first[1]["created"] + first[1]["updated"])
    rest = _changes(ctx, first[1]["newState"])
    page2 = set(rest["created"] + rest["updated"])
    expect(made <= page1 | page2, f"pages {sorted(page1)} + {sorted(page2)} miss {made}")


@case(
    "core.changes.bogus-state",
    rfc="8620",
    section="5.2",
    level=MUST,
    quote='"cannotCalculateChanges": The server cannot calculate the changes from the state '
    "string given by the client.",
    sends='Mailbox/changes with sinceState "cf-not-a-state"',
    expects="a cannotCalculateChanges error (invalidArguments is also accepted for a malformed "
    "string)",
)
def bogus_state(ctx: Context) -> None:
    ctx.expect_error(
        "Mailbox/changes",
        {"sinceState": "cf-not-a-state"},
        "cannotCalculateChanges",
        "invalidArguments",
    )


@case(
    "core.changes.ids-valid",
    rfc="8620",
    section="5.2",
    level=MUST,
    quote='created: "Id[]" An array of ids for records that have been created since the old state.',
    sends="create a mailbox, Mailbox/changes",
    expects="every id in created/updated/destroyed is a valid Id, with no duplicates",
)
def ids_valid(ctx: Context) -> None:
    since = ctx.state("Mailbox")
    ctx.mailbox()
    result = _changes(ctx, since)
    every = result["created"] + result["updated"] + result["destroyed"]
    for item in every:
        expect_id(item, "changed id")
    expect(len(every) == len(set(every)), f"an id is listed twice: {show(result)}")


@case(
    "core.changes.state-unchanged-by-other-type",
    rfc="8620",
    section="5.1",
    level=SHOULD,
    quote="If the Foo data is unchanged, servers SHOULD return the same state string on "
    "subsequent requests for this data type.",
    sends="note the Identity state, create and rename a mailbox, read the Identity state",
    expects="the Identity state is unchanged",
    requires=("urn:ietf:params:jmap:submission",),
)
def state_unchanged_by_other_type(ctx: Context) -> None:
    before = ctx.state("Identity")
    mailbox_id = ctx.mailbox()
    ctx.call("Mailbox/set", {"update": {mailbox_id: {"name": ctx.unique("other")}}})
    expect_eq(ctx.state("Identity"), before, "Identity state after Mailbox changes")
