"""Periodic clean-up of the core engine: tombstones and expired uploads (RFC 8620 §5.2, §6)."""

from __future__ import annotations

import datetime
import logging

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.db.models.deletion import ProtectedError
from django.utils import timezone

from accounts.models import Account
from jmap_core import blobs, state
from jmap_core.registry import DATA_TYPES

logger = logging.getLogger(__name__)


def purge_tombstones(now: datetime.datetime | None = None) -> int:
    """Delete tombstones older than the window and raise each type's floor past them.

    A client whose state is below the floor then gets cannotCalculateChanges and resyncs,
    as RFC 8620 §5.2 allows.
    """
    cutoff = (now or timezone.now()) - datetime.timedelta(days=settings.MAILYARD_TOMBSTONE_DAYS)
    removed = 0
    # Records referring to others (Email -> Thread) go first; a protected row waits a round.
    for dtype in sorted(DATA_TYPES.values(), key=lambda d: d.name != "Email"):
        old = dtype.model.all_objects.filter(destroyed=True, updated_at__lt=cutoff)
        floors = old.values("account_id").annotate(top=Max("modseq"))
        for row in floors:
            with transaction.atomic():
                account = Account.objects.get(pk=row["account_id"])
                try:
                    deleted, _ = old.filter(account=account, modseq__lte=row["top"]).delete()
                except ProtectedError:
                    logger.info("tombstones of %s for %s still referenced", dtype.name, account.pk)
                    continue
                state.raise_floor(account, dtype.name, row["top"])
                removed += deleted
    return removed


@shared_task(name="jmap_core.purge")
def purge() -> dict[str, int]:
    """Daily clean-up: old tombstones and unreferenced uploads."""
    return {"tombstones": purge_tombstones(), "blobs": blobs.purge_expired()}
