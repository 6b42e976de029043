"""Enforcement of the limits a server advertises (RFC 8620 §2, §3.6.1, §5.1, §5.3)."""

from __future__ import annotations

import json

from conformance.checks import JSONObject, expect, expect_eq, show
from conformance.client import CORE
from conformance.context import Context
from conformance.registry import MUST, SHOULD, Skipped, case

PRACTICAL_BYTES = 64_000_000
PRACTICAL_OBJECTS = 20_000


def _expect_too_large(ctx: Context, name: str, args: JSONObject, limit_name: str) -> None:
    """requestTooLarge, or a request-level `limit` error naming the limit (RFC 8620 §3.6.1)."""
    response = ctx.client.post_api(
        {
            "using": [CORE, "urn:ietf:params:jmap:mail"],
            "methodCalls": [[name, {"accountId": ctx.account_id, **args}, "c0"]],
        }
    )
    if response.status != 200:
        body = response.body if isinstance(response.body, dict) else {}
        expect(400 <= response.status < 500, f"HTTP {response.status}")
        expect_eq(body.get("type"), "urn:ietf:params:jmap:error:limit", "problem type")
        expect_eq(body.get("limit"), limit_name, "problem limit")
        return
    first = response.method_responses[0]
    expect_eq([first[0], first[1].get("type")], ["error", "requestTooLarge"], "response")


def _limit(ctx: Context, name: str, ceiling: int) -> int:
    value = ctx.session.core_limit(name)
    if value is None:
        raise Skipped(f"the session does not advertise {name}")
    if value >= ceiling:
        raise Skipped(f"{name} = {value} is too large to exceed in a test")
    return value


@case(
    "core.limits.max-calls-in-request",
    rfc="8620",
    section="3.6.1",
    level=MUST,
    quote='A "limit" property MUST also be present on the "problem details" object, '
    "containing the name of the limit being applied.",
    sends="a request with maxCallsInRequest + 1 Core/echo calls",
    expects="HTTP 4xx; problem type urn:ietf:params:jmap:error:limit with limit "
    '"maxCallsInRequest"',
)
def max_calls_in_request(ctx: Context) -> None:
    limit = _limit(ctx, "maxCallsInRequest", 5000)
    calls = [["Core/echo", {}, f"c{i}"] for i in range(limit + 1)]
    response = ctx.client.post_api({"using": [CORE], "methodCalls": calls})
    expect(400 <= response.status < 500, f"HTTP {response.status}")
    body = response.body if isinstance(response.body, dict) else {}
    expect_eq(body.get("type"), "urn:ietf:params:jmap:error:limit", "problem type")
    expect_eq(body.get("limit"), "maxCallsInRequest", "problem limit")


@case(
    "core.limits.max-calls-at-limit",
    rfc="8620",
    section="2",
    level=MUST,
    quote="The maximum number of method calls the server will accept in a single request to "
    "the API endpoint.",
    sends="a request with exactly maxCallsInRequest Core/echo calls",
    expects="HTTP 200 with that many responses",
)
def max_calls_at_limit(ctx: Context) -> None:
    limit = _limit(ctx, "maxCallsInRequest", 5000)
    calls = [("Core/echo", {"i": i}) for i in range(limit)]
    expect_eq(len(ctx.responses(calls)), limit, "number of responses")


@case(
    "core.limits.max-size-request",
    rfc="8620",
    section="3.6.1",
    level=MUST,
    quote="The request was not processed as it would have exceeded one of the request limits "
    "defined on the capability object, such as maxSizeRequest",
    sends="a syntactically valid request one octet over maxSizeRequest",
    expects="HTTP 4xx (400 or 413); if problem JSON, type limit with limit maxSizeRequest",
)
def max_size_request(ctx: Context) -> None:
    limit = _limit(ctx, "maxSizeRequest", PRACTICAL_BYTES)
    skeleton = json.dumps({"using": [CORE], "methodCalls": [["Core/echo", {"pad": ""}, "c0"]]})
    body = skeleton.replace('"pad": ""', '"pad": "' + "x" * (limit + 1 - len(skeleton)) + '"')
    response = ctx.client.post_api(body)
    expect(400 <= response.status < 500, f"HTTP {response.status}")
    if isinstance(response.body, dict) and "type" in response.body:
        expect_eq(response.body.get("type"), "urn:ietf:params:jmap:error:limit", "problem type")
        expect_eq(response.body.get("limit"), "maxSizeRequest", "problem limit")


