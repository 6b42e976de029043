"""Test data made through the production code paths (STYLE §9)."""

from __future__ import annotations

import itertools

from accounts.models import AccessToken, Account, AccountAccess, Domain, Tenant
from accounts.provisioning import create_account

_seq = itertools.count(1)
PASSWORD = "correct horse battery staple"


def make_tenant(name: str | None = None, **fields: object) -> Tenant:
    return Tenant.objects.create(name=name or f"tenant{next(_seq)}", **fields)


def make_domain(tenant: Tenant, name: str | None = None) -> Domain:
    return Domain.objects.create(
        tenant=tenant, name=name or f"d{next(_seq)}.example", is_verified=True
    )


def make_account(
    address: str | None = None,
    *,
    tenant: Tenant | None = None,
    password: str = PASSWORD,
    **fields: object,
) -> Account:
    if address is None:
        tenant = tenant or make_tenant()
        domain = make_domain(tenant)
        address = f"user{next(_seq)}@{domain.name}"
    return create_account(address, password=password, tenant=tenant, **fields)  # type: ignore[arg-type]


def share(owner: Account, grantee: Account, *, may_write: bool = False) -> AccountAccess:
    """Let ``grantee`` use ``owner``'s account (both of one tenant)."""
    return AccountAccess.objects.create(owner=owner, grantee=grantee, may_write=may_write)


def make_token(account: Account, **options: object) -> str:
    _, text = AccessToken.issue(account, "test token", **options)  # type: ignore[arg-type]
    return text


def message(
    subject: str = "Hello",
    *,
    sender: str = "Alice <alice@example.com>",
    to: str = "Bob <bob@example.com>",
    body: str = "Hi Bob,\r\nhow are you?\r\n",
    message_id: str | None = None,
    in_reply_to: str | None = None,
    references: str | None = None,
    date: str = "Tue, 03 Jan 2023 10:00:00 +0100",
    extra: str = "",
) -> bytes:
    """A small RFC 5322 message."""
    lines = [f"From: {sender}", f"To: {to}", f"Subject: {subject}", f"Date: {date}"]
    lines.append(f"Message-ID: <{message_id or f'm{next(_seq)}@example.com'}>")
    if in_reply_to:
        lines.append(f"In-Reply-To: <{in_reply_to}>")
    if references:
        lines.append(f"References: {references}")
    if extra:
        lines.append(extra.rstrip("\r\n"))
    lines += ["MIME-Version: 1.0", "Content-Type: text/plain; charset=utf-8"]
    return ("\r\n".join(lines) + "\r\n\r\n" + body).encode()


def make_email(
    account: Account,
    raw: bytes | None = None,
    *,
    mailbox_role: str = "inbox",
    keywords: list[str] | None = None,
    received_at: object = None,
) -> object:
    """Store a message through the production ingest path, under the account lock."""
    from django.db import transaction

    from jmap_core import state
    from jmap_mail.ingest import store_message
    from jmap_mail.models import Mailbox

    with transaction.atomic():
        state.lock(account)
        mailbox = Mailbox.objects.get(account=account, role=mailbox_role)
        return store_message(
            account,
            raw or message(),
            mailboxes=[mailbox],
            keywords=keywords or [],
            received_at=received_at,  # type: ignore[arg-type]
        )
