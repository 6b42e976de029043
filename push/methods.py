"""PushSubscription/get and PushSubscription/set (RFC 8620 §7.2.1, §7.2.2).

Both are standard methods without ``accountId`` and without states: subscriptions belong to the
credential of the request, not to an account, so they are registered ``takes_account=False`` and
only ever see the subscriptions that credential created. There is no ``/changes`` (§7.2).
"""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Callable
from functools import partial
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from accounts.auth import Principal
from jmap_core import limits
from jmap_core.args import ArgReader, parse_set
from jmap_core.context import CallContext
from jmap_core.errors import (
    Forbidden,
    InvalidArguments,
    RequestTooLarge,
    SetError,
    invalid_properties,
)
from jmap_core.ids import new_id
from jmap_core.patch import apply_patch, path_tokens
from jmap_core.registry import method
from jmap_core.types import CORE, JSONObject, JSONValue
from push import vapid
from push.models import PushSubscription, password_fingerprint
from push.validation import check_keys, check_types, check_url, format_utc_date, parse_expires

PROPERTIES = ("id", "deviceClientId", "verificationCode", "expires", "types")
PRIVATE = ("url", "keys")  # never returned (§7.2.1)
IMMUTABLE = ("id", "deviceClientId", "url", "keys")
MAX_PER_CREDENTIAL = 50


def owned(principal: Principal) -> QuerySet[PushSubscription]:
    """Subscriptions created with the same credentials as this request (§7.2.1)."""
    subscriptions = PushSubscription.objects.filter(account=principal.account)
    if principal.token is not None:
        return subscriptions.filter(token=principal.token)
    return subscriptions.filter(
        token__isnull=True, password_fingerprint=password_fingerprint(principal.account)
    )


def to_jmap(subscription: PushSubscription, properties: set[str]) -> JSONObject:
    values: JSONObject = {
        "id": subscription.jmap_id,
        "deviceClientId": subscription.device_client_id,
        # The code the client set; never the server's code before it did (§7.2.2).
        "verificationCode": subscription.verification_code if subscription.verified else None,
        "expires": format_utc_date(subscription.expires_at),
        "types": subscription.types,
    }
    return {name: value for name, value in values.items() if name in properties}


@method("PushSubscription/get", capability=CORE, takes_account=False)
def get(ctx: CallContext, arguments: JSONObject) -> JSONObject:
    """PushSubscription/get (RFC 8620 §7.2.1): no accountId, no state; url and keys forbidden."""
    reader = ArgReader(arguments, ("ids", "properties"))
    ids = reader.ids("ids")
    requested = reader.strings("properties")
    reader.done()
    if requested is not None:
        if set(requested) & set(PRIVATE):
            raise Forbidden("url and keys are never returned")
        unknown = sorted(set(requested) - set(PROPERTIES))
        if unknown:
            raise InvalidArguments(f"unknown properties: {', '.join(unknown)}", properties=unknown)  # type: ignore[arg-type]
    properties = set(requested if requested is not None else PROPERTIES) | {"id"}
    max_objects = limits.get("maxObjectsInGet")
    subscriptions = owned(ctx.principal).order_by("created_at", "pk")
    if ids is None:
        found = list(subscriptions[: max_objects + 1])
        if len(found) > max_objects:
            raise RequestTooLarge(f"more than {max_objects} push subscriptions")
        wanted = [row.jmap_id for row in found]
    else:
        if len(ids) > max_objects:
            raise RequestTooLarge(f"at most {max_objects} ids per PushSubscription/get")
        wanted = list(dict.fromkeys(str(ctx.resolve_id(i)) for i in ids))
        found = list(subscriptions.filter(jmap_id__in=wanted))
    by_id = {row.jmap_id: row for row in found}
    return {
        "list": [to_jmap(by_id[i], properties) for i in wanted if i in by_id],
        "notFound": [i for i in wanted if i not in by_id],
    }


@method("PushSubscription/set", capability=CORE, takes_account=False)
def set_(ctx: CallContext, arguments: JSONObject) -> JSONObject:
    """PushSubscription/set (RFC 8620 §7.2.2): no accountId, ifInState, oldState or newState."""
    if "ifInState" in arguments:
        raise InvalidArguments("PushSubscription/set takes no ifInState", arguments=["ifInState"])
    if "accountId" in arguments:
        raise InvalidArguments("PushSubscription/set takes no accountId", arguments=["accountId"])
    args = parse_set(arguments)
    total = len(args.create) + len(args.update) + len(args.destroy)
    if total > limits.get("maxObjectsInSet"):
        raise RequestTooLarge(f"at most {limits.get('maxObjectsInSet')} objects per /set")
    created: JSONObject = {}
    not_created: JSONObject = {}
    for creation_id, values in args.create.items():
        result, error = _record(partial(_create, ctx, values))
        if error is not None:
            not_created[creation_id] = error
        else:
            created[creation_id] = result
            ctx.created_ids[creation_id] = str(result["id"])
    updated: JSONObject = {}
    not_updated: JSONObject = {}
    for raw_id, patch in args.update.items():
        record_id = str(ctx.resolve_id(raw_id))
        result, error = _record(partial(_update, ctx, record_id, patch))
        if error is not None:
            not_updated[raw_id] = error
        else:
            updated[raw_id] = result
    destroyed: list[JSONValue] = []
    not_destroyed: JSONObject = {}
    for raw_id in dict.fromkeys(args.destroy):
        record_id = str(ctx.resolve_id(raw_id))
        _, error = _record(partial(_destroy, ctx, record_id))
        if error is not None:
            not_destroyed[raw_id] = error
        else:
            destroyed.append(record_id)
    return {
        "created": created or None,
        "updated": updated or None,
        "destroyed": destroyed or None,
        "notCreated": not_created or None,
        "notUpdated": not_updated or None,
        "notDestroyed": not_destroyed or None,
    }