@case(
    "core.limits.max-objects-in-get",
    rfc="8620",
    section="5.1",
    level=SHOULD,
    quote='"requestTooLarge": The number of ids requested by the client exceeds the maximum '
    "number the server is willing to process in a single method call.",
    sends="Mailbox/get with maxObjectsInGet + 1 (unknown) ids",
    expects="a requestTooLarge error (or a request-level limit error naming maxObjectsInGet)",
)
def max_objects_in_get(ctx: Context) -> None:
    limit = _limit(ctx, "maxObjectsInGet", PRACTICAL_OBJECTS)
    ids = [f"cfNone{i}" for i in range(limit + 1)]
    _expect_too_large(ctx, "Mailbox/get", {"ids": ids, "properties": ["id"]}, "maxObjectsInGet")


@case(
    "core.limits.max-objects-in-set",
    rfc="8620",
    section="5.3",
    level=SHOULD,
    quote='"requestTooLarge": The total number of objects to create, update, or destroy '
    "exceeds the maximum number the server is willing to process in a single method "
    "call.",
    sends="Mailbox/set destroying maxObjectsInSet + 1 (unknown) ids",
    expects="a requestTooLarge error (or a request-level limit error naming maxObjectsInSet)",
)
def max_objects_in_set(ctx: Context) -> None:
    limit = _limit(ctx, "maxObjectsInSet", PRACTICAL_OBJECTS)
    ids = [f"cfNone{i}" for i in range(limit + 1)]
    _expect_too_large(ctx, "Mailbox/set", {"destroy": ids}, "maxObjectsInSet")


@case(
    "core.limits.max-objects-in-set-combined",
    rfc="8620",
    section="2",
    level=SHOULD,
    quote="This is the combined total, e.g., if the maximum is 10, you could not create 7 "
    "objects and destroy 6, as this would be 13 actions, which exceeds the limit.",
    sends="Mailbox/set with updates and destroys of unknown ids summing to maxObjectsInSet + 1",
    expects="a requestTooLarge error (or a request-level limit error naming maxObjectsInSet)",
)
def max_objects_in_set_combined(ctx: Context) -> None:
    limit = _limit(ctx, "maxObjectsInSet", PRACTICAL_OBJECTS)
    half = (limit + 1) // 2
    updates = {f"cfUpd{i}": {"name": "x"} for i in range(half)}
    destroys = [f"cfDel{i}" for i in range(limit + 1 - half)]
    _expect_too_large(
        ctx, "Mailbox/set", {"update": updates, "destroy": destroys}, "maxObjectsInSet"
    )


@case(
    "core.limits.max-size-upload",
    rfc="8620",
    section="2",
    level=MUST,
    quote="The maximum file size, in octets, that the server will accept for a single file "
    "upload (for any purpose).",
    sends="an upload one octet larger than maxSizeUpload",
    expects="HTTP 4xx (400 or 413), not a blob",
)
def max_size_upload(ctx: Context) -> None:
    limit = _limit(ctx, "maxSizeUpload", PRACTICAL_BYTES)
    response = ctx.client.upload(ctx.account_id, b"x" * (limit + 1), "application/octet-stream")
    expect(400 <= response.status_code < 500, f"HTTP {response.status_code}: {response.text[:200]}")


@case(
    "core.limits.max-mailbox-depth",
    rfc="8621",
    section="1.3.1",
    level=MUST,
    quote="The maximum depth of the Mailbox hierarchy (i.e., one more than the maximum number "
    "of ancestors a Mailbox may have), or null for no limit.",
    sends="a chain of maxMailboxDepth nested mailboxes, then one more child",
    expects="the chain is accepted and the extra child is rejected (notCreated)",
)
def max_mailbox_depth(ctx: Context) -> None:
    caps = ctx.account_capability("urn:ietf:params:jmap:mail") or {}
    depth = caps.get("maxMailboxDepth")
    if not isinstance(depth, int) or depth > 50:
        raise Skipped(f"maxMailboxDepth is {depth!r}")
    parent = None
    for _ in range(depth):
        parent = ctx.mailbox(parentId=parent)
    result = ctx.call(
        "Mailbox/set", {"create": {"x": {"name": ctx.unique("deep"), "parentId": parent}}}
    )
    created = result.get("created") or {}
    if "x" in created:
        ctx.destroy_later("Mailbox", created["x"]["id"])
    expect("x" not in created, f"a mailbox deeper than maxMailboxDepth was created: {show(result)}")
