"""RFC 8620 §5.4 /copy through RFC 8621 §4.7 Email/copy."""

from __future__ import annotations

from conformance import messages
from conformance.checks import as_list, as_map, expect, expect_eq, expect_set_error, require, show
from conformance.context import Context
from conformance.registry import MUST, Skipped, case


def _target(ctx: Context) -> str:
    """A second account with mail that the user may write to (a shared account)."""
    for account_id, account in ctx.session.accounts.items():
        caps = account.get("accountCapabilities", {})
        if (
            account_id != ctx.account_id
            and "urn:ietf:params:jmap:mail" in caps
            and not account.get("isReadOnly")
        ):
            return account_id
    raise Skipped("Email/copy needs a second writable mail account visible to the user")


def _target_mailbox(ctx: Context, target: str) -> str:
    result = ctx.call(
        "Mailbox/set", {"accountId": target, "create": {"m": {"name": ctx.unique("copy")}}}
    )
    created = as_map(result.get("created"), "created")
    expect("m" in created, f"cannot create a mailbox in {target}: {show(result)}")
    mailbox = created["m"]["id"]
    ctx.defer(
        lambda: ctx.call(
            "Mailbox/set",
            {"accountId": target, "destroy": [mailbox], "onDestroyRemoveEmails": True},
        )
    )
    return str(mailbox)


@case(
    "mail.emailcopy.from-account-not-found",
    rfc="8620",
    section="5.4",
    level=MUST,
    quote='"fromAccountNotFound": The "fromAccountId" does not correspond to a valid account.',
    sends='Email/copy with fromAccountId "cfNoSuchAccount0"',
    expects="a fromAccountNotFound error",
)
def from_account_not_found(ctx: Context) -> None:
    ctx.expect_error(
        "Email/copy",
        {
            "fromAccountId": "cfNoSuchAccount0",
            "accountId": ctx.account_id,
            "create": {"c": {"id": "x", "mailboxIds": {}}},
        },
        "fromAccountNotFound",
    )


@case(
    "mail.emailcopy.account-not-found",
    rfc="8620",
    section="3.6.2",
    level=MUST,
    quote='"accountNotFound": The accountId does not correspond to a valid account.',
    sends='Email/copy from the user\'s account into accountId "cfNoSuchAccount0"',
    expects="an accountNotFound error",
)
def account_not_found(ctx: Context) -> None:
    email = ctx.import_email(messages.simple())
    ctx.expect_error(
        "Email/copy",
        {
            "fromAccountId": ctx.account_id,
            "accountId": "cfNoSuchAccount0",
            "create": {"c": {"id": email["id"], "mailboxIds": {"x": True}}},
        },
        "accountNotFound",
    )


@case(
    "mail.emailcopy.from-other-user",
    rfc="8620",
    section="5.4",
    level=MUST,
    quote='"fromAccountNotFound": The "fromAccountId" does not correspond to a valid account.',
    sends="as user 1, Email/copy from user 2's (unshared) account",
    expects="fromAccountNotFound (or forbidden); nothing copied",
)
def from_other_user(ctx: Context) -> None:
    other = ctx.other
    if other.account_id in ctx.session.accounts:
        raise Skipped("user 2's account is visible to user 1")
    email = other.import_email(messages.simple())
    ctx.expect_error(
        "Email/copy",
        {
            "fromAccountId": other.account_id,
            "accountId": ctx.account_id,
            "create": {"c": {"id": email["id"], "mailboxIds": {ctx.mailbox(): True}}},
        },
        "fromAccountNotFound",
        "forbidden",
    )


@case(
    "mail.emailcopy.created",
    rfc="8621",
    section="4.7",
    level=MUST,
    quote='For successfully copied Email objects, the "created" response contains the '
    '"id", "blobId", "threadId", and "size" properties of the new object.',
    sends="Email/copy an email into a second writable account",
    expects="created[c] with id, blobId, threadId and size",
)
def created(ctx: Context) -> None:
    target = _target(ctx)
    email = ctx.import_email(messages.simple())
    result = ctx.call(
        "Email/copy",
        {
            "fromAccountId": ctx.account_id,
            "accountId": target,
            "create": {
                "c": {"id": email["id"], "mailboxIds": {_target_mailbox(ctx, target): True}}
            },
        },
    )
    copy = require(as_map(result.get("created"), "created").get("c"), f"not copied: {show(result)}")
    expect(all(k in copy for k in ("id", "blobId", "threadId", "size")), show(copy))
    expect_eq(copy["size"], email["size"], "size")


@case(
    "mail.emailcopy.destroy-original",
    rfc="8620",
    section="5.4",
    level=MUST,
    quote='the server MUST make a single call to "Foo/set" to destroy the original of each '
    "successfully copied record; the output of this is added to the responses as normal",
    sends="Email/copy with onSuccessDestroyOriginal true",
    expects="an Email/copy response, then an Email/set response destroying the original",
)
def destroy_original(ctx: Context) -> None:
    target = _target(ctx)
    email = ctx.import_email(messages.simple())
    responses = ctx.responses(
        [
            (
                "Email/copy",
                {
                    "fromAccountId": ctx.account_id,
                    "accountId": target,
                    "onSuccessDestroyOriginal": True,
                    "create": {
                        "c": {"id": email["id"], "mailboxIds": {_target_mailbox(ctx, target): True}}
                    },
                },
            )
        ]
    )
    expect_eq([r[0] for r in responses], ["Email/copy", "Email/set"], "responses")
    expect(
        email["id"] in as_list(responses[1][1].get("destroyed"), "destroyed"), show(responses[1])
    )


@case(
    "mail.emailcopy.only-metadata",
    rfc="8621",
    section="4.7",
    level=MUST,
    quote='except only the "mailboxIds", "keywords", and "receivedAt" properties may be '
    "set during the copy.",
    sends="Email/copy setting subject on the copy",
    expects="notCreated[c].type = invalidProperties",
)
def only_metadata(ctx: Context) -> None:
    target = _target(ctx)
    email = ctx.import_email(messages.simple())
    result = ctx.call(
        "Email/copy",
        {
            "fromAccountId": ctx.account_id,
            "accountId": target,
            "create": {
                "c": {
                    "id": email["id"],
                    "subject": "changed",
                    "mailboxIds": {_target_mailbox(ctx, target): True},
                }
            },
        },
    )
    expect_set_error(result, "notCreated", "c", "invalidProperties")
