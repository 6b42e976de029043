"""Delivery status notifications (RFC 3464) for the sender of a submission.

A DSN is a ``multipart/report; report-type=delivery-status`` message (RFC 6522): a human-readable
explanation, the ``message/delivery-status`` fields (per-message, then per-recipient, §2.2-§2.3),
and the original headers (``text/rfc822-headers``), or the whole message when the submission asked
for ``RET=FULL`` (RFC 3461 §4.3). Which outcomes are reported follows the recipient's ``NOTIFY``
(RFC 3461 §4.1): failures unless NEVER, successes only when asked.
"""

from __future__ import annotations

import datetime
import re
import secrets
from dataclasses import dataclass
from email.utils import format_datetime

from submission import message as msgbytes
from submission.models import OutboundMessage, OutboundRecipient

_ENHANCED = re.compile(r"^\d{3}\s+([245]\.\d{1,3}\.\d{1,3})\b")
R = OutboundRecipient


@dataclass(frozen=True, slots=True)
class RecipientReport:
    address: str
    original: str | None  # the ORCPT value, "rfc822;addr" (RFC 3461 §4.2)
    action: str  # failed | delivered | relayed (RFC 3464 §2.3.3)
    status: str  # RFC 3463 code
    diagnostic: str  # the SMTP reply
    remote_host: str
    last_attempt: datetime.datetime


def wants_report(row: OutboundRecipient) -> bool:
    """RFC 3461 §4.1: whether this final outcome should be reported to the sender."""
    notify = {n for n in str(row.params.get("NOTIFY") or "").split(",") if n}
    if row.state == R.FAILED:
        return "NEVER" not in notify and (not notify or "FAILURE" in notify)
    if row.state in (R.DELIVERED, R.RELAYED):
        return "SUCCESS" in notify
    return False


def status_code(reply: str, state: str) -> str:
    """The RFC 3463 status for a recipient: from the reply's enhanced code, else its class."""
    match = _ENHANCED.match(reply)
    if match:
        code = match.group(1)
        # a temporary reply that ended a recipient because retries ran out (RFC 3463 4.4.7)
        return "4.4.7" if state == R.FAILED and code.startswith("4") else code
    if state == R.FAILED:
        return "4.4.7" if reply[:1] == "4" else "5.0.0"
    return "2.0.0"


def report_for(row: OutboundRecipient) -> RecipientReport:
    action = {R.FAILED: "failed", R.DELIVERED: "delivered", R.RELAYED: "relayed"}[row.state]
    original = row.params.get("ORCPT")
    return RecipientReport(
        address=row.address,
        original=str(original) if original else None,
        action=action,
        status=status_code(row.smtp_reply, row.state),
        diagnostic=row.smtp_reply,
        remote_host=row.remote_host,
        last_attempt=row.updated_at,
    )


def _explanation(reports: list[RecipientReport]) -> str:
    failed = [r for r in reports if r.action == "failed"]
    lines = [f"This is the mail system at {msgbytes.hostname()}.", ""]
    if failed:
        lines += ["Your message could not be delivered to these recipients:", ""]
        lines += [f"  <{r.address}>: {r.diagnostic}" for r in failed]
        lines.append("")
    done = [r for r in reports if r.action != "failed"]
    if done:
        lines += ["Your message was delivered (or handed on) to these recipients:", ""]
        lines += [f"  <{r.address}>: {r.diagnostic}" for r in done]
        lines.append("")
    return "\r\n".join(lines) + "\r\n"


def _status_fields(queued: OutboundMessage, reports: list[RecipientReport]) -> str:
    """The message/delivery-status body (RFC 3464 §2.1): per-message fields, then a block per
    recipient, blocks separated by empty lines."""
    blocks = [[f"Reporting-MTA: dns; {msgbytes.hostname()}"]]
    envid = queued.mail_params.get("ENVID")
    if envid:
        blocks[0].append(f"Original-Envelope-Id: {envid}")
    blocks[0].append(f"Arrival-Date: {format_datetime(queued.created_at)}")
    for report in reports:
        block = []
        if report.original:
            block.append(f"Original-Recipient: {report.original}")
        block += [
            f"Final-Recipient: rfc822; {report.address}",
            f"Action: {report.action}",
            f"Status: {report.status}",
        ]
        if report.remote_host:
            block.append(f"Remote-MTA: dns; {report.remote_host}")
        if report.diagnostic:
            block.append(f"Diagnostic-Code: smtp; {report.diagnostic}")
        block.append(f"Last-Attempt-Date: {format_datetime(report.last_attempt)}")
        blocks.append(block)
    return "\r\n".join("\r\n".join(block) + "\r\n" for block in blocks)


def build(queued: OutboundMessage, reports: list[RecipientReport]) -> bytes:
    """The DSN for ``queued`` to its sender (RFC 3464 §2, RFC 6522)."""
    boundary = f"dsn-{secrets.token_hex(12)}"
    failed = any(r.action == "failed" for r in reports)
    original = bytes(queued.raw)
    full = queued.mail_params.get("RET") == "FULL"
    returned = original if full else original[: msgbytes.header_end(original)]
    head = [
        f"From: Mail Delivery System <MAILER-DAEMON@{msgbytes.hostname()}>",
        f"To: <{queued.mail_from}>",
        "Subject: "
        + ("Undelivered Mail Returned to Sender" if failed else "Delivery Status Notification"),
        f"Date: {msgbytes.rfc5322_date()}",
        f"Message-ID: <dsn.{secrets.token_hex(12)}@{msgbytes.hostname()}>",
        "Auto-Submitted: auto-replied",
        "MIME-Version: 1.0",
        f'Content-Type: multipart/report; report-type=delivery-status; boundary="{boundary}"',
    ]
    parts = [
        "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
        + _explanation(reports),
        "Content-Type: message/delivery-status\r\n\r\n" + _status_fields(queued, reports),
    ]
    text = "\r\n".join(head) + "\r\n\r\nThis is a MIME-formatted delivery status notification.\r\n"
    for part in parts:
        text += f"\r\n--{boundary}\r\n{part}"
    returned_type = "message/rfc822" if full else "text/rfc822-headers"
    tail = f"\r\n--{boundary}\r\nContent-Type: {returned_type}\r\n".encode()
    tail += (
        b"Content-Transfer-Encoding: 8bit\r\n\r\n" if msgbytes.is_eight_bit(returned) else b"\r\n"
    )
    tail += returned.rstrip(b"\r\n") + f"\r\n\r\n--{boundary}--\r\n".encode()
    return text.encode() + tail
