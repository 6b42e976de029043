"""RFC 8621 §7: EmailSubmission, from creation to delivery in a second account."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from conformance import messages
from conformance.cases.mail_identity import identities, own_address
from conformance.checks import (
    JSONObject,
    as_list,
    as_map,
    expect,
    expect_eq,
    expect_in,
    expect_set_error,
    expect_utcdate,
    show,
)
from conformance.client import SUBMISSION
from conformance.context import Context
from conformance.registry import MUST, SHOULD, NotSupported, Skipped, case

NEEDS = (SUBMISSION,)
UNDO = ("pending", "final", "canceled")


def _identity_id(ctx: Context) -> str:
    found = identities(ctx)
    if not found:
        raise Skipped("the user has no Identity")
    return str(found[0]["id"])


def _draft(ctx: Context, to: str | None = None, **extra: Any) -> JSONObject:
    """Create a draft addressed to `to` (default: the user's own address)."""
    me = own_address(ctx)
    values: JSONObject = {
        "mailboxIds": {ctx.mailbox(): True},
        "keywords": {"$draft": True},
        "from": [{"name": "Conformance", "email": me}],
        "to": [{"name": None, "email": to or me}],
        "subject": f"Submission {messages.token()}",
        "bodyValues": {"b": {"value": "Sent by the conformance suite.\n"}},
        "textBody": [{"partId": "b", "type": "text/plain"}],
    }
    values.update(extra)
    result = ctx.call("Email/set", {"create": {"d": values}})
    created = as_map(result.get("created"), "created")
    expect("d" in created, f"draft not created: {show(result.get('notCreated'))}")
    ctx.destroy_later("Email", created["d"]["id"])
    ctx.defer(lambda: _destroy_copies(ctx, str(values["subject"])))
    return {**created["d"], "subject": values["subject"]}


def _destroy_copies(ctx: Context, subject: str) -> None:
    """Delivered copies of a message sent to oneself carry the unique subject; remove them."""
    ids = ctx.call("Email/query", {"filter": {"subject": subject}})["ids"]
    if ids:
        ctx.call("Email/set", {"destroy": ids})


def _submit(ctx: Context, submission: JSONObject, **extra: Any) -> list[list[Any]]:
    responses = ctx.responses([("EmailSubmission/set", {"create": {"s": submission}, **extra})])
    created = (
        as_map(responses[0][1].get("created"), "created") if responses[0][0] != "error" else {}
    )
    if "s" in created:
        submission_id = created["s"]["id"]
        ctx.defer(lambda: ctx.responses([("EmailSubmission/set", {"destroy": [submission_id]})]))
    return responses


def _sent(ctx: Context, **extra: Any) -> tuple[JSONObject, JSONObject]:
    """Send a draft to oneself; returns (draft, created submission)."""
    draft = _draft(ctx)
    responses = _submit(ctx, {"identityId": _identity_id(ctx), "emailId": draft["id"]}, **extra)
    expect_eq(responses[0][0], "EmailSubmission/set", f"response {show(responses[0][1])}")
    created = as_map(responses[0][1].get("created"), "created")
    expect("s" in created, f"not submitted: {show(responses[0][1].get('notCreated'))}")
    return draft, dict(created["s"])


def _fetch(ctx: Context, submission_id: str) -> JSONObject:
    result = ctx.call("EmailSubmission/get", {"ids": [submission_id]})
    if submission_id in result.get("notFound", []):
        raise NotSupported(
            "the server does not keep EmailSubmission objects after sending "
            "(RFC 8621 §7 allows this)"
        )
    return dict(result["list"][0])


@case(
    "mail.submission.create",
    rfc="8621",
    section="7.5",
    level=MUST,
    quote="An Email is sent by creating an EmailSubmission object.",
    sends="create a draft to the user's own address, EmailSubmission/set create "
    "{identityId, emailId}",
    expects="created[s].id",
    requires=NEEDS,
)
def create(ctx: Context) -> None:
    _, created = _sent(ctx)
    expect(isinstance(created.get("id"), str), show(created))


@case(
    "mail.submission.created-server-set",
    rfc="8620",
    section="5.3",
    level=MUST,
    quote='This includes all server-set properties (such as the "id" in most object types)',
    sends="EmailSubmission/set create",
    expects="created[s] includes the server-set id, threadId, sendAt and undoStatus",
    requires=NEEDS,
)
def created_server_set(ctx: Context) -> None:
    _, created = _sent(ctx)
    missing = [p for p in ("id", "threadId", "sendAt", "undoStatus") if p not in created]
    expect(not missing, f"created lacks {missing}: {show(created)}")


@case(
    "mail.submission.undo-status",
    rfc="8621",
    section="7",
    level=MUST,
    quote="This is server set on create and MUST be one of the following values:",
    sends="EmailSubmission/set create",
    expects="undoStatus is pending, final or canceled",
    requires=NEEDS,
)
def undo_status(ctx: Context) -> None:
    _, created = _sent(ctx)
    status = created.get("undoStatus")
    if status is None:
        status = _fetch(ctx, str(created["id"])).get("undoStatus")
    expect_in(status, UNDO, "undoStatus")


@case(
    "mail.submission.send-at",
    rfc="8621",
    section="7",
    level=MUST,
    quote="otherwise, it MUST be the time the EmailSubmission was created.",
    sends="EmailSubmission/set create without FUTURERELEASE",
    expects="sendAt is a UTCDate within 10 minutes of now",
    requires=NEEDS,
)
def send_at(ctx: Context) -> None:
    _, created = _sent(ctx)
    value = created.get("sendAt") or _fetch(ctx, str(created["id"])).get("sendAt")
    expect_utcdate(value, "sendAt")
    when = datetime.strptime(str(value)[:19], "%Y-%m-%dT%H:%M:%S").replace(tzinfo=UTC)
    expect(abs(datetime.now(UTC) - when) < timedelta(minutes=10), f"sendAt {value}")


@case(
    "mail.submission.get",
    rfc="8621",
    section="7.1",
    level=MUST,
    quote='This is a standard "/get" method as described in [RFC8620], Section 5.1.',
    sends="EmailSubmission/get of a new submission",
    expects="identityId, emailId, threadId (= the Email's), envelope, sendAt, undoStatus, "
    "deliveryStatus, dsnBlobIds, mdnBlobIds (not supported if the server drops "
    "submissions at once)",
    requires=NEEDS,
)
def get(ctx: Context) -> None:
    draft, created = _sent(ctx)
    got = _fetch(ctx, str(created["id"]))
    expect_eq(
        [got.get("emailId"), got.get("threadId")],
        [draft["id"], draft["threadId"]],
        "emailId, threadId",
    )
    expect(
        isinstance(got.get("dsnBlobIds"), list) and isinstance(got.get("mdnBlobIds"), list),
        show(got),
    )
    expect(got.get("deliveryStatus") is None or isinstance(got["deliveryStatus"], dict), show(got))


@case(
    "mail.submission.envelope-generated",
    rfc="8621",
    section="7",
    level=MUST,
    quote='If the "envelope" property is null or omitted on creation, the server MUST '
    "generate this from the referenced Email as follows:",
    sends="a draft From me, To me, Cc and Bcc two more addresses; submit without envelope",
    expects="envelope.mailFrom.email = From; rcptTo = the To, Cc and Bcc addresses",
    requires=NEEDS,
)
def envelope_generated(ctx: Context) -> None:
    me = own_address(ctx)
    draft = _draft(ctx, cc=[{"name": None, "email": me}], bcc=[{"name": None, "email": me}])
    responses = _submit(ctx, {"identityId": _identity_id(ctx), "emailId": draft["id"]})
    created = as_map(responses[0][1].get("created"), "created")
    expect("s" in created, f"not submitted: {show(responses[0][1])}")
    envelope: JSONObject = (
        created["s"].get("envelope") or _fetch(ctx, created["s"]["id"]).get("envelope") or {}
    )
    expect(bool(envelope), f"no envelope in {show(created)}")
    expect_eq(envelope["mailFrom"]["email"], me, "mailFrom")
    expect_eq(sorted({r["email"] for r in envelope["rcptTo"]}), [me], "deduplicated rcptTo")


@case(
    "mail.submission.on-success-update-email",
    rfc="8621",
    section="7.5",
    level=MUST,
    quote='After all create/update/destroy items in the "EmailSubmission/set" invocation '
    'have been processed, a single implicit "Email/set" call MUST be made to perform '
    "any changes requested in these two arguments. The response to this MUST be "
    'returned after the "EmailSubmission/set" response.',
    sends="EmailSubmission/set create with onSuccessUpdateEmail {#s: {keywords/$draft: null}}",
    expects="a second response, Email/set, with the same call id, updating the draft; "
    "the Email no longer has $draft",
    requires=NEEDS,
)
def on_success_update_email(ctx: Context) -> None:
    draft = _draft(ctx)
    responses = _submit(
        ctx,
        {"identityId": _identity_id(ctx), "emailId": draft["id"]},
        onSuccessUpdateEmail={"#s": {"keywords/$draft": None}},
    )
    expect_eq([r[0] for r in responses], ["EmailSubmission/set", "Email/set"], "responses")
    expect_eq(responses[1][2], responses[0][2], "call id of the implicit Email/set")
    expect(draft["id"] in as_map(responses[1][1].get("updated"), "updated"), show(responses[1]))
    keywords = ctx.get_one("Email", draft["id"], ["keywords"])["keywords"]
    expect("$draft" not in keywords, f"keywords {show(keywords)}")


@case(
    "mail.submission.on-success-destroy-email",
    rfc="8621",
    section="7.5",
    level=MUST,
    quote="A list of EmailSubmission ids for which the Email with the corresponding "
    '"emailId" should be destroyed if the create/update/destroy succeeds.',
    sends='EmailSubmission/set create with onSuccessDestroyEmail ["#s"]',
    expects="an implicit Email/set response destroying the draft",
    requires=NEEDS,
)
def on_success_destroy_email(ctx: Context) -> None:
    draft = _draft(ctx)
    responses = _submit(
        ctx, {"identityId": _identity_id(ctx), "emailId": draft["id"]}, onSuccessDestroyEmail=["#s"]
    )
    expect_eq([r[0] for r in responses], ["EmailSubmission/set", "Email/set"], "responses")
    expect(
        draft["id"] in as_list(responses[1][1].get("destroyed"), "destroyed"), show(responses[1])
    )


@case(
    "mail.submission.unknown-email",
    rfc="8621",
    section="7.5",
    level=MUST,
    quote="If the Email or Identity id given cannot be found, the submission creation is "
    'rejected with a standard "invalidProperties" SetError.',
    sends="EmailSubmission/set create with an unknown emailId",
    expects="notCreated[s].type = invalidProperties",
    requires=NEEDS,
)
def unknown_email(ctx: Context) -> None:
    responses = _submit(ctx, {"identityId": _identity_id(ctx), "emailId": "cfNoSuchEmail0"})
    expect_set_error(responses[0][1], "notCreated", "s", "invalidProperties")


@case(
    "mail.submission.unknown-identity",
    rfc="8621",
    section="7.5",
    level=MUST,
    quote="If the Email or Identity id given cannot be found, the submission creation is "
    'rejected with a standard "invalidProperties" SetError.',
    sends="EmailSubmission/set create with an unknown identityId",
    expects="notCreated[s].type = invalidProperties",
    requires=NEEDS,
)
def unknown_identity(ctx: Context) -> None:
    draft = _draft(ctx)
    responses = _submit(ctx, {"identityId": "cfNoSuchIdentity0", "emailId": draft["id"]})
    expect_set_error(responses[0][1], "notCreated", "s", "invalidProperties")


@case(
    "mail.submission.no-recipients",
    rfc="8621",
    section="7.5",
    level=MUST,
    quote='"noRecipients" - The envelope (supplied or generated) does not have any rcptTo '
    "email addresses.",
    sends="EmailSubmission/set create with envelope {mailFrom: me, rcptTo: []}",
    expects="notCreated[s].type = noRecipients",
    requires=NEEDS,
)
def no_recipients(ctx: Context) -> None:
    draft = _draft(ctx)
    envelope = {"mailFrom": {"email": own_address(ctx), "parameters": None}, "rcptTo": []}
    responses = _submit(
        ctx, {"identityId": _identity_id(ctx), "emailId": draft["id"], "envelope": envelope}
    )
    expect_set_error(responses[0][1], "notCreated", "s", "noRecipients")


@case(
    "mail.submission.invalid-recipients",
    rfc="8621",
    section="7.5",
    level=MUST,
    quote='An "invalidRecipients" "String[]" property MUST also be present on the '
    "SetError, which is a list of the invalid addresses.",
    sends='EmailSubmission/set create with rcptTo ["not an address"]',
    expects='notCreated[s].type = invalidRecipients listing "not an address"',
    requires=NEEDS,
)
def invalid_recipients(ctx: Context) -> None:
    draft = _draft(ctx)
    envelope = {
        "mailFrom": {"email": own_address(ctx), "parameters": None},
        "rcptTo": [{"email": "not an address", "parameters": None}],
    }
    responses = _submit(
        ctx, {"identityId": _identity_id(ctx), "emailId": draft["id"], "envelope": envelope}
    )
    error = expect_set_error(responses[0][1], "notCreated", "s", "invalidRecipients")
    expect_eq(error.get("invalidRecipients"), ["not an address"], "invalidRecipients")


@case(
    "mail.submission.cancel-only",
    rfc="8621",
    section="7",
    level=MUST,
    quote="If in pending state, a client can attempt to cancel the submission by setting this "
    'property to "canceled"',
    sends='EmailSubmission/set update undoStatus "final" on a new submission',
    expects="notUpdated while it is pending; once it is final, setting the identical value may "
    "succeed (RFC 8620 §5.3)",
    requires=NEEDS,
)
def cancel_only(ctx: Context) -> None:
    _, created = _sent(ctx)
    submission_id = str(created["id"])
    result = ctx.call("EmailSubmission/set", {"update": {submission_id: {"undoStatus": "final"}}})
    if submission_id in as_map(result.get("notUpdated"), "notUpdated"):
        return
    # Accepted: only allowed when "final" was already its value (delivery may finish at once).
    now = ctx.call("EmailSubmission/get", {"ids": [submission_id], "properties": ["undoStatus"]})
    listed = now.get("list") or [{}]
    expect(
        listed[0].get("undoStatus") == "final",
        "a pending submission was set to final: " + show(result),
    )


@case(
    "mail.submission.cancel",
    rfc="8621",
    section="7",
    level=MUST,
    quote="if the update succeeds, the submission was successfully canceled, and the message "
    "has not been delivered to any of the original recipients.",
    sends="send with FUTURERELEASE HOLDFOR=600 (when advertised), then set undoStatus canceled",
    expects="updated, and EmailSubmission/get shows canceled; not supported without FUTURERELEASE",
    requires=NEEDS,
)
def cancel(ctx: Context) -> None:
    account = ctx.session.account_id_for(SUBMISSION) or ctx.account_id
    caps = ctx.session.accounts[account]["accountCapabilities"][SUBMISSION]
    if "FUTURERELEASE" not in {k.upper() for k in caps.get("submissionExtensions", {})}:
        raise NotSupported("FUTURERELEASE is not in submissionExtensions")
    me = own_address(ctx)
    draft = _draft(ctx)
    envelope = {
        "mailFrom": {"email": me, "parameters": {"HOLDFOR": "600"}},
        "rcptTo": [{"email": me, "parameters": None}],
    }
    responses = _submit(
        ctx, {"identityId": _identity_id(ctx), "emailId": draft["id"], "envelope": envelope}
    )
    created = as_map(responses[0][1].get("created"), "created")
    expect("s" in created, f"not submitted: {show(responses[0][1])}")
    submission_id = created["s"]["id"]
    result = ctx.call(
        "EmailSubmission/set", {"update": {submission_id: {"undoStatus": "canceled"}}}
    )
    expect(submission_id in as_map(result.get("updated"), "updated"), show(result))
    expect_eq(_fetch(ctx, submission_id).get("undoStatus"), "canceled", "undoStatus")


@case(
    "mail.submission.immutable-email-id",
    rfc="8621",
    section="7",
    level=MUST,
    quote='o emailId: "Id" (immutable)',
    sends="update emailId of a submission",
    expects="notUpdated for it",
    requires=NEEDS,
)
def immutable_email_id(ctx: Context) -> None:
    _, created = _sent(ctx)
    other = _draft(ctx)
    result = ctx.call("EmailSubmission/set", {"update": {created["id"]: {"emailId": other["id"]}}})
    expect(created["id"] in as_map(result.get("notUpdated"), "notUpdated"), show(result))


@case(
    "mail.submission.changes",
    rfc="8621",
    section="7.2",
    level=MUST,
    quote='This is a standard "/changes" method as described in [RFC8620], Section 5.2.',
    sends="EmailSubmission state, submit, EmailSubmission/changes",
    expects="the new submission in created (or later destroyed, if the server drops them)",
    requires=NEEDS,
)
def changes(ctx: Context) -> None:
    since = ctx.state("EmailSubmission")
    _, created = _sent(ctx)
    result = ctx.call("EmailSubmission/changes", {"sinceState": since})
    listed = result["created"] + result["updated"] + result["destroyed"]
    gone = created["id"] in ctx.call("EmailSubmission/get", {"ids": [created["id"]]})["notFound"]
    expect(created["id"] in listed or gone, show(result))
    if not gone:
        expect(created["id"] in result["created"], show(result))


@case(
    "mail.submission.query-filter-email",
    rfc="8621",
    section="7.3",
    level=MUST,
    quote='The EmailSubmission "emailId" property must be in this list to match the condition.',
    sends="submit, EmailSubmission/query filter emailIds [the draft]",
    expects="exactly the new submission",
    requires=NEEDS,
)
def query_filter_email(ctx: Context) -> None:
    draft, created = _sent(ctx)
    _fetch(ctx, str(created["id"]))
    ids = ctx.call("EmailSubmission/query", {"filter": {"emailIds": [draft["id"]]}})["ids"]
    expect_eq(ids, [created["id"]], "ids")


@case(
    "mail.submission.query-filter-undo-status",
    rfc="8621",
    section="7.3",
    level=MUST,
    quote='The EmailSubmission "undoStatus" property must be identical to the value given to '
    "match the condition.",
    sends="submit, EmailSubmission/query filter {emailIds: [draft], undoStatus: its status}, "
    "and with another status",
    expects="found with its own status, not with another",
    requires=NEEDS,
)
def query_filter_undo_status(ctx: Context) -> None:
    draft, created = _sent(ctx)
    status = _fetch(ctx, str(created["id"]))["undoStatus"]
    other = "canceled" if status != "canceled" else "final"
    for value, want in ((status, [created["id"]]), (other, [])):
        ids = ctx.call(
            "EmailSubmission/query", {"filter": {"emailIds": [draft["id"]], "undoStatus": value}}
        )["ids"]
        expect_eq(ids, want, f"undoStatus {value}")


@case(
    "mail.submission.query-sort",
    rfc="8621",
    section="7.3",
    level=MUST,
    quote="The following EmailSubmission properties MUST be supported for sorting: o "
    '"emailId" o "threadId" o "sentAt"',
    sends="EmailSubmission/query sorted by emailId, threadId, then sentAt (sendAt accepted: "
    "the property's real name)",
    expects="no error for any of them",
    requires=NEEDS,
)
def query_sort(ctx: Context) -> None:
    for prop in ("emailId", "threadId"):
        ctx.call("EmailSubmission/query", {"sort": [{"property": prop}]})
    response = ctx.responses([("EmailSubmission/query", {"sort": [{"property": "sentAt"}]})])[0]
    if response[0] == "error":
        ctx.call("EmailSubmission/query", {"sort": [{"property": "sendAt"}]})


@case(
    "mail.submission.delivered-to-second-account",
    rfc="8621",
    section="7.5",
    level=MUST,
    quote="If the creation succeeds, the message will be sent to the recipients given in the "
    'envelope "rcptTo" parameter.',
    sends="user 1 sends to user 2's Identity address; user 2 polls Email/query for the subject",
    expects="the message arrives in user 2's account (skipped when it does not arrive in "
    "30 s: delivery depends on the deployment's MTA)",
    requires=NEEDS,
)
def delivered_to_second_account(ctx: Context) -> None:
    other = ctx.other
    _, subject = _deliver(ctx, other)
    expect(subject, "unreachable")


@case(
    "mail.submission.bcc-removed",
    rfc="8621",
    section="7.5",
    level=MUST,
    quote="The server MUST remove any Bcc header field present on the message during delivery.",
    sends="user 1 sends to user 2 with a Bcc header; user 2 fetches the delivered message",
    expects="no Bcc header in the delivered copy (skipped if it is not delivered)",
    requires=NEEDS,
)
def bcc_removed(ctx: Context) -> None:
    other = ctx.other
    email_id, _ = _deliver(ctx, other, bcc=[{"name": None, "email": "hidden@conformance.example"}])
    got = other.get_one("Email", email_id, ["header:Bcc", "bcc"])
    expect(got.get("header:Bcc") is None and not got.get("bcc"), f"delivered copy {show(got)}")


def _deliver(ctx: Context, other: Context, **extra: object) -> tuple[str, str]:
    """Send from user 1 to user 2's address and wait for it in user 2's account."""
    to = own_address(other)
    draft = _draft(ctx, to=to, **extra)
    envelope = {
        "mailFrom": {"email": own_address(ctx), "parameters": None},
        "rcptTo": [{"email": to, "parameters": None}],
    }
    responses = _submit(
        ctx, {"identityId": _identity_id(ctx), "emailId": draft["id"], "envelope": envelope}
    )
    expect("s" in as_map(responses[0][1].get("created"), "created"), show(responses[0][1]))
    subject = str(draft["subject"])

    def arrived() -> list[str] | None:
        ids = other.call("Email/query", {"filter": {"subject": subject}})["ids"]
        return ids or None

    ids = ctx.eventually(arrived, timeout=30.0, interval=1.0)
    if not ids:
        raise Skipped(
            f"the message to {to} did not arrive in 30 s; delivery depends on the deployment's MTA"
        )
    for email_id in ids:
        other.destroy_later("Email", email_id)
    return ids[0], subject


@case(
    "mail.submission.identity-from",
    rfc="8621",
    section="9.6",
    level=SHOULD,
    quote="servers SHOULD reject submissions where the From header field of the message does "
    "not correspond to the associated Identity.",
    sends="a draft From stranger@elsewhere.example, submitted with the user's Identity",
    expects="notCreated[s].type = forbiddenFrom",
    requires=NEEDS,
)
def identity_from(ctx: Context) -> None:
    stranger: JSONObject = {"from": [{"name": None, "email": "stranger@elsewhere.example"}]}
    draft = _draft(ctx, **stranger)
    responses = _submit(
        ctx,
        {
            "identityId": _identity_id(ctx),
            "emailId": draft["id"],
            "envelope": {
                "mailFrom": {"email": own_address(ctx), "parameters": None},
                "rcptTo": [{"email": own_address(ctx), "parameters": None}],
            },
        },
    )
    expect_set_error(responses[0][1], "notCreated", "s", "forbiddenFrom")


@case(
    "mail.submission.forbidden-mail-from",
    rfc="8621",
    section="9.6",
    level=MUST,
    quote="the server MUST also enforce appropriate restrictions on the MAIL FROM address "
    "[RFC5321] to stop the user from flooding a third-party address with bounces",
    sends="a normal draft submitted with envelope mailFrom stranger@elsewhere.example",
    expects="notCreated[s].type = forbiddenMailFrom (forbiddenFrom also accepted)",
    requires=NEEDS,
)
def forbidden_mail_from(ctx: Context) -> None:
    draft = _draft(ctx)
    responses = _submit(
        ctx,
        {
            "identityId": _identity_id(ctx),
            "emailId": draft["id"],
            "envelope": {
                "mailFrom": {"email": "stranger@elsewhere.example", "parameters": None},
                "rcptTo": [{"email": own_address(ctx), "parameters": None}],
            },
        },
    )
    expect_set_error(responses[0][1], "notCreated", "s", "forbiddenMailFrom", "forbiddenFrom")
