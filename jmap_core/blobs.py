"""Blob storage, upload, download and Blob/copy (RFC 8620 §6).

Bytes are content-addressed by SHA-256 and stored once (``BlobContent``); an account reaches a
blob only through a ``BlobRef`` (it uploaded it, or one of its objects uses it), so a blobId from
another account is simply not found. In PostgreSQL by default, so a blob commits in the same
transaction as the object that refers to it. Other data types expose derived blobs (the parts of
a message) by registering a resolver for their blobId prefix.
"""

from __future__ import annotations

import datetime
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.db.models.deletion import ProtectedError
from django.dispatch import Signal
from django.utils import timezone

from accounts.models import Account
from jmap_core.errors import SetError
from jmap_core.models import BlobContent, BlobRef

BLOB_PREFIX = "b"
# Sent (inside the transaction) when an account's storage use changed; quota tracking listens.
usage_changed = Signal()
_BLOB_ID = re.compile(r"b[0-9a-f]{64}")


@dataclass(frozen=True, slots=True)
class Blob:
    blob_id: str
    data: bytes
    type: str


# A resolver turns a derived blobId (such as a message part) into bytes, or None.
Resolver = Callable[[Account, str], Blob | None]
_RESOLVERS: dict[str, Resolver] = {}


def register_resolver(prefix: str, resolver: Resolver) -> None:
    if prefix == BLOB_PREFIX or prefix in _RESOLVERS:
        raise RuntimeError(f"blob prefix {prefix!r} already taken")
    _RESOLVERS[prefix] = resolver


class BlobStore(Protocol):
    """Where blob bytes live; PostgreSQL by default, an S3-compatible store for large sites."""

    name: str

    def put(self, content: BlobContent, data: bytes) -> None: ...

    def read(self, content: BlobContent) -> bytes: ...

    def delete(self, content: BlobContent) -> None: ...


class PostgresStore:
    """Bytes in the BlobContent row: they commit in the same transaction as what uses them."""

    name = "postgres"

    def put(self, content: BlobContent, data: bytes) -> None:
        content.data = data

    def read(self, content: BlobContent) -> bytes:
        data = content.data
        if data is None:
            data = BlobContent.objects.values_list("data", flat=True).get(pk=content.pk)
        return bytes(data or b"")

    def delete(self, content: BlobContent) -> None:
        """The row goes with the bytes."""


class S3Store:
    """Bytes in an S3-compatible bucket (MAILYARD_S3_BUCKET at MAILYARD_S3_ENDPOINT), keyed by
    their SHA-256, for deployments whose mail outgrows the database.

    An object is written before the transaction that refers to it commits; when that
    transaction rolls back, the object stays unreferenced and identical content reuses it.
    Credentials come from the usual AWS variables or instance role (boto3).
    """

    name = "s3"

    def __init__(self) -> None:
        import boto3

        self.bucket = settings.MAILYARD_S3_BUCKET
        self.client = boto3.client("s3", endpoint_url=settings.MAILYARD_S3_ENDPOINT or None)

    @staticmethod
    def key(content: BlobContent) -> str:
        return f"blobs/{content.sha256[:2]}/{content.sha256}"

    def put(self, content: BlobContent, data: bytes) -> None:
        self.client.put_object(Bucket=self.bucket, Key=self.key(content), Body=data)
        content.data = None

    def read(self, content: BlobContent) -> bytes:
        body = self.client.get_object(Bucket=self.bucket, Key=self.key(content))["Body"]
        return bytes(body.read())

    def delete(self, content: BlobContent) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self.key(content))


_STORES: dict[str, BlobStore] = {}


def _backend(name: str) -> BlobStore:
    if name not in _STORES:
        if name == "postgres":
            _STORES[name] = PostgresStore()
        elif name == "s3":
            _STORES[name] = S3Store()
        else:
            raise RuntimeError(f"unknown blob store {name!r}")
    return _STORES[name]


def store() -> BlobStore:
    """The store new blobs go to (MAILYARD_BLOB_STORE)."""
    return _backend(settings.MAILYARD_BLOB_STORE)


def read_content(content: BlobContent) -> bytes:
    """The bytes of ``content``, from whichever store holds them."""
    return _backend(content.store).read(content)


def blob_id_for(content: BlobContent) -> str:
    return BLOB_PREFIX + content.sha256


def save_bytes(data: bytes) -> BlobContent:
    """Store ``data`` once; the same bytes always give the same BlobContent."""
    digest = hashlib.sha256(data).hexdigest()
    existing = BlobContent.objects.filter(sha256=digest).defer("data").first()
    if existing is not None:
        return existing
    backend = store()
    content = BlobContent(sha256=digest, size=len(data), store=backend.name)
    backend.put(content, data)
    try:
        with transaction.atomic():
            content.save()
    except IntegrityError:  # stored concurrently by someone else
        return BlobContent.objects.defer("data").get(sha256=digest)
    return content


