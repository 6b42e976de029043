"""RFC 8621 §8: VacationResponse. The singleton pre-exists; every change is restored."""

from __future__ import annotations

from conformance.checks import (
    JSONObject,
    as_map,
    expect,
    expect_eq,
    expect_set_error,
    expect_type,
    show,
)
from conformance.client import VACATION
from conformance.context import Context
from conformance.registry import MUST, case

NEEDS = (VACATION,)
MUTABLE = ("isEnabled", "fromDate", "toDate", "subject", "textBody", "htmlBody")


def _account(ctx: Context) -> str:
    return ctx.session.account_id_for(VACATION) or ctx.account_id


def _singleton(ctx: Context) -> JSONObject:
    result = ctx.call("VacationResponse/get", {"accountId": _account(ctx), "ids": None})
    expect_eq(len(result["list"]), 1, "number of VacationResponse objects")
    return dict(result["list"][0])


def _restore_later(ctx: Context) -> JSONObject:
    """Remember the current settings and put them back after the case."""
    original = _singleton(ctx)
    saved = {k: original.get(k) for k in MUTABLE if k in original}
    ctx.defer(
        lambda: ctx.call(
            "VacationResponse/set", {"accountId": _account(ctx), "update": {"singleton": saved}}
        )
    )
    return original


def _update(ctx: Context, patch: JSONObject) -> JSONObject:
    return ctx.call(
        "VacationResponse/set", {"accountId": _account(ctx), "update": {"singleton": patch}}
    )


@case(
    "mail.vacation.singleton",
    rfc="8621",
    section="8.1",
    level=MUST,
    quote="There MUST only be exactly one VacationResponse object in an account. It MUST have "
    'the id "singleton".',
    sends="VacationResponse/get ids null",
    expects='exactly one object, id "singleton"',
    requires=NEEDS,
)
def singleton(ctx: Context) -> None:
    expect_eq(_singleton(ctx).get("id"), "singleton", "id")


@case(
    "mail.vacation.properties",
    rfc="8621",
    section="8",
    level=MUST,
    quote="The *VacationResponse* object represents the state of vacation-response-related "
    "settings for an account.",
    sends="VacationResponse/get ids null",
    expects="isEnabled Boolean; fromDate/toDate UTCDate or null; subject/textBody/htmlBody "
    "String or null",
    requires=NEEDS,
)
def properties(ctx: Context) -> None:
    got = _singleton(ctx)
    expect_type(got.get("isEnabled"), bool, "isEnabled")
    for key in ("fromDate", "toDate", "subject", "textBody", "htmlBody"):
        expect(
            key in got and (got[key] is None or isinstance(got[key], str)), f"{key}: {show(got)}"
        )


@case(
    "mail.vacation.get-by-id",
    rfc="8621",
    section="8.1",
    level=MUST,
    quote='It MUST have the id "singleton".',
    sends='VacationResponse/get ids ["singleton", "other"]',
    expects='singleton in list, "other" in notFound',
    requires=NEEDS,
)
def get_by_id(ctx: Context) -> None:
    result = ctx.call(
        "VacationResponse/get", {"accountId": _account(ctx), "ids": ["singleton", "other"]}
    )
    expect_eq([o["id"] for o in result["list"]], ["singleton"], "list ids")
    expect_eq(result["notFound"], ["other"], "notFound")


@case(
    "mail.vacation.create-singleton-error",
    rfc="8620",
    section="5.3",
    level=MUST,
    quote='"singleton": (create; destroy). This is a singleton type, so you cannot create '
    "another one or destroy the existing one.",
    sends="VacationResponse/set create {isEnabled: false}",
    expects="notCreated[v].type = singleton",
    requires=NEEDS,
)
def create_singleton_error(ctx: Context) -> None:
    result = ctx.call(
        "VacationResponse/set", {"accountId": _account(ctx), "create": {"v": {"isEnabled": False}}}
    )
    expect_set_error(result, "notCreated", "v", "singleton")


@case(
    "mail.vacation.destroy-singleton-error",
    rfc="8620",
    section="5.3",
    level=MUST,
    quote='"singleton": (create; destroy). This is a singleton type, so you cannot create '
    "another one or destroy the existing one.",
    sends='VacationResponse/set destroy ["singleton"]',
    expects="notDestroyed[singleton].type = singleton",
    requires=NEEDS,
)
def destroy_singleton_error(ctx: Context) -> None:
    _restore_later(ctx)
    result = ctx.call(
        "VacationResponse/set", {"accountId": _account(ctx), "destroy": ["singleton"]}
    )
    expect_set_error(result, "notDestroyed", "singleton", "singleton")


@case(
    "mail.vacation.update",
    rfc="8621",
    section="8.2",
    level=MUST,
    quote='This is a standard "/set" method as described in [RFC8620], Section 5.3.',
    sends="update isEnabled true, fromDate, toDate, subject, textBody, htmlBody (restored "
    "afterwards)",
    expects="VacationResponse/get returns the new values",
    requires=NEEDS,
)
def update(ctx: Context) -> None:
    _restore_later(ctx)
    patch = {
        "isEnabled": True,
        "fromDate": "2030-01-01T00:00:00Z",
        "toDate": "2030-01-15T00:00:00Z",
        "subject": "Away (conformance)",
        "textBody": "I am away.",
        "htmlBody": "<p>I am away.</p>",
    }
    result = _update(ctx, patch)
    expect("singleton" in as_map(result.get("updated"), "updated"), show(result))
    got = _singleton(ctx)
    expect_eq({k: got.get(k) for k in patch}, patch, "VacationResponse")


@case(
    "mail.vacation.null-dates",
    rfc="8621",
    section="8",
    level=MUST,
    quote="If null, the vacation response is effective immediately.",
    sends="update fromDate and toDate to null (restored afterwards)",
    expects="both are null on VacationResponse/get",
    requires=NEEDS,
)
def null_dates(ctx: Context) -> None:
    _restore_later(ctx)
    _update(ctx, {"fromDate": None, "toDate": None})
    got = _singleton(ctx)
    expect_eq([got.get("fromDate"), got.get("toDate")], [None, None], "fromDate, toDate")


@case(
    "mail.vacation.invalid-type",
    rfc="8620",
    section="5.3",
    level=MUST,
    quote="It contains properties that are invalid according to the type specification of "
    "this record type.",
    sends='update isEnabled: "yes"',
    expects="notUpdated[singleton].type = invalidProperties",
    requires=NEEDS,
)
def invalid_type(ctx: Context) -> None:
    _restore_later(ctx)
    result = _update(ctx, {"isEnabled": "yes"})
    expect_set_error(result, "notUpdated", "singleton", "invalidProperties")


@case(
    "mail.vacation.id-immutable",
    rfc="8621",
    section="8",
    level=MUST,
    quote='o id: "Id" (immutable; server-set)',
    sends='update {id: "other"}',
    expects="notUpdated[singleton].type = invalidProperties",
    requires=NEEDS,
)
def id_immutable(ctx: Context) -> None:
    _restore_later(ctx)
    result = _update(ctx, {"id": "other"})
    expect_set_error(result, "notUpdated", "singleton", "invalidProperties")
