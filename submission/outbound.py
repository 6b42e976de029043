"""Delivering one queued message: what the ``deliver_message`` task does.

Recipients on hosted domains are stored straight into their mailboxes (no SMTP round trip), each
in one transaction together with its state change, so exactly once. The others go through the
configured transport, DKIM-signed (RFC 6376). Afterwards ``status.settle`` reports the outcome.
"""

from __future__ import annotations

import logging

from django.db import transaction

from jmap_core import state
from submission import dkim, local, message, queue, status
from submission.queue import Attempt, Claim
from submission.transport import Rcpt, Reply, get_transport

logger = logging.getLogger(__name__)


def deliver(message_pk: int) -> None:
    """Attempt every due recipient of the message; safe to run twice or concurrently."""
    claim = queue.claim(message_pk)
    if claim is None:
        return
    try:
        remote: list[Rcpt] = []
        for row in claim.recipients:
            resolution = local.resolve(row.address)
            if resolution.status == local.REMOTE:
                remote.append(Rcpt(row.pk, row.address, dict(row.params)))
            else:
                _deliver_locally(claim, row.pk, resolution)
        if remote:
            _deliver_remotely(claim, remote)
    finally:
        status.settle(message_pk)


def _deliver_locally(claim: Claim, row_pk: int, resolution: local.Resolution) -> None:
    """Store and record in one transaction; accounts are locked before the row (lock order)."""
    queued = claim.message
    with transaction.atomic():
        for account in sorted(resolution.accounts, key=lambda a: a.pk):
            state.lock(account)
        outcome = local.refusal(resolution)
        row = queue.locked_row(claim, row_pk)
        if row is None:  # the lease lapsed and another worker took over
            return
        if outcome is None:
            outcome = local.deliver(
                _traced(bytes(queued.raw), queued.mail_from, row.address),
                resolution.accounts,
                mail_from=queued.mail_from,
                recipient=row.address,
            )
        queue.apply(row, queued, Attempt(outcome.code, outcome.reply, local=True))


def _traced(raw: bytes, mail_from: str, recipient: str) -> bytes:
    """The trace fields final delivery adds (RFC 5321 §4.4): Return-Path, then Received."""
    received = message.received_field(protocol="ESMTPA", recipient=recipient)
    return message.prepend(
        message.remove_fields(raw, {"return-path"}), f"Return-Path: <{mail_from}>", received
    )


def _deliver_remotely(claim: Claim, rcpts: list[Rcpt]) -> None:
    queued = claim.message
    data = dkim.sign(bytes(queued.raw))
    transport = get_transport()
    for batch in transport.batches(rcpts):
        queue.renew(claim)
        try:
            replies = transport.send(queued.mail_from, dict(queued.mail_params), batch, data)
        except Exception:  # a bug must not strand the batch until its lease lapses
            logger.exception("outbound transport failed for message %s", queued.pk)
            replies = dict.fromkeys((r.pk for r in batch), Reply(451, "451 4.3.0 Internal error"))
        queue.record(
            claim,
            {pk: Attempt(reply.code, reply.text, host=reply.host) for pk, reply in replies.items()},
        )
