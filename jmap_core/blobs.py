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
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Protocol

import lz4.frame
from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.db.models.deletion import ProtectedError
from django.dispatch import Signal
from django.utils import timezone

from accounts.models import Account
from jmap_core import bulk
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


class CompressedPostgresStore(PostgresStore):
    """Bytes in the BlobContent row as an LZ4 frame, compressed by the server process.

    PostgreSQL would otherwise compress them itself with pglz (the embedded server has no lz4):
    on import that was the database's single largest cost, several times LZ4's, and paid
    while the account's other writers wait. The column is stored without PostgreSQL's
    compression (migration 0004), so it does not try again; rows of the plain "postgres"
    store, written before, are read as they are.
    """

    name = "postgres-lz4"

    def put(self, content: BlobContent, data: bytes) -> None:
        content.data = lz4.frame.compress(data)

    def read(self, content: BlobContent) -> bytes:
        return bytes(lz4.frame.decompress(super().read(content)))


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
        elif name == "postgres-lz4":
            _STORES[name] = CompressedPostgresStore()
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


def blob_id_of(data: bytes) -> str:
    """The blobId that ``data`` has once stored (blobs are addressed by their SHA-256)."""
    return BLOB_PREFIX + hashlib.sha256(data).hexdigest()


def save_bytes(data: bytes) -> BlobContent:
    """Store ``data`` once; the same bytes always give the same BlobContent."""
    return save_many([data])[0]


def save_many(datas: list[bytes]) -> list[BlobContent]:
    """Store each of ``datas`` once, in a few statements whatever their number; the result is
    in the same order, and equal bytes give the same BlobContent."""
    digests = [hashlib.sha256(data).hexdigest() for data in datas]
    found = {c.sha256: c for c in BlobContent.objects.filter(sha256__in=set(digests)).defer("data")}
    missing: dict[str, BlobContent] = {}
    backend = store()
    for digest, data in zip(digests, datas, strict=True):
        if digest not in found and digest not in missing:
            content = BlobContent(sha256=digest, size=len(data), store=backend.name)
            backend.put(content, data)
            missing[digest] = content
    if missing:
        # A concurrent writer may store the same bytes first: the conflict clause then leaves
        # its row, and every content still comes back with its primary key.
        bulk.insert(
            list(missing.values()),
            on_conflict="ON CONFLICT (sha256) DO UPDATE SET size = EXCLUDED.size",
        )
        found.update(missing)
    return [found[digest] for digest in digests]


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


def referenced(account: Account, contents: list[BlobContent]) -> set[int]:
    """The primary keys of those ``contents`` that ``account`` already holds a reference to."""
    return set(
        BlobRef.objects.filter(account=account, content__in=[c.pk for c in contents]).values_list(
            "content_id", flat=True
        )
    )


def keep_many(account: Account, contents: list[BlobContent], type: str) -> None:
    """Give ``account`` lasting references to ``contents`` (objects now use them), in a few
    statements: new references count against the quota, expiring ones stop expiring."""
    unique = list({c.pk: c for c in contents}.values())
    held = dict(
        BlobRef.objects.filter(account=account, content__in=[c.pk for c in unique]).values_list(
            "content_id", "expires_at"
        )
    )
    new = [c for c in unique if c.pk not in held]
    expiring = [pk for pk, expires_at in held.items() if expires_at is not None]
    if expiring:
        BlobRef.objects.filter(account=account, content__in=expiring).update(expires_at=None)
    if new:
        BlobRef.objects.bulk_create(
            [BlobRef(account=account, content=c, type=type[:255]) for c in new]
        )
        added = sum(c.size for c in new)
        Account.objects.filter(pk=account.pk).update(storage_used=F("storage_used") + added)
        usage_changed.send(sender=Account, account=account)


def release(account: Account, content: BlobContent) -> None:
    """Nothing in ``account`` uses ``content`` any more: let its reference expire."""
    BlobRef.objects.filter(account=account, content=content).update(expires_at=_upload_expiry())


def _upload_expiry() -> datetime.datetime:
    return timezone.now() + datetime.timedelta(hours=settings.MAILYARD_UPLOAD_TTL_HOURS)


def quota_left(account: Account) -> int | None:
    """Octets ``account`` may still store (None: no limit), read fresh from the database."""
    account.refresh_from_db(fields=["storage_used", "storage_quota"])
    return account.quota_left()


def check_quota(account: Account, size: int) -> None:
    left = quota_left(account)
    if left is not None and size > left:
        raise SetError("overQuota", f"{size} octets do not fit in the {left} left in the quota")


