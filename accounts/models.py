"""Tenants, domains, mail accounts, delegated access, aliases and credentials.

An operator hosts many tenants (organisations); each owns domains, and each mail account has a
login equal to its full address on one of those domains. An account may be shared with another
account of the same tenant (``AccountAccess``), never across tenants. Passwords go through Django's hashers;
app passwords and API tokens are random secrets shown once and kept only as a SHA-256 digest
(they carry 190 bits of entropy, so a slow hash adds nothing but latency on every request).
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import secrets
from typing import ClassVar

from django.contrib.auth.hashers import check_password, make_password
from django.core.exceptions import ValidationError
from django.db import connection, models
from django.db.models import F, Q, Sum
from django.utils import timezone

TOKEN_PREFIX = "myd"  # noqa: S105 - the token text prefix, not a secret


def new_account_id() -> str:
    """An unguessable JMAP account id (RFC 8620 §1.2: letters, digits, '-' and '_')."""
    return "a" + secrets.token_hex(12)


class Tenant(models.Model):
    name = models.CharField(max_length=100, unique=True)
    plan = models.CharField(max_length=50, default="standard")
    storage_quota = models.BigIntegerField(
        null=True, blank=True, help_text="Bytes for all accounts together; empty for no limit."
    )
    max_accounts = models.PositiveIntegerField(null=True, blank=True)
    daily_send_limit = models.PositiveIntegerField(
        null=True, blank=True, help_text="Messages per day for the whole tenant."
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar = ["name"]

    def __str__(self) -> str:
        return self.name

    def storage_used(self) -> int:
        total = self.accounts.aggregate(total=Sum("storage_used"))["total"]
        return int(total or 0)


class Domain(models.Model):
    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="domains")
    name = models.CharField(max_length=253, unique=True)
    is_verified = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: object, **kwargs: object) -> None:
        self.name = self.name.strip().lower()
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class Account(models.Model):
    jmap_id = models.CharField(max_length=32, unique=True, default=new_account_id, editable=False)
    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="accounts")
    domain = models.ForeignKey(Domain, on_delete=models.PROTECT, related_name="accounts")
    address = models.CharField(max_length=320, unique=True, help_text="Login and primary address.")
    display_name = models.CharField(max_length=200, blank=True)
    password = models.CharField(max_length=256, blank=True)
    is_active = models.BooleanField(default=True)
    storage_quota = models.BigIntegerField(
        null=True, blank=True, help_text="Bytes; empty for no per-account limit."
    )
    storage_used = models.BigIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    last_login = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering: ClassVar = ["address"]

    def __str__(self) -> str:
        return self.address

    def save(self, *args: object, **kwargs: object) -> None:
        self.address = self.address.strip().lower()
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def set_password(self, raw_password: str) -> None:
        self.password = make_password(raw_password)

    def check_password(self, raw_password: str) -> bool:
        if not self.password:
            return False
        return check_password(raw_password, self.password)

    def quota_left(self) -> int | None:
        """Bytes still free under the account and tenant limits, or None for unlimited."""
        limits: list[int] = []
        if self.storage_quota is not None:
            limits.append(self.storage_quota - self.storage_used)
        if self.tenant.storage_quota is not None:
            limits.append(self.tenant.storage_quota - self.tenant.storage_used())
        return max(0, min(limits)) if limits else None


class AccountAccess(models.Model):
    """``grantee`` may use ``owner``'s account: read-only unless ``may_write``.

    The grantee's session lists the owner's account as not personal (RFC 8620 §2 ``isPersonal``),
    read-only unless ``may_write`` (``isReadOnly``); writes to a read-only one fail with
    ``accountReadOnly`` (RFC 8620 §3.6.2). Both accounts belong to one tenant: ``save`` refuses
    anything else, and ``delegated_accounts`` also filters by tenant, so that no row written
    around ``save`` (a bulk insert, a tenant change) opens an account across tenants.
    Revoking access deletes the row.
    """

    owner = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="grants")
    grantee = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="delegations")
    may_write = models.BooleanField(
        default=False, help_text="Otherwise the grantee may only read the owner's mail."
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = "shared access"
        verbose_name_plural = "shared access"
        ordering: ClassVar = ["owner__address", "grantee__address"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["owner", "grantee"], name="account_access_unique_pair"),
            models.CheckConstraint(
                condition=~Q(owner=F("grantee")), name="account_access_not_to_self"
            ),
        ]

    def __str__(self) -> str:
        mode = "read-write" if self.may_write else "read-only"
        return f"{self.owner} → {self.grantee} ({mode})"

    def save(self, *args: object, **kwargs: object) -> None:
        self.clean()
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def clean(self) -> None:
        super().clean()
        if not (self.owner_id and self.grantee_id):
            return  # the form reports the missing field
        if self.owner_id == self.grantee_id:
            raise ValidationError("An account cannot be shared with itself.", code="self")
        tenants = set(
            Account.objects.filter(pk__in=[self.owner_id, self.grantee_id]).values_list(
                "tenant_id", flat=True
            )
        )
        if len(tenants) != 1:
            raise ValidationError(
                "An account can only be shared within its tenant.", code="cross_tenant"
            )


_DELEGATED_SQL = """
SELECT a.owner_id, a.may_write
  FROM accounts_accountaccess a JOIN accounts_account o ON o.id = a.owner_id
 WHERE a.grantee_id = %s AND o.tenant_id = %s AND o.is_active
