"""RFC 8620 §3.6.2 method-level errors, §3.9 argument checking and §4 Core/echo."""

from __future__ import annotations

from conformance.checks import expect, expect_eq, expect_in, show
from conformance.client import CORE
from conformance.context import Context
from conformance.registry import MUST, Skipped, case


@case(
    "core.method.unknown-method",
    rfc="8620",
    section="3.6.2",
    level=MUST,
    quote='"unknownMethod": The server does not recognise this method name.',
    sends="Conformance/frobnicate",
    expects='["error", {"type": "unknownMethod"}, id]',
)
def unknown_method(ctx: Context) -> None:
    ctx.expect_error("Conformance/frobnicate", {}, "unknownMethod", using=[CORE])


@case(
    "core.method.unknown-method-known-type",
    rfc="8620",
    section="3.6.2",
    level=MUST,
    quote='"unknownMethod": The server does not recognise this method name.',
    sends="Mailbox/frobnicate",
    expects="an unknownMethod error",
)
def unknown_method_known_type(ctx: Context) -> None:
    ctx.expect_error("Mailbox/frobnicate", {}, "unknownMethod")


@case(
    "core.method.error-call-id",
    rfc="8620",
    section="3.2",
    level=MUST,
    quote="all responses initiated by this method call get the same method call id in the response",
    sends='an unknown method with call id "cf-err"',
    expects="the error response carries call id cf-err",
)
def error_call_id(ctx: Context) -> None:
    responses = ctx.responses([("Conformance/nothing", {}, "cf-err")], using=[CORE])
    expect_eq(responses[0][2], "cf-err", "call id of the error")


@case(
    "core.method.not-http-error",
    rfc="8620",
    section="3.6.2",
    level=MUST,
    quote="Errors at the method level MUST NOT generate an HTTP-level error.",
    sends="an unknown method",
    expects="HTTP 200 with an error Invocation",
)
def not_http_error(ctx: Context) -> None:
    response = ctx.request([("Conformance/nothing", {})], using=[CORE])
    expect_eq(response.status, 200, "HTTP status")


@case(
    "core.method.continue-after-error",
    rfc="8620",
    section="3.6.2",
    level=MUST,
    quote="Any further method calls in the request MUST then be processed as normal.",
    sends="an unknown method followed by Core/echo",
    expects="two responses: the error, then the echo",
)
def continue_after_error(ctx: Context) -> None:
    responses = ctx.responses(
        [("Conformance/nothing", {}, "a"), ("Core/echo", {"ok": 1}, "b")], using=[CORE]
    )
    expect_eq([r[0] for r in responses], ["error", "Core/echo"], "response names")
    expect_eq(responses[1][1], {"ok": 1}, "echo after the error")


@case(
    "core.method.invalid-arguments-type",
    rfc="8620",
    section="3.9",
    level=MUST,
    quote="In case of invalid arguments (unknown/insufficient/wrong type for data, etc.), the "
    'method MUST return an "invalidArguments" error and terminate.',
    sends='Mailbox/get with ids: "not-an-array"',
    expects="an invalidArguments error",
)
def invalid_arguments_type(ctx: Context) -> None:
    ctx.expect_error("Mailbox/get", {"ids": "not-an-array"}, "invalidArguments")


@case(
    "core.method.invalid-arguments-missing",
    rfc="8620",
    section="3.9",
    level=MUST,
    quote="In case of invalid arguments (unknown/insufficient/wrong type for data, etc.), the "
    'method MUST return an "invalidArguments" error and terminate.',
    sends="Mailbox/changes without sinceState",
    expects="an invalidArguments error",
)
def invalid_arguments_missing(ctx: Context) -> None:
    ctx.expect_error("Mailbox/changes", {}, "invalidArguments")


@case(
    "core.method.invalid-arguments-unknown",
    rfc="8620",
    section="3.9",
    level=MUST,
    quote="In case of invalid arguments (unknown/insufficient/wrong type for data, etc.), the "
    'method MUST return an "invalidArguments" error and terminate.',
    sends="Mailbox/get with an unknown argument conformanceBogus: true",
    expects="an invalidArguments error",
)
def invalid_arguments_unknown(ctx: Context) -> None:
    ctx.expect_error("Mailbox/get", {"ids": [], "conformanceBogus": True}, "invalidArguments")


@case(
    "core.method.invalid-arguments-account-type",
    rfc="8620",
    section="3.9",
    level=MUST,
    quote="In case of invalid arguments (unknown/insufficient/wrong type for data, etc.), the "
    'method MUST return an "invalidArguments" error and terminate.',
    sends="Mailbox/get with accountId: 42 (a number)",
    expects="an invalidArguments (or accountNotFound) error",
)
def invalid_arguments_account_type(ctx: Context) -> None:
    ctx.expect_error(
        "Mailbox/get", {"accountId": 42, "ids": []}, "invalidArguments", "accountNotFound"
    )


@case(
    "core.method.account-not-found",
    rfc="8620",
    section="3.6.2",
    level=MUST,
    quote='"accountNotFound": The accountId does not correspond to a valid account.',
    sends='Mailbox/get with accountId "cfNoSuchAccount0"',
    expects="an accountNotFound error",
)
def account_not_found(ctx: Context) -> None:
    ctx.expect_error("Mailbox/get", {"accountId": "cfNoSuchAccount0", "ids": []}, "accountNotFound")


