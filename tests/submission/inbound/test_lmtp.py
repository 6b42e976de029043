"""Inbound delivery over LMTP (RFC 2033) with Python's smtplib.LMTP as the front MTA."""

from __future__ import annotations

import smtplib
import socket
import time
from typing import Any

from accounts.models import Account, Alias
from jmap_core import blobs
from jmap_mail.models import Email, Mailbox
from tests.factories import PASSWORD, make_account, message
from tests.jmap_client import JmapClient
from tests.submission.inbound.lmtp_client import lmtp_send

Ok = (250, "2.1.5 Delivered to 1 mailbox")


def _emails(account: Account, role: str = "inbox") -> list[Email]:
    mailbox = Mailbox.objects.get(account=account, role=role)
    return list(Email.objects.filter(memberships__mailbox=mailbox, memberships__expunged=False))


def _raw(email: Email) -> bytes:
    return bytes(blobs.read_content(email.blob))


def test_a_message_for_a_hosted_user_is_filed_in_the_inbox_with_trace_fields(
    lmtp_port: int, account: Account
) -> None:
    """RFC 2033 §4.2 one reply per recipient; RFC 5321 §4.4 Return-Path and Received."""
    client = JmapClient(account, PASSWORD)
    since = client.state("Email")
    sent = lmtp_send(lmtp_port, "alice@example.com", [account.address], message("Greetings"))
    assert sent.rcpts == [(250, "2.1.5 Recipient OK")]
    assert sent.data == [Ok]
    [email] = _emails(account)
    raw = _raw(email)
    assert raw.startswith(b"Return-Path: <alice@example.com>\r\nReceived: from ")
    assert b"with LMTP id" in raw
    assert f"for <{account.address}>".encode() in raw
    assert email.subject == "Greetings"
    changes = client.call("Email/changes", {"sinceState": since})
    assert changes["created"] == [email.jmap_id]


def test_unknown_recipients_are_refused_at_rcpt(lmtp_port: int, account: Account) -> None:
    """Only hosted domains and existing addresses: 550 at RCPT (RFC 5321 §3.3)."""
    sent = lmtp_send(
        lmtp_port,
        "alice@example.com",
        [f"nobody@{account.domain.name}", "someone@elsewhere.example", account.address],
        message(),
    )
    assert sent.rcpts == [
        (550, "5.1.1 No such user here"),
        (550, "5.7.1 Relaying denied: not a domain hosted here"),
        (250, "2.1.5 Recipient OK"),
    ]
    assert sent.data == [Ok]


def test_aliases_catch_alls_and_sub_addresses_reach_their_accounts(lmtp_port: int) -> None:
    """RFC 5233 sub-addressing; aliases; the domain catch-all (an empty local part)."""
    owner = make_account()
    domain = owner.domain
    helper = make_account(f"helper@{domain.name}")
    Alias.objects.create(domain=domain, local_part="info").accounts.add(owner, helper)
    Alias.objects.create(domain=domain, local_part="").accounts.add(helper)
    sent = lmtp_send(
        lmtp_port,
        "alice@example.com",
        [
            f"info@{domain.name}",
            f"{owner.address.split('@')[0]}+news@{domain.name}",
            f"random@{domain.name}",
        ],
        message(),
    )
    assert [code for code, _ in sent.rcpts] == [250, 250, 250]
    assert sent.data == [
        (250, "2.1.5 Delivered to 2 mailboxes"),
        (250, "2.1.5 Delivered"),  # owner has this message already
        (250, "2.1.5 Delivered"),  # so has helper
    ]
    assert len(_emails(owner)) == 1
    assert len(_emails(helper)) == 1


def test_quoted_and_odd_recipients(lmtp_port: int, account: Account) -> None:
    """RFC 5321 §4.1.2: a quoted local part that needs no quoting is the same mailbox; a
    malformed path is a syntax error (553), not a guess."""
    local, domain = account.address.split("@")
    sent = lmtp_send(
        lmtp_port, "alice@example.com", [f'"{local}"@{domain}', f'"{local} x"@{domain}'], message()
    )
    assert [code for code, _ in sent.rcpts] == [250, 550]
    assert sent.data == [Ok]
    client = smtplib.LMTP("127.0.0.1", lmtp_port)
    try:
        client.ehlo_or_helo_if_needed()
        client.mail("alice@example.com")
        for path in (f'<"{local}@{domain}>', "<x@nodot>", "<x@[127.0.0.1]>"):
            assert client.docmd("RCPT", f"TO:{path}") == (
                553,
                b"5.1.3 Bad recipient address syntax",
            ), path
    finally:
        client.close()


