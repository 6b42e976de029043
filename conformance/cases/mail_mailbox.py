"""RFC 8621 §2: Mailbox objects, hierarchy, roles, counts, queries and destroy rules."""

from __future__ import annotations

import re

from conformance import messages
from conformance.checks import (
    JSONObject,
    as_list,
    as_map,
    expect,
    expect_eq,
    expect_set_error,
    expect_type,
    expect_unsigned,
    show,
)
from conformance.context import Context
from conformance.registry import MUST, SHOULD, Skipped, case

PROPERTIES = (
    "id",
    "name",
    "parentId",
    "role",
    "sortOrder",
    "totalEmails",
    "unreadEmails",
    "totalThreads",
    "unreadThreads",
    "myRights",
    "isSubscribed",
)
RIGHTS = (
    "mayReadItems",
    "mayAddItems",
    "mayRemoveItems",
    "maySetSeen",
    "maySetKeywords",
    "mayCreateChild",
    "mayRename",
    "mayDelete",
    "maySubmit",
)
COUNTS = ("totalEmails", "unreadEmails", "totalThreads", "unreadThreads")


def _create(ctx: Context, values: JSONObject) -> JSONObject:
    result = ctx.call("Mailbox/set", {"create": {"c": values}})
    created = as_map(result.get("created"), "created")
    if "c" in created:
        ctx.destroy_later("Mailbox", created["c"]["id"])
    return result


def _rejected(result: JSONObject) -> bool:
    return "c" in as_map(result.get("notCreated"), "notCreated")


def _all(ctx: Context) -> list[JSONObject]:
    return list(ctx.call("Mailbox/get", {"ids": None})["list"])


def _ids(ctx: Context) -> set[str]:
    return {str(m["id"]) for m in _all(ctx)}


def _expect_no_new_mailboxes(ctx: Context, before: set[str]) -> None:
    """A rejected update is atomic (RFC 8620 §5.3): no mailbox may appear as a side effect.

    Any that did appear were made by this case's request, so they are cleaned up too.
    """
    appeared = [m for m in _all(ctx) if m["id"] not in before]
    for mailbox in sorted(appeared, key=lambda m: m.get("parentId") is not None):
        ctx.destroy_later("Mailbox", str(mailbox["id"]))
    expect(not appeared, f"a rejected update created mailboxes: {show(appeared)}")


@case(
    "mail.mailbox.properties",
    rfc="8621",
    section="2",
    level=MUST,
    quote='A *Mailbox* object has the following properties: o id: "Id" (immutable; server-set)',
    sends="create a mailbox, Mailbox/get it with properties null",
    expects="all eleven Mailbox properties with the right types",
)
def properties(ctx: Context) -> None:
    mailbox = ctx.get_one("Mailbox", ctx.mailbox())
    missing = [p for p in PROPERTIES if p not in mailbox]
    expect(not missing, f"missing {missing}")
    expect_type(mailbox["name"], str, "name")
    expect_type(mailbox["isSubscribed"], bool, "isSubscribed")
    for count in (*COUNTS, "sortOrder"):
        expect_unsigned(mailbox[count], count)


@case(
    "mail.mailbox.my-rights",
    rfc="8621",
    section="2",
    level=MUST,
    quote='A *MailboxRights* object has the following properties: * mayReadItems: "Boolean"',
    sends="Mailbox/get of every mailbox",
    expects="myRights of each has the nine Boolean rights",
)
def my_rights(ctx: Context) -> None:
    for mailbox in _all(ctx):
        rights = mailbox.get("myRights") or {}
        expect_type(mailbox.get("myRights"), dict, f"myRights of {mailbox['id']}")
        for right in RIGHTS:
            expect_type(rights.get(right), bool, f"myRights.{right} of {mailbox['id']}")


@case(
    "mail.mailbox.defaults",
    rfc="8621",
    section="2",
    level=MUST,
    quote='o parentId: "Id|null" (default: null)',
    sends="create a mailbox with only a name",
    expects="parentId null, role null, sortOrder 0",
)
def defaults(ctx: Context) -> None:
    mailbox = ctx.get_one("Mailbox", ctx.mailbox(), ["parentId", "role", "sortOrder"])
    expect_eq(
        [mailbox["parentId"], mailbox["role"], mailbox["sortOrder"]],
        [None, None, 0],
        "parentId, role, sortOrder",
    )