def _record(fn: Callable[[], Any]) -> tuple[Any, JSONObject | None]:
    """One record in its own savepoint, so its failure undoes only itself (RFC 8620 §5.3)."""
    try:
        with transaction.atomic():
            return fn(), None
    except SetError as error:
        return None, error.to_json()


def _create(ctx: CallContext, values: JSONValue) -> JSONObject:
    if not isinstance(values, dict):
        raise SetError("invalidProperties", "a create must be an object", properties=[])
    unknown = sorted(set(values) - set(PROPERTIES) - set(PRIVATE))
    if unknown or "id" in values:
        raise invalid_properties(*unknown, *(["id"] if "id" in values else []))
    if values.get("verificationCode") is not None:
        raise invalid_properties("verificationCode", description="must be null on create")
    bad: list[str] = []
    device = values.get("deviceClientId")
    if not isinstance(device, str) or not 0 < len(device) <= 255:
        bad.append("deviceClientId")
        device = ""
    url = check_url(values.get("url"))
    if url is None:
        bad.append("url")
    keys = check_keys(values.get("keys"))
    if keys is None:
        bad.append("keys")
    types = check_types(values.get("types"))
    if types is False:
        bad.append("types")
    expires = parse_expires(values.get("expires"))
    if expires is False:
        bad.append("expires")
    if bad:
        raise invalid_properties(*bad)
    principal = ctx.principal
    if owned(principal).count() >= MAX_PER_CREDENTIAL:
        raise SetError("forbidden", f"at most {MAX_PER_CREDENTIAL} push subscriptions")
    assert url is not None
    assert keys is not None
    assert types is not False
    assert expires is not False
    subscription = PushSubscription.objects.create(
        jmap_id=new_id("P"),
        account=principal.account,
        token=principal.token,
        password_fingerprint="" if principal.token else password_fingerprint(principal.account),
        device_client_id=device,
        url=url,
        p256dh=keys[0],
        auth=keys[1],
        verification_code=secrets.token_hex(16),
        expires_at=clamp_expires(principal, expires),
        types=types,
        vapid_public_key=vapid.current_key().public_key,
    )
    transaction.on_commit(lambda: _send_verification(subscription.pk))
    result = to_jmap(subscription, {"id", "expires"})
    for name in ("keys", "types"):
        if name not in values:
            result[name] = None
    return result


def _update(ctx: CallContext, record_id: str, patch: JSONValue) -> JSONObject | None:
    subscription = owned(ctx.principal).select_for_update().filter(jmap_id=record_id).first()
    if subscription is None:
        raise SetError("notFound", f"no PushSubscription {record_id}")
    if not isinstance(patch, dict):
        raise SetError("invalidPatch", "a PatchObject must be an object")
    tops = {path_tokens(path)[0] for path in patch}
    unknown = sorted(tops - set(PROPERTIES) - set(PRIVATE))
    frozen = sorted(tops & set(IMMUTABLE))
    if unknown or frozen:
        raise invalid_properties(*unknown, *frozen, description="unknown or immutable properties")
    current = to_jmap(subscription, set(PROPERTIES))
    new, touched = apply_patch(current, patch)
    server_changes: JSONObject = {}
    fields: list[str] = []
    if "verificationCode" in touched:
        code = new.get("verificationCode")
        if not isinstance(code, str) or not secrets.compare_digest(
            code, subscription.verification_code
        ):
            raise invalid_properties("verificationCode", description="wrong verification code")
        subscription.verified = True
        fields.append("verified")
    if "types" in touched:
        types = check_types(new.get("types"))
        if types is False:
            raise invalid_properties("types")
        subscription.types = types
        fields.append("types")
    if "expires" in touched:
        expires = parse_expires(new.get("expires"))
        if expires is False:
            raise invalid_properties("expires")
        subscription.expires_at = clamp_expires(ctx.principal, expires)
        fields.append("expires_at")
        actual = to_jmap(subscription, {"expires"})["expires"]
        if actual != new.get("expires"):
            server_changes["expires"] = actual
    if fields:
        subscription.save(update_fields=fields)
    return server_changes or None


def _destroy(ctx: CallContext, record_id: str) -> None:
    deleted, _ = owned(ctx.principal).filter(jmap_id=record_id).delete()
    if not deleted:
        raise SetError("notFound", f"no PushSubscription {record_id}")


def clamp_expires(principal: Principal, wanted: datetime.datetime | None) -> datetime.datetime:
    """The expiry the server grants (RFC 8620 §7.2).

    For credentials without an end (passwords, tokens without expiry) at most
    ``MAILYARD_PUSH_MAX_EXPIRES_DAYS`` ahead, and that when none is asked; for expiring tokens
    what was asked, but never past the token's own end.
    """
    token_end = principal.token.expires_at if principal.token is not None else None
    if token_end is not None:
        granted = min(wanted or token_end, token_end)
    else:
        limit = timezone.now() + datetime.timedelta(days=settings.MAILYARD_PUSH_MAX_EXPIRES_DAYS)
        granted = min(wanted or limit, limit)
    return granted.replace(microsecond=0)


def _send_verification(pk: int) -> None:
    from push import tasks

    tasks.enqueue(tasks.verify, pk)
