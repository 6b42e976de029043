"""HTTP authentication for every JMAP endpoint: Basic (password or app password) and Bearer.

Transport-neutral: callers pass the Authorization header value and the client address, so the
HTTP views, the EventSource stream and the WebSocket handshake authenticate the same way.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import functools
import hashlib
import hmac
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Field
from django.utils import timezone

from accounts import throttle
from accounts.models import AccessToken, Account, Tenant

REALM = 'Basic realm="Mailyard JMAP", charset="UTF-8"'
LAST_USED_GRANULARITY = datetime.timedelta(minutes=5)


class AuthenticationFailed(Exception):
    """No or wrong credentials: HTTP 401 with WWW-Authenticate."""


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: the account and, when a token was used, the token's limits."""

    account: Account
    token: AccessToken | None = None

    @property
    def read_only(self) -> bool:
        return self.token is not None and self.token.read_only

    def allows_capability(self, capability: str) -> bool:
        if self.token is None or not self.token.capabilities:
            return True
        # The core capability is always needed to speak JMAP at all (RFC 8620 §2).
        return capability == "urn:ietf:params:jmap:core" or capability in self.token.capabilities


def authenticate(authorization: str | None, client_ip: str) -> Principal:
    """Resolve an Authorization header to a Principal or raise.

    Raises AuthenticationFailed or throttle.Throttled.
    """
    if not authorization:
        raise AuthenticationFailed("authentication required")
    scheme, _, credentials = authorization.strip().partition(" ")
    scheme = scheme.lower()
    credentials = credentials.strip()
    if scheme == "basic":
        login, password = _decode_basic(credentials)
        return _check_login(login, password, client_ip)
    if scheme == "bearer":
        throttle.check(client_ip, None)
        principal = _check_token(credentials, None)
        if principal is None:
            throttle.record_failure(client_ip, None)
            raise AuthenticationFailed("invalid token")
        return principal
    raise AuthenticationFailed("unsupported authentication scheme")


def _decode_basic(credentials: str) -> tuple[str, str]:
    try:
        decoded = base64.b64decode(credentials, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        raise AuthenticationFailed("malformed Basic credentials") from None
    login, sep, password = decoded.partition(":")
    if not sep or not login:
        raise AuthenticationFailed("malformed Basic credentials")
    return login.strip().lower(), password


def _check_login(login: str, password: str, client_ip: str) -> Principal:
    throttle.check(client_ip, login)
    principal = _check_token(password, login)
    if principal is None:
        account = _active_account(login)
        if account is not None and _password_ok(account, password):
            principal = Principal(account)
    if principal is None:
        throttle.record_failure(client_ip, login)
        raise AuthenticationFailed("invalid login or password")
    return principal


def _active_account(address: str) -> Account | None:
    """The active account of an active tenant at ``address``, its tenant loaded with it.

    Every request with a password asks this; the statement is written once here, because
    compiling the equivalent ORM query cost several times more than running it.
    """
    sql, account_fields, tenant_fields = _account_statement()
    with connection.cursor() as cursor:
        cursor.execute(sql, [address])
        row = cursor.fetchone()
    if row is None:
        return None
    db, split = connection.alias, len(account_fields)
    account = Account.from_db(
        db, [f.attname for f in account_fields], _converted(account_fields, row[:split])
    )
    tenant = Tenant.from_db(
        db, [f.attname for f in tenant_fields], _converted(tenant_fields, row[split:])
    )
    Account._meta.get_field("tenant").set_cached_value(account, tenant)
    return account


@functools.cache
def _account_statement() -> tuple[str, list[Field[Any, Any]], list[Field[Any, Any]]]:
    account_fields = list(Account._meta.concrete_fields)
    tenant_fields = list(Tenant._meta.concrete_fields)
    quote = connection.ops.quote_name
    columns = [f"a.{quote(str(f.column))}" for f in account_fields]
    columns += [f"t.{quote(str(f.column))}" for f in tenant_fields]
    sql = (
        f"SELECT {', '.join(columns)} FROM accounts_account a"  # noqa: S608 - model columns
        " JOIN accounts_tenant t ON t.id = a.tenant_id"
        " WHERE a.address = %s AND a.is_active AND t.is_active"
    )
    return sql, account_fields, tenant_fields


def _converted(fields: list[Field[Any, Any]], values: tuple[Any, ...]) -> list[Any]:
    """Database values as the ORM would hand them to the model (``from_db_value``)."""
    out = []
    for field, value in zip(fields, values, strict=True):
        convert = getattr(field, "from_db_value", None)
        out.append(convert(value, None, connection) if convert is not None else value)
    return out


def _check_token(text: str, login: str | None) -> Principal | None:
    parsed = AccessToken.parse(text)
    if parsed is None:
        return None
    key, secret = parsed
    token = (
        AccessToken.objects.select_related("account__tenant")
        .filter(key=key, account__is_active=True, account__tenant__is_active=True)
        .first()
    )
    if token is None or not token.matches(secret) or not token.is_usable:
        return None
    if login is not None and token.account.address != login:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_GRANULARITY:
        AccessToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return Principal(token.account, token)


# Verifying a password with a slow hasher costs ~100 ms of CPU; clients send Basic credentials on
# every request. A short-lived, per-process memo of successful checks, keyed by a digest of the
# login, password and stored hash, keeps that cost to once per few minutes. Changing the password
# changes the stored hash and so misses the memo.
_MEMO_TTL = 300.0
_MEMO_SIZE = 4096
_memo: OrderedDict[bytes, float] = OrderedDict()
_memo_lock = threading.Lock()
_memo_salt = hashlib.sha256(str(time.time_ns()).encode()).digest()


def _password_ok(account: Account, password: str) -> bool:
    key = hmac.new(
        _memo_salt, f"{account.pk}\0{account.password}\0{password}".encode(), "sha256"
    ).digest()
    now = time.monotonic()
    with _memo_lock:
        expiry = _memo.get(key)
        if expiry is not None and expiry > now:
            return True
    if not account.check_password(password):
        return False
    with _memo_lock:
        _memo[key] = now + _MEMO_TTL
        _memo.move_to_end(key)
        while len(_memo) > _MEMO_SIZE:
            _memo.popitem(last=False)
    return True