@case(
    "mail.mailbox.subscribed-by-default",
    rfc="8621",
    section="2",
    level=SHOULD,
    quote="This SHOULD default to false for Mailboxes in shared accounts the user has access to "
    "and true for any new Mailboxes created by the user themself.",
    sends="create a mailbox without isSubscribed",
    expects="isSubscribed true",
)
def subscribed_by_default(ctx: Context) -> None:
    mailbox = ctx.get_one("Mailbox", ctx.mailbox(), ["isSubscribed"])
    expect_eq(mailbox["isSubscribed"], True, "isSubscribed")


@case(
    "mail.mailbox.roles-lowercase",
    rfc="8621",
    section="2",
    level=MUST,
    quote='The value MUST be one of the Mailbox attribute names listed in the IANA "IMAP '
    'Mailbox Name Attributes" registry ... converted to lowercase.',
    sends="Mailbox/get of every mailbox",
    expects="every non-null role is a lower-case attribute name",
)
def roles_lowercase(ctx: Context) -> None:
    for mailbox in _all(ctx):
        role = mailbox.get("role")
        if role is not None:
            expect(
                isinstance(role, str) and re.fullmatch(r"[a-z]+", role),
                f"role {show(role)} of {mailbox['id']}",
            )


@case(
    "mail.mailbox.roles-unique",
    rfc="8621",
    section="2",
    level=MUST,
    quote="there MUST NOT be two Mailboxes in the same account with the same role.",
    sends="Mailbox/get of every mailbox",
    expects="no role appears twice",
)
def roles_unique(ctx: Context) -> None:
    roles = [m["role"] for m in _all(ctx) if m.get("role") is not None]
    expect(len(roles) == len(set(roles)), f"roles: {show(roles)}")


@case(
    "mail.mailbox.duplicate-role-rejected",
    rfc="8621",
    section="2",
    level=MUST,
    quote="there MUST NOT be two Mailboxes in the same account with the same role.",
    sends="create a mailbox with the role of an existing mailbox",
    expects="notCreated (and no second mailbox with that role)",
)
def duplicate_role_rejected(ctx: Context) -> None:
    owners = [m for m in _all(ctx) if m.get("role")]
    if not owners:
        raise Skipped("no mailbox of the account has a role")
    owner, role = str(owners[0]["id"]), owners[0]["role"]

    def restore() -> None:
        # A server that moved the role to our mailbox must give it back to its owner.
        if ctx.get_one("Mailbox", owner, ["role"])["role"] != role:
            ctx.call("Mailbox/set", {"update": {owner: {"role": role}}})

    ctx.defer(restore)  # registered first, so it runs after our mailbox is destroyed
    result = _create(ctx, {"name": ctx.unique("role"), "role": role})
    expect(_rejected(result), f"a second {role} mailbox was created: {show(result)}")


@case(
    "mail.mailbox.child",
    rfc="8621",
    section="2",
    level=MUST,
    quote="The Mailbox id for the parent of this Mailbox, or null if this Mailbox is at the top "
    "level.",
    sends="create a parent, then a child with parentId = parent",
    expects="Mailbox/get of the child shows that parentId",
)
def child(ctx: Context) -> None:
    parent = ctx.mailbox()
    kid = ctx.mailbox(parentId=parent)
    expect_eq(ctx.get_one("Mailbox", kid, ["parentId"])["parentId"], parent, "parentId")


@case(
    "mail.mailbox.sibling-name-unique",
    rfc="8621",
    section="2",
    level=MUST,
    quote="There MUST NOT be two sibling Mailboxes with both the same parent and the same name.",
    sends="create a mailbox under P, then another with the same name under P",
    expects="the second is rejected (notCreated)",
)
def sibling_name_unique(ctx: Context) -> None:
    parent = ctx.mailbox()
    name = ctx.unique("twin")
    ctx.mailbox(name, parentId=parent)
    expect(
        _rejected(_create(ctx, {"name": name, "parentId": parent})),
        "a sibling with the same name was created",
    )


@case(
    "mail.mailbox.same-name-other-parent",
    rfc="8621",
    section="2",
    level=SHOULD,
    quote="There MUST NOT be two sibling Mailboxes with both the same parent and the same name.",
    sends="create two mailboxes with the same name under two different parents",
    expects="both are created (they are not siblings)",
)
def same_name_other_parent(ctx: Context) -> None:
    name = ctx.unique("cousin")
    ctx.mailbox(name, parentId=ctx.mailbox())
    ctx.mailbox(name, parentId=ctx.mailbox())


@case(
    "mail.mailbox.empty-name",
    rfc="8621",
    section="2",
    level=MUST,
    quote="This MUST be a Net-Unicode string [RFC5198] of at least 1 character in length",
    sends='Mailbox/set create with name ""',
    expects="notCreated[c].type = invalidProperties",
)
def empty_name(ctx: Context) -> None:
    expect_set_error(_create(ctx, {"name": ""}), "notCreated", "c", "invalidProperties")


