"""Inbound delivery over LMTP (RFC 2033) and, optionally, SMTP (RFC 5321), with aiosmtpd.

A front MTA (Postfix ``virtual_transport = lmtp:…``) hands mail over; this server accepts only
addresses hosted here (RCPT answers 550 for the rest, 452/552 for a full mailbox when the size is
known) and answers the end of DATA only after the message is committed, so a crash before the
reply loses nothing: the sender still holds the message and tries again.

LMTP answers once per accepted recipient after DATA (RFC 2033 §4.2), each after the same
transaction, which stores the message for all of them (a recipient that fails gets its own
4xx/5xx and leaves no trace). SMTP has one answer, so there it is all or nothing.

Refused outright, with a reason: bare LF line ends (RFC 5321 §2.3.8), 8-bit data without
BODY=8BITMIME (RFC 6152 §3), messages over ``MAILYARD_MAX_MESSAGE_SIZE``.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from aiosmtpd.controller import Controller, UnixSocketController
from aiosmtpd.lmtp import LMTP
from aiosmtpd.smtp import SMTP, Envelope, Session
from channels.db import database_sync_to_async
from django.conf import settings
from django.db import connections, transaction

from jmap_core import state
from submission import local, message
from submission.envelope import is_mailbox
from submission.local import Outcome

logger = logging.getLogger(__name__)
T = TypeVar("T")
MAX_RECIPIENTS = 1000
WORKER_THREADS = 16


class InboundHandler:
    """The aiosmtpd handler for LMTP (``lmtp=True``) or SMTP sessions."""

    def __init__(self, *, lmtp: bool) -> None:
        self.lmtp = lmtp
        self.executor = ThreadPoolExecutor(WORKER_THREADS, thread_name_prefix="inbound-db")

    async def _db(self, fn: Callable[..., T], *args: Any) -> T:
        """Run ORM work in a worker thread (connections are cleaned up around it)."""
        run = database_sync_to_async(fn, thread_sensitive=False, executor=self.executor)
        result: T = await run(*args)
        return result

    async def handle_MAIL(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        size = _size_option(options)
        limit = settings.MAILYARD_MAX_MESSAGE_SIZE
        if size is not None and size > limit:
            return f"552 5.3.4 Message size exceeds the {limit}-octet limit"
        if address != "<>" and not is_mailbox(address):
            return "553 5.1.7 Bad sender address syntax"
        envelope.mail_from = address  # "<>" for the null reverse-path
        envelope.mail_options.extend(options)
        return "250 2.1.0 Sender OK"

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if len(envelope.rcpt_tos) >= MAX_RECIPIENTS:
            return "452 4.5.3 Too many recipients"
        if not is_mailbox(address):
            return "553 5.1.3 Bad recipient address syntax"
        try:
            refused = await self._db(check_recipient, address, _size_option(envelope.mail_options))
        except Exception:
            logger.exception("recipient check failed")
            return "451 4.3.0 Temporary failure, try again later"
        if refused is not None:
            return refused.reply
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(options)
        return "250 2.1.5 Recipient OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        data = bytes(envelope.original_content or b"")
        rcpts = list(envelope.rcpt_tos)
        refused = check_data(data, envelope.mail_options, smtputf8=bool(envelope.smtp_utf8))
        if refused is not None:
            return self._replies([refused] * len(rcpts))
        sender = "" if envelope.mail_from == "<>" else str(envelope.mail_from or "")
        peer = str(session.peer[0]) if session.peer else None
        try:
            outcomes = await self._db(
                deliver_message, data, sender, rcpts, session.host_name, peer, self.lmtp
            )
        except Exception:
            logger.exception("inbound delivery failed; nothing was stored")
            outcomes = [Outcome(451, "4.3.0 Temporary failure, try again later")] * len(rcpts)
        return self._replies(outcomes)

    def _replies(self, outcomes: list[Outcome]) -> str:
        """One reply per recipient for LMTP (RFC 2033 §4.2); for SMTP the first failure."""
        if self.lmtp:
            return "\r\n".join(o.reply for o in outcomes)
        failed = [o for o in outcomes if not o.ok]
        temporary = [o for o in failed if o.temporary]
        return (temporary or failed or outcomes)[0].reply

    def close(self) -> None:
        """Close the worker threads' database connections (one task per thread)."""
        barrier = threading.Barrier(WORKER_THREADS)

        def close() -> None:
            barrier.wait(timeout=10)
            connections.close_all()

        futures = [self.executor.submit(close) for _ in range(WORKER_THREADS)]
        for future in futures:
            future.result(timeout=30)
        self.executor.shutdown(wait=True)


