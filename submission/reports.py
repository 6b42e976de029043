"""Reports that arrive about our own submissions (RFC 8621 §7 ``dsnBlobIds``/``mdnBlobIds``).

A delivery status notification (RFC 3464) names the submission through ``Original-Envelope-Id``,
which is the EmailSubmission id we sent as ENVID (RFC 3461 §4.4); a disposition notification
(RFC 8098 §3.2.5) names the message through ``Original-Message-ID``. The report's blob is added
to the submission, and ``deliveryStatus`` follows it: Action ``delivered``/``failed`` set
``delivered`` to yes/no, a ``displayed`` disposition sets ``displayed`` (RFC 8621 §7).
"""

from __future__ import annotations

from accounts.models import Account
from jmap_core import blobs
from jmap_core.types import JSONObject
from jmap_mail import mime
from jmap_mail.models import Email
from submission import status
from submission.models import EmailSubmission, OutboundMessage

DSN_TYPE = "message/delivery-status"
MDN_TYPE = "message/disposition-notification"


def record(account: Account, email: Email, raw: bytes, msg: mime.ParsedMessage) -> None:
    """Attach a just-delivered report to the submission it is about (caller holds the lock)."""
    if msg.root.type != "multipart/report":
        return
    for part in mime.iter_parts(msg.root):
        if part.type in (DSN_TYPE, MDN_TYPE) and part.part_id is not None:
            blocks = parse_fields(mime.decode_part(raw, part))
            if blocks:
                blob_id = blobs.blob_id_for(email.blob)
                if part.type == DSN_TYPE:
                    _delivery(account, blocks, blob_id)
                else:
                    _disposition(account, blocks, blob_id)
            return


def parse_fields(body: bytes) -> list[dict[str, str]]:
    """Blocks of ``Name: value`` fields separated by empty lines (RFC 3464 §2.1), names
    lower-cased, folded lines joined."""
    blocks: list[dict[str, str]] = []
    current: dict[str, str] = {}
    name = ""
    for line in body.decode("utf-8", "replace").replace("\r\n", "\n").split("\n"):
        if not line.strip():
            if current:
                blocks.append(current)
            current, name = {}, ""
        elif line[:1] in (" ", "\t") and name:
            current[name] += " " + line.strip()
        elif ":" in line:
            name, _, value = line.partition(":")
            name = name.strip().lower()
            current[name] = value.strip()
    if current:
        blocks.append(current)
    return blocks[:1000]


def _address(value: str) -> str:
    """The address of a ``type; address`` field such as Final-Recipient."""
    return value.partition(";")[2].strip().strip("<>").lower() if ";" in value else value.lower()


def _entry(submission: EmailSubmission, address: str) -> JSONObject | None:
    for key, entry in (submission.delivery_status or {}).items():
        if key.lower() == address and isinstance(entry, dict):
            return entry
    return None


def _delivery(account: Account, blocks: list[dict[str, str]], blob_id: str) -> None:
    envid = blocks[0].get("original-envelope-id", "").strip()
    submission = EmailSubmission.objects.filter(account=account, jmap_id=envid).first()
    if not envid or submission is None:
        return
    for block in blocks[1:]:
        entry = _entry(submission, _address(block.get("final-recipient", "")))
        action = block.get("action", "").lower()
        if entry is None or action not in ("delivered", "failed"):
            continue  # other actions SHOULD NOT change "delivered" (RFC 8621 §7)
        entry["delivered"] = "yes" if action == "delivered" else "no"
        diagnostic = block.get("diagnostic-code", "")
        if diagnostic:
            entry["smtpReply"] = diagnostic.partition(";")[2].strip() or diagnostic
        entry["fromReport"] = True
    submission.dsn_blob_ids = [*submission.dsn_blob_ids, blob_id]
    status.touch(account, submission, ["delivery_status", "dsn_blob_ids"])


def _disposition(account: Account, blocks: list[dict[str, str]], blob_id: str) -> None:
    fields = {k: v for block in blocks for k, v in block.items()}
    message_id = fields.get("original-message-id", "").strip().strip("<>")
    queued = (
        OutboundMessage.objects.filter(account=account, message_id=message_id)
        .exclude(submission=None)
        .select_related("submission")
        .first()
        if message_id
        else None
    )
    submission = queued.submission if queued is not None else None
    if submission is None or submission.destroyed:
        return
    disposition = fields.get("disposition", "").partition(";")[2].split("/")[0].strip().lower()
    entry = _entry(submission, _address(fields.get("final-recipient", "")))
    if entry is not None and disposition == "displayed":
        entry["displayed"] = "yes"
    submission.mdn_blob_ids = [*submission.mdn_blob_ids, blob_id]
    status.touch(account, submission, ["delivery_status", "mdn_blob_ids"])
