"""The durable outbound queue: each recipient's delivery state machine (``submission.models``).

Delivery is idempotent because every step is a compare-and-set on the recipient rows:

1. ``claim`` takes due recipients (``queued`` and due, or ``sending`` with a lapsed lease, the
   leftovers of a crashed worker) under ``SELECT … FOR UPDATE SKIP LOCKED`` and marks them
   ``sending`` with a fresh lease token, then commits. A duplicated task finds nothing to claim.
2. The worker talks SMTP (no transaction open), or delivers locally in one transaction that
   stores the message *and* moves the recipient on, so a local delivery happens exactly once.
3. ``record`` writes each reply, but only for rows still holding the worker's token.

Temporary failures wait with exponential backoff (RFC 5321 §4.5.4.1) until the retry period
ends; then, as after a permanent failure, the recipient has ``failed`` and ``settle`` reports it.
"""

from __future__ import annotations

import datetime
import logging
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from accounts.models import Account
from submission.models import EmailSubmission, OutboundMessage, OutboundRecipient

logger = logging.getLogger(__name__)
R = OutboundRecipient


@dataclass(frozen=True, slots=True)
class Claim:
    token: str
    message: OutboundMessage
    recipients: list[OutboundRecipient]


@dataclass(frozen=True, slots=True)
class Attempt:
    """One recipient's result: an SMTP reply (RFC 5321 §4.2) from a server or from local delivery."""

    code: int
    reply: str
    host: str = ""
    local: bool = False


def enqueue(
    account: Account,
    raw: bytes,
    *,
    mail_from: str,
    recipients: Iterable[tuple[str, dict[str, str | None]]],
    kind: str = OutboundMessage.SUBMISSION,
    submission: EmailSubmission | None = None,
    mail_params: dict[str, str | None] | None = None,
    send_at: datetime.datetime | None = None,
    message_id: str = "",
) -> OutboundMessage:
    """Put a message in the queue, in the caller's transaction; delivery starts after commit."""
    now = timezone.now()
    send_at = send_at or now
    queued = OutboundMessage.objects.create(
        account=account,
        tenant_id=account.tenant_id,
        submission=submission,
        kind=kind,
        mail_from=mail_from,
        mail_params=mail_params or {},
        raw=raw,
        size=len(raw),
        message_id=message_id[:998],
        created_at=now,
        send_at=send_at,
    )
    R.objects.bulk_create(
        [
            R(message=queued, address=address, params=params, next_attempt_at=send_at)
            for address, params in recipients
        ]
    )
    if send_at <= now:
        pk = queued.pk
        transaction.on_commit(lambda: schedule(pk), robust=True)
    return queued


def schedule(message_pk: int) -> None:
    """Ask a worker to deliver (the sweep retries whatever this fails to reach)."""
    from submission.tasks import deliver_message

    deliver_message.apply_async((message_pk,), queue=settings.MAILYARD_OUTBOUND_QUEUE or None)


def lease_length() -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.MAILYARD_OUTBOUND_LEASE)


def _due(now: datetime.datetime) -> Q:
    return Q(state=R.QUEUED, next_attempt_at__lte=now) | Q(state=R.SENDING, lease_until__lte=now)


def claim(message_pk: int) -> Claim | None:
    """Take the message's due recipients for this worker (step 1 above), or None."""
    now = timezone.now()
    token = secrets.token_hex(16)
    with transaction.atomic():
        rows = list(
            R.objects.select_for_update(skip_locked=True)
            .filter(_due(now), message_id=message_pk)
            .order_by("pk")
        )
        if not rows:
            return None
        R.objects.filter(pk__in=[r.pk for r in rows]).update(
            state=R.SENDING,
            lease_token=token,
            lease_until=now + lease_length(),
            attempts=F("attempts") + 1,
            updated_at=now,
        )
    message = OutboundMessage.objects.select_related("account", "submission").get(pk=message_pk)
    fresh = list(R.objects.filter(pk__in=[r.pk for r in rows]).order_by("pk"))
    return Claim(token, message, fresh)


