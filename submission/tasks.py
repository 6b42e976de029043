"""Celery tasks of the outbound queue (STYLE §6): thin, by id, idempotent.

The database is the queue's source of truth (``submission.queue``); a task is only a nudge. A
lost task is made up by the periodic sweep, a duplicated one claims nothing, and a worker that
dies mid-delivery leaves a lease that lapses, after which the sweep hands the recipients on.
"""

from __future__ import annotations

import datetime

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from submission import outbound, queue
from submission.models import AutoReply


@shared_task(name="submission.tasks.deliver_message", ignore_result=True, acks_late=True)
def deliver_message(message_pk: int) -> None:
    """Attempt the due recipients of one queued message."""
    outbound.deliver(message_pk)


@shared_task(name="submission.tasks.sweep_outbound", ignore_result=True)
def sweep_outbound() -> int:
    """Nudge every message with recipients due now: retries, released delayed sends, and the
    recipients of crashed workers. Run by celery beat (``CELERY_BEAT_SCHEDULE``)."""
    found = queue.due_messages()
    for message_pk in found:
        queue.schedule(message_pk)
    return len(found)


@shared_task(name="submission.tasks.purge_outbound", ignore_result=True)
def purge_outbound() -> int:
    """Drop finished queue entries after the retry period (and a day), and vacation-reply
    bookkeeping older than its period (RFC 3834 §2). Run hourly by celery beat."""
    keep = datetime.timedelta(seconds=settings.MAILYARD_OUTBOUND_RETRY_PERIOD, days=1)
    removed = queue.purge_finished(keep)
    period = datetime.timedelta(days=settings.MAILYARD_SMTP_AUTOREPLY_DAYS)
    AutoReply.objects.filter(sent_at__lt=timezone.now() - period).delete()
    return removed