def grant(
    account: Account, content: BlobContent, type: str, *, expires: bool
) -> tuple[BlobRef, bool]:
    """Give ``account`` a reference to ``content``; a new reference counts against its quota.

    ``expires`` marks an upload nothing refers to yet; a reference without expiry is never
    downgraded to an expiring one.
    """
    expires_at = _upload_expiry() if expires else None
    ref, created = BlobRef.objects.get_or_create(
        account=account,
        content=content,
        defaults={"type": type[:255], "expires_at": expires_at},
    )
    if created:
        Account.objects.filter(pk=account.pk).update(storage_used=F("storage_used") + content.size)
        usage_changed.send(sender=Account, account=account)
    elif ref.expires_at is not None:
        ref.expires_at = expires_at if expires else None
        ref.save(update_fields=["expires_at"])
    return ref, created


def release(account: Account, content: BlobContent) -> None:
    """Nothing in ``account`` uses ``content`` any more: let its reference expire."""
    BlobRef.objects.filter(account=account, content=content).update(expires_at=_upload_expiry())


def _upload_expiry() -> datetime.datetime:
    return timezone.now() + datetime.timedelta(hours=settings.MAILYARD_UPLOAD_TTL_HOURS)


def check_quota(account: Account, size: int) -> None:
    account.refresh_from_db(fields=["storage_used", "storage_quota"])
    left = account.quota_left()
    if left is not None and size > left:
        raise SetError("overQuota", f"{size} octets do not fit in the {left} left in the quota")


def upload(account: Account, data: bytes, type: str) -> dict[str, object]:
    """Store an upload (RFC 8620 §6.1); raises SetError("overQuota")."""
    with transaction.atomic():
        content = save_bytes(data)
        if not BlobRef.objects.filter(account=account, content=content).exists():
            check_quota(account, content.size)
        grant(account, content, type, expires=True)
    return {
        "accountId": account.jmap_id,
        "blobId": blob_id_for(content),
        "type": type,
        "size": content.size,
    }


def find_content(account: Account, blob_id: str) -> BlobContent | None:
    """The stored blob ``blob_id`` if ``account`` may read it (plain blobs only)."""
    if not _BLOB_ID.fullmatch(blob_id):
        return None
    ref = (
        BlobRef.objects.select_related("content")
        .defer("content__data")
        .filter(account=account, content__sha256=blob_id[1:])
        .first()
    )
    if ref is None or (ref.expires_at is not None and ref.expires_at <= timezone.now()):
        return None
    return ref.content


def read(account: Account, blob_id: str) -> Blob | None:
    """The bytes of any blob ``account`` may read: uploads, messages, and derived blobs."""
    if blob_id[:1] in _RESOLVERS:
        return _RESOLVERS[blob_id[:1]](account, blob_id)
    content = find_content(account, blob_id)
    if content is None:
        return None
    ref_type = (
        BlobRef.objects.filter(account=account, content=content)
        .values_list("type", flat=True)
        .get()
    )
    return Blob(blob_id, read_content(content), ref_type)


def copy(from_account: Account, to_account: Account, blob_id: str) -> str:
    """Blob/copy one blob (RFC 8620 §6.3); raises SetError."""
    blob = read(from_account, blob_id)
    if blob is None:
        raise SetError("notFound", f"no blob {blob_id}")
    content = save_bytes(blob.data)
    if not BlobRef.objects.filter(account=to_account, content=content).exists():
        check_quota(to_account, content.size)
    grant(to_account, content, blob.type, expires=True)
    return blob_id_for(content)


def purge_expired(now: datetime.datetime | None = None) -> int:
    """Drop expired references, give their bytes back to the quota, delete unused content."""
    now = now or timezone.now()
    removed = 0
    for ref in (
        BlobRef.objects.filter(expires_at__lte=now).select_related("content").defer("content__data")
    ):
        with transaction.atomic():
            deleted, _ = BlobRef.objects.filter(pk=ref.pk, expires_at__lte=now).delete()
            if deleted:
                Account.objects.filter(pk=ref.account_id).update(
                    storage_used=F("storage_used") - ref.content.size
                )
                usage_changed.send(sender=Account, account=ref.account)
                removed += 1
    for content in BlobContent.objects.filter(refs__isnull=True, created_at__lte=now).defer("data"):
        with transaction.atomic():
            try:
                content.delete()
            except ProtectedError:  # an email still uses it
                continue
        _backend(content.store).delete(content)
    return removed
