"""Change-tracking and blob storage tables of the core engine (STYLE §5).

``AccountState`` holds the per-account MODSEQ (RFC 7162 §3.1.1, reused as the JMAP change
counter); ``TypeState`` the last modseq at which each data type changed, and the floor below
which tombstones were purged. ``SyncedModel`` is the base of every JMAP object table: its rows
carry the modseq of their last change, and destroyed rows stay behind as tombstones.
"""

from __future__ import annotations

from typing import ClassVar, TypeVar

from django.db import models
from django.utils import timezone

from accounts.models import Account

M = TypeVar("M", bound="SyncedModel")


class AccountState(models.Model):
    account = models.OneToOneField(
        Account, on_delete=models.CASCADE, primary_key=True, related_name="jmap_state"
    )
    modseq = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.account_id}@{self.modseq}"


class TypeState(models.Model):
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="type_states")
    type_name = models.CharField(max_length=64)
    modseq = models.BigIntegerField(default=0)
    floor_modseq = models.BigIntegerField(default=0)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["account", "type_name"], name="typestate_unique")
        ]

    def __str__(self) -> str:
        return f"{self.type_name}@{self.modseq}"


class LiveManager(models.Manager[M]):
    """Hides tombstones; ``all_objects`` sees them (for /changes and the purge task)."""

    def get_queryset(self) -> models.QuerySet[M]:
        return super().get_queryset().filter(destroyed=False)


class SyncedModel(models.Model):
    # Indexed by (account, modseq) below, and the ids by a unique constraint: a plain unique
    # CharField would also get PostgreSQL's LIKE (varchar_pattern_ops) index, which no query
    # uses and every insert pays for.
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+", db_index=False)
    jmap_id = models.CharField(max_length=64)
    modseq = models.BigIntegerField(default=0)
    created_modseq = models.BigIntegerField(default=0)
    destroyed = models.BooleanField(default=False)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = LiveManager()
    all_objects = models.Manager()  # noqa: DJ012 - both are managers; "objects" is the default

    class Meta:
        abstract = True
        base_manager_name = "all_objects"
        indexes: ClassVar = [models.Index(fields=["account", "modseq"], name="%(class)s_modseq")]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["jmap_id"], name="%(class)s_unique_jmap_id")
        ]


class BlobContent(models.Model):
    """Blob bytes, content-addressed by SHA-256 and stored once (RFC 8620 §6)."""

    sha256 = models.CharField(max_length=64)
    size = models.BigIntegerField()
    data = models.BinaryField(null=True)
    store = models.CharField(max_length=16, default="postgres")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        # A constraint rather than unique=True: no LIKE index beside the unique one.
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["sha256"], name="blobcontent_unique_sha256")
        ]

    def __str__(self) -> str:
        return self.sha256


class BlobRef(models.Model):
    """An account's right to a blob: it uploaded it or one of its objects refers to it.

    ``expires_at`` is set for uploads nothing refers to yet (RFC 8620 §6.1: kept at least an hour)
    and cleared when an object starts to use the blob. Each row counts once against the quota.
    """

    # (account, content) is indexed by blobref_unique.
    account = models.ForeignKey(
        Account, on_delete=models.CASCADE, related_name="blob_refs", db_index=False
    )
    content = models.ForeignKey(BlobContent, on_delete=models.PROTECT, related_name="refs")
    type = models.CharField(max_length=255, default="application/octet-stream")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["account", "content"], name="blobref_unique")
        ]
        indexes: ClassVar = [models.Index(fields=["expires_at"], name="blobref_expiry")]

    def __str__(self) -> str:
        return f"{self.account_id}:{self.content_id}"
