"""The pieces of the wire format: mailbox syntax (RFC 5321 §4.1.2), xtext (RFC 3461 §4),
smtpReply concatenation (RFC 8621 §7), DSN status codes (RFC 3463)."""

from __future__ import annotations

import pytest

from submission.envelope import is_mailbox, smtp_params, xtext
from submission.message import prepare_outgoing, remove_fields, to_crlf
from submission.transport import smtp_reply


@pytest.mark.parametrize(
    "address",
    [
        "a@example.com",
        "first.last+tag@sub.example.co",
        '"john doe"@example.com',
        "用户@例子.广告",
        "o'brien@example.ie",
    ],
)
def test_these_are_mailboxes(address: str) -> None:
    assert is_mailbox(address)


@pytest.mark.parametrize(
    "address",
    [
        "",
        "plain",
        "@example.com",
        "a@",
        "a@b",
        "a..b@example.com",
        ".a@example.com",
        "a@example.com\r\nRCPT TO:<b@example.com>",
        "a b@example.com",
        "a@[127.0.0.1]",
        "a@-bad-.example",
        "a@1.2.3.4",
        "x" * 65 + "@example.com",
        '"unterminated@example.com',
        "a@exa mple.com",
        "a\x00@example.com",
    ],
)
def test_these_are_not(address: str) -> None:
    assert not is_mailbox(address)


def test_xtext_encodes_plus_equals_and_controls() -> None:
    assert xtext("a+b=c d\u00e9") == "a+2Bb+3Dc+20d+E9"
    assert smtp_params({"ENVID": "s1 x", "NOTIFY": "FAILURE", "SMTPUTF8": None}) == [
        "ENVID=s1+20x",
        "NOTIFY=FAILURE",
        "SMTPUTF8",
    ]
    assert smtp_params({"ORCPT": "rfc822;a+b@example.com"}) == ["ORCPT=rfc822;a+2Bb@example.com"]


def test_a_multi_line_reply_becomes_one_line_as_rfc8621_shows() -> None:
    """RFC 8621 §7 deliveryStatus smtpReply example."""
    text = "5.7.1 Our system has detected that this message is\n5.7.1 likely spam."
    assert smtp_reply(550, text) == (
        "550 5.7.1 Our system has detected that this message is likely spam."
    )
    assert smtp_reply(250, b"") == "250"


def test_outgoing_messages_lose_bcc_and_gain_date_and_message_id() -> None:
    """RFC 8621 §7.5 (Bcc); RFC 6409 §8.2-8.3 (Date, Message-ID may be added)."""
    raw = b"From: a@x.example\nBcc: hidden@y.example,\n  other@y.example\nSubject: s\n\nbody\n"
    out = prepare_outgoing(raw, domain="x.example")
    head, _, body = out.partition(b"\r\n\r\n")
    assert b"hidden" not in out
    assert b"other@y" not in out
    assert body == b"body\r\n"
    names = [line.split(b":")[0] for line in head.split(b"\r\n")]
    assert names == [b"From", b"Subject", b"Date", b"Message-ID"]


def test_header_edits_leave_the_body_alone() -> None:
    raw = to_crlf(b"Bcc: x@y.example\nSubject: s\n\nBcc: this is body text\n")
    assert remove_fields(raw, {"bcc"}) == b"Subject: s\r\n\r\nBcc: this is body text\r\n"
