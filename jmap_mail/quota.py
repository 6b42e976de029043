"""The Quota data type (RFC 9425) over the storage limits kept in ``accounts``.

The limits and usage live on ``Account`` and ``Tenant``; ``storage_used`` moves whenever a blob
is stored or purged, by code that knows nothing of JMAP. So ``Quota`` rows mirror them and
``sync_quotas`` brings the rows up to date, giving each changed row its own modseq, before every
Quota method answers. The standard /get, /changes, /query and /queryChanges then work unchanged,
and a change to ``used`` alone is told apart through ``props_modseq`` (RFC 9425 §4.3).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.db.models.functions import Lower
from django.utils import timezone

from accounts.models import Account
from jmap_core import ids, standard, state
from jmap_core.context import CallContext
from jmap_core.datatype import DataType, Prop, sort_by
from jmap_core.errors import InvalidArguments
from jmap_core.registry import Capability, Method, add_method, capability, type_capability
from jmap_core.types import JSONObject, JSONValue
from jmap_mail.models.identity import Quota

QUOTA = "urn:ietf:params:jmap:quota"
QUOTA_TYPE_NAME = "Quota"
STORAGE_TYPES = ("Email",)


@dataclass(frozen=True, slots=True)
class Limit:
    """What one Quota row should say; ``used`` may change without the rest (RFC 9425 §4.3)."""

    scope: str
    resource_type: str
    name: str
    description: str
    types: list[str]
    hard_limit: int


def current_limits(account: Account) -> dict[str, tuple[Limit, int]]:
    """The quotas that apply to ``account`` now, by key, each with its current usage."""
    fresh = Account.objects.select_related("tenant").get(pk=account.pk)
    out: dict[str, tuple[Limit, int]] = {}
    if fresh.storage_quota is not None:
        limit = Limit(
            "account",
            "octets",
            fresh.address,
            "Storage for this account's messages and uploads.",
            list(STORAGE_TYPES),
            fresh.storage_quota,
        )
        out["account"] = (limit, max(0, fresh.storage_used))
    tenant = fresh.tenant
    if tenant.storage_quota is not None:
        limit = Limit(
            "domain",
            "octets",
            f"{tenant.name} storage",
            f"Storage shared by all accounts of {tenant.name}.",
            list(STORAGE_TYPES),
            tenant.storage_quota,
        )
        out["tenant"] = (limit, max(0, tenant.storage_used()))
    return out


def _row_limit(row: Quota) -> dict[str, Any]:
    return {name: getattr(row, name) for name in Limit.__dataclass_fields__}


def _in_sync(wanted: dict[str, tuple[Limit, int]], rows: dict[str, Quota]) -> bool:
    if set(wanted) != set(rows):
        return False
    return all(
        _row_limit(rows[key]) == asdict(limit) and rows[key].used == used
        for key, (limit, used) in wanted.items()
    )


def sync_quotas(account: Account) -> None:
    """Make the account's Quota rows match ``current_limits``, stamping each changed row.

    Only when something changed does it take the account lock (and so write); the lock makes
    concurrent syncs of one account run one after the other.
    """
    wanted = current_limits(account)
    rows = {row.key: row for row in Quota.objects.filter(account=account)}
    if _in_sync(wanted, rows):
        return
    state.lock(account)
    wanted = current_limits(account)
    rows = {row.key: row for row in Quota.objects.filter(account=account)}
    for key, (limit, used) in wanted.items():
        _write(account, key, rows.get(key), limit, used)
    for key, row in rows.items():
        if key not in wanted:
            row.destroyed = True
            row.modseq = row.props_modseq = state.bump(account, QUOTA_TYPE_NAME)
            row.updated_at = timezone.now()
            row.save(update_fields=["destroyed", "modseq", "props_modseq", "updated_at"])


def _write(account: Account, key: str, row: Quota | None, limit: Limit, used: int) -> None:
    if row is None:
        modseq = state.bump(account, QUOTA_TYPE_NAME)
        Quota.objects.create(
            account=account,
            jmap_id=ids.new_id("q"),
            key=key,
            used=used,
            modseq=modseq,
            created_modseq=modseq,
            props_modseq=modseq,
            **asdict(limit),
        )
        return
    props_changed = _row_limit(row) != asdict(limit)
    if not props_changed and row.used == used:
        return
    row.modseq = state.bump(account, QUOTA_TYPE_NAME)
    row.updated_at = timezone.now()
    row.used = used
    if props_changed:
        row.props_modseq = row.modseq
        for name, value in asdict(limit).items():
            setattr(row, name, value)
    row.save()


def _visible_types(ctx: CallContext, types: list[str]) -> list[str]:
    """RFC 9425 §4.1: only the types whose capability the request is using."""
    return [t for t in types if type_capability(t) in ctx.request.using]


def _filter_string(lookup: str) -> Callable[[CallContext, JSONValue], Q]:
    def build(ctx: CallContext, value: JSONValue) -> Q:
        if not isinstance(value, str):
            raise InvalidArguments("Quota filter values must be strings")
        return Q(**{lookup: value})

    return build


def _filter_type(ctx: CallContext, value: JSONValue) -> Q:
    if not isinstance(value, str):
        raise InvalidArguments("the type filter must be a string")
    return Q(types__contains=[value])


class QuotaType(DataType[Quota]):
    name = QUOTA_TYPE_NAME
    capability = QUOTA
    model = Quota
    id_letter = "q"
    properties = {
        "id": Prop(server_set=True),
        "resourceType": Prop(server_set=True),
        "used": Prop(server_set=True),
        "hardLimit": Prop(server_set=True),
        "scope": Prop(server_set=True),
        "name": Prop(server_set=True),
        "types": Prop(server_set=True),
        "description": Prop(server_set=True),
    }
    filters = {
        "name": _filter_string("name__icontains"),
        "scope": _filter_string("scope"),
        "resourceType": _filter_string("resource_type"),
        "type": _filter_type,
    }
    sorts = {"name": sort_by(Lower("name")), "used": sort_by(F("used"))}

    def queryset(self, ctx: CallContext) -> QuerySet[Quota]:
        """RFC 9425 §4.1: no Quota whose types the client does not know (by ``using``)."""
        rows = Quota.objects.filter(account=ctx.account).values_list("pk", "types")
        visible = [pk for pk, types in rows if _visible_types(ctx, types)]
        return Quota.objects.filter(account=ctx.account, pk__in=visible)

    def serialize(
        self, ctx: CallContext, objs: Sequence[Quota], props: set[str], extra: JSONObject
    ) -> list[JSONObject]:
        out = []
        for quota in objs:
            full: JSONObject = {
                "id": quota.jmap_id,
                "resourceType": quota.resource_type,
                "used": quota.used,
                "hardLimit": quota.hard_limit,
                "scope": quota.scope,
                "name": quota.name,
                "types": _visible_types(ctx, quota.types),  # type: ignore[dict-item]
                "description": quota.description or None,
            }
            out.append({k: v for k, v in full.items() if k in props})
        return out

    def changes_extra(self, ctx: CallContext, since: int, updated: list[str]) -> JSONObject:
        """RFC 9425 §4.3: ``["used"]`` when nothing but usage changed in the updated quotas."""
        if not updated:
            return {"updatedProperties": None}
        others = Quota.objects.filter(
            account=ctx.account, jmap_id__in=updated, props_modseq__gt=since
        ).exists()
        return {"updatedProperties": None if others else ["used"]}


QUOTA_TYPE = QuotaType()
_Standard = Callable[[Any, CallContext, JSONObject], JSONObject]


def _synced(fn: _Standard) -> Callable[[CallContext, JSONObject], JSONObject]:
    def handler(ctx: CallContext, arguments: JSONObject) -> JSONObject:
        """Quota/get, /changes, /query, /queryChanges (RFC 9425 §4.2-§4.5), after a sync."""
        sync_quotas(ctx.account)
        return fn(QUOTA_TYPE, ctx, arguments)

    return handler


def register() -> None:
    capability(
        Capability(
            QUOTA, session_value=dict, account_value=lambda account: {}, data_types=("Quota",)
        )
    )
    for method, fn in (
        ("get", standard.get),
        ("changes", standard.changes),
        ("query", standard.query),
        ("queryChanges", standard.query_changes),
    ):
        add_method(Method(f"{QUOTA_TYPE_NAME}/{method}", QUOTA, _synced(fn)))


def on_usage_changed(sender: object, account: Account, **_: object) -> None:
    """Storage use moved (jmap_core.blobs): move the Quota state too, after commit (push)."""

    def sync() -> None:
        with transaction.atomic():
            sync_quotas(account)

    transaction.on_commit(sync)
