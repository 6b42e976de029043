"""Web Push delivery for PushSubscriptions (RFC 8620 §7.2, RFC 8030).

- ``note_change`` runs after commit (from ``push.fanout``): it adds the changed types a verified
  subscription wants to the row's ``pending_types`` and queues one delivery task, unless one is
  already queued: bursts of changes become one StateChange.
- ``deliver`` (a Celery task) sends one StateChange with the *current* state of every pending type
  (RFC 8620 §7.1: the value ``Foo/get`` would return now), at most once per coalescing interval.
  429 and 5xx answers put the types back and retry with exponential back-off, honouring
  ``Retry-After`` (§7.2: a 429 MUST reduce the frequency of pushes); 404 and 410 remove the
  subscription (RFC 8030 §7.3); other failures drop the message and are recorded for operators.
- ``send_verification`` POSTs the PushVerification object right after creation (§7.2.2); nothing
  else is sent until the client has set the code.
- ``purge`` removes expired subscriptions and those whose credentials were revoked (§7.2).

The HTTP request never runs inside a transaction or under the row lock.
"""

from __future__ import annotations

import datetime
import logging
import random
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.auth import Principal
from jmap_core import state
from jmap_core.types import JSONObject
from push import events, webpush
from push.models import PushSubscription, password_fingerprint
from push.webpush import Outcome, Result

logger = logging.getLogger(__name__)

MAX_RETRIES = 8  # consecutive failed attempts before one message is dropped
MAX_BACKOFF = datetime.timedelta(hours=1)
# A queued delivery that has not run this long after it was due was lost (worker restart).
STALE_QUEUE = datetime.timedelta(minutes=10)
VERIFICATION_ATTEMPTS = 3
UNVERIFIED_LIFETIME = datetime.timedelta(days=1)
EARLY_SLACK = datetime.timedelta(milliseconds=50)


def note_change(account_pk: int, changed: Iterable[str]) -> None:
    """Queue deliveries of ``changed`` types to the account's verified subscriptions."""
    names = set(changed)
    subscriptions = PushSubscription.objects.filter(account_id=account_pk, verified=True).only(
        "pk", "types"
    )
    for subscription in subscriptions:
        wanted = subscription.wanted(names)
        if wanted:
            countdown = _add_pending(subscription.pk, wanted)
            if countdown is not None:
                _enqueue_delivery(subscription.pk, countdown)


def _add_pending(pk: int, types: list[str]) -> float | None:
    """Merge ``types`` into the row; returns the countdown of a delivery to queue, if needed."""
    now = timezone.now()
    with transaction.atomic():
        row = PushSubscription.objects.select_for_update().filter(pk=pk).first()
        if row is None:
            return None
        row.pending_types = sorted(set(row.pending_types) | set(types))
        due = row.next_attempt_at or now
        lost = row.delivery_queued and due < now - STALE_QUEUE
        queue = not row.delivery_queued or lost
        row.delivery_queued = True
        row.save(update_fields=["pending_types", "delivery_queued"])
    return max(0.0, (due - now).total_seconds()) if queue else None


def deliver(pk: int) -> None:
    """Send the pending StateChange of one subscription, if it is due."""
    now = timezone.now()
    with transaction.atomic():
        row = (
            PushSubscription.objects.select_for_update(of=("self",))
            .select_related("account__tenant", "token")
            .filter(pk=pk)
            .first()
        )
        if row is None:
            return
        if _is_dead(row):
            row.delete()
            return
        if not row.pending_types or not row.verified:
            row.delivery_queued = False
            row.save(update_fields=["delivery_queued"])
            return
        if row.next_attempt_at is not None and row.next_attempt_at > now + EARLY_SLACK:
            # Early: a duplicate task, or one queued while another was backing off.
            wait = (row.next_attempt_at - now).total_seconds()
            transaction.on_commit(lambda: _enqueue_delivery(pk, wait))
            return
        # A token limited to some capabilities hears only of their types.
        types = sorted(
            events.visible(Principal(row.account, row.token), frozenset(row.pending_types)) or ()
        )
        row.pending_types = []
        row.delivery_queued = False
        row.next_attempt_at = now + _interval()
        row.save(update_fields=["pending_types", "delivery_queued", "next_attempt_at"])
    if not types:
        return
    payload = events.state_change({row.account.jmap_id: state.states(row.account, types)})
    result = webpush.send(row, payload)
    _record(row, result, types)


