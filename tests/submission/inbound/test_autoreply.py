"""The vacation responder (RFC 8621 §8) under the rules of RFC 3834."""

from __future__ import annotations

import datetime
from typing import Any

from accounts.models import Account, Alias
from submission.models import OutboundMessage
from tests.factories import PASSWORD, message
from tests.jmap_client import JmapClient
from tests.submission.conftest import USING
from tests.submission.inbound.lmtp_client import lmtp_send
from tests.submission.peers import Relay, wait_until

VACATION = "urn:ietf:params:jmap:vacationresponse"


def _away(account: Account, **values: Any) -> None:
    client = JmapClient(account, PASSWORD)
    client.using = [*USING, VACATION]
    update = {"isEnabled": True, "subject": None, "textBody": "Back on Monday.", **values}
    result = client.call("VacationResponse/set", {"update": {"singleton": update}})
    assert result["updated"] == {"singleton": None}, result


def _replies() -> list[OutboundMessage]:
    return list(OutboundMessage.objects.filter(kind=OutboundMessage.AUTOREPLY).order_by("pk"))


def _deliver(port: int, account: Account, sender: str = "alice@example.com", **kw: Any) -> None:
    raw = message(to=account.address, **kw)
    assert lmtp_send(port, sender, [account.address], raw).data[0][0] == 250


def test_a_vacation_reply_goes_to_the_sender_with_a_null_return_path(
    lmtp_port: int, account: Account, relay: Relay, worker: object
) -> None:
    """RFC 3834 §3.1.5 "Auto:" subject, §3.1.3-4 In-Reply-To/References, §5 Auto-Submitted,
    §3.3 MAIL FROM:<>; it leaves through the outbound queue."""
    _away(account)
    _deliver(lmtp_port, account, subject="Lunch?", message_id="q1@example.com")
    received = wait_until(lambda: relay.messages)
    reply = received[0]
    assert (reply.mail_from, reply.rcpt_tos) == ("<>", ["alice@example.com"])
    assert b"Subject: Auto: Lunch?\r\n" in reply.data
    assert b"Auto-Submitted: auto-replied\r\n" in reply.data
    assert b"In-Reply-To: <q1@example.com>\r\n" in reply.data
    assert b"References: <q1@example.com>\r\n" in reply.data
    assert b"To: alice@example.com\r\n" in reply.data
    assert b"Back on Monday." in reply.data


def test_one_reply_per_sender_per_period(lmtp_port: int, account: Account) -> None:
    """RFC 3834 §2: not more than once per period (7 days by default)."""
    _away(account)
    for _ in range(3):
        _deliver(lmtp_port, account)
    _deliver(lmtp_port, account, sender="bob@example.com")
    assert [r.recipients.get().address for r in _replies()] == [
        "alice@example.com",
        "bob@example.com",
    ]


def test_a_changed_response_answers_again(lmtp_port: int, account: Account) -> None:
    _away(account)
    _deliver(lmtp_port, account)
    _away(account, textBody="Back on Tuesday now.")
    _deliver(lmtp_port, account)
    assert len(_replies()) == 2


def test_no_reply_to_automatic_bulk_or_list_mail(lmtp_port: int, account: Account) -> None:
    """RFC 3834 §2: Auto-Submitted other than "no", Precedence bulk/list/junk, List-*."""
    _away(account)
    for extra in (
        "Auto-Submitted: auto-generated",
        "Auto-Submitted: auto-replied",
        "Precedence: bulk",
        "Precedence: list",
        "List-Id: <news.example.com>",
    ):
        _deliver(lmtp_port, account, extra=extra)
    assert _replies() == []
    _deliver(lmtp_port, account, extra="Auto-Submitted: no")
    assert len(_replies()) == 1


def test_no_reply_to_null_daemon_or_own_senders(lmtp_port: int, account: Account) -> None:
    _away(account)
    Alias.objects.create(domain=account.domain, local_part="me2").accounts.add(account)
    for sender in (
        "<>",
        "MAILER-DAEMON@example.com",
        "owner-list@example.com",
        "list-request@example.com",
        account.address,
        f"me2@{account.domain.name}",
    ):
        _deliver(lmtp_port, account, sender=sender)
    assert _replies() == []


def test_no_reply_when_the_account_is_not_named_as_a_recipient(
    lmtp_port: int, account: Account
) -> None:
    """RFC 3834 §2: the recipient's address must be in To/Cc (Bcc'd or list copies are not)."""
    _away(account)
    raw = message(to="someone-else@example.com")
    assert lmtp_send(lmtp_port, "alice@example.com", [account.address], raw).data[0][0] == 250
    assert _replies() == []


def test_no_reply_outside_from_and_to_dates(lmtp_port: int, account: Account) -> None:
    """RFC 8621 §8: only between fromDate and toDate."""
    later = datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=1)
    _away(account, fromDate=later.strftime("%Y-%m-%dT%H:%M:%SZ"))
    _deliver(lmtp_port, account)
    assert _replies() == []


def test_no_reply_while_disabled(lmtp_port: int, account: Account) -> None:
    _away(account, isEnabled=False)
    _deliver(lmtp_port, account)
    assert _replies() == []


def test_the_vacation_subject_replaces_the_automatic_one(lmtp_port: int, account: Account) -> None:
    _away(account, subject="Out of office", htmlBody="<p>Back on Monday.</p>")
    _deliver(lmtp_port, account)
    raw = bytes(_replies()[0].raw)
    assert b"Subject: Out of office\r\n" in raw
    assert b"Content-Type: multipart/alternative" in raw
    assert b"<p>Back on Monday.</p>" in raw
