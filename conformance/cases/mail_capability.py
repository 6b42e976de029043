"""RFC 8621 §1.3: the mail, submission and vacationresponse capabilities."""

from __future__ import annotations

from conformance.checks import JSONObject, expect, expect_type, expect_unsigned, show
from conformance.client import MAIL, SUBMISSION, VACATION
from conformance.context import Context
from conformance.registry import MUST, case


def _mail(ctx: Context) -> JSONObject:
    caps = ctx.account_capability(MAIL)
    expect(caps is not None, f"the mail account lists no {MAIL} accountCapabilities entry")
    return caps or {}


@case(
    "mail.capability.session-value",
    rfc="8621",
    section="1.3.1",
    level=MUST,
    quote='The value of this property in the JMAP session "capabilities" property is an '
    "empty object.",
    sends="GET the session",
    expects="capabilities[urn:ietf:params:jmap:mail] is an object",
    requires=(MAIL,),
)
def session_value(ctx: Context) -> None:
    expect_type(ctx.session.capabilities.get(MAIL), dict, "mail capability")


@case(
    "mail.capability.primary-account",
    rfc="8621",
    section="1.4",
    level=MUST,
    quote="The server MUST include the appropriate capability strings as keys in the "
    '"accountCapabilities" property of any account with which the user may use the '
    "data types represented by that URI.",
    sends="GET the session",
    expects="some account lists urn:ietf:params:jmap:mail in its accountCapabilities",
    requires=(MAIL,),
)
def primary_account(ctx: Context) -> None:
    _mail(ctx)


@case(
    "mail.capability.max-mailboxes-per-email",
    rfc="8621",
    section="1.3.1",
    level=MUST,
    quote="This MUST be an integer >= 1, or null for no limit",
    sends="GET the session",
    expects="maxMailboxesPerEmail is null or an integer >= 1",
    requires=(MAIL,),
)
def max_mailboxes_per_email(ctx: Context) -> None:
    caps = _mail(ctx)
    expect("maxMailboxesPerEmail" in caps, "maxMailboxesPerEmail is missing")
    value = caps["maxMailboxesPerEmail"]
    expect(
        value is None or (isinstance(value, int) and value >= 1),
        f"maxMailboxesPerEmail = {show(value)}",
    )


@case(
    "mail.capability.max-mailbox-depth",
    rfc="8621",
    section="1.3.1",
    level=MUST,
    quote="is an object that MUST contain the following information on server capabilities "
    'and permissions for that account: ... maxMailboxDepth: "UnsignedInt|null"',
    sends="GET the session",
    expects="maxMailboxDepth is present: null or an UnsignedInt",
    requires=(MAIL,),
)
def max_mailbox_depth(ctx: Context) -> None:
    caps = _mail(ctx)
    expect("maxMailboxDepth" in caps, "maxMailboxDepth is missing")
    if caps["maxMailboxDepth"] is not None:
        expect_unsigned(caps["maxMailboxDepth"], "maxMailboxDepth")


@case(
    "mail.capability.max-size-mailbox-name",
    rfc="8621",
    section="1.3.1",
    level=MUST,
    quote="The maximum length, in (UTF-8) octets, allowed for the name of a Mailbox. This MUST "
    "be at least 100",
    sends="GET the session",
    expects="maxSizeMailboxName is an integer >= 100",
    requires=(MAIL,),
)
def max_size_mailbox_name(ctx: Context) -> None:
    value = _mail(ctx).get("maxSizeMailboxName")
    expect(isinstance(value, int) and value >= 100, f"maxSizeMailboxName = {show(value)}")


@case(
    "mail.capability.max-size-attachments",
    rfc="8621",
    section="1.3.1",
    level=MUST,
    quote="The maximum total size of attachments, in octets, allowed for a single Email object.",
    sends="GET the session",
    expects="maxSizeAttachmentsPerEmail is an UnsignedInt",
    requires=(MAIL,),
)
def max_size_attachments(ctx: Context) -> None:
    expect_unsigned(_mail(ctx).get("maxSizeAttachmentsPerEmail"), "maxSizeAttachmentsPerEmail")


@case(
    "mail.capability.email-query-sort-options",
    rfc="8621",
    section="1.3.1",
    level=MUST,
    quote='A list of all the values the server supports for the "property" field of the '
    'Comparator object in an "Email/query" sort',
    sends="GET the session",
    expects="emailQuerySortOptions is an array of strings including receivedAt (the one MUST "
    "sort of §4.4.2)",
    requires=(MAIL,),
)
def email_query_sort_options(ctx: Context) -> None:
    value = _mail(ctx).get("emailQuerySortOptions") or []
    expect(
        isinstance(value, list) and value and all(isinstance(v, str) for v in value),
        f"emailQuerySortOptions = {show(_mail(ctx).get('emailQuerySortOptions'))}",
    )
    expect("receivedAt" in value, "emailQuerySortOptions lacks receivedAt")


@case(
    "mail.capability.may-create-top-level",
    rfc="8621",
    section="1.3.1",
    level=MUST,
    quote="If true, the user may create a Mailbox (see Section 2) in this account with a null "
    "parentId.",
    sends="GET the session; if mayCreateTopLevelMailbox is true, create a top-level mailbox",
    expects="a Boolean; when true, the creation succeeds",
    requires=(MAIL,),
)
def may_create_top_level(ctx: Context) -> None:
    value = _mail(ctx).get("mayCreateTopLevelMailbox")
    expect_type(value, bool, "mayCreateTopLevelMailbox")
    if value:
        ctx.mailbox()


@case(
    "mail.capability.submission-values",
    rfc="8621",
    section="1.3.2",
    level=MUST,
    quote='The value of this property in an account\'s "accountCapabilities" property is an '
    "object that MUST contain the following information on server capabilities and "
    "permissions for that account: o maxDelayedSend",
    sends="GET the session",
    expects="maxDelayedSend is an UnsignedInt; submissionExtensions maps strings to string arrays",
    requires=(SUBMISSION,),
)
def submission_values(ctx: Context) -> None:
    account = ctx.session.account_id_for(SUBMISSION) or ctx.account_id
    caps = ctx.session.accounts[account]["accountCapabilities"].get(SUBMISSION, {})
    expect_unsigned(caps.get("maxDelayedSend"), "maxDelayedSend")
    extensions = caps.get("submissionExtensions")
    expect_type(extensions, dict, "submissionExtensions")
    for name, args in extensions.items():
        expect(
            isinstance(args, list) and all(isinstance(a, str) for a in args),
            f"submissionExtensions[{name}] = {show(args)}",
        )


@case(
    "mail.capability.vacation-values",
    rfc="8621",
    section="1.3.3",
    level=MUST,
    quote="The value of this property is an empty object in both the JMAP session "
    '"capabilities" property and an account\'s "accountCapabilities" property.',
    sends="GET the session",
    expects="the vacationresponse capability is an object in the session and in an account",
    requires=(VACATION,),
)
def vacation_values(ctx: Context) -> None:
    expect_type(ctx.session.capabilities.get(VACATION), dict, "session capability")
    account = ctx.session.account_id_for(VACATION)
    expect(account is not None, "no account lists the vacationresponse capability")
