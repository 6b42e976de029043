"""Short-lived, read-only EventSource access tokens (RFC 8620 §7.3, §8.2).

A browser's ``EventSource`` cannot send an Authorization header, so a client first calls

    [["EventSourceToken/issue", {}, "0"]]    using [..., "https://mailyard.dev/jmap/eventsource-token"]

and gets ``{"token": "...", "expires": "<UTCDate>", "parameter": "access_token"}``; it then opens
the session's ``eventSourceUrl`` with ``&access_token=<token>`` appended. The token is a signed
value (``django.core.signing``, with its own salt) naming the account and the credential that
asked for it; it is good only for the EventSource endpoint, only until it expires, and never
for writing. It dies with that credential: a revoked token or a changed password ends it. The
server never logs it; keep reverse-proxy access logs from recording query strings.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.utils import timezone

from accounts.auth import Principal
from accounts.models import AccessToken, Account
from jmap_core.args import ArgReader
from jmap_core.context import CallContext
from jmap_core.registry import Capability, capability, method
from jmap_core.types import JSONObject
from push.models import password_fingerprint
from push.validation import format_utc_date

CAPABILITY = "https://mailyard.dev/jmap/eventsource-token"
PARAMETER = "access_token"
_SALT = "mailyard.push.eventsource-token"


@dataclass(frozen=True, slots=True)
class ReadOnlyPrincipal(Principal):
    """A principal that may read and listen but never write."""

    @property
    def read_only(self) -> bool:
        return True


def issue(principal: Principal) -> tuple[str, datetime.datetime]:
    """A token for ``principal`` and its expiry."""
    lifetime = settings.MAILYARD_PUSH_TOKEN_SECONDS
    expires = timezone.now() + datetime.timedelta(seconds=lifetime)
    claims: dict[str, object] = {"a": principal.account.pk}
    if principal.token is not None:
        claims["t"] = principal.token.pk
    else:
        claims["p"] = password_fingerprint(principal.account)
    return signing.dumps(claims, salt=_SALT, compress=False), expires


def verify(text: str) -> Principal | None:
    """The read-only principal a token stands for, or None when it is bad or expired."""
    try:
        claims = signing.loads(text, salt=_SALT, max_age=settings.MAILYARD_PUSH_TOKEN_SECONDS)
    except signing.BadSignature:
        return None
    if not isinstance(claims, dict) or not isinstance(claims.get("a"), int):
        return None
    account = (
        Account.objects.select_related("tenant")
        .filter(pk=claims["a"], is_active=True, tenant__is_active=True)
        .first()
    )
    if account is None:
        return None
    if "t" in claims:
        token = AccessToken.objects.filter(pk=claims["t"], account=account).first()
        if token is None or not token.is_usable:
            return None
        return ReadOnlyPrincipal(account, token)
    if claims.get("p") != password_fingerprint(account):
        return None
    return ReadOnlyPrincipal(account)


def _session_value() -> JSONObject:
    return {"parameter": PARAMETER, "lifetime": settings.MAILYARD_PUSH_TOKEN_SECONDS}


def register() -> None:
    capability(Capability(CAPABILITY, session_value=_session_value))


@method("EventSourceToken/issue", capability=CAPABILITY, takes_account=False)
def issue_method(ctx: CallContext, arguments: JSONObject) -> JSONObject:
    """Issue an EventSource access token for the caller's credential (see the module docstring)."""
    ArgReader(arguments, ()).done()
    token, expires = issue(ctx.principal)
    return {"token": token, "expires": format_utc_date(expires), "parameter": PARAMETER}