_HOLD_SQL = """
INSERT INTO jmap_core_blobref AS r (account_id, content_id, type, created_at, expires_at)
VALUES (%s, %s, %s, %s, %s)
ON CONFLICT (account_id, content_id) DO UPDATE
   SET expires_at = CASE WHEN r.expires_at IS NULL THEN NULL ELSE EXCLUDED.expires_at END
RETURNING xmax = 0
"""


def upload(account: Account, data: bytes, type: str) -> dict[str, object]:
    """Store an upload (RFC 8620 §6.1); raises SetError("overQuota").

    A handful of statements: the bytes (unless already stored), the account's expiring
    reference, and, for a new reference, its size added to the account's use and checked
    against the quota (over quota, the transaction rolls back). The Quota objects' ``used``
    (RFC 9425) catches up at the account's next change or Quota read, so an upload does not
    queue behind the account's writers.
    """
    with transaction.atomic():
        content = save_many([data])[0]
        with connection.cursor() as cursor:
            cursor.execute(
                _HOLD_SQL, [account.pk, content.pk, type[:255], timezone.now(), _upload_expiry()]
            )
            (new,) = cursor.fetchone()
        if new:
            _charge(account, content.size)
    return {
        "accountId": account.jmap_id,
        "blobId": blob_id_for(content),
        "type": type,
        "size": content.size,
    }


_HOLD_MANY_SQL = """
INSERT INTO jmap_core_blobref AS r (account_id, content_id, type, created_at, expires_at)
SELECT %s, c, t, %s, %s FROM unnest(%s::bigint[], %s::varchar[]) AS v(c, t)
ON CONFLICT (account_id, content_id) DO UPDATE
   SET expires_at = CASE WHEN r.expires_at IS NULL THEN NULL ELSE EXCLUDED.expires_at END
RETURNING content_id, xmax = 0
"""


def upload_many(account: Account, items: list[tuple[bytes, str]]) -> list[dict[str, object]]:
    """``upload`` for many blobs in four statements; raises SetError("overQuota") when they do
    not all fit (the caller's transaction then undoes them all)."""
    contents = save_many([data for data, _ in items])
    first_type: dict[int, str] = {}
    for content, (_, type_) in zip(contents, items, strict=True):
        first_type.setdefault(content.pk, type_[:255])
    with connection.cursor() as cursor:
        cursor.execute(
            _HOLD_MANY_SQL,
            [
                account.pk,
                timezone.now(),
                _upload_expiry(),
                list(first_type),
                list(first_type.values()),
            ],
        )
        new = {pk for pk, inserted in cursor.fetchall() if inserted}
    sizes = {c.pk: c.size for c in contents}
    if new:
        _charge(account, sum(sizes[pk] for pk in new))
    return [
        {"accountId": account.jmap_id, "blobId": blob_id_for(c), "type": t, "size": c.size}
        for c, (_, t) in zip(contents, items, strict=True)
    ]


def _charge(account: Account, size: int) -> None:
    """Add ``size`` to the account's use; raises SetError("overQuota") when that exceeds the
    account's or its tenant's quota (the caller's transaction then undoes it)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE accounts_account a SET storage_used = a.storage_used + %s"
            "  FROM accounts_tenant t WHERE a.id = %s AND t.id = a.tenant_id"
            " RETURNING a.storage_used, a.storage_quota, t.storage_quota",
            [size, account.pk],
        )
        used, quota, tenant_quota = cursor.fetchone()
    account.storage_used = used
    over = quota is not None and used > quota
    if not over and tenant_quota is not None:
        over = account.tenant.storage_used() > tenant_quota
    if over:
        raise SetError("overQuota", f"{size} octets do not fit in what is left in the quota")


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


def find_contents(
    account: Account, blob_ids: list[str], *, in_hand: Collection[str] = ()
) -> dict[str, BlobContent]:
    """``find_content`` for many plain blobIds in one query, the bytes of PostgreSQL-held ones
    loaded with them unless the caller has every one ``in_hand`` already; blobIds ``account``
    may not read are left out."""
    digests = {b[1:] for b in blob_ids if _BLOB_ID.fullmatch(b)}
    if not digests:
        return {}
    now = timezone.now()
    refs = BlobRef.objects.select_related("content").filter(
        account=account, content__sha256__in=digests
    )
    if all(BLOB_PREFIX + digest in in_hand for digest in digests):
        refs = refs.defer("content__data")
    return {
        blob_id_for(ref.content): ref.content
        for ref in refs
        if ref.expires_at is None or ref.expires_at > now
    }


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


def is_blob_id(blob_id: str) -> bool:
    """Whether ``blob_id`` has the shape of a blobId this server hands out (RFC 9404 §4.3)."""
    return bool(_BLOB_ID.fullmatch(blob_id)) or blob_id[:1] in _RESOLVERS