"""


def delegated_accounts(grantee: Account) -> list[tuple[Account, bool]]:
    """The active accounts shared with ``grantee`` in its own tenant, with ``may_write``.

    Every API request asks, and most accounts have no shares: one small statement answers
    that, and only found shares load their accounts. The caller checked that ``grantee`` and
    its tenant are active (authentication).
    """
    with connection.cursor() as cursor:
        cursor.execute(_DELEGATED_SQL, [grantee.pk, grantee.tenant_id])
        rows = cursor.fetchall()
    if not rows:
        return []
    owners = Account.objects.select_related("tenant").in_bulk([pk for pk, _ in rows])
    shared = [(owners[pk], bool(may_write)) for pk, may_write in rows if pk in owners]
    return sorted(shared, key=lambda entry: entry[0].address)


class Alias(models.Model):
    """An address delivered to one or more accounts; an empty local part is the domain catch-all."""

    domain = models.ForeignKey(Domain, on_delete=models.CASCADE, related_name="aliases")
    local_part = models.CharField(max_length=64, blank=True)
    accounts = models.ManyToManyField(Account, related_name="aliases")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "aliases"
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["domain", "local_part"], name="alias_unique_address")
        ]

    def __str__(self) -> str:
        return self.address

    @property
    def address(self) -> str:
        return (
            f"{self.local_part}@{self.domain.name}" if self.local_part else f"@{self.domain.name}"
        )

    @property
    def is_catch_all(self) -> bool:
        return not self.local_part


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class AccessToken(models.Model):
    """An app password or API token: named, revocable, optionally expiring and limited.

    The token text is ``myd_<key>_<secret>``; ``key`` finds the row, the secret is compared by
    digest. It works as a Bearer token and as the password of HTTP Basic.
    """

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="tokens")
    name = models.CharField(max_length=100)
    key = models.CharField(max_length=16, unique=True, editable=False)
    digest = models.CharField(max_length=64, editable=False)
    read_only = models.BooleanField(default=False)
    capabilities = models.JSONField(
        default=list, blank=True, help_text="Capability URIs this token may use; empty for all."
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.account})"

    @classmethod
    def issue(
        cls,
        account: Account,
        name: str,
        *,
        read_only: bool = False,
        capabilities: list[str] | None = None,
        expires_at: datetime.datetime | None = None,
    ) -> tuple[AccessToken, str]:
        """Create a token; the returned text is the only time the secret is seen."""
        token = cls(
            account=account,
            name=name,
            read_only=read_only,
            capabilities=capabilities or [],
            expires_at=expires_at,
        )
        text = token.generate_secret()
        token.save()
        return token, text

    def generate_secret(self) -> str:
        """Give this (unsaved) token a new key and secret; returns the token text, seen only now."""
        self.key = secrets.token_hex(6)
        secret = secrets.token_urlsafe(32)
        self.digest = _digest(secret)
        return f"{TOKEN_PREFIX}_{self.key}_{secret}"

    @classmethod
    def parse(cls, text: str) -> tuple[str, str] | None:
        parts = text.split("_", 2)
        if len(parts) != 3 or parts[0] != TOKEN_PREFIX or not parts[1] or not parts[2]:
            return None
        return parts[1], parts[2]

    def matches(self, secret: str) -> bool:
        return hmac.compare_digest(self.digest, _digest(secret))

    @property
    def is_usable(self) -> bool:
        if self.revoked_at is not None:
            return False
        return self.expires_at is None or self.expires_at > timezone.now()
