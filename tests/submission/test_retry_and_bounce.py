"""Temporary failures retry with backoff; permanent ones and expiry bounce with a DSN.

RFC 5321 §4.5.4.1 (retry), RFC 3464 (DSN), RFC 8621 §7 (deliveryStatus, dsnBlobIds).
"""

from __future__ import annotations

import time
from typing import Any

from jmap_core import blobs
from jmap_mail.models import Email
from submission.models import OutboundRecipient
from submission.tasks import sweep_outbound
from tests.jmap_client import JmapClient
from tests.submission.helpers import draft, get_submission, submitted
from tests.submission.peers import Relay, wait_until


def _status_of(jmap: JmapClient, submission_id: str, address: str, delivered: str) -> Any:
    def check() -> dict[str, Any] | None:
        got = get_submission(jmap, submission_id)
        entry = (got["deliveryStatus"] or {}).get(address, {})
        return got if entry.get("delivered") == delivered else None

    return wait_until(check)


def _dsn(jmap: JmapClient, blob_id: str) -> bytes:
    email = Email.objects.get(account=jmap.account, blob__sha256=blob_id[1:])
    return bytes(blobs.read_content(email.blob))


def test_a_temporary_failure_is_retried_later_and_then_delivered_once(
    jmap: JmapClient, relay: Relay, worker: object, settings: Any
) -> None:
    settings.MAILYARD_OUTBOUND_RETRY_FIRST = 1
    relay.handler.data_replies = ["451 4.3.0 Try again later"]
    created = submitted(jmap, draft(jmap, "friend@elsewhere.example"))
    waiting = wait_until(
        lambda: (
            (s := get_submission(jmap, created["id"]))["deliveryStatus"][
                "friend@elsewhere.example"
            ]["smtpReply"].startswith("451")
            and s
        )
    )
    assert waiting["deliveryStatus"]["friend@elsewhere.example"] == {
        "smtpReply": "451 4.3.0 Try again later",
        "delivered": "queued",
        "displayed": "unknown",
    }
    assert waiting["undoStatus"] == "pending"
    assert relay.messages == []
    time.sleep(1.1)
    assert sweep_outbound() == 1
    got = _status_of(jmap, created["id"], "friend@elsewhere.example", "unknown")
    assert got["undoStatus"] == "final"
    assert len(relay.messages) == 1
    assert OutboundRecipient.objects.get(address="friend@elsewhere.example").attempts == 2


def test_backoff_doubles_up_to_the_longest_wait(settings: Any) -> None:
    """RFC 5321 §4.5.4.1: retry intervals grow."""
    from submission.queue import backoff

    settings.MAILYARD_OUTBOUND_RETRY_FIRST = 300
    settings.MAILYARD_OUTBOUND_RETRY_MAX = 3600
    assert [backoff(n).total_seconds() for n in range(1, 7)] == [300, 600, 1200, 2400, 3600, 3600]


def test_a_permanent_refusal_bounces_with_a_dsn_in_the_senders_inbox(
    jmap: JmapClient, relay: Relay, worker: object
) -> None:
    """RFC 3464 §2: multipart/report with per-recipient Action, Status and Diagnostic-Code."""
    relay.handler.rcpt_replies = {"bad@elsewhere.example": "550 5.1.1 No such user"}
    created = submitted(jmap, draft(jmap, ["bad@elsewhere.example", "good@elsewhere.example"]))
    got = _status_of(jmap, created["id"], "bad@elsewhere.example", "no")
    got = wait_until(lambda: (g := get_submission(jmap, created["id"]))["dsnBlobIds"] and g)
    assert got["deliveryStatus"]["bad@elsewhere.example"]["smtpReply"] == "550 5.1.1 No such user"
    assert got["deliveryStatus"]["good@elsewhere.example"]["delivered"] == "unknown"
    assert [m.rcpt_tos for m in relay.messages] == [["good@elsewhere.example"]]
    report = _dsn(jmap, got["dsnBlobIds"][0])
    assert b"Content-Type: multipart/report; report-type=delivery-status" in report
    assert f"Original-Envelope-Id: {created['id']}".encode() in report
    assert (
        b"Final-Recipient: rfc822; bad@elsewhere.example\r\nAction: failed\r\nStatus: 5.1.1"
        in report
    )
    assert b"Diagnostic-Code: smtp; 550 5.1.1 No such user" in report
    assert b"good@elsewhere.example\r\nAction" not in report  # success is not reported unasked
    assert b"Content-Type: text/rfc822-headers" in report