def _size_option(options: list[str]) -> int | None:
    for option in options:
        name, _, value = option.partition("=")
        if name.upper() == "SIZE" and value.isdigit():
            return int(value)
    return None


def check_recipient(address: str, size: int | None) -> Outcome | None:
    """The RCPT refusal for ``address``, or None to accept it (RFC 5321 §4.2.2 codes)."""
    resolution = local.resolve(address)
    refused = local.refusal(resolution)
    if refused is not None or size is None:
        return refused
    for account in resolution.accounts:
        full = local.fits(account, size)
        if full is not None:
            return full
    return None


def check_data(data: bytes, options: list[str], *, smtputf8: bool) -> Outcome | None:
    """Whole-message refusals, before anything is stored."""
    if len(data) > settings.MAILYARD_MAX_MESSAGE_SIZE:
        return Outcome(552, "5.3.4 Message too big for the system")
    if message.has_bare_lf(data):
        return Outcome(554, "5.6.0 Bare LF line ending; lines must end with CRLF (RFC 5321 2.3.8)")
    eight_bit_declared = smtputf8 or any(o.upper() == "BODY=8BITMIME" for o in options)
    if not eight_bit_declared and message.is_eight_bit(data):
        return Outcome(554, "5.6.0 8-bit data without BODY=8BITMIME (RFC 6152)")
    return None


def deliver_message(
    data: bytes, sender: str, rcpts: list[str], helo: str | None, peer: str | None, lmtp: bool
) -> list[Outcome]:
    """Store ``data`` for every recipient in one transaction; the outcome of each.

    The recipients' accounts are locked up front in primary key order, so that concurrent
    sessions cannot deadlock. With SMTP, any failure rolls everything back (one reply).
    """
    trace = message.received_field(
        protocol="LMTP" if lmtp else "ESMTP",
        helo=helo,
        peer=peer,
        recipient=rcpts[0] if len(rcpts) == 1 else None,
    )
    stamped = message.prepend(
        message.remove_fields(data, {"return-path"}), f"Return-Path: <{sender}>", trace
    )
    resolutions = [local.resolve(r) for r in rcpts]
    with transaction.atomic():
        accounts = {a.pk: a for res in resolutions for a in res.accounts}
        for pk in sorted(accounts):
            state.lock(accounts[pk])
        outcomes: list[Outcome] = []
        done: set[int] = set()  # user+a@ and user+b@ in one message: one copy
        for rcpt, resolution in zip(rcpts, resolutions, strict=True):
            refused = local.refusal(resolution)
            todo = [a for a in resolution.accounts if a.pk not in done]
            outcome = refused or (
                local.deliver(stamped, todo, mail_from=sender, recipient=rcpt)
                if todo
                else Outcome(250, "2.1.5 Delivered")
            )
            if outcome.ok:
                done |= {a.pk for a in resolution.accounts}
            outcomes.append(outcome)
        if not lmtp and not all(o.ok for o in outcomes):
            transaction.set_rollback(True)
    return outcomes


class _LMTPController(Controller):
    def factory(self) -> SMTP:
        return LMTP(self.handler, **self.SMTP_kwargs)


class _LMTPSocketController(UnixSocketController):
    def factory(self) -> SMTP:
        return LMTP(self.handler, **self.SMTP_kwargs)


def _server_options(*, lmtp: bool) -> dict[str, Any]:
    limit = settings.MAILYARD_MAX_MESSAGE_SIZE
    return {
        "server_hostname": message.hostname(),
        # LMTP: room above the limit, so an over-size message still gets per-recipient answers.
        "data_size_limit": limit * 2 if lmtp else limit,
        "enable_SMTPUTF8": True,
        "decode_data": False,
        "ident": "Mailyard",
    }


def lmtp_controller(host: str = "127.0.0.1", port: int = 24, socket: str = "") -> Controller:
    """A started-on-demand (``.start()``) LMTP server in its own thread."""
    handler = InboundHandler(lmtp=True)
    if socket:
        return _LMTPSocketController(handler, unix_socket=socket, **_server_options(lmtp=True))  # type: ignore[return-value]
    return _LMTPController(handler, hostname=host, port=port, **_server_options(lmtp=True))


def smtp_controller(host: str = "127.0.0.1", port: int = 25) -> Controller:
    """A started-on-demand inbound SMTP server (no AUTH, no relaying) in its own thread."""
    handler = InboundHandler(lmtp=False)
    return Controller(handler, hostname=host, port=port, **_server_options(lmtp=False))


def stop(controller: Controller) -> None:
    controller.stop()
    handler = controller.handler
    if isinstance(handler, InboundHandler):
        handler.close()


__all__ = ["InboundHandler", "lmtp_controller", "smtp_controller", "stop"]
