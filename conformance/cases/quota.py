"""RFC 9425: JMAP for Quotas."""

from __future__ import annotations

from conformance.checks import (
    JSONObject,
    expect,
    expect_eq,
    expect_in,
    expect_type,
    expect_unsigned,
    show,
)
from conformance.client import CORE, MAIL, QUOTA
from conformance.context import Context
from conformance.registry import MUST, SHOULD, Skipped, case

NEEDS = (QUOTA,)
USING = [CORE, MAIL, QUOTA]


def _account(ctx: Context) -> str:
    return ctx.session.account_id_for(QUOTA) or ctx.account_id


def _quotas(ctx: Context, using: list[str] | None = None) -> list[JSONObject]:
    return list(
        ctx.call("Quota/get", {"accountId": _account(ctx), "ids": None}, using=using or USING)[
            "list"
        ]
    )


def _some_quota(ctx: Context) -> JSONObject:
    quotas = _quotas(ctx)
    if not quotas:
        raise Skipped("the account has no Quota objects")
    return quotas[0]


def _query(ctx: Context, **args: object) -> list[str]:
    return list(ctx.call("Quota/query", {"accountId": _account(ctx), **args}, using=USING)["ids"])


@case(
    "quota.capability",
    rfc="9425",
    section="2.1",
    level=MUST,
    quote="The value of this property is an empty object in both the JMAP Session "
    "capabilities property and an account's accountCapabilities property.",
    sends="GET the session",
    expects="the quota capability is an object in the session and in some account",
    requires=NEEDS,
)
def capability(ctx: Context) -> None:
    expect_type(ctx.session.capabilities.get(QUOTA), dict, "session capability")
    expect(ctx.session.account_id_for(QUOTA) is not None, "no account lists the capability")


@case(
    "quota.get-properties",
    rfc="9425",
    section="4.1",
    level=MUST,
    quote="The Quota object MUST contain the following fields:",
    sends="Quota/get ids null",
    expects="each Quota has id, resourceType, used, hardLimit, scope, name, types",
    requires=NEEDS,
)
def get_properties(ctx: Context) -> None:
    for quota in _quotas(ctx):
        missing = [
            k
            for k in ("id", "resourceType", "used", "hardLimit", "scope", "name", "types")
            if k not in quota
        ]
        expect(not missing, f"Quota {quota.get('id')} lacks {missing}")
        expect_unsigned(quota["used"], "used")
        expect_unsigned(quota["hardLimit"], "hardLimit")
        expect_type(quota["name"], str, "name")
        expect(isinstance(quota["types"], list), f"types {show(quota['types'])}")


@case(
    "quota.resource-type",
    rfc="9425",
    section="3.2",
    level=MUST,
    quote='It is defined as a "String" with values from the following set:',
    sends="Quota/get ids null",
    expects="every resourceType is count or octets",
    requires=NEEDS,
)
def resource_type(ctx: Context) -> None:
    for quota in _quotas(ctx):
        expect_in(quota.get("resourceType"), ["count", "octets"], "resourceType")


@case(
    "quota.scope",
    rfc="9425",
    section="3.1",
    level=MUST,
    quote='It is defined as a "String" with values from the following set:',
    sends="Quota/get ids null",
    expects="every scope is account, domain or global",
    requires=NEEDS,
)
def scope(ctx: Context) -> None:
    for quota in _quotas(ctx):
        expect_in(quota.get("scope"), ["account", "domain", "global"], "scope")


@case(
    "quota.optional-limits",
    rfc="9425",
    section="4.1",
    level=MUST,
    quote="warnLimit: UnsignedInt|null",
    sends="Quota/get ids null",
    expects="warnLimit/softLimit are absent, null or UnsignedInt; description absent, null "
    "or String",
    requires=NEEDS,
)
def optional_limits(ctx: Context) -> None:
    for quota in _quotas(ctx):
        for key in ("warnLimit", "softLimit"):
            if quota.get(key) is not None:
                expect_unsigned(quota[key], key)
        description = quota.get("description")
        expect(description is None or isinstance(description, str), "description")


@case(
    "quota.limit-order",
    rfc="9425",
    section="4.1",
    level=SHOULD,
    quote='If set, it SHOULD be lower than the "softLimit" (if present and different from '
    'null) and the "hardLimit".',
    sends="Quota/get ids null",
    expects="warnLimit <= softLimit <= hardLimit where set",
    requires=NEEDS,
)
def limit_order(ctx: Context) -> None:
    for quota in _quotas(ctx):
        chain = [quota.get(k) for k in ("warnLimit", "softLimit", "hardLimit")]
        present = [v for v in chain if isinstance(v, int)]
        expect(present == sorted(present), f"limits {chain}")


@case(
    "quota.types-filtered-by-using",
    rfc="9425",
    section="4.1",
    level=MUST,
    quote="The server MUST filter out any types for which the client did not request the "
    'associated capability in the "using" section of the request.',
    sends="Quota/get with using [core, quota] (no mail)",
    expects="no Quota lists a mail type (Email, Mailbox, Thread, …)",
    requires=NEEDS,
)
def types_filtered_by_using(ctx: Context) -> None:
    mail_types = {"Email", "Mailbox", "Thread", "SearchSnippet", "Mail"}
    for quota in _quotas(ctx, using=[CORE, QUOTA]):
        expect(not set(quota.get("types", [])) & mail_types, f"types {show(quota.get('types'))}")