@case(
    "mail.mailbox.name-100-octets",
    rfc="8621",
    section="1.3.1",
    level=MUST,
    quote="The maximum length, in (UTF-8) octets, allowed for the name of a Mailbox. This MUST "
    "be at least 100",
    sends="create a mailbox whose name is 100 octets (including 2-octet UTF-8 characters)",
    expects="it is created and Mailbox/get returns the same name",
)
def name_100_octets(ctx: Context) -> None:
    prefix = ctx.unique("n")
    name = prefix + "é" * ((100 - len(prefix)) // 2)
    name += "x" * (100 - len(name.encode()))
    mailbox_id = ctx.mailbox(name)
    expect_eq(ctx.get_one("Mailbox", mailbox_id, ["name"])["name"], name, "name")


@case(
    "mail.mailbox.name-too-long",
    rfc="8621",
    section="1.3.1",
    level=MUST,
    quote="The maximum length, in (UTF-8) octets, allowed for the name of a Mailbox.",
    sends="create a mailbox whose name is maxSizeMailboxName + 1 octets",
    expects="notCreated (invalidProperties or tooLarge)",
)
def name_too_long(ctx: Context) -> None:
    caps = ctx.account_capability("urn:ietf:params:jmap:mail") or {}
    limit = caps.get("maxSizeMailboxName")
    if not isinstance(limit, int) or limit > 10_000:
        raise Skipped(f"maxSizeMailboxName is {limit!r}")
    result = _create(ctx, {"name": "n" * (limit + 1)})
    expect_set_error(result, "notCreated", "c", "invalidProperties", "tooLarge")


@case(
    "mail.mailbox.no-loop",
    rfc="8621",
    section="2",
    level=MUST,
    quote="Mailboxes form acyclic graphs (forests) directed by the child-to-parent "
    "relationship. There MUST NOT be a loop.",
    sends="parent P with child C, then update P's parentId to C",
    expects="notUpdated for P; P stays top-level",
)
def no_loop(ctx: Context) -> None:
    parent = ctx.mailbox()
    kid = ctx.mailbox(parentId=parent)
    before = _ids(ctx)
    result = ctx.call("Mailbox/set", {"update": {parent: {"parentId": kid}}})
    _expect_no_new_mailboxes(ctx, before)
    expect(parent in as_map(result.get("notUpdated"), "notUpdated"), f"{show(result)}")
    expect_eq(ctx.get_one("Mailbox", parent, ["parentId"])["parentId"], None, "P's parentId")


@case(
    "mail.mailbox.no-self-parent",
    rfc="8621",
    section="2",
    level=MUST,
    quote="There MUST NOT be a loop.",
    sends="update a mailbox's parentId to its own id",
    expects="notUpdated, and no mailbox created as a side effect",
)
def no_self_parent(ctx: Context) -> None:
    mailbox_id = ctx.mailbox()
    before = _ids(ctx)
    result = ctx.call("Mailbox/set", {"update": {mailbox_id: {"parentId": mailbox_id}}})
    _expect_no_new_mailboxes(ctx, before)
    expect(mailbox_id in as_map(result.get("notUpdated"), "notUpdated"), f"{show(result)}")


@case(
    "mail.mailbox.sort-order-range",
    rfc="8621",
    section="2",
    level=MUST,
    quote="The number MUST be an integer in the range 0 <= sortOrder < 2^31.",
    sends="create a mailbox with sortOrder 2147483648",
    expects="notCreated[c].type = invalidProperties",
)
def sort_order_range(ctx: Context) -> None:
    result = _create(ctx, {"name": ctx.unique("so"), "sortOrder": 2**31})
    expect_set_error(result, "notCreated", "c", "invalidProperties")


@case(
    "mail.mailbox.rename",
    rfc="8621",
    section="2.5",
    level=MUST,
    quote='This is a standard "/set" method as described in [RFC8620], Section 5.3',
    sends="update a mailbox's name",
    expects="Mailbox/get shows the new name",
)
def rename(ctx: Context) -> None:
    mailbox_id = ctx.mailbox()
    name = ctx.unique("renamed")
    ctx.call("Mailbox/set", {"update": {mailbox_id: {"name": name}}})
    expect_eq(ctx.get_one("Mailbox", mailbox_id, ["name"])["name"], name, "name")


@case(
    "mail.mailbox.move",
    rfc="8621",
    section="2",
    level=MUST,
    quote="The Mailbox id for the parent of this Mailbox, or null if this Mailbox is at the top "
    "level.",
    sends="move a child to another parent, then to the top level (parentId null)",
    expects="Mailbox/get shows each new parentId",
)
def move(ctx: Context) -> None:
    first, second = ctx.mailbox(), ctx.mailbox()
    kid = ctx.mailbox(parentId=first)
    ctx.call("Mailbox/set", {"update": {kid: {"parentId": second}}})
    expect_eq(ctx.get_one("Mailbox", kid, ["parentId"])["parentId"], second, "parentId")
    ctx.call("Mailbox/set", {"update": {kid: {"parentId": None}}})
    expect_eq(ctx.get_one("Mailbox", kid, ["parentId"])["parentId"], None, "parentId")


@case(
    "mail.mailbox.subscribe-toggle",
    rfc="8621",
    section="2",
    level=MUST,
    quote="Has the user indicated they wish to see this Mailbox in their client?",
    sends="update isSubscribed to false, then true",
    expects="Mailbox/get reflects each value",
)
def subscribe_toggle(ctx: Context) -> None:
    mailbox_id = ctx.mailbox()
    for value in (False, True):
        ctx.call("Mailbox/set", {"update": {mailbox_id: {"isSubscribed": value}}})
        got = ctx.get_one("Mailbox", mailbox_id, ["isSubscribed"])["isSubscribed"]
        expect_eq(got, value, "isSubscribed")


@case(
    "mail.mailbox.destroy-has-child",
    rfc="8621",
    section="2.5",
    level=MUST,
    quote='"mailboxHasChild": The Mailbox still has at least one child Mailbox.',
    sends="destroy a mailbox that has a child",
    expects="notDestroyed[id].type = mailboxHasChild",
)
def destroy_has_child(ctx: Context) -> None:
    parent = ctx.mailbox()
    ctx.mailbox(parentId=parent)
    result = ctx.call("Mailbox/set", {"destroy": [parent]})
    expect_set_error(result, "notDestroyed", parent, "mailboxHasChild")


@case(
    "mail.mailbox.destroy-has-email",
    rfc="8621",
    section="2.5",
    level=MUST,
    quote="If false, any attempt to destroy a Mailbox that still has Emails in it will be "
    'rejected with a "mailboxHasEmail" SetError.',
    sends="destroy a mailbox holding one email, without onDestroyRemoveEmails",
    expects="notDestroyed[id].type = mailboxHasEmail",
)
def destroy_has_email(ctx: Context) -> None:
    mailbox_id = ctx.mailbox()
    ctx.import_email(messages.simple(), mailbox_id)
    result = ctx.call("Mailbox/set", {"destroy": [mailbox_id]})
    expect_set_error(result, "notDestroyed", mailbox_id, "mailboxHasEmail")


@case(
    "mail.mailbox.destroy-remove-emails",
    rfc="8621",
    section="2.5",
    level=MUST,
    quote="If true, any Emails that were in the Mailbox will be removed from it, and if in no "
    "other Mailboxes, they will be destroyed when the Mailbox is destroyed.",
    sends="destroy a mailbox holding one email, with onDestroyRemoveEmails true",
    expects="the mailbox is destroyed and the email is gone (Email/get notFound)",
)
def destroy_remove_emails(ctx: Context) -> None:
    mailbox_id = ctx.mailbox()
    email = ctx.import_email(messages.simple(), mailbox_id)
    result = ctx.call("Mailbox/set", {"destroy": [mailbox_id], "onDestroyRemoveEmails": True})
    expect(mailbox_id in as_list(result.get("destroyed"), "destroyed"), f"{show(result)}")
    got = ctx.call("Email/get", {"ids": [email["id"]], "properties": ["id"]})
    expect_eq(got["notFound"], [email["id"]], "Email/get notFound")


@case(
    "mail.mailbox.destroy-keeps-shared-emails",
    rfc="8621",
    section="2.5",
    level=MUST,
    quote="If true, any Emails that were in the Mailbox will be removed from it, and if in no "
    "other Mailboxes, they will be destroyed when the Mailbox is destroyed.",
    sends="an email in mailboxes A and B; destroy A with onDestroyRemoveEmails true",
    expects="the email survives with mailboxIds {B: true}",
)
def destroy_keeps_shared(ctx: Context) -> None:
    first, second = ctx.mailbox(), ctx.mailbox()
    email = ctx.import_email(messages.simple(), first)
    ctx.call("Email/set", {"update": {email["id"]: {f"mailboxIds/{second}": True}}})
    ctx.call("Mailbox/set", {"destroy": [first], "onDestroyRemoveEmails": True})
    got = ctx.get_one("Email", email["id"], ["mailboxIds"])
    expect_eq(got["mailboxIds"], {second: True}, "mailboxIds")


@case(
    "mail.mailbox.counts",
    rfc="8621",
    section="2",
    level=MUST,
    quote='The number of Emails in this Mailbox that have neither the "$seen" keyword nor '
    'the "$draft" keyword.',
    sends="import three unrelated emails into a new mailbox: one $seen, one $draft, one plain",
    expects="totalEmails 3, unreadEmails 1, totalThreads 3",
)
def counts(ctx: Context) -> None:
    mailbox_id = ctx.mailbox()
    for keywords in ({"$seen": True}, {"$draft": True}, {}):
        ctx.import_email(messages.simple(), mailbox_id, keywords=keywords)
    got = ctx.get_one("Mailbox", mailbox_id, list(COUNTS))
    expect_eq(
        [got["totalEmails"], got["unreadEmails"], got["totalThreads"]],
        [3, 1, 3],
        "totalEmails, unreadEmails, totalThreads",
    )


@case(
    "mail.mailbox.unread-threads",
    rfc="8621",
    section="2",
    level=MUST,
    quote='An indication of the number of "unread" Threads in the Mailbox.',
    sends="import two unrelated emails into a new mailbox, one $seen",
    expects="unreadThreads 1 (one thread has an unread email, the other none)",
)
def unread_threads(ctx: Context) -> None:
    mailbox_id = ctx.mailbox()
    ctx.import_email(messages.simple(), mailbox_id, keywords={"$seen": True})
    ctx.import_email(messages.simple(), mailbox_id)
    expect_eq(
        ctx.get_one("Mailbox", mailbox_id, ["unreadThreads"])["unreadThreads"], 1, "unreadThreads"
    )


@case(
    "mail.mailbox.counts-follow-keywords",
    rfc="8621",
    section="2",
    level=MUST,
    quote='The number of Emails in this Mailbox that have neither the "$seen" keyword nor '
    'the "$draft" keyword.',
    sends="import an unread email, then set $seen on it",
    expects="unreadEmails goes from 1 to 0",
)
def counts_follow_keywords(ctx: Context) -> None:
    mailbox_id = ctx.mailbox()
    email = ctx.import_email(messages.simple(), mailbox_id)
    expect_eq(ctx.get_one("Mailbox", mailbox_id, ["unreadEmails"])["unreadEmails"], 1, "before")
    ctx.call("Email/set", {"update": {email["id"]: {"keywords/$seen": True}}})
    expect_eq(ctx.get_one("Mailbox", mailbox_id, ["unreadEmails"])["unreadEmails"], 0, "after")


@case(
    "mail.mailbox.updated-properties-counts",
    rfc="8621",
    section="2.2",
    level=MUST,
    quote='If only the "totalEmails", "unreadEmails", "totalThreads", and/or '
    '"unreadThreads" Mailbox properties have changed since the old state, this will be '
    "the list of properties that may have changed. If the server is unable to tell if "
    "only counts have changed, it MUST just be null.",
    sends="note the Mailbox state, import an email into a mailbox, Mailbox/changes",
    expects="the mailbox in updated; updatedProperties null or a subset of the four counts",
)
def updated_properties_counts(ctx: Context) -> None:
    mailbox_id = ctx.mailbox()
    since = ctx.state("Mailbox")
    ctx.import_email(messages.simple(), mailbox_id)
    result = ctx.call("Mailbox/changes", {"sinceState": since})
    expect(mailbox_id in result["updated"], f"updated: {show(result)}")
    props = result.get("updatedProperties")
    expect(
        props is None or (isinstance(props, list) and set(props) <= set(COUNTS)),
        f"updatedProperties {show(props)}",
    )


@case(
    "mail.mailbox.updated-properties-null",
    rfc="8621",
    section="2.2",
    level=MUST,
    quote='If only the "totalEmails", "unreadEmails", "totalThreads", and/or '
    '"unreadThreads" Mailbox properties have changed since the old state, this will be '
    "the list of properties that may have changed.",
    sends="note the Mailbox state, rename a mailbox, Mailbox/changes",
    expects="updatedProperties is null (a non-count property changed)",
)
def updated_properties_null(ctx: Context) -> None:
    mailbox_id = ctx.mailbox()
    since = ctx.state("Mailbox")
    ctx.call("Mailbox/set", {"update": {mailbox_id: {"name": ctx.unique("r")}}})
    result = ctx.call("Mailbox/changes", {"sinceState": since})
    expect_eq(result.get("updatedProperties"), None, "updatedProperties")