def renew(claim: Claim) -> None:
    """Extend the lease before a long step, so no other worker takes the recipients over."""
    R.objects.filter(message=claim.message, lease_token=claim.token, state=R.SENDING).update(
        lease_until=timezone.now() + lease_length()
    )


def locked_row(claim: Claim, pk: int) -> OutboundRecipient | None:
    """The recipient row, locked, if this worker still owns it (inside a transaction)."""
    return (
        R.objects.select_for_update()
        .filter(pk=pk, lease_token=claim.token, state=R.SENDING)
        .first()
    )


def apply(row: OutboundRecipient, message: OutboundMessage, attempt: Attempt) -> None:
    """Move one claimed recipient on after an attempt, and save it."""
    now = timezone.now()
    row.smtp_reply = attempt.reply[:2000]
    row.remote_host = attempt.host[:255]
    row.lease_token, row.lease_until, row.updated_at = "", None, now
    if 200 <= attempt.code < 300:
        row.state = R.DELIVERED if attempt.local else R.RELAYED
    elif attempt.code >= 500:
        row.state = R.FAILED
    elif now >= message.send_at + datetime.timedelta(
        seconds=settings.MAILYARD_OUTBOUND_RETRY_PERIOD
    ):
        row.state = R.FAILED
        row.smtp_reply = f"{attempt.reply[:1800]} (retried for too long; giving up)"
    else:
        row.state = R.QUEUED
        row.next_attempt_at = now + backoff(row.attempts)
    row.save()


def backoff(attempts: int) -> datetime.timedelta:
    """Wait after the ``attempts``-th failure: doubling from the first wait, capped."""
    first, longest = settings.MAILYARD_OUTBOUND_RETRY_FIRST, settings.MAILYARD_OUTBOUND_RETRY_MAX
    return datetime.timedelta(seconds=min(longest, first * 2 ** max(0, min(attempts - 1, 30))))


def record(claim: Claim, attempts: dict[int, Attempt]) -> None:
    """Store remote replies for the rows this worker still owns (step 3 above)."""
    with transaction.atomic():
        for pk, attempt in sorted(attempts.items()):
            row = locked_row(claim, pk)
            if row is not None:
                apply(row, claim.message, attempt)


def cancel(message: OutboundMessage) -> bool:
    """Stop a message that has reached no recipient (RFC 8621 §7 undoStatus ``canceled``).

    Locks the rows, so a worker's claim either came first (a recipient is ``sending``, and
    cancelling fails) or finds nothing due afterwards. Recipients that failed stay failed.
    Returns False when the message may have reached someone or nothing is left to stop.
    """
    rows = list(R.objects.select_for_update().filter(message=message))
    if any(r.state in (R.SENDING, R.RELAYED, R.DELIVERED) for r in rows):
        return False
    waiting = [r.pk for r in rows if r.state == R.QUEUED]
    if not waiting:
        return False
    R.objects.filter(pk__in=waiting).update(
        state=R.CANCELED,
        smtp_reply="550 5.0.0 Canceled by the sender before it was sent",
        updated_at=timezone.now(),
    )
    return True


def due_messages(limit: int = 1000) -> list[int]:
    """Messages with recipients waiting for an attempt now (for the periodic sweep)."""
    return list(
        R.objects.filter(_due(timezone.now()))
        .order_by("message_id")
        .values_list("message_id", flat=True)
        .distinct()[:limit]
    )


def purge_finished(older_than: datetime.timedelta) -> int:
    """Forget messages whose recipients are all done, once older than ``older_than`` (their
    bytes are the bulk of the queue). The EmailSubmission records stay (RFC 8621 §7 allows
    either)."""
    cutoff = timezone.now() - older_than
    waiting = R.objects.filter(state__in=R.WAITING).values("message_id")
    old = OutboundMessage.objects.filter(created_at__lt=cutoff).exclude(pk__in=waiting)
    deleted, _ = old.delete()
    return deleted


def rows_of(message: OutboundMessage) -> Sequence[OutboundRecipient]:
    return list(R.objects.filter(message=message).order_by("pk"))
