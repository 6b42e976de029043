"""HTTP endpoints of the JMAP core: session, API, upload, download (RFC 8620 §2, §3, §6).

Views are thin (STYLE §1): authenticate, bound the body, parse, call one function, render.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import quote

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import close_old_connections
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from accounts.auth import REALM, AuthenticationFailed, Principal, authenticate
from accounts.throttle import Throttled
from jmap_core import blobs, dispatch, jsonio, limits
from jmap_core.context import Access, RequestContext
from jmap_core.errors import LimitExceeded, NotJSON, RequestError, SetError
from jmap_core.session import build_session
from jmap_core.types import JSONObject

logger = logging.getLogger(__name__)
View = Callable[..., HttpResponse]

CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
    "Access-Control-Allow-Headers": "Authorization, Content-Type, Accept, Last-Event-ID",
    "Access-Control-Expose-Headers": "WWW-Authenticate, Retry-After, Content-Disposition",
    "Access-Control-Max-Age": "86400",
}
_SAFE_TYPE = re.compile(r"[A-Za-z0-9!#$&^_.+-]+/[A-Za-z0-9!#$&^_.+-]+(\s*;.*)?")


def problem(status: int, type_: str, detail: str, **extra: object) -> HttpResponse:
    """An RFC 7807 problem document."""
    body = {"type": type_, "status": status, "detail": detail, **extra}
    return HttpResponse(json.dumps(body), status=status, content_type="application/problem+json")


def offloaded(view: View) -> View:
    """Run a blocking view in the worker thread pool, so that requests run in parallel.

    Django runs a plain sync view under ASGI on one shared thread, one request at a time;
    this runs each in a pool thread with its own database connection instead. Tests set
    ``MAILYARD_SERIAL_VIEWS`` so the view runs in the test's thread and sees its transaction.
    """

    def run(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        close_old_connections()
        try:
            return view(request, *args, **kwargs)
        finally:
            close_old_connections()

    @wraps(view)
    async def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if settings.MAILYARD_SERIAL_VIEWS:
            return await sync_to_async(view, thread_sensitive=True)(request, *args, **kwargs)
        return await sync_to_async(run, thread_sensitive=False)(request, *args, **kwargs)

    return csrf_exempt(wrapper)  # type: ignore[return-value]


def cors(view: View) -> View:
    """Answer preflight requests and allow other origins (browser clients, RFC 8620 §8)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = (
            HttpResponse(status=204)
            if request.method == "OPTIONS"
            else view(request, *args, **kwargs)
        )
        for name, value in CORS_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    return csrf_exempt(wrapper)


def client_ip(request: HttpRequest) -> str:
    if settings.MAILYARD_TRUST_PROXY:
        forwarded = request.headers.get("X-Forwarded-For", "")
        if forwarded:
            return forwarded.split(",")[0].strip()
    return str(request.META.get("REMOTE_ADDR") or "unknown")


def public_url(request: HttpRequest) -> str:
    """The base of every advertised URL: configured, else what the client (or proxy) used."""
    if settings.MAILYARD_PUBLIC_URL:
        return str(settings.MAILYARD_PUBLIC_URL)
    return request.build_absolute_uri("/").rstrip("/")


