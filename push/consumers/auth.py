"""Authentication of EventSource and WebSocket connections from the ASGI scope.

The same credentials as the API (RFC 8620 §8.2, RFC 8887 §4.1), checked by
``accounts.auth.authenticate``: HTTP Basic or Bearer in ``Authorization``. Browsers cannot set
that header on ``EventSource`` or ``WebSocket``, so two more ways exist:

- the platform's session cookie, for same-origin web clients: a Django session whose
  ``SESSION_ACCOUNT_KEY`` holds the account's primary key (the web login sets it). It is taken
  only when the request's ``Origin`` is absent or the server's own, so another site cannot ride
  on it (WebSocket has no CORS);
- on the EventSource only, ``access_token=`` in the query string: a short-lived read-only token
  from ``EventSourceToken/issue`` (``push.tokens``).
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Iterable
from importlib import import_module
from typing import Any, TypeVar
from urllib.parse import parse_qs, urlsplit

from channels.db import database_sync_to_async
from django.conf import settings

from accounts import throttle
from accounts.auth import AuthenticationFailed, Principal, authenticate
from accounts.models import Account
from push import tokens

SESSION_ACCOUNT_KEY = "mailyard_account_id"
T = TypeVar("T")
Scope = dict[str, Any]


def header(scope: Scope, name: str) -> str | None:
    wanted = name.lower().encode()
    for key, value in scope.get("headers", ()):
        if key.lower() == wanted:
            return bytes(value).decode("latin-1")
    return None


def query(scope: Scope) -> dict[str, list[str]]:
    return parse_qs(bytes(scope.get("query_string", b"")).decode("latin-1"), keep_blank_values=True)


def client_ip(scope: Scope) -> str:
    if settings.MAILYARD_TRUST_PROXY:
        forwarded = header(scope, "X-Forwarded-For")
        if forwarded:
            return forwarded.split(",")[0].strip()
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


def isolated(fn: Callable[..., T], *args: Any) -> T:
    """Run sync ``fn`` in a fresh context (call it through ``database_sync_to_async``).

    Django's cache connections are per context, and asgiref copies a sync call's context changes
    back into the calling task, which lives as long as the push connection: without this, every
    idle connection would keep its own Redis connection open. (Database connections are per
    thread and unaffected.)
    """
    return contextvars.Context().run(fn, *args)


async def authenticate_scope(scope: Scope, *, query_token: bool) -> Principal:
    """The principal of a connection, or raise AuthenticationFailed or throttle.Throttled."""
    authorization = header(scope, "Authorization")
    if authorization:
        principal: Principal = await database_sync_to_async(isolated)(
            authenticate, authorization, client_ip(scope)
        )
        return principal
    if query_token:
        values = query(scope).get(tokens.PARAMETER)
        if values:
            checked: Principal = await database_sync_to_async(isolated)(
                _from_query_token, values[0], client_ip(scope)
            )
            return checked
    cookie = _session_key(scope)
    if cookie and same_origin(scope):
        found: Principal | None = await database_sync_to_async(isolated)(_from_session, cookie)
        if found is not None:
            return found
    raise AuthenticationFailed("authentication required")


def _from_query_token(text: str, ip: str) -> Principal:
    throttle.check(ip, None)
    principal = tokens.verify(text)
    if principal is None:
        throttle.record_failure(ip, None)
        raise AuthenticationFailed("invalid or expired access token")
    return principal


def _session_key(scope: Scope) -> str | None:
    cookies = header(scope, "Cookie")
    if not cookies:
        return None
    for part in cookies.split(";"):
        name, sep, value = part.strip().partition("=")
        if sep and name == settings.SESSION_COOKIE_NAME:
            return value.strip('"')
    return None


def _from_session(session_key: str) -> Principal | None:
    store = import_module(settings.SESSION_ENGINE).SessionStore(session_key)
    account_pk = store.get(SESSION_ACCOUNT_KEY)
    if not isinstance(account_pk, int):
        return None
    account = (
        Account.objects.select_related("tenant")
        .filter(pk=account_pk, is_active=True, tenant__is_active=True)
        .first()
    )
    return Principal(account) if account is not None else None


def same_origin(scope: Scope) -> bool:
    """True when the request has no Origin or comes from this server's own origin."""
    origin = header(scope, "Origin")
    if not origin:
        return True
    netloc = urlsplit(origin).netloc.lower()
    return netloc in _own_hosts(scope)


def _own_hosts(scope: Scope) -> Iterable[str]:
    hosts = set()
    host = header(scope, "Host")
    if host:
        hosts.add(host.lower())
    if settings.MAILYARD_TRUST_PROXY:
        forwarded = header(scope, "X-Forwarded-Host")
        if forwarded:
            hosts.add(forwarded.split(",")[0].strip().lower())
    if settings.MAILYARD_PUBLIC_URL:
        hosts.add(urlsplit(settings.MAILYARD_PUBLIC_URL).netloc.lower())
    return hosts
