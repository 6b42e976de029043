"""Email membership operations shared by Mailbox and Email (filled in with the Email type)."""

from __future__ import annotations

from accounts.models import Account
from jmap_mail.models import Mailbox


def remove_mailbox_contents(account: Account, mailbox: Mailbox) -> None:
    raise NotImplementedError