def authenticated(view: Callable[..., HttpResponse]) -> View:
    """Resolve the caller or answer 401 (with WWW-Authenticate) or 429 (with Retry-After)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            principal = authenticate(request.headers.get("Authorization"), client_ip(request))
        except Throttled as exc:
            response = problem(429, "about:blank", str(exc), title="Too many failed logins")
            response["Retry-After"] = str(exc.retry_after)
            return response
        except AuthenticationFailed as exc:
            response = problem(401, "about:blank", str(exc), title="Unauthorized")
            response["WWW-Authenticate"] = REALM
            return response
        return view(request, principal, *args, **kwargs)

    return wrapper


def _json(data: object, status: int = 200) -> HttpResponse:
    response = HttpResponse(jsonio.dumps(data), status=status, content_type="application/json")
    response["Cache-Control"] = "no-cache, no-store"
    return response


@offloaded
@cors
@authenticated
def session(request: HttpRequest, principal: Principal) -> HttpResponse:
    """GET the Session resource (RFC 8620 §2); /.well-known/jmap answers the same (§2.2)."""
    if request.method != "GET":
        return problem(405, "about:blank", "use GET")
    return _json(build_session(principal, public_url(request)))


@offloaded
@cors
@authenticated
def api(request: HttpRequest, principal: Principal) -> HttpResponse:
    """POST a Request object (RFC 8620 §3.3) and get the Response object (§3.4)."""
    if request.method != "POST":
        return problem(405, "about:blank", "use POST")
    try:
        with limits.concurrency_slot("api", principal.account.jmap_id, "maxConcurrentRequests"):
            response = _run_api(request, principal)
    except RequestError as error:
        return HttpResponse(
            json.dumps(error.problem()),
            status=error.status,
            content_type="application/problem+json",
        )
    return _json(response)


def _run_api(request: HttpRequest, principal: Principal) -> JSONObject:
    max_size = limits.get("maxSizeRequest")
    declared = request.headers.get("Content-Length", "")
    if (declared.isdigit() and int(declared) > max_size) or len(request.body) > max_size:
        raise LimitExceeded(f"the request is larger than {max_size} octets", limit="maxSizeRequest")
    content_type = request.headers.get("Content-Type", "application/json").split(";")[0].strip()
    if content_type not in ("application/json", ""):
        raise NotJSON(f"Content-Type must be application/json, not {content_type!r}")
    value = dispatch.parse_body(request.body)
    validated = dispatch.validate_request(value, principal)
    return dispatch.run_request(principal, validated, public_url=public_url(request))


@offloaded
@cors
@authenticated
def upload(request: HttpRequest, principal: Principal, account_id: str) -> HttpResponse:
    """POST binary data to the upload URL (RFC 8620 §6.1)."""
    if request.method != "POST":
        return problem(405, "about:blank", "use POST")
    access = _access(principal, account_id)
    if access is None:
        return _account_not_found()
    if access.is_read_only:
        # Uploading writes to the account (its quota), like a /set method (RFC 8620 §3.6.2).
        detail = "read-only credential" if principal.read_only else "account shared read-only"
        return problem(403, "urn:ietf:params:jmap:error:accountReadOnly", detail)
    account = access.account
    max_size = limits.get("maxSizeUpload")
    declared = request.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > max_size:
        return problem(
            413, "urn:ietf:params:jmap:error:limit", "upload too large", limit="maxSizeUpload"
        )
    try:
        with limits.concurrency_slot("upload", account.jmap_id, "maxConcurrentUpload"):
            data = request.body
            if len(data) > max_size:
                return problem(
                    413,
                    "urn:ietf:params:jmap:error:limit",
                    "upload too large",
                    limit="maxSizeUpload",
                )
            type_ = request.headers.get("Content-Type") or "application/octet-stream"
            if not _SAFE_TYPE.fullmatch(type_):
                type_ = "application/octet-stream"
            return _json(blobs.upload(account, data, type_), status=201)
    except LimitExceeded as error:
        return HttpResponse(
            json.dumps(error.problem()), status=429, content_type="application/problem+json"
        )
    except SetError as error:
        return problem(
            413, "urn:ietf:params:jmap:error:overQuota", error.description or "over quota"
        )


@offloaded
@cors
@authenticated
def download(
    request: HttpRequest, principal: Principal, account_id: str, blob_id: str, name: str
) -> HttpResponse:
    """GET a blob through the download URL template (RFC 8620 §6.2)."""
    if request.method != "GET":
        return problem(405, "about:blank", "use GET")
    access = _access(principal, account_id)
    if access is None:
        return _account_not_found()
    blob = blobs.read(access.account, blob_id)
    if blob is None:
        return problem(404, "about:blank", "no such blob")
    wanted = request.GET.get("type") or request.GET.get("accept") or blob.type
    response = HttpResponse(
        blob.data,
        content_type=wanted if _SAFE_TYPE.fullmatch(wanted) else "application/octet-stream",
    )
    response["Content-Disposition"] = _disposition(name)
    response["Cache-Control"] = "private, immutable, max-age=31536000"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def _disposition(name: str) -> str:
    ascii_name = name.encode("ascii", "replace").decode().replace('"', "").replace("\\", "")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"


def _access(principal: Principal, account_id: str) -> Access | None:
    """The account ``account_id`` if the principal may use it: its own or one shared with it."""
    return RequestContext(principal, frozenset()).find_access(account_id)


def _account_not_found() -> HttpResponse:
    """Another tenant's account, a revoked share and a made-up id all look the same."""
    return problem(404, "urn:ietf:params:jmap:error:accountNotFound", "no such account")
