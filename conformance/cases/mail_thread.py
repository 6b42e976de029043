"""RFC 8621 §3: Thread objects, Thread/get and Thread/changes."""

from __future__ import annotations

from conformance import messages
from conformance.checks import JSONObject, expect, expect_eq, show
from conformance.context import Context
from conformance.registry import MUST, SHOULD, Skipped, case


def _pair(ctx: Context, first_received: str, reply_received: str) -> tuple[JSONObject, JSONObject]:
    """An original and its reply (In-Reply-To/References + "Re:" subject)."""
    mailbox = ctx.mailbox()
    msg_id = messages.new_message_id()
    subject = f"Thread topic {messages.token()}"
    original = ctx.import_email(
        messages.message(subject=subject, message_id=msg_id), mailbox, received_at=first_received
    )
    reply = ctx.import_email(
        messages.message(
            subject=f"Re: {subject}",
            in_reply_to=f"<{msg_id}>",
            references=f"<{msg_id}>",
            from_='"Bob Receiver" <bob@conformance.example>',
            to='"Alice Sender" <alice@conformance.example>',
        ),
        mailbox,
        received_at=reply_received,
    )
    return original, reply


@case(
    "mail.thread.reply-joins-thread",
    rfc="8621",
    section="3",
    level=SHOULD,
    quote="it is suggested that two messages belong in the same Thread if both of the "
    "following conditions apply:",
    sends='import a message, then a reply (In-Reply-To, References, "Re: " + same subject)',
    expects="both emails have the same threadId",
)
def reply_joins_thread(ctx: Context) -> None:
    original, reply = _pair(ctx, "2024-01-01T10:00:00Z", "2024-01-01T11:00:00Z")
    expect_eq(reply["threadId"], original["threadId"], "reply's threadId")


@case(
    "mail.thread.email-ids-order",
    rfc="8621",
    section="3",
    level=MUST,
    quote='The ids of the Emails in the Thread, sorted by the "receivedAt" date of the '
    "Email, oldest first.",
    sends="a threaded pair imported newest-first (reply older than original by receivedAt)",
    expects="Thread/get emailIds lists the older receivedAt first",
)
def email_ids_order(ctx: Context) -> None:
    original, reply = _pair(ctx, "2024-02-02T10:00:00Z", "2024-02-01T10:00:00Z")
    if reply["threadId"] != original["threadId"]:
        raise Skipped("the server did not thread the pair")
    thread = ctx.get_one("Thread", original["threadId"])
    expect_eq(thread["emailIds"], [reply["id"], original["id"]], "emailIds")


@case(
    "mail.thread.single",
    rfc="8621",
    section="3",
    level=MUST,
    quote="Every Email MUST belong to a Thread, even if it is the only Email in the Thread.",
    sends="import an unrelated message, Thread/get its threadId",
    expects="emailIds is exactly [that email]",
)
def single(ctx: Context) -> None:
    email = ctx.import_email(messages.simple())
    expect_eq(ctx.get_one("Thread", email["threadId"])["emailIds"], [email["id"]], "emailIds")


@case(
    "mail.thread.unrelated-separate",
    rfc="8621",
    section="3",
    level=SHOULD,
    quote="An identical message id [RFC5322] appears in both messages in any of the "
    "Message-Id, In-Reply-To, and References header fields.",
    sends="import two messages with different subjects and no shared message ids",
    expects="different threadIds",
)
def unrelated_separate(ctx: Context) -> None:
    first = ctx.import_email(messages.simple())
    second = ctx.import_email(messages.simple())
    expect(first["threadId"] != second["threadId"], "unrelated messages share a thread")


@case(
    "mail.thread.get-not-found",
    rfc="8620",
    section="5.1",
    level=MUST,
    quote="This array contains the ids passed to the method for records that do not exist.",
    sends="Thread/get of an unknown id",
    expects="notFound lists it",
)
def get_not_found(ctx: Context) -> None:
    result = ctx.call("Thread/get", {"ids": ["cfNoSuchThread0"]})
    expect_eq(result["notFound"], ["cfNoSuchThread0"], "notFound")


@case(
    "mail.thread.properties",
    rfc="8621",
    section="3",
    level=MUST,
    quote='A *Thread* object has the following properties: o id: "Id" (immutable; server-set)',
    sends="Thread/get of a thread",
    expects="an object with id and emailIds (an array)",
)
def properties(ctx: Context) -> None:
    email = ctx.import_email(messages.simple())
    thread = ctx.get_one("Thread", email["threadId"])
    expect_eq(thread.get("id"), email["threadId"], "id")
    expect(isinstance(thread.get("emailIds"), list), show(thread))


@case(
    "mail.thread.changes-created",
    rfc="8621",
    section="3.2",
    level=MUST,
    quote='This is a standard "/changes" method as described in [RFC8620], Section 5.2.',
    sends="Thread/get state, import an unrelated message, Thread/changes",
    expects="its threadId is in created",
)
def changes_created(ctx: Context) -> None:
    since = ctx.state("Thread")
    email = ctx.import_email(messages.simple())
    result = ctx.call("Thread/changes", {"sinceState": since})
    expect(email["threadId"] in result["created"] + result["updated"], show(result))


@case(
    "mail.thread.changes-updated",
    rfc="8620",
    section="5.2",
    level=MUST,
    quote="An array of ids for records that have been updated since the old state.",
    sends="import a message; note the Thread state; import a reply into its thread; Thread/changes",
    expects="the thread id is in updated",
)
def changes_updated(ctx: Context) -> None:
    mailbox = ctx.mailbox()
    msg_id = messages.new_message_id()
    subject = f"Thread change {messages.token()}"
    original = ctx.import_email(messages.message(subject=subject, message_id=msg_id), mailbox)
    since = ctx.state("Thread")
    reply = ctx.import_email(
        messages.message(
            subject=f"Re: {subject}", in_reply_to=f"<{msg_id}>", references=f"<{msg_id}>"
        ),
        mailbox,
    )
    if reply["threadId"] != original["threadId"]:
        raise Skipped("the server did not thread the reply")
    result = ctx.call("Thread/changes", {"sinceState": since})
    expect(original["threadId"] in result["updated"], show(result))


@case(
    "mail.thread.state-changes",
    rfc="8620",
    section="5.1",
    level=MUST,
    quote="If the data changes, this string MUST change.",
    sends="Thread/get state, import a message, Thread/get state",
    expects="the two states differ",
)
def state_changes(ctx: Context) -> None:
    before = ctx.state("Thread")
    ctx.import_email(messages.simple())
    expect(ctx.state("Thread") != before, "Thread state did not change")
