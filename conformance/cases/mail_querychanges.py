"""RFC 8621 §4.3 Email/changes and §4.5 Email/queryChanges."""

from __future__ import annotations

from conformance import messages
from conformance.checks import JSONObject, expect, expect_eq, show
from conformance.context import Context
from conformance.registry import MUST, NotSupported, case

SORT = [{"property": "receivedAt", "isAscending": True}]


def _query_changes(ctx: Context, args: JSONObject, since: str) -> JSONObject:
    response = ctx.responses([("Email/queryChanges", {**args, "sinceQueryState": since})])[0]
    if response[0] == "error" and response[1].get("type") == "cannotCalculateChanges":
        raise NotSupported("Email/queryChanges answered cannotCalculateChanges")
    expect_eq(response[0], "Email/queryChanges", f"response {show(response[1])}")
    return dict(response[1])


def _start(ctx: Context, **extra: object) -> tuple[str, JSONObject, str]:
    mailbox = ctx.mailbox()
    ctx.import_email(messages.simple(), mailbox, received_at="2024-01-01T00:00:00Z")
    args = {"filter": {"inMailbox": mailbox}, "sort": SORT, **extra}
    result = ctx.call("Email/query", args)
    if not result.get("canCalculateChanges"):
        raise NotSupported("Email/query answered canCalculateChanges: false")
    return mailbox, args, str(result["queryState"])


@case(
    "mail.querychanges.email-changes-updated",
    rfc="8621",
    section="4.3",
    level=MUST,
    quote='This is a standard "/changes" method as described in [RFC8620], Section 5.2.',
    sends="import an email, note the Email state, set $seen, Email/changes",
    expects="the email id in updated",
)
def email_changes_updated(ctx: Context) -> None:
    email = ctx.import_email(messages.simple())
    since = ctx.state("Email")
    ctx.call("Email/set", {"update": {email["id"]: {"keywords/$seen": True}}})
    result = ctx.call("Email/changes", {"sinceState": since})
    expect(email["id"] in result["updated"], show(result))


@case(
    "mail.querychanges.email-changes-destroyed",
    rfc="8621",
    section="4.3",
    level=MUST,
    quote='This is a standard "/changes" method as described in [RFC8620], Section 5.2.',
    sends="import an email, note the Email state, destroy it, Email/changes",
    expects="the email id in destroyed",
)
def email_changes_destroyed(ctx: Context) -> None:
    email = ctx.import_email(messages.simple())
    since = ctx.state("Email")
    ctx.call("Email/set", {"destroy": [email["id"]]})
    result = ctx.call("Email/changes", {"sinceState": since})
    expect(email["id"] in result["destroyed"], show(result))


@case(
    "mail.querychanges.email-changes-max-changes",
    rfc="8620",
    section="5.2",
    level=MUST,
    quote="The server MAY choose to return fewer than this value but MUST NOT return more.",
    sends="import 3 emails, Email/changes maxChanges 2",
    expects="at most 2 ids (or cannotCalculateChanges)",
)
def email_changes_max_changes(ctx: Context) -> None:
    since = ctx.state("Email")
    mailbox = ctx.mailbox()
    for _ in range(3):
        ctx.import_email(messages.simple(), mailbox)
    response = ctx.responses([("Email/changes", {"sinceState": since, "maxChanges": 2})])[0]
    if response[0] == "error":
        expect_eq(response[1].get("type"), "cannotCalculateChanges", "error type")
        return
    args = response[1]
    count = len(args["created"]) + len(args["updated"]) + len(args["destroyed"])
    expect(count <= 2, f"{count} ids with maxChanges 2")
    expect(args["hasMoreChanges"] is True, f"hasMoreChanges: {show(args)}")


@case(
    "mail.querychanges.added",
    rfc="8621",
    section="4.5",
    level=MUST,
    quote='This is a standard "/queryChanges" method as described in [RFC8620], Section 5.6',
    sends="Email/query inMailbox M, import a newer email into M, Email/queryChanges",
    expects="added contains {id: new, index: 1}",
)
def added(ctx: Context) -> None:
    mailbox, args, state = _start(ctx)
    new = ctx.import_email(messages.simple(), mailbox, received_at="2024-06-01T00:00:00Z")
    result = _query_changes(ctx, args, state)
    expect({"id": new["id"], "index": 1} in result["added"], show(result))


@case(
    "mail.querychanges.removed",
    rfc="8621",
    section="4.5",
    level=MUST,
    quote='This is a standard "/queryChanges" method as described in [RFC8620], Section 5.6',
    sends="Email/query inMailbox M, destroy one of M's emails, Email/queryChanges",
    expects="removed contains its id",
)
def removed(ctx: Context) -> None:
    mailbox, args, _ = _start(ctx)
    doomed = ctx.import_email(messages.simple(), mailbox, received_at="2024-06-01T00:00:00Z")
    state = ctx.call("Email/query", args)["queryState"]
    ctx.call("Email/set", {"destroy": [doomed["id"]]})
    result = _query_changes(ctx, args, state)
    expect(doomed["id"] in result["removed"], show(result))


@case(
    "mail.querychanges.collapse-threads",
    rfc="8621",
    section="4.5",
    level=MUST,
    quote='The "collapseThreads" argument that was used with "Email/query".',
    sends="Email/query collapseThreads true, import, Email/queryChanges collapseThreads true",
    expects="an Email/queryChanges response whose added lists the new email",
)
def collapse_threads(ctx: Context) -> None:
    mailbox, args, state = _start(ctx, collapseThreads=True)
    new = ctx.import_email(messages.simple(), mailbox, received_at="2024-07-01T00:00:00Z")
    result = _query_changes(ctx, args, state)
    expect(new["id"] in [a["id"] for a in result["added"]], show(result))


@case(
    "mail.querychanges.query-state-changes",
    rfc="8620",
    section="5.5",
    level=MUST,
    quote="This string MUST change if the results of the query (i.e., the matching ids and "
    "their sort order) have changed.",
    sends="Email/query inMailbox M, import into M, Email/query again",
    expects="different queryState strings",
)
def query_state_changes(ctx: Context) -> None:
    mailbox = ctx.mailbox()
    args = {"filter": {"inMailbox": mailbox}, "sort": SORT}
    before = ctx.call("Email/query", args)["queryState"]
    ctx.import_email(messages.simple(), mailbox)
    expect(ctx.call("Email/query", args)["queryState"] != before, "queryState unchanged")


@case(
    "mail.querychanges.keyword-filter-mutable",
    rfc="8620",
    section="5.6",
    level=MUST,
    quote='If the "filter" or "sort" includes a mutable property, the server MUST include '
    "all Foos in the current results for which this property may have changed.",
    sends="Email/query inMailbox M + notKeyword $seen, set $seen on one of them, "
    "Email/queryChanges",
    expects="that email is in removed",
)
def keyword_filter_mutable(ctx: Context) -> None:
    mailbox = ctx.mailbox()
    email = ctx.import_email(messages.simple(), mailbox)
    args = {
        "filter": {
            "operator": "AND",
            "conditions": [{"inMailbox": mailbox}, {"notKeyword": "$seen"}],
        },
        "sort": SORT,
    }
    result = ctx.call("Email/query", args)
    if not result.get("canCalculateChanges"):
        raise NotSupported("canCalculateChanges false for a keyword filter")
    ctx.call("Email/set", {"update": {email["id"]: {"keywords/$seen": True}}})
    changes = _query_changes(ctx, args, result["queryState"])
    expect(email["id"] in changes["removed"], show(changes))
