"""An LMTP client that reads every per-recipient reply after DATA (RFC 2033 §4.2).

``smtplib.LMTP.sendmail`` reads only one reply after DATA, so the transaction is driven here
with smtplib's own command and reply functions.
"""

from __future__ import annotations

import smtplib
from dataclasses import dataclass


@dataclass
class Transaction:
    mail: tuple[int, str]
    rcpts: list[tuple[int, str]]
    data: list[tuple[int, str]]


def _text(reply: tuple[int, bytes]) -> tuple[int, str]:
    return reply[0], reply[1].decode()


def lmtp_send(
    port: int,
    sender: str,
    rcpts: list[str],
    data: bytes,
    *,
    mail_options: tuple[str, ...] = (),
) -> Transaction:
    """One LMTP transaction on a fresh connection; ``data`` is sent as is (already CRLF)."""
    client = smtplib.LMTP("127.0.0.1", port)
    try:
        client.ehlo_or_helo_if_needed()
        mail = _text(client.mail(sender, list(mail_options)))
        replies = [_text(client.rcpt(r)) for r in rcpts]
        accepted = sum(1 for code, _ in replies if code == 250)
        answers: list[tuple[int, str]] = []
        if accepted:
            client.putcmd("data")
            code, _ = client.getreply()
            assert code == 354, code
            body = data if data.endswith(b"\r\n") else data + b"\r\n"
            client.send(smtplib._quote_periods(body) + b".\r\n")  # type: ignore[attr-defined]
            answers = [_text(client.getreply()) for _ in range(accepted)]
        client.quit()
        return Transaction(mail, replies, answers)
    finally:
        client.close()