def test_a_refused_message_bounces_every_accepted_recipient(
    jmap: JmapClient, relay: Relay, worker: object
) -> None:
    """RFC 8621 §7: smtpReply is the DATA reply when the message as a whole was refused."""
    relay.handler.data_replies = [
        "550-5.7.1 Our system has detected that this message is\r\n550 5.7.1 likely spam."
    ]
    created = submitted(jmap, draft(jmap, "friend@elsewhere.example"))
    got = _status_of(jmap, created["id"], "friend@elsewhere.example", "no")
    assert got["deliveryStatus"]["friend@elsewhere.example"]["smtpReply"] == (
        "550 5.7.1 Our system has detected that this message is likely spam."
    )


def test_a_recipient_that_keeps_failing_bounces_when_the_retry_period_ends(
    jmap: JmapClient, relay: Relay, worker: object, settings: Any
) -> None:
    """RFC 5321 §4.5.4.1 give-up; RFC 3463 4.4.7 delivery time expired."""
    settings.MAILYARD_OUTBOUND_RETRY_PERIOD = 1
    settings.MAILYARD_OUTBOUND_RETRY_FIRST = 1
    relay.handler.rcpt_replies = {"slow@elsewhere.example": "452 4.2.2 Mailbox full"}
    created = submitted(jmap, draft(jmap, "slow@elsewhere.example"))
    wait_until(lambda: OutboundRecipient.objects.filter(attempts=1, state="queued").exists())
    time.sleep(1.1)
    sweep_outbound()
    got = _status_of(jmap, created["id"], "slow@elsewhere.example", "no")
    got = wait_until(lambda: (g := get_submission(jmap, created["id"]))["dsnBlobIds"] and g)
    assert got["deliveryStatus"]["slow@elsewhere.example"]["smtpReply"].startswith(
        "452 4.2.2 Mailbox full"
    )
    assert b"Action: failed\r\nStatus: 4.4.7" in _dsn(jmap, got["dsnBlobIds"][0])


def test_a_relay_that_is_down_is_a_temporary_failure(jmap: JmapClient, worker: object) -> None:
    """Connection refused is 4xx: the message waits in the queue (nothing listens here)."""
    created = submitted(jmap, draft(jmap, "friend@elsewhere.example"))
    row = wait_until(lambda: OutboundRecipient.objects.filter(attempts=1, state="queued").first())
    assert row.smtp_reply.startswith("451 4.4.1 Cannot connect to 127.0.0.1")
    assert row.next_attempt_at > row.updated_at
    assert get_submission(jmap, created["id"])["undoStatus"] == "pending"


def test_notify_never_suppresses_the_bounce(jmap: JmapClient, relay: Relay, worker: object) -> None:
    """RFC 3461 §4.1: NOTIFY=NEVER asks for no DSN."""
    relay.handler.rcpt_replies = {"bad@elsewhere.example": "550 5.1.1 No such user"}
    envelope = {
        "mailFrom": {"email": jmap.account.address, "parameters": None},
        "rcptTo": [{"email": "bad@elsewhere.example", "parameters": {"NOTIFY": "NEVER"}}],
    }
    created = submitted(jmap, draft(jmap, "bad@elsewhere.example"), envelope=envelope)
    got = _status_of(jmap, created["id"], "bad@elsewhere.example", "no")
    wait_until(lambda: OutboundRecipient.objects.filter(reported=True).exists())
    assert get_submission(jmap, created["id"])["dsnBlobIds"] == []
    assert got["undoStatus"] == "final"
