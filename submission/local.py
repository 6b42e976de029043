"""Addresses hosted here and delivery into their mailboxes.

Shared by the LMTP/SMTP server (mail from outside) and the outbound queue (mail from one hosted
account to another, which never makes an SMTP round trip). A recipient address resolves to
accounts through, in order: the account whose address it is, an alias, the same two for the
address without its ``+tag`` (RFC 5233 sub-addressing), and the domain's catch-all alias.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from accounts.models import Account, Alias, Domain
from jmap_core import state
from jmap_core.errors import SetError
from jmap_mail import ingest, mime
from jmap_mail.models import Email, Mailbox
from submission.envelope import split_address, unquote_local

LOCAL, REMOTE, UNKNOWN, DISABLED = "local", "remote", "unknown", "disabled"
_SPAM_HEADERS = {
    "x-spam-flag": ("yes", "true"),
    "x-spam": ("yes", "true"),
    "x-spam-status": ("yes",),
}


@dataclass(frozen=True, slots=True)
class Resolution:
    """Where an address leads: ``LOCAL`` accounts, ``REMOTE``, ``UNKNOWN`` or ``DISABLED``."""

    status: str
    accounts: tuple[Account, ...] = ()


@dataclass(frozen=True, slots=True)
class Outcome:
    """The result of delivering to one recipient, as an SMTP reply (RFC 5321 §4.2, RFC 3463)."""

    code: int
    text: str  # enhanced status code and explanation

    @property
    def reply(self) -> str:
        return f"{self.code} {self.text}"

    @property
    def ok(self) -> bool:
        return 200 <= self.code < 300

    @property
    def temporary(self) -> bool:
        return 400 <= self.code < 500


def normalise(address: str) -> tuple[str, str]:
    """(local part, lower-case domain) with any Quoted-string quoting removed."""
    local, domain = split_address(address)
    return unquote_local(local), domain.lower().rstrip(".")


def is_hosted(domain: str) -> bool:
    return Domain.objects.filter(name=domain.lower().rstrip(".")).exists()


def resolve(address: str) -> Resolution:
    """Where mail for ``address`` goes (aliases, catch-all and sub-addressing expanded)."""
    local, domain_name = normalise(address)
    domain = Domain.objects.select_related("tenant").filter(name=domain_name).first()
    if domain is None:
        return Resolution(REMOTE)
    if not domain.tenant.is_active:
        return Resolution(DISABLED)
    candidates = [local.lower()]
    delimiter = settings.MAILYARD_LMTP_RECIPIENT_DELIMITER
    if delimiter and delimiter in local and not local.startswith(delimiter):
        candidates.append(local.split(delimiter, 1)[0].lower())
    for candidate in candidates:
        found = _lookup(domain, candidate)
        if found is not None:
            return found
    catch_all = Alias.objects.filter(domain=domain, local_part="").first()
    if catch_all is not None:
        return _alias_resolution(catch_all)
    return Resolution(UNKNOWN)


def _lookup(domain: Domain, local: str) -> Resolution | None:
    account = Account.objects.filter(address=f"{local}@{domain.name}").first()
    if account is not None:
        return Resolution(LOCAL, (account,)) if account.is_active else Resolution(DISABLED)
    alias = Alias.objects.filter(domain=domain, local_part__iexact=local).exclude(local_part="")
    found = alias.first()
    return _alias_resolution(found) if found is not None else None


def _alias_resolution(alias: Alias) -> Resolution:
    accounts = tuple(alias.accounts.filter(is_active=True).order_by("pk"))
    return Resolution(LOCAL, accounts) if accounts else Resolution(DISABLED)


def refusal(resolution: Resolution) -> Outcome | None:
    """The RCPT reply for an address that cannot take mail here, or None when it can."""
    if resolution.status == LOCAL:
        return None
    if resolution.status == DISABLED:
        return Outcome(550, "5.2.1 Mailbox disabled, not accepting messages")
    if resolution.status == UNKNOWN:
        return Outcome(550, "5.1.1 No such user here")
    return Outcome(550, "5.7.1 Relaying denied: not a domain hosted here")


def is_spam(headers: list[mime.Header]) -> bool:
    """Whether an upstream filter marked the message as spam (SpamAssassin-style fields)."""
    for header in headers:
        wanted = _SPAM_HEADERS.get(header.name.lower())
        if wanted and header.value.strip().lower().startswith(wanted):
            return True
    return False


def fits(account: Account, size: int) -> Outcome | None:
    """The reply refusing ``size`` octets for ``account`` over its quota, or None when it fits.

    A message larger than the whole quota can never be delivered (552, RFC 5321 §4.5.3.1.10);
    one that would fit once mail is deleted is a temporary refusal (452, RFC 3463 4.2.2).
    """
    account.refresh_from_db(fields=["storage_used", "storage_quota"])
    left = account.quota_left()
    if left is None or size <= left:
        return None
    limits = [q for q in (account.storage_quota, account.tenant.storage_quota) if q is not None]
    if limits and size > min(limits):
        return Outcome(552, "5.2.2 Message larger than the mailbox quota")
    return Outcome(452, "4.2.2 Mailbox full, try again later")


def deliver(raw: bytes, accounts: Sequence[Account], *, mail_from: str, recipient: str) -> Outcome:
    """Store ``raw`` in every account of one recipient address, all or none.

    Runs in its own savepoint of the caller's transaction, taking the accounts' locks in primary
    key order (so concurrent deliveries cannot deadlock). Files into Inbox, or Junk when an
    upstream spam header says so, and lets the vacation responder answer (RFC 3834).
    """
    if len(raw) > settings.MAILYARD_MAX_MESSAGE_SIZE:
        return Outcome(552, "5.3.4 Message too big for the system")
    msg = mime.parse_message(raw)
    spam = is_spam(msg.headers)
    ordered = sorted(accounts, key=lambda a: a.pk)
    try:
        with transaction.atomic():
            for account in ordered:
                state.lock(account)
            for account in ordered:
                refused = fits(account, len(raw))
                if refused is not None:
                    raise _Refused(refused)
                email = file_message(account, raw, spam=spam)
                _after_store(account, email, raw, msg, mail_from, recipient, spam=spam)
    except _Refused as refused:
        return refused.outcome
    except SetError as error:
        if error.type == "overQuota":
            return Outcome(452, "4.2.2 Mailbox full, try again later")
        raise
    count = len(ordered)
    return Outcome(250, f"2.1.5 Delivered to {count} mailbox{'es' if count > 1 else ''}")


class _Refused(Exception):
    def __init__(self, outcome: Outcome) -> None:
        super().__init__(outcome.reply)
        self.outcome = outcome


def file_message(account: Account, raw: bytes, *, spam: bool = False) -> Email:
    """Store an arriving message in the Inbox (Junk for spam); the caller holds the lock."""
    role = "junk" if spam else "inbox"
    mailbox = Mailbox.objects.filter(account=account, role=role).first()
    if mailbox is None:  # an account without a Junk (or even an Inbox) still gets its mail
        mailbox = Mailbox.objects.filter(account=account, role="inbox").first()
    if mailbox is None:
        from jmap_mail import store

        mailbox = store.create_mailbox(account, name="Inbox", role="inbox", sort_order=1)
    keywords = ["$junk"] if spam else []
    return ingest.store_message(account, raw, mailboxes=[mailbox], keywords=keywords, delivery=True)


def _after_store(
    account: Account,
    email: Email,
    raw: bytes,
    msg: mime.ParsedMessage,
    mail_from: str,
    recipient: str,
    *,
    spam: bool,
) -> None:
    from submission import autoreply, reports

    reports.record(account, email, raw, msg)
    if not spam:
        autoreply.consider(account, msg, mail_from=mail_from, recipient=recipient)
