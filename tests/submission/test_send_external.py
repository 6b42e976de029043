"""Sending to an address elsewhere, end to end (RFC 8621 §7.5): JMAP → queue → worker → relay."""

from __future__ import annotations

import dkim

from submission.dkim import generate_key
from submission.models import DkimKey
from tests.jmap_client import JmapClient
from tests.submission.helpers import draft, get_submission, submitted
from tests.submission.peers import Relay, wait_until


def _dns_for(key: DkimKey) -> dict[bytes, bytes]:
    return {f"{key.dns_name}.".encode(): key.dns_value.encode()}


def test_a_submission_reaches_the_smarthost_dkim_signed_and_without_bcc(
    jmap: JmapClient, relay: Relay, worker: object
) -> None:
    """RFC 8621 §7.5 (Bcc removed), RFC 6376 (signed with the From domain's key)."""
    key = generate_key(jmap.account.domain)
    email_id = draft(
        jmap,
        "friend@elsewhere.example",
        fields={"bcc": [{"name": None, "email": "hidden@elsewhere.example"}]},
    )
    created = submitted(jmap, email_id)
    received = wait_until(lambda: relay.messages)
    assert len(received) == 1
    message = received[0]
    assert message.mail_from == jmap.account.address
    assert sorted(message.rcpt_tos) == ["friend@elsewhere.example", "hidden@elsewhere.example"]
    assert b"\nBcc:" not in message.data
    assert not message.data.startswith(b"Bcc:")
    assert b"hidden@elsewhere.example" not in message.data
    assert message.data.startswith(b"DKIM-Signature:")
    records = _dns_for(key)
    assert dkim.verify(message.data, dnsfunc=lambda name, timeout=5: records.get(name))

    def relayed() -> dict[str, object] | None:
        got = get_submission(jmap, created["id"])
        return got if got["undoStatus"] == "final" else None

    got = wait_until(relayed)
    assert got["deliveryStatus"] == {
        address: {
            "smtpReply": "250 2.0.0 Ok: queued as R1",
            "delivered": "unknown",
            "displayed": "unknown",
        }
        for address in ("friend@elsewhere.example", "hidden@elsewhere.example")
    }
