"""The optional inbound SMTP server (RFC 5321), and reports about our own submissions arriving
(RFC 8621 §7 dsnBlobIds/mdnBlobIds; RFC 3464; RFC 8098)."""

from __future__ import annotations

import smtplib

import pytest

from accounts.models import Account
from jmap_mail.models import Email
from tests.factories import PASSWORD, make_account, message
from tests.jmap_client import JmapClient
from tests.submission.conftest import USING
from tests.submission.helpers import draft, get_submission, submitted
from tests.submission.inbound.lmtp_client import lmtp_send


def test_smtp_delivers_to_hosted_users_and_refuses_relaying(
    smtp_port: int, account: Account
) -> None:
    with smtplib.SMTP("127.0.0.1", smtp_port) as client:
        refused = client.sendmail("alice@example.com", [account.address], message("Via SMTP"))
        assert refused == {}
        with pytest.raises(smtplib.SMTPRecipientsRefused) as caught:
            client.sendmail("alice@example.com", ["x@elsewhere.example"], message())
    assert caught.value.recipients == {
        "x@elsewhere.example": (550, b"5.7.1 Relaying denied: not a domain hosted here")
    }
    assert list(Email.objects.filter(account=account).values_list("subject", flat=True)) == [
        "Via SMTP"
    ]


def test_smtp_is_all_or_nothing_when_one_recipient_cannot_take_it(
    smtp_port: int, account: Account
) -> None:
    """One reply for the whole message: a temporary failure for any stores nothing."""
    full = make_account(f"full@{account.domain.name}", storage_quota=700)
    lmtp_free = message("One")
    with smtplib.SMTP("127.0.0.1", smtp_port) as client:
        client.sendmail("alice@example.com", [full.address], lmtp_free)
        with pytest.raises(smtplib.SMTPDataError) as caught:
            client.sendmail("alice@example.com", [account.address, full.address], message())
    assert caught.value.smtp_code == 452
    assert not Email.objects.filter(account=account).exists()


def _client(account: Account) -> JmapClient:
    client = JmapClient(account, PASSWORD)
    client.using = list(USING)
    return client


def test_a_dsn_for_a_submission_is_attached_to_it(lmtp_port: int, account: Account) -> None:
    """RFC 3464 Original-Envelope-Id is the submission id (our ENVID, RFC 3461 §4.4)."""
    jmap = _client(account)
    created = submitted(jmap, draft(jmap, "far@elsewhere.example"))
    boundary = "b1"
    report = (
        "From: MAILER-DAEMON@elsewhere.example\r\n"
        f"To: {account.address}\r\nSubject: Delivery Status Notification\r\n"
        "MIME-Version: 1.0\r\n"
        f'Content-Type: multipart/report; report-type=delivery-status; boundary="{boundary}"\r\n\r\n'
        f"--{boundary}\r\nContent-Type: text/plain\r\n\r\nDelivered.\r\n"
        f"--{boundary}\r\nContent-Type: message/delivery-status\r\n\r\n"
        f"Reporting-MTA: dns; mx.elsewhere.example\r\nOriginal-Envelope-Id: {created['id']}\r\n\r\n"
        "Final-Recipient: rfc822; far@elsewhere.example\r\nAction: delivered\r\nStatus: 2.0.0\r\n"
        "Diagnostic-Code: smtp; 250 2.0.0 Stored in mailbox\r\n\r\n"
        f"--{boundary}--\r\n"
    ).encode()
    sent = lmtp_send(lmtp_port, "<>", [account.address], report)
    assert sent.data == [(250, "2.1.5 Delivered to 1 mailbox")]
    got = get_submission(jmap, created["id"])
    dsn = Email.objects.get(account=account, subject="Delivery Status Notification")
    assert got["dsnBlobIds"] == [f"b{dsn.blob.sha256}"]
    assert got["deliveryStatus"]["far@elsewhere.example"] == {
        "smtpReply": "250 2.0.0 Stored in mailbox",
        "delivered": "yes",
        "displayed": "unknown",
    }


def test_an_mdn_marks_the_recipient_displayed(lmtp_port: int, account: Account) -> None:
    """RFC 8098 §3.2.5 Original-Message-ID; §3.2.6 disposition "displayed"."""
    jmap = _client(account)
    email_id = draft(jmap, "far@elsewhere.example")
    created = submitted(jmap, email_id)
    message_id = jmap.call("Email/get", {"ids": [email_id], "properties": ["messageId"]})["list"][
        0
    ]["messageId"][0]
    report = (
        "From: far@elsewhere.example\r\n"
        f"To: {account.address}\r\nSubject: Read: Hello\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=disposition-notification; boundary="m"\r\n\r\n'
        "--m\r\nContent-Type: text/plain\r\n\r\nYour message was displayed.\r\n"
        "--m\r\nContent-Type: message/disposition-notification\r\n\r\n"
        f"Final-Recipient: rfc822; far@elsewhere.example\r\nOriginal-Message-ID: <{message_id}>\r\n"
        "Disposition: manual-action/MDN-sent-manually; displayed\r\n\r\n--m--\r\n"
    ).encode()
    assert (
        lmtp_send(lmtp_port, "far@elsewhere.example", [account.address], report).data[0][0] == 250
    )
    got = get_submission(jmap, created["id"])
    assert got["deliveryStatus"]["far@elsewhere.example"]["displayed"] == "yes"
    assert len(got["mdnBlobIds"]) == 1
