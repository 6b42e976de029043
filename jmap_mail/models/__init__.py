"""Models of the mail app, one module per area (STYLE §1)."""

from __future__ import annotations

from jmap_mail.models.identity import Identity, Quota, VacationResponse  # noqa: F401
from jmap_mail.models.mail import (
    Email,
    Mailbox,
    MailboxMessage,
    MailboxThread,
    MessageIdRef,
    Thread,
)

__all__ = ["Email", "Mailbox", "MailboxMessage", "MailboxThread", "MessageIdRef", "Thread"]
