"""Sending to an address hosted here: straight into the mailbox, no SMTP (RFC 8621 §7.5)."""

from __future__ import annotations

from typing import Any

from accounts.models import Account, Alias
from jmap_core import blobs
from jmap_mail.models import Email
from tests.factories import PASSWORD, make_account
from tests.jmap_client import JmapClient
from tests.submission.conftest import USING
from tests.submission.helpers import draft, get_submission, submitted
from tests.submission.peers import Relay, wait_until


def _client(account: Account) -> JmapClient:
    client = JmapClient(account, PASSWORD)
    client.using = list(USING)
    return client


def _inbox_ids(client: JmapClient) -> list[str]:
    inbox = client.call("Mailbox/query", {"filter": {"role": "inbox"}})["ids"][0]
    return list(client.call("Email/query", {"filter": {"inMailbox": inbox}})["ids"])


def test_mail_to_a_hosted_user_appears_in_their_inbox_and_in_email_changes(
    jmap: JmapClient, relay: Relay, worker: object
) -> None:
    """RFC 8621 §7.5; RFC 8620 §5.2: the recipient's Email/changes shows the new message."""
    other = _client(make_account())
    since = other.state("Email")
    email_id = draft(
        jmap,
        other.account.address,
        fields={"bcc": [{"name": None, "email": "secret@elsewhere.example"}]},
    )
    created = submitted(jmap, email_id)
    arrived = wait_until(lambda: _inbox_ids(other))
    changes = other.call("Email/changes", {"sinceState": since})
    assert changes["created"] == arrived
    got = other.call("Email/get", {"ids": arrived, "properties": ["subject", "bcc", "keywords"]})
    assert got["list"] == [{"id": arrived[0], "subject": "Hello", "bcc": None, "keywords": {}}]
    raw = blobs.read_content(Email.objects.get(jmap_id=arrived[0]).blob)
    assert raw.startswith(b"Return-Path: <" + jmap.account.address.encode() + b">\r\nReceived: ")
    status = wait_until(
        lambda: (s := get_submission(jmap, created["id"]))["undoStatus"] == "final" and s
    )
    assert status["deliveryStatus"] == {
        other.account.address: {
            "smtpReply": "250 2.1.5 Delivered to 1 mailbox",
            "delivered": "yes",
            "displayed": "unknown",
        },
        "secret@elsewhere.example": {
            "smtpReply": "250 2.0.0 Ok: queued as R1",
            "delivered": "unknown",
            "displayed": "unknown",
        },
    }
    assert [m.rcpt_tos for m in relay.messages] == [["secret@elsewhere.example"]]


def test_an_alias_delivers_to_each_of_its_accounts(
    jmap: JmapClient, relay: Relay, worker: object
) -> None:
    first = make_account()
    second = make_account(f"second@{first.domain.name}")
    alias = Alias.objects.create(domain=first.domain, local_part="team")
    alias.accounts.add(first, second)
    submitted(jmap, draft(jmap, f"team@{first.domain.name}"))
    for account in (first, second):
        client = _client(account)
        wait_until(lambda client=client: _inbox_ids(client))  # type: ignore[misc]
    assert relay.messages == []


def test_an_unknown_user_on_a_hosted_domain_bounces_at_once(
    jmap: JmapClient, relay: Relay, worker: object
) -> None:
    """RFC 3464: a DSN in the sender's Inbox; deliveryStatus delivered "no"."""
    address = f"nobody@{jmap.account.domain.name}"
    created = submitted(jmap, draft(jmap, address))

    def bounced() -> dict[str, Any] | None:
        got = get_submission(jmap, created["id"])
        return got if got["dsnBlobIds"] else None

    got = wait_until(bounced)
    assert got["deliveryStatus"][address] == {
        "smtpReply": "550 5.1.1 No such user here",
        "delivered": "no",
        "displayed": "unknown",
    }
    assert got["undoStatus"] == "final"
    assert len(_inbox_ids(jmap)) == 1