@case(
    "quota.no-empty-types",
    rfc="9425",
    section="4.1",
    level=MUST,
    quote="Further, the server MUST NOT return Quota objects for which there are no types "
    "recognized by the client.",
    sends="Quota/get with using [core, mail, quota]",
    expects="every returned Quota has a non-empty types list",
    requires=NEEDS,
)
def no_empty_types(ctx: Context) -> None:
    for quota in _quotas(ctx):
        expect(quota.get("types"), f"Quota {quota.get('id')} has no types")


@case(
    "quota.get-not-found",
    rfc="8620",
    section="5.1",
    level=MUST,
    quote="This array contains the ids passed to the method for records that do not exist.",
    sends="Quota/get of an unknown id",
    expects="notFound lists it",
    requires=NEEDS,
)
def get_not_found(ctx: Context) -> None:
    result = ctx.call(
        "Quota/get", {"accountId": _account(ctx), "ids": ["cfNoSuchQuota0"]}, using=USING
    )
    expect_eq(result["notFound"], ["cfNoSuchQuota0"], "notFound")


@case(
    "quota.changes",
    rfc="9425",
    section="4.3",
    level=MUST,
    quote='If the server is unable to tell if only "used" has changed, it MUST be null.',
    sends="Quota/changes from the current state",
    expects="a Quota/changes response; updatedProperties null or a list of strings",
    requires=NEEDS,
)
def changes(ctx: Context) -> None:
    state = ctx.call("Quota/get", {"accountId": _account(ctx), "ids": []}, using=USING)["state"]
    result = ctx.call(
        "Quota/changes", {"accountId": _account(ctx), "sinceState": state}, using=USING
    )
    props = result.get("updatedProperties")
    expect(props is None or isinstance(props, list), f"updatedProperties {show(props)}")


@case(
    "quota.query-sort",
    rfc="9425",
    section="4.4",
    level=MUST,
    quote="The following Quota properties MUST be supported for sorting: * name * used",
    sends="Quota/query sorted by name, then by used",
    expects="both answer with the ids of all quotas",
    requires=NEEDS,
)
def query_sort(ctx: Context) -> None:
    every = sorted(str(q["id"]) for q in _quotas(ctx))
    for prop in ("name", "used"):
        expect_eq(sorted(_query(ctx, sort=[{"property": prop}])), every, f"sort by {prop}")


@case(
    "quota.query-sort-name-order",
    rfc="9425",
    section="4.4",
    level=MUST,
    quote="The following Quota properties MUST be supported for sorting: * name * used",
    sends="Quota/query sorted by used ascending",
    expects="ids ordered by the used values Quota/get reports",
    requires=NEEDS,
)
def query_sort_order(ctx: Context) -> None:
    quotas = {str(q["id"]): q for q in _quotas(ctx)}
    ids = _query(ctx, sort=[{"property": "used"}])
    used = [quotas[i]["used"] for i in ids]
    expect(used == sorted(used), f"used values in order {used}")


@case(
    "quota.filter-scope",
    rfc="9425",
    section="4.4",
    level=MUST,
    quote="The Quota _scope_ property must match the given value exactly.",
    sends="Quota/query filter scope = the scope of one quota",
    expects="exactly the quotas with that scope",
    requires=NEEDS,
)
def filter_scope(ctx: Context) -> None:
    quota = _some_quota(ctx)
    want = sorted(str(q["id"]) for q in _quotas(ctx) if q["scope"] == quota["scope"])
    expect_eq(sorted(_query(ctx, filter={"scope": quota["scope"]})), want, "ids")


@case(
    "quota.filter-resource-type",
    rfc="9425",
    section="4.4",
    level=MUST,
    quote="The Quota _resourceType_ property must match the given value exactly.",
    sends="Quota/query filter resourceType = one quota's resourceType",
    expects="exactly the quotas with that resourceType",
    requires=NEEDS,
)
def filter_resource_type(ctx: Context) -> None:
    quota = _some_quota(ctx)
    want = sorted(str(q["id"]) for q in _quotas(ctx) if q["resourceType"] == quota["resourceType"])
    expect_eq(sorted(_query(ctx, filter={"resourceType": quota["resourceType"]})), want, "ids")


@case(
    "quota.filter-name",
    rfc="9425",
    section="4.4",
    level=MUST,
    quote="The Quota _name_ property contains the given string.",
    sends="Quota/query filter name = one quota's full name",
    expects="that quota is among the results",
    requires=NEEDS,
)
def filter_name(ctx: Context) -> None:
    quota = _some_quota(ctx)
    expect(quota["id"] in _query(ctx, filter={"name": quota["name"]}), "quota not found")


@case(
    "quota.filter-type",
    rfc="9425",
    section="4.4",
    level=MUST,
    quote="The Quota _types_ property contains the given value.",
    sends="Quota/query filter type = one of a quota's types",
    expects="exactly the quotas whose types contain it",
    requires=NEEDS,
)
def filter_type(ctx: Context) -> None:
    quota = _some_quota(ctx)
    kind = quota["types"][0]
    want = sorted(str(q["id"]) for q in _quotas(ctx) if kind in q["types"])
    expect_eq(sorted(_query(ctx, filter={"type": kind})), want, "ids")
