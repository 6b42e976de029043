"""What the queue's progress means for the EmailSubmission object (RFC 8621 §7).

``settle`` runs after every delivery attempt: it reports final outcomes to the sender with a DSN
(RFC 3464) filed in their Inbox, then brings ``deliveryStatus``, ``undoStatus`` and
``dsnBlobIds`` up to date, giving the submission a new modseq when they changed (so
``EmailSubmission/changes`` and push report it, RFC 8621 §7 "SHOULD update … each time").
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone

from accounts.models import Account
from jmap_core import blobs, state
from jmap_core.errors import SetError
from jmap_core.types import JSONObject
from submission import dsn, local, queue
from submission.models import (
    CANCELED,
    FINAL,
    PENDING,
    EmailSubmission,
    OutboundMessage,
    OutboundRecipient,
)

logger = logging.getLogger(__name__)
EMAIL_SUBMISSION = "EmailSubmission"
R = OutboundRecipient
_DELIVERED = {
    R.QUEUED: "queued",
    R.SENDING: "queued",
    R.RELAYED: "unknown",  # relayed: only a DSN could tell more (RFC 8621 §7 "delivered")
    R.DELIVERED: "yes",
    R.FAILED: "no",
    R.CANCELED: "no",
}


def initial_status(addresses: list[str]) -> JSONObject:
    return {
        address: {"smtpReply": "250 2.1.5 Queued", "delivered": "queued", "displayed": "unknown"}
        for address in addresses
    }


def touch(account: Account, submission: EmailSubmission, fields: list[str]) -> None:
    """Save a server-side change to ``submission`` with a new modseq (caller holds the lock)."""
    submission.modseq = state.bump(account, EMAIL_SUBMISSION)
    submission.updated_at = timezone.now()
    submission.save(update_fields=[*fields, "modseq", "updated_at"])


def delivery_status(rows: list[OutboundRecipient], previous: JSONObject | None) -> JSONObject:
    out: JSONObject = {}
    for row in rows:
        before = (previous or {}).get(row.address)
        displayed = before.get("displayed", "unknown") if isinstance(before, dict) else "unknown"
        reply = row.smtp_reply or "250 2.1.5 Queued"
        delivered = _DELIVERED[row.state]
        if isinstance(before, dict) and before.get("fromReport"):
            # a report from the far end knows more than our last hop (RFC 8621 §7 delivered)
            delivered, reply = str(before["delivered"]), str(before["smtpReply"])
        entry: JSONObject = {"smtpReply": reply, "delivered": delivered, "displayed": displayed}
        if isinstance(before, dict) and before.get("fromReport"):
            entry["fromReport"] = True
        out[row.address] = entry
    return out


def public_status(stored: JSONObject | None) -> JSONObject | None:
    """deliveryStatus as RFC 8621 §7 shows it (without our bookkeeping keys)."""
    if stored is None:
        return None
    return {
        address: {k: v for k, v in entry.items() if k in ("smtpReply", "delivered", "displayed")}  # type: ignore[union-attr]
        for address, entry in stored.items()
    }


def undo_status(rows: list[OutboundRecipient], current: str) -> str:
    """``final`` once a recipient got it or nothing is left to send (RFC 8621 §7 undoStatus)."""
    if current == CANCELED:
        return CANCELED
    if any(r.state in (R.RELAYED, R.DELIVERED) for r in rows):
        return FINAL
    if rows and all(r.state in R.DONE for r in rows):
        return FINAL
    return PENDING


def settle(message_pk: int) -> None:
    """Report final outcomes and update the submission (see the module docstring)."""
    with transaction.atomic():
        queued = OutboundMessage.objects.select_related("account", "submission").get(pk=message_pk)
        account = queued.account
        state.lock(account)
        rows = list(queue.rows_of(queued))
        dsn_blob = _report(queued, rows)
        submission = queued.submission
        if submission is None or submission.destroyed:
            return
        submission.refresh_from_db()
        changed: list[str] = []
        status = delivery_status(rows, submission.delivery_status)
        if status != submission.delivery_status:
            submission.delivery_status, changed = status, [*changed, "delivery_status"]
        undo = undo_status(rows, submission.undo_status)
        if undo != submission.undo_status:
            submission.undo_status, changed = undo, [*changed, "undo_status"]
        if dsn_blob is not None:
            submission.dsn_blob_ids = [*submission.dsn_blob_ids, dsn_blob]
            changed.append("dsn_blob_ids")
        if changed:
            touch(account, submission, changed)


def _report(queued: OutboundMessage, rows: list[OutboundRecipient]) -> str | None:
    """File one DSN for the outcomes not yet reported; returns its blob id, if one was made."""
    done = [r for r in rows if r.state in R.DONE and not r.reported]
    if not done:
        return None
    R.objects.filter(pk__in=[r.pk for r in done]).update(reported=True)
    wanted = [dsn.report_for(r) for r in done if dsn.wants_report(r)]
    # Never report on a null-sender message (RFC 3464 §2; RFC 3834 §3.3 auto-replies).
    if not wanted or not queued.mail_from or queued.kind != OutboundMessage.SUBMISSION:
        return None
    raw = dsn.build(queued, wanted)
    try:
        with transaction.atomic():
            email = local.file_message(queued.account, raw)
    except SetError:
        logger.warning("no room for a DSN in account %s", queued.account_id)
        return None
    return blobs.blob_id_for(email.blob)
