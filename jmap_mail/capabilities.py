"""The mail capability (RFC 8621 §1.3.1) and its limits."""

from __future__ import annotations

from accounts.models import Account
from jmap_core.registry import Capability, capability
from jmap_core.types import JSONObject

MAIL = "urn:ietf:params:jmap:mail"
MAX_MAILBOXES_PER_EMAIL = 100
MAX_MAILBOX_DEPTH = 20
MAX_SIZE_MAILBOX_NAME = 255
MAX_KEYWORDS_PER_EMAIL = 200
MAX_SIZE_ATTACHMENTS_PER_EMAIL = 50_000_000
EMAIL_SORT_OPTIONS = [
    "receivedAt",
    "size",
    "from",
    "to",
    "subject",
    "sentAt",
    "hasKeyword",
    "allInThreadHaveKeyword",
    "someInThreadHaveKeyword",
]


def _account_value(account: Account) -> JSONObject:
    return {
        "maxMailboxesPerEmail": MAX_MAILBOXES_PER_EMAIL,
        "maxMailboxDepth": MAX_MAILBOX_DEPTH,
        "maxSizeMailboxName": MAX_SIZE_MAILBOX_NAME,
        "maxSizeAttachmentsPerEmail": MAX_SIZE_ATTACHMENTS_PER_EMAIL,
        "emailQuerySortOptions": list(EMAIL_SORT_OPTIONS),
        "mayCreateTopLevelMailbox": True,
    }


def register() -> None:
    capability(
        Capability(
            MAIL,
            session_value=dict,
            account_value=_account_value,
            data_types=("Mailbox", "Thread", "Email", "EmailDelivery", "SearchSnippet"),
            # RFC 8621 §1.3.1: no mailbox can be created in a read-only account.
            read_only_value={"mayCreateTopLevelMailbox": False},
        )
    )
