"""Creating an EmailSubmission (RFC 8621 §7.5): check the message and the sender, then queue it.

Checks run in the order a client can act on: unknown ids (``invalidProperties``), the sender's
right to send at all (``forbiddenToSend``), the message (``tooLarge``, ``invalidEmail``,
``forbiddenFrom``), the envelope (``invalidProperties``, ``invalidRecipients``,
``noRecipients``, ``tooManyRecipients``, ``forbiddenMailFrom``), then flood control
(``rateLimit`` per account, ``forbiddenToSend`` once the tenant's daily allowance is spent).
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.utils import timezone

from accounts.models import Account, Tenant
from jmap_core import blobs, ids, state
from jmap_core.context import CallContext
from jmap_core.errors import SetError, invalid_properties
from jmap_core.types import JSONObject
from jmap_mail import mime
from jmap_mail.identity import may_send_from
from jmap_mail.models import Email
from jmap_mail.models.identity import Identity
from submission import message, queue, status
from submission.envelope import (
    Envelope,
    generate_envelope,
    header_addresses,
    parse_envelope,
    release_time,
    split_address,
)
from submission.models import PENDING, EmailSubmission, OutboundMessage


def create_submission(ctx: CallContext, values: JSONObject) -> EmailSubmission:
    """EmailSubmission/set create: every check, then the row and its queue entry (one commit)."""
    account = ctx.account
    identity, email = _lookup(ctx, values)
    if values.get("undoStatus", PENDING) != PENDING:
        raise invalid_properties("undoStatus", description="a new submission is pending")
    check_may_send(account)
    raw = blobs.read_content(email.blob)
    limit = settings.MAILYARD_MAX_MESSAGE_SIZE
    if len(raw) > limit:
        raise SetError("tooLarge", f"the message is larger than {limit} octets", maxSize=limit)
    headers = mime.ParsedMessage.from_cache(email.parsed).headers
    check_from(account, identity, headers)
    envelope = _envelope(account, identity, headers, values.get("envelope"))
    now = timezone.now()
    send_at = _send_at(envelope, now)
    check_rate(account, now)
    return _write(ctx, identity, email, envelope, raw, send_at)


def _lookup(ctx: CallContext, values: JSONObject) -> tuple[Identity, Email]:
    """RFC 8621 §7.5: an unknown Email or Identity id is ``invalidProperties``."""
    identity_id, email_id = values.get("identityId"), values.get("emailId")
    identity = (
        Identity.objects.filter(account=ctx.account, jmap_id=identity_id).first()
        if isinstance(identity_id, str)
        else None
    )
    email = (
        Email.objects.filter(account=ctx.account, jmap_id=email_id)
        .select_related("thread", "blob")
        .defer("blob__data", "search")
        .first()
        if isinstance(email_id, str)
        else None
    )
    bad = [name for name, found in (("identityId", identity), ("emailId", email)) if found is None]
    if bad:
        raise invalid_properties(*bad, description="no such identity or email in this account")
    assert identity is not None
    assert email is not None
    return identity, email


def check_may_send(account: Account) -> None:
    tenant = Tenant.objects.get(pk=account.tenant_id)
    if not account.is_active or not tenant.is_active:
        raise SetError("forbiddenToSend", "this account is suspended and cannot send mail")


def identity_allows(account: Account, identity: Identity, address: str) -> bool:
    """Whether ``address`` is the identity's (``*@domain`` identities cover the domain) and the
    account may still send from it (RFC 8621 §6.3: aliases can be removed after)."""
    wanted = identity.email.lower()
    domain = split_address(address.lower())[1]
    matches = domain == wanted[2:] if wanted.startswith("*@") else address.lower() == wanted
    return matches and may_send_from(account, address)


def check_from(account: Account, identity: Identity, headers: list[mime.Header]) -> None:
    """RFC 8621 §7.5 ``invalidEmail`` without one From field; §9.6 ``forbiddenFrom``."""
    fields = header_addresses(headers, "From")
    if len(fields) != 1 or not fields[0]:
        raise SetError(
            "invalidEmail", "the message needs exactly one From header field", properties=["from"]
        )
    others = [a for a in fields[0] if not identity_allows(account, identity, a)]
    if others:
        raise SetError(
            "forbiddenFrom",
            f"identity {identity.email} may not send as {', '.join(others)}",
        )


def _envelope(
    account: Account, identity: Identity, headers: list[mime.Header], given: object
) -> Envelope:
    if given is None:
        fallback = identity.email if not identity.email.startswith("*@") else account.address
        envelope = generate_envelope(
            headers, fallback, lambda a: identity_allows(account, identity, a)
        )
    else:
        envelope = parse_envelope(given)  # type: ignore[arg-type]
    if not envelope.rcpt_to:
        raise SetError("noRecipients", "the envelope has no recipients")
    most = settings.MAILYARD_SMTP_MAX_RECIPIENTS
    if len(envelope.rcpt_to) > most:
        raise SetError(
            "tooManyRecipients", f"at most {most} recipients per message", maxRecipients=most
        )
    sender = envelope.mail_from.email
    if not sender or not (
        identity_allows(account, identity, sender) or may_send_from(account, sender)
    ):
        raise SetError("forbiddenMailFrom", f"this account may not use <{sender}> as MAIL FROM")
    return envelope


def _send_at(envelope: Envelope, now: datetime.datetime) -> datetime.datetime:
    """FUTURERELEASE (RFC 4865): HOLDFOR/HOLDUNTIL up to maxDelayedSend (RFC 8621 §1.3.2)."""
    release = release_time(envelope.mail_from.parameters, now)
    longest = settings.MAILYARD_SMTP_MAX_DELAYED_SEND
    if release - now > datetime.timedelta(seconds=longest):
        raise invalid_properties(
            "envelope", description=f"FUTURERELEASE may hold a message at most {longest} seconds"
        )
    return release


def check_rate(account: Account, now: datetime.datetime) -> None:
    """Flood control: the account's hourly and daily limits, then the tenant plan's daily one.

    Runs under the account lock and, for the tenant count, the tenant row's lock, so concurrent
    submissions cannot all slip under a limit.
    """
    sent = OutboundMessage.objects.filter(kind=OutboundMessage.SUBMISSION)
    for window, limit in (
        (datetime.timedelta(hours=1), settings.MAILYARD_SMTP_ACCOUNT_HOURLY_LIMIT),
        (datetime.timedelta(days=1), settings.MAILYARD_SMTP_ACCOUNT_DAILY_LIMIT),
    ):
        if limit and sent.filter(account=account, created_at__gt=now - window).count() >= limit:
            span = "hour" if window.days == 0 else "24 hours"
            raise SetError(
                "rateLimit",
                f"this account sent {limit} messages in the last {span}, the most it may; "
                "try again later",
            )
    tenant = Tenant.objects.select_for_update().get(pk=account.tenant_id)
    daily = tenant.daily_send_limit
    if daily is not None:
        used = sent.filter(tenant=tenant, created_at__gt=now - datetime.timedelta(days=1)).count()
        if used >= daily:
            raise SetError(
                "forbiddenToSend",
                f"{tenant.name} has sent its plan's {daily} messages for today; "
                "sending resumes as the last 24 hours' messages age out",
            )


def _write(
    ctx: CallContext,
    identity: Identity,
    email: Email,
    envelope: Envelope,
    raw: bytes,
    send_at: datetime.datetime,
) -> EmailSubmission:
    account = ctx.account
    jmap_id = ids.new_id("s")
    modseq = state.bump(account, status.EMAIL_SUBMISSION)
    submission = EmailSubmission.objects.create(
        account=account,
        jmap_id=jmap_id,
        modseq=modseq,
        created_modseq=modseq,
        identity_jmap_id=identity.jmap_id,
        email_jmap_id=email.jmap_id,
        thread_jmap_id=email.thread.jmap_id,
        envelope=envelope.to_json(),
        send_at=send_at.replace(microsecond=0),
        undo_status=PENDING,
        delivery_status=status.initial_status([a.email for a in envelope.rcpt_to]),
    )
    outgoing = message.prepare_outgoing(raw, domain=account.domain.name)
    params = dict(envelope.mail_from.parameters)
    for hold in ("HOLDFOR", "HOLDUNTIL", "SIZE", "BODY", "SMTPUTF8"):
        params.pop(hold, None)  # held here; the others are worked out per hop
    params["ENVID"] = jmap_id  # RFC 8621 §7: the submission id, so DSNs find their way back
    queue.enqueue(
        account,
        outgoing,
        mail_from=envelope.mail_from.email,
        recipients=[(a.email, dict(a.parameters)) for a in envelope.rcpt_to],
        submission=submission,
        mail_params=params,
        send_at=send_at,
        message_id=_message_id(outgoing),
    )
    return submission


def _message_id(raw: bytes) -> str:
    headers = mime.parse_message(raw[: message.header_end(raw)]).headers
    prop = mime.parse_header_property("header:Message-ID:asMessageIds")
    assert prop is not None
    found = mime.header_property_value(headers, prop)
    return str(found[0]) if isinstance(found, list) and found else ""