def _record(row: PushSubscription, result: Result, types: list[str]) -> None:
    now = timezone.now()
    if result.outcome is Outcome.GONE:
        PushSubscription.objects.filter(pk=row.pk).delete()
        logger.info("push subscription %s removed: %s", row.jmap_id, result.reason)
        return
    retry_in: float | None = None
    with transaction.atomic():
        current = PushSubscription.objects.select_for_update().filter(pk=row.pk).first()
        if current is None:
            return
        if result.outcome is Outcome.DELIVERED:
            current.failures = 0
            current.last_success_at = now
        else:
            current.failures += 1
            current.last_failure_at = now
            current.last_failure_reason = result.reason[:300]
            if result.outcome is Outcome.RETRY and current.failures <= MAX_RETRIES:
                delay = backoff(current.failures, result.retry_after)
                current.pending_types = sorted(set(current.pending_types) | set(types))
                current.next_attempt_at = now + delay
                current.delivery_queued = True
                retry_in = delay.total_seconds()
        current.save()
    if retry_in is not None:
        _enqueue_delivery(row.pk, retry_in)


def backoff(failures: int, retry_after: float | None = None) -> datetime.timedelta:
    """Exponential back-off with jitter, never sooner than the service's ``Retry-After``."""
    base = settings.MAILYARD_PUSH_RETRY_SECONDS * 2 ** (failures - 1)
    seconds = base * random.uniform(0.8, 1.2)  # noqa: S311 - jitter, not a secret
    if retry_after is not None:
        seconds = max(seconds, retry_after)
    return min(datetime.timedelta(seconds=seconds), MAX_BACKOFF)


def send_verification(pk: int, attempt: int = 1) -> None:
    """POST the PushVerification object (RFC 8620 §7.2.2)."""
    row = PushSubscription.objects.select_related("account").filter(pk=pk, verified=False).first()
    if row is None:
        return
    payload: JSONObject = {
        "@type": "PushVerification",
        "pushSubscriptionId": row.jmap_id,
        "verificationCode": row.verification_code,
    }
    result = webpush.send(row, payload, urgency="high")
    if result.outcome is Outcome.RETRY and attempt < VERIFICATION_ATTEMPTS:
        from push import tasks

        tasks.enqueue(tasks.verify, pk, attempt + 1, countdown=backoff(attempt).total_seconds())
    _record_verification(row, result)


def _record_verification(row: PushSubscription, result: Result) -> None:
    now = timezone.now()
    if result.outcome is Outcome.GONE:
        PushSubscription.objects.filter(pk=row.pk).delete()
    elif result.outcome is Outcome.DELIVERED:
        PushSubscription.objects.filter(pk=row.pk).update(last_success_at=now)
    else:
        PushSubscription.objects.filter(pk=row.pk).update(
            last_failure_at=now, last_failure_reason=f"verification: {result.reason}"[:300]
        )


def purge() -> int:
    """Remove expired, unverified-too-long and orphaned subscriptions; returns how many."""
    now = timezone.now()
    doomed = Q(expires_at__lte=now) | Q(verified=False, created_at__lte=now - UNVERIFIED_LIFETIME)
    doomed |= Q(token__revoked_at__isnull=False) | Q(token__expires_at__lte=now)
    doomed |= Q(account__is_active=False) | Q(account__tenant__is_active=False)
    removed, _ = PushSubscription.objects.filter(doomed).delete()
    stale = PushSubscription.objects.filter(token__isnull=True).select_related("account")
    for row in stale.iterator():
        if row.password_fingerprint != password_fingerprint(row.account):
            row.delete()
            removed += 1
    return removed


def _is_dead(row: PushSubscription) -> bool:
    """Expired, or its credentials are gone (RFC 8620 §7.2: then it MUST be destroyed)."""
    account = row.account
    if row.is_expired() or not account.is_active or not account.tenant.is_active:
        return True
    if row.token is not None:
        return not row.token.is_usable
    return row.password_fingerprint != password_fingerprint(account)


def _interval() -> datetime.timedelta:
    return datetime.timedelta(milliseconds=settings.MAILYARD_PUSH_COALESCE_MS)


def _enqueue_delivery(pk: int, countdown: float) -> None:
    from push import tasks

    tasks.enqueue(tasks.deliver, pk, countdown=countdown)