@case(
    "core.method.account-not-found-set",
    rfc="8620",
    section="3.6.2",
    level=MUST,
    quote='"accountNotFound": The accountId does not correspond to a valid account.',
    sends='Mailbox/set create with accountId "cfNoSuchAccount0"',
    expects="an accountNotFound error; nothing is created",
)
def account_not_found_set(ctx: Context) -> None:
    ctx.expect_error(
        "Mailbox/set",
        {"accountId": "cfNoSuchAccount0", "create": {"x": {"name": ctx.unique("nf")}}},
        "accountNotFound",
    )


@case(
    "core.method.other-users-account",
    rfc="8620",
    section="3.6.2",
    level=MUST,
    quote='"accountNotFound": The accountId does not correspond to a valid account.',
    sends="as user 1, Mailbox/get on user 2's account id (not shared with user 1)",
    expects="accountNotFound (or forbidden); no data of user 2",
)
def other_users_account(ctx: Context) -> None:
    other_account = ctx.other.account_id
    if other_account in ctx.session.accounts:
        raise Skipped("user 2's account is visible to user 1 (shared)")
    ctx.expect_error(
        "Mailbox/get", {"accountId": other_account, "ids": None}, "accountNotFound", "forbidden"
    )


@case(
    "core.method.other-users-account-write",
    rfc="8620",
    section="3.6.2",
    level=MUST,
    quote='"accountNotFound": The accountId does not correspond to a valid account.',
    sends="as user 1, Mailbox/set create in user 2's account id",
    expects="accountNotFound (or forbidden); nothing is created in user 2's account",
)
def other_users_account_write(ctx: Context) -> None:
    other = ctx.other
    if other.account_id in ctx.session.accounts:
        raise Skipped("user 2's account is visible to user 1 (shared)")
    name = ctx.unique("intruder")
    responses = ctx.responses(
        [("Mailbox/set", {"accountId": other.account_id, "create": {"x": {"name": name}}})]
    )
    if responses[0][0] != "error":
        found = other.call("Mailbox/query", {"filter": {"name": name}})["ids"]
        for mailbox_id in found:
            other.destroy_later("Mailbox", mailbox_id)
    expect_eq(responses[0][0], "error", "response to a write in another user's account")
    expect_in(responses[0][1].get("type"), ["accountNotFound", "forbidden"], "error type")


@case(
    "core.method.no-change-on-error",
    rfc="8620",
    section="3.6.2",
    level=MUST,
    quote="the externally visible state of the server MUST NOT have changed if an error is "
    "returned at the method level.",
    sends="Mailbox/set with a valid create and an invalid ifInState",
    expects="a stateMismatch error and an unchanged Mailbox state, no mailbox created",
)
def no_change_on_error(ctx: Context) -> None:
    before = ctx.state("Mailbox")
    name = ctx.unique("nochange")
    ctx.call_error("Mailbox/set", {"ifInState": "cf-bogus-state", "create": {"x": {"name": name}}})
    found = ctx.call("Mailbox/query", {"filter": {"name": name}})["ids"]
    for mailbox_id in found:
        ctx.destroy_later("Mailbox", mailbox_id)
    expect(not found, "a mailbox was created although the call returned an error")
    expect_eq(ctx.state("Mailbox"), before, "Mailbox state after a failed call")


@case(
    "core.method.echo",
    rfc="8620",
    section="4",
    level=MUST,
    quote='The "Core/echo" method returns exactly the same arguments as it is given.',
    sends='Core/echo with {"hello": true, "high": 5}',
    expects="a Core/echo response with exactly those arguments",
)
def echo(ctx: Context) -> None:
    responses = ctx.responses([("Core/echo", {"hello": True, "high": 5}, "b3ff")])
    expect_eq(responses[0], ["Core/echo", {"hello": True, "high": 5}, "b3ff"], "echo response")


@case(
    "core.method.echo-nested",
    rfc="8620",
    section="4",
    level=MUST,
    quote='The "Core/echo" method returns exactly the same arguments as it is given.',
    sends="Core/echo with nested objects, arrays, null, unicode and numbers",
    expects="the identical arguments back",
)
def echo_nested(ctx: Context) -> None:
    args = {
        "a": [1, 2.5, None, {"b": "ünïcödé ✓"}],
        "c": {"d": {"e": []}},
        "f": False,
        "g": -9007199254740991,
    }
    responses = ctx.responses([("Core/echo", args)])
    expect_eq(responses[0][1], args, "echoed arguments")


@case(
    "core.method.echo-empty",
    rfc="8620",
    section="4",
    level=MUST,
    quote='The "Core/echo" method returns exactly the same arguments as it is given.',
    sends="Core/echo with {}",
    expects="{} back",
)
def echo_empty(ctx: Context) -> None:
    responses = ctx.responses([("Core/echo", {})])
    expect_eq(responses[0][:2], ["Core/echo", {}], "echo response")


@case(
    "core.method.read-only-account",
    rfc="8620",
    section="3.6.2",
    level=MUST,
    quote='"accountReadOnly": This method modifies state, but the account is read-only',
    sends="Mailbox/set create in an account the session marks isReadOnly",
    expects="an accountReadOnly error (skipped when no read-only account is visible)",
)
def read_only_account(ctx: Context) -> None:
    read_only = [a for a, v in ctx.session.accounts.items() if v.get("isReadOnly")]
    if not read_only:
        raise Skipped("the session shows no read-only account")
    error = ctx.call_error(
        "Mailbox/set", {"accountId": read_only[0], "create": {"x": {"name": ctx.unique("ro")}}}
    )
    expect_in(
        error["type"],
        ["accountReadOnly", "accountNotSupportedByMethod"],
        f"error type {show(error)}",
    )
