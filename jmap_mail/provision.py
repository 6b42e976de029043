"""What every new account gets: the standard mailboxes (RFC 8621 §2, RFC 6154 roles)."""

from __future__ import annotations

from typing import Any

from accounts.models import Account
from jmap_mail import store

DEFAULT_MAILBOXES = [
    ("Inbox", "inbox", 1),
    ("Drafts", "drafts", 2),
    ("Sent", "sent", 3),
    ("Archive", "archive", 4),
    ("Junk", "junk", 5),
    ("Trash", "trash", 6),
]


def create_defaults(account: Account) -> None:
    for name, role, order in DEFAULT_MAILBOXES:
        store.create_mailbox(account, name=name, role=role, sort_order=order)


def on_account_created(sender: Any, account: Account, **_: Any) -> None:
    create_defaults(account)
