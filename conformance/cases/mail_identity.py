"""RFC 8621 §6: Identity/get, Identity/changes and Identity/set."""

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
from conformance.client import SUBMISSION
from conformance.context import Context
from conformance.registry import MUST, NotSupported, Skipped, case

NEEDS = (SUBMISSION,)
PROPERTIES = (
    "id",
    "name",
    "email",
    "replyTo",
    "bcc",
    "textSignature",
    "htmlSignature",
    "mayDelete",
)


def identities(ctx: Context) -> list[JSONObject]:
    return list(ctx.call("Identity/get", {"ids": None})["list"])


def own_address(ctx: Context) -> str:
    """An address the user may send from: the first Identity's email, else a fallback."""
    for identity in identities(ctx):
        email = str(identity.get("email", ""))
        if "@" in email and not email.startswith("*@"):
            return email
    username = str(ctx.session.raw.get("username", ""))
    # No usable Identity email (e.g. a test server whose users have no domain).
    return username if "@" in username else f"{username}@localhost"


def _create(ctx: Context, values: JSONObject) -> JSONObject:
    result = ctx.call("Identity/set", {"create": {"i": values}}, optional=True)
    created = as_map(result.get("created"), "created")
    if "i" in created:
        ctx.destroy_later("Identity", created["i"]["id"])
    return result


def _created_identity(ctx: Context) -> str:
    result = _create(ctx, {"email": own_address(ctx), "name": ctx.unique("ident")})
    created = as_map(result.get("created"), "created")
    if "i" not in created:
        raise NotSupported(
            f"the server does not let the user create an Identity: {show(result.get('notCreated'))}"
        )
    return str(created["i"]["id"])


@case(
    "mail.identity.get-properties",
    rfc="8621",
    section="6",
    level=MUST,
    quote="An *Identity* object stores information about an email address or domain the user "
    "may send from.",
    sends="Identity/get ids null",
    expects="at least one Identity; each has all eight properties with the right types",
    requires=NEEDS,
)
def get_properties(ctx: Context) -> None:
    found = identities(ctx)
    expect(found, "no Identity: the user cannot send")
    for identity in found:
        missing = [p for p in PROPERTIES if p not in identity]
        expect(not missing, f"Identity {identity.get('id')} lacks {missing}")
        for key in ("name", "email", "textSignature", "htmlSignature"):
            expect_type(identity[key], str, key)
        expect_type(identity["mayDelete"], bool, "mayDelete")
        for key in ("replyTo", "bcc"):
            expect(identity[key] is None or isinstance(identity[key], list), f"{key}")


@case(
    "mail.identity.email-nonempty",
    rfc="8621",
    section="6",
    level=MUST,
    quote='The "From" email address the client MUST use when creating a new Email from this '
    "Identity.",
    sends="Identity/get ids null",
    expects="every Identity's email contains an @",
    requires=NEEDS,
)
def email_nonempty(ctx: Context) -> None:
    for identity in identities(ctx):
        expect("@" in str(identity.get("email")), f"Identity email {identity.get('email')!r}")


@case(
    "mail.identity.changes",
    rfc="8621",
    section="6.2",
    level=MUST,
    quote='This is a standard "/changes" method as described in [RFC8620], Section 5.2.',
    sends="Identity/changes from the current state",
    expects="an Identity/changes response with no changes",
    requires=NEEDS,
)
def changes(ctx: Context) -> None:
    since = ctx.state("Identity")
    result = ctx.call("Identity/changes", {"sinceState": since})
    expect_eq(
        [result.get("created"), result.get("updated"), result.get("destroyed")],
        [[], [], []],
        "changes",
    )


@case(
    "mail.identity.set-supported",
    rfc="8621",
    section="6.3",
    level=MUST,
    quote='This is a standard "/set" method as described in [RFC8620], Section 5.3.',
    sends="Identity/set with an empty create map",
    expects="an Identity/set response (the method exists)",
    requires=NEEDS,
)
def set_supported(ctx: Context) -> None:
    ctx.call("Identity/set", {"create": {}})


@case(
    "mail.identity.create-defaults",
    rfc="8621",
    section="6",
    level=MUST,
    quote='o name: "String" (default: "")',
    sends="Identity/set create {email} only (where the server allows creation)",
    expects='name "", textSignature "", htmlSignature "", replyTo null, bcc null, '
    "mayDelete Boolean",
    requires=NEEDS,
)
def create_defaults(ctx: Context) -> None:
    result = _create(ctx, {"email": own_address(ctx)})
    created = as_map(result.get("created"), "created")
    if "i" not in created:
        raise NotSupported(f"cannot create an Identity: {show(result.get('notCreated'))}")
    got = ctx.get_one("Identity", created["i"]["id"])
    expect_eq(
        [got.get(k) for k in ("name", "textSignature", "htmlSignature", "replyTo", "bcc")],
        ["", "", "", None, None],
        "defaults",
    )
    expect_type(got.get("mayDelete"), bool, "mayDelete")