def test_a_full_mailbox_is_refused_per_recipient(lmtp_port: int, account: Account) -> None:
    """RFC 2033 §4.2: each recipient gets its own answer; 452 when the quota is full, 552
    when the message is larger than the whole quota (also at RCPT, given SIZE)."""
    full = make_account(f"full@{account.domain.name}", storage_quota=700)
    first = lmtp_send(lmtp_port, "alice@example.com", [full.address], message("One"))
    assert first.data == [Ok]
    sent = lmtp_send(lmtp_port, "alice@example.com", [account.address, full.address], message())
    assert sent.data == [Ok, (452, "4.2.2 Mailbox full, try again later")]
    assert len(_emails(full)) == 1
    sized = lmtp_send(
        lmtp_port, "alice@example.com", [full.address], message(), mail_options=("SIZE=5000",)
    )
    assert sized.rcpts == [(552, "5.2.2 Message larger than the mailbox quota")]


def test_an_over_size_message_is_refused_for_every_recipient(
    lmtp_port: int, account: Account, settings: Any
) -> None:
    settings.MAILYARD_MAX_MESSAGE_SIZE = 1500
    big = message(body=("x" * 70 + "\r\n") * 30)
    sent = lmtp_send(lmtp_port, "alice@example.com", [account.address], big)
    assert sent.data == [(552, "5.3.4 Message too big for the system")]
    sized = lmtp_send(
        lmtp_port, "alice@example.com", [account.address], big, mail_options=("SIZE=5000",)
    )
    assert sized.mail == (552, "5.3.4 Message size exceeds the 1500-octet limit")
    assert _emails(account) == []


def test_bare_lf_and_undeclared_8bit_data_are_refused(lmtp_port: int, account: Account) -> None:
    """RFC 5321 §2.3.8 (CRLF only); RFC 6152 §3 (8-bit needs BODY=8BITMIME)."""
    bare = message().replace(b"Hi Bob,\r\n", b"Hi Bob,\n")
    sent = lmtp_send(lmtp_port, "alice@example.com", [account.address], bare)
    assert sent.data == [
        (554, "5.6.0 Bare LF line ending; lines must end with CRLF (RFC 5321 2.3.8)")
    ]
    eight = message(body="Grüße\r\n")
    sent = lmtp_send(lmtp_port, "alice@example.com", [account.address], eight)
    assert sent.data == [(554, "5.6.0 8-bit data without BODY=8BITMIME (RFC 6152)")]
    assert _emails(account) == []
    sent = lmtp_send(
        lmtp_port, "alice@example.com", [account.address], eight, mail_options=("BODY=8BITMIME",)
    )
    assert sent.data == [Ok]


def test_a_session_that_drops_mid_data_stores_nothing(lmtp_port: int, account: Account) -> None:
    """Nothing is committed before the end of DATA; the sender keeps the message."""
    with socket.create_connection(("127.0.0.1", lmtp_port)) as sock:
        for line in (
            b"LHLO front.example",
            b"MAIL FROM:<alice@example.com>",
            f"RCPT TO:<{account.address}>".encode(),
            b"DATA",
        ):
            sock.sendall(line + b"\r\n")
            time.sleep(0.05)
        sock.sendall(message()[:60])
        time.sleep(0.1)
    time.sleep(0.3)
    assert _emails(account) == []
    sent = lmtp_send(lmtp_port, "alice@example.com", [account.address], message())
    assert sent.data == [Ok]


def test_the_null_sender_is_accepted(lmtp_port: int, account: Account) -> None:
    """RFC 5321 §4.5.5: bounces come from <>."""
    sent = lmtp_send(lmtp_port, "<>", [account.address], message())
    assert sent.data == [Ok]
    assert _raw(_emails(account)[0]).startswith(b"Return-Path: <>\r\n")


def test_spam_marked_upstream_goes_to_junk(lmtp_port: int, account: Account) -> None:
    sent = lmtp_send(
        lmtp_port, "alice@example.com", [account.address], message(extra="X-Spam-Flag: YES")
    )
    assert sent.data == [Ok]
    assert _emails(account) == []
    [junk] = _emails(account, "junk")
    assert junk.keywords == ["$junk"]


def test_helo_and_ehlo_are_not_lmtp(lmtp_port: int) -> None:
    """RFC 2033 §4.1: LHLO only."""
    client = smtplib.SMTP("127.0.0.1", lmtp_port)
    try:
        assert client.ehlo()[0] == 500
    finally:
        client.close()
