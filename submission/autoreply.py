"""The vacation responder (RFC 8621 §8) following RFC 3834.

A reply goes out only when the account's VacationResponse is active now (``vacation_for``) and
the message is personal mail from a person: never to a null or daemon sender, to mail that is
auto-submitted, bulk or from a list (§2), to the account's own addresses, or to mail that does not
name the account in its recipient fields (§2). A sender gets at most one reply per
``MAILYARD_SMTP_AUTOREPLY_DAYS`` (7 by default, as §2 recommends), and again when the
response is changed. Replies leave through the outbound queue with a null reverse-path (§3.3).
"""

from __future__ import annotations

import datetime
import secrets
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, formataddr

from django.conf import settings
from django.utils import timezone

from accounts.models import Account, Alias
from jmap_mail import mime
from jmap_mail.models.identity import Identity, VacationResponse
from jmap_mail.vacation import vacation_for
from submission import queue
from submission.envelope import header_addresses, is_mailbox
from submission.local import normalise
from submission.models import AutoReply, OutboundMessage

_BULK_PRECEDENCE = ("bulk", "list", "junk")
_DAEMON_LOCALS = ("mailer-daemon", "postmaster", "listserv", "majordomo", "noreply", "no-reply")
_RECIPIENT_FIELDS = ("To", "Cc", "Bcc", "Resent-To", "Resent-Cc", "Resent-Bcc")
DEFAULT_TEXT = "I am away and will read your message when I return."


def consider(account: Account, msg: mime.ParsedMessage, *, mail_from: str, recipient: str) -> bool:
    """Queue a vacation reply to ``mail_from`` if RFC 3834 allows one; True when queued.

    The caller holds ``account``'s lock, which serialises the once-per-period bookkeeping.
    """
    vacation = vacation_for(account)
    if vacation is None or not _from_a_person(mail_from, msg.headers):
        return False
    own = own_addresses(account)
    if _key(mail_from) in own or not _names_account(msg.headers, own | {_key(recipient)}):
        return False
    if not _due(account, mail_from, vacation):
        return False
    raw = build_reply(account, vacation, msg, to=mail_from)
    queue.enqueue(
        account, raw, mail_from="", recipients=[(mail_from, {})], kind=OutboundMessage.AUTOREPLY
    )
    return True


def _key(address: str) -> str:
    local, domain = normalise(address)
    return f"{local.lower()}@{domain}"


def _from_a_person(mail_from: str, headers: list[mime.Header]) -> bool:
    """RFC 3834 §2: not to null or daemon senders, auto-submitted, bulk or list mail."""
    if not mail_from or not is_mailbox(mail_from):
        return False
    local = normalise(mail_from)[0].lower()
    if local in _DAEMON_LOCALS or local.startswith("owner-") or local.endswith("-request"):
        return False
    for header in headers:
        name, value = header.name.lower(), header.value.strip().lower()
        if name == "auto-submitted" and value.split(";")[0].strip() != "no":
            return False
        if name == "precedence" and value in _BULK_PRECEDENCE:
            return False
        if name.startswith("list-") or name in ("x-auto-response-suppress", "feedback-id"):
            return False
    return True


def own_addresses(account: Account) -> set[str]:
    """Every address that is the account's: its own, its identities' and its aliases'."""
    found = {account.address.lower()}
    found |= {
        e.lower() for e in Identity.objects.filter(account=account).values_list("email", flat=True)
    }
    for alias in Alias.objects.filter(accounts=account).select_related("domain"):
        if alias.local_part:
            found.add(f"{alias.local_part.lower()}@{alias.domain.name}")
    return found


def _names_account(headers: list[mime.Header], addresses: set[str]) -> bool:
    """RFC 3834 §2: reply only when one of the recipient's addresses is in a recipient field."""
    for name in _RECIPIENT_FIELDS:
        for field in header_addresses(headers, name):
            if any(_key(a) in addresses for a in field if "@" in a):
                return True
    return False


def _due(account: Account, sender: str, vacation: VacationResponse) -> bool:
    """Whether ``sender`` may get a reply now; records it when so (RFC 3834 §2)."""
    now = timezone.now()
    period = datetime.timedelta(days=settings.MAILYARD_SMTP_AUTOREPLY_DAYS)
    key = _key(sender)
    last = AutoReply.objects.filter(account=account, sender=key).first()
    if last is not None and last.vacation_modseq == vacation.modseq and now - last.sent_at < period:
        return False
    AutoReply.objects.update_or_create(
        account=account, sender=key, defaults={"sent_at": now, "vacation_modseq": vacation.modseq}
    )
    return True


def build_reply(
    account: Account, vacation: VacationResponse, msg: mime.ParsedMessage, *, to: str
) -> bytes:
    """The reply message (RFC 3834 §3): Auto-Submitted, "Auto:" subject, threading fields."""
    original_subject = mime.header_form(_last(msg.headers, "Subject") or "", "Text")
    subject = vacation.subject or f"Auto: {original_subject or 'your message'}"
    reply = EmailMessage(policy=SMTP)
    reply["From"] = formataddr((account.display_name, account.address))
    reply["To"] = to  # the reverse-path the reply goes to (§3.1.1)
    reply["Subject"] = subject
    reply["Date"] = format_datetime(timezone.now())
    reply["Message-ID"] = f"<{secrets.token_hex(16)}@{account.domain.name}>"
    reply["Auto-Submitted"] = "auto-replied"  # RFC 3834 §5
    message_id = (_last(msg.headers, "Message-ID") or "").strip()
    if message_id:
        reply["In-Reply-To"] = message_id
        references = (_last(msg.headers, "References") or "").split()
        reply["References"] = " ".join([*references[-20:], message_id])
    reply.set_content(vacation.text_body or DEFAULT_TEXT)
    if vacation.html_body:
        reply.add_alternative(vacation.html_body, subtype="html")
    return reply.as_bytes()


def _last(headers: list[mime.Header], name: str) -> str | None:
    wanted = name.lower()
    found = [h.value for h in headers if h.name.lower() == wanted]
    return found[-1] if found else None