@case(
    "mail.identity.update-name",
    rfc="8621",
    section="6.3",
    level=MUST,
    quote='This is a standard "/set" method as described in [RFC8620], Section 5.3.',
    sends="create an Identity, update its name and textSignature",
    expects="Identity/get shows the new values",
    requires=NEEDS,
)
def update_name(ctx: Context) -> None:
    identity_id = _created_identity(ctx)
    name = ctx.unique("renamed")
    ctx.call("Identity/set", {"update": {identity_id: {"name": name, "textSignature": "-- \ncf"}}})
    got = ctx.get_one("Identity", identity_id, ["name", "textSignature"])
    expect_eq([got["name"], got["textSignature"]], [name, "-- \ncf"], "name, textSignature")


@case(
    "mail.identity.email-immutable",
    rfc="8621",
    section="6",
    level=MUST,
    quote='o email: "String" (immutable)',
    sends="create an Identity, update its email",
    expects="notUpdated[id].type = invalidProperties",
    requires=NEEDS,
)
def email_immutable(ctx: Context) -> None:
    identity_id = _created_identity(ctx)
    result = ctx.call(
        "Identity/set", {"update": {identity_id: {"email": "changed@conformance.example"}}}
    )
    expect_set_error(result, "notUpdated", identity_id, "invalidProperties")


@case(
    "mail.identity.may-delete-server-set",
    rfc="8621",
    section="6",
    level=MUST,
    quote='o mayDelete: "Boolean" (server-set)',
    sends="Identity/set create with mayDelete: false",
    expects="notCreated[i].type = invalidProperties (unless false is the server's value)",
    requires=NEEDS,
)
def may_delete_server_set(ctx: Context) -> None:
    result = _create(ctx, {"email": own_address(ctx), "mayDelete": False})
    created = as_map(result.get("created"), "created")
    if "i" in created:
        got = ctx.get_one("Identity", created["i"]["id"], ["mayDelete"])
        expect_eq(got["mayDelete"], False, "mayDelete accepted from the client")
        return
    expect_set_error(result, "notCreated", "i", "invalidProperties", "forbiddenFrom", "forbidden")


@case(
    "mail.identity.destroy-forbidden",
    rfc="8621",
    section="6",
    level=MUST,
    quote='Attempts to destroy an Identity with "mayDelete: false" will be rejected with a '
    'standard "forbidden" SetError.',
    sends="Identity/set destroy of an Identity whose mayDelete is false",
    expects="notDestroyed[id].type = forbidden (skipped if every Identity may be deleted)",
    requires=NEEDS,
)
def destroy_forbidden(ctx: Context) -> None:
    locked = [i for i in identities(ctx) if i.get("mayDelete") is False]
    if not locked:
        raise Skipped("no Identity has mayDelete false")
    identity_id = str(locked[0]["id"])
    result = ctx.call("Identity/set", {"destroy": [identity_id]}, optional=True)
    expect_set_error(result, "notDestroyed", identity_id, "forbidden")


@case(
    "mail.identity.destroy",
    rfc="8621",
    section="6.3",
    level=MUST,
    quote='This is a standard "/set" method as described in [RFC8620], Section 5.3.',
    sends="create an Identity (mayDelete true), destroy it",
    expects="destroyed lists it; Identity/get notFound",
    requires=NEEDS,
)
def destroy(ctx: Context) -> None:
    identity_id = _created_identity(ctx)
    if ctx.get_one("Identity", identity_id, ["mayDelete"])["mayDelete"] is not True:
        raise Skipped("the new Identity has mayDelete false")
    result = ctx.call("Identity/set", {"destroy": [identity_id]})
    expect(identity_id in (result.get("destroyed") or []), show(result))
    expect_eq(
        ctx.call("Identity/get", {"ids": [identity_id]})["notFound"], [identity_id], "notFound"
    )


@case(
    "mail.identity.not-found",
    rfc="8620",
    section="5.1",
    level=MUST,
    quote="This array contains the ids passed to the method for records that do not exist.",
    sends="Identity/get of an unknown id",
    expects="notFound lists it",
    requires=NEEDS,
)
def not_found(ctx: Context) -> None:
    result = ctx.call("Identity/get", {"ids": ["cfNoSuchIdentity0"]})
    expect_eq(result["notFound"], ["cfNoSuchIdentity0"], "notFound")


@case(
    "mail.identity.create-forbidden-from",
    rfc="8621",
    section="9.6",
    level=MUST,
    quote="If the user attempts to create a new Identity object, the server MUST reject it "
    "with the appropriate error if the user does not have permission to use that email "
    "address to send from.",
    sends="Identity/set create with email stranger@elsewhere.example",
    expects="notCreated[i].type = forbiddenFrom (or forbidden)",
    requires=NEEDS,
)
def create_forbidden_from(ctx: Context) -> None:
    result = _create(ctx, {"email": "stranger@elsewhere.example"})
    expect_set_error(result, "notCreated", "i", "forbiddenFrom", "forbidden")
