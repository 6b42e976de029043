"""RFC 8620 §3: the Request and Response objects and request-level errors."""

from __future__ import annotations

import json

from conformance.checks import as_map, expect, expect_eq, expect_type, show
from conformance.client import CORE, MAIL, ApiResponse
from conformance.context import Context
from conformance.registry import MUST, SHOULD, case

PROBLEM = "urn:ietf:params:jmap:error:"


def expect_request_error(response: ApiResponse, kind: str) -> None:
    """4xx; when the body is problem JSON, its type must be `kind` (RFC 8620 §3.6.1)."""
    expect(
        400 <= response.status < 500,
        f"expected an HTTP 4xx request-level error, got {response.status}: {response.text[:200]}",
    )
    body = response.body
    if isinstance(body, dict) and "type" in body:
        expect_eq(body["type"], PROBLEM + kind, "problem details type")


def expect_problem_json(response: ApiResponse, kind: str) -> None:
    """The SHOULD form: RFC 7807 problem details with the right type and status."""
    expect(400 <= response.status < 500, f"expected HTTP 4xx, got {response.status}")
    ctype = response.headers.get("content-type", "").split(";")[0].strip().lower()
    expect(
        ctype in ("application/problem+json", "application/json"),
        f"Content-Type of the error is {ctype!r}",
    )
    expect(isinstance(response.body, dict), f"error body is not JSON: {response.text[:200]}")
    expect_eq(response.body.get("type"), PROBLEM + kind, "problem type")


@case(
    "core.request.not-json-content-type",
    rfc="8620",
    section="3.6.1",
    level=MUST,
    quote='The content type of the request was not "application/json" or the request did not '
    "parse as I-JSON.",
    sends="a valid Request body POSTed with Content-Type text/plain",
    expects="HTTP 4xx; if problem JSON, type urn:ietf:params:jmap:error:notJSON",
)
def not_json_content_type(ctx: Context) -> None:
    body = json.dumps({"using": [CORE], "methodCalls": [["Core/echo", {}, "c0"]]})
    response = ctx.client.post_api(body, content_type="text/plain")
    expect_request_error(response, "notJSON")


@case(
    "core.request.not-json-syntax",
    rfc="8620",
    section="3.6.1",
    level=MUST,
    quote='The content type of the request was not "application/json" or the request did not '
    "parse as I-JSON.",
    sends='a body that is not JSON ({"using": [)',
    expects="HTTP 4xx; if problem JSON, type urn:ietf:params:jmap:error:notJSON",
)
def not_json_syntax(ctx: Context) -> None:
    expect_request_error(ctx.client.post_api('{"using": ['), "notJSON")


@case(
    "core.request.not-json-problem-details",
    rfc="8620",
    section="3.6.1",
    level=SHOULD,
    quote="When an HTTP error response is returned to the client, the server SHOULD return a "
    'JSON "problem details" object as the response body, as per [RFC7807].',
    sends="a body that is not JSON",
    expects="an RFC 7807 body with type urn:ietf:params:jmap:error:notJSON",
)
def not_json_problem_details(ctx: Context) -> None:
    expect_problem_json(ctx.client.post_api("this is not json"), "notJSON")


@case(
    "core.request.problem-status-member",
    rfc="7807",
    section="3.1",
    level=MUST,
    quote="Generators MUST use the same status code in the actual HTTP response",
    sends="a body that is not JSON",
    expects="if the problem details carry status, it equals the HTTP status code",
)
def problem_status_member(ctx: Context) -> None:
    response = ctx.client.post_api("not json either")
    body = response.body
    if isinstance(body, dict) and "status" in body:
        expect_eq(body["status"], response.status, "problem details status")


@case(
    "core.request.not-request-missing-using",
    rfc="8620",
    section="3.6.1",
    level=MUST,
    quote="The request parsed as JSON but did not match the type signature of the Request object.",
    sends='{"methodCalls": [...]} without using',
    expects="HTTP 4xx; if problem JSON, type urn:ietf:params:jmap:error:notRequest",
)
def not_request_missing_using(ctx: Context) -> None:
    response = ctx.client.post_api({"methodCalls": [["Core/echo", {}, "c0"]]})
    expect_request_error(response, "notRequest")


@case(
    "core.request.not-request-array",
    rfc="8620",
    section="3.6.1",
    level=MUST,
    quote="The request parsed as JSON but did not match the type signature of the Request object.",
    sends="a JSON array instead of a Request object",
    expects="HTTP 4xx; if problem JSON, type notRequest",
)
def not_request_array(ctx: Context) -> None:
    expect_request_error(ctx.client.post_api([["Core/echo", {}, "c0"]]), "notRequest")


@case(
    "core.request.not-request-bad-invocation",
    rfc="8620",
    section="3.6.1",
    level=MUST,
    quote="The request parsed as JSON but did not match the type signature of the Request object.",
    sends='methodCalls: [["Core/echo", {}]] (an Invocation with two elements)',
    expects="HTTP 4xx; if problem JSON, type notRequest",
)
def not_request_bad_invocation(ctx: Context) -> None:
    response = ctx.client.post_api({"using": [CORE], "methodCalls": [["Core/echo", {}]]})
    expect_request_error(response, "notRequest")


@case(
    "core.request.not-request-using-type",
    rfc="8620",
    section="3.6.1",
    level=MUST,
    quote="The request parsed as JSON but did not match the type signature of the Request object.",
    sends='using: "urn:ietf:params:jmap:core" (a string, not String[])',
    expects="HTTP 4xx; if problem JSON, type notRequest",
)
def not_request_using_type(ctx: Context) -> None:
    response = ctx.client.post_api({"using": CORE, "methodCalls": [["Core/echo", {}, "c0"]]})
    expect_request_error(response, "notRequest")


@case(
    "core.request.not-request-arguments-type",
    rfc="8620",
    section="3.6.1",
    level=MUST,
    quote="The request parsed as JSON but did not match the type signature of the Request object.",
    sends="an Invocation whose arguments are an array, not an object",
    expects="HTTP 4xx; if problem JSON, type notRequest",
)
def not_request_arguments_type(ctx: Context) -> None:
    response = ctx.client.post_api({"using": [CORE], "methodCalls": [["Core/echo", [], "c0"]]})
    expect_request_error(response, "notRequest")


@case(
    "core.request.not-request-problem-details",
    rfc="8620",
    section="3.6.1",
    level=SHOULD,
    quote="When an HTTP error response is returned to the client, the server SHOULD return a "
    'JSON "problem details" object as the response body, as per [RFC7807].',
    sends="a Request without methodCalls",
    expects="an RFC 7807 body with type urn:ietf:params:jmap:error:notRequest",
)
def not_request_problem_details(ctx: Context) -> None:
    expect_problem_json(ctx.client.post_api({"using": [CORE]}), "notRequest")


@case(
    "core.request.unknown-capability",
    rfc="8620",
    section="3.6.1",
    level=MUST,
    quote='The client included a capability in the "using" property of the request that the '
    "server does not support.",
    sends="using: [core, https://conformance.example/no-such-capability]",
    expects="HTTP 4xx; if problem JSON, type urn:ietf:params:jmap:error:unknownCapability",
)
def unknown_capability(ctx: Context) -> None:
    response = ctx.client.post_api(
        {
            "using": [CORE, "https://conformance.example/no-such-capability"],
            "methodCalls": [["Core/echo", {}, "c0"]],
        }
    )
    expect_request_error(response, "unknownCapability")


@case(
    "core.request.unknown-capability-problem-details",
    rfc="8620",
    section="3.6.1",
    level=SHOULD,
    quote="When an HTTP error response is returned to the client, the server SHOULD return a "
    'JSON "problem details" object as the response body, as per [RFC7807].',
    sends="using an unknown capability",
    expects="an RFC 7807 body with type urn:ietf:params:jmap:error:unknownCapability",
)
def unknown_capability_problem(ctx: Context) -> None:
    response = ctx.client.post_api(
        {
            "using": [CORE, "urn:ietf:params:jmap:conformance-unknown"],
            "methodCalls": [["Core/echo", {}, "c0"]],
        }
    )
    expect_problem_json(response, "unknownCapability")


@case(
    "core.request.response-content-type",
    rfc="8620",
    section="3.1",
    level=MUST,
    quote='If successful, the response MUST also be of type "application/json" and consist of '
    'a single "Response" object',
    sends="a valid Core/echo request",
    expects="HTTP 200, Content-Type application/json, a Response object with methodResponses",
)
def response_content_type(ctx: Context) -> None:
    response = ctx.request([("Core/echo", {"x": 1})])
    ctype = response.headers.get("content-type", "").split(";")[0].strip().lower()
    expect_eq(ctype, "application/json", "Content-Type")
    expect_type(response.body.get("methodResponses"), list, "methodResponses")


@case(
    "core.request.response-order",
    rfc="8620",
    section="3.4",
    level=MUST,
    quote='The output of the methods MUST be added to the "methodResponses" array in the same '
    "order that the methods are processed.",
    sends="three Core/echo calls with call ids a, b, c",
    expects="three responses, in order, with call ids a, b, c",
)
def response_order(ctx: Context) -> None:
    responses = ctx.responses(
        [("Core/echo", {"n": 1}, "a"), ("Core/echo", {"n": 2}, "b"), ("Core/echo", {"n": 3}, "c")]
    )
    expect_eq([r[2] for r in responses], ["a", "b", "c"], "method call ids")
    expect_eq([r[1].get("n") for r in responses], [1, 2, 3], "echoed arguments")


@case(
    "core.request.response-name",
    rfc="8620",
    section="3.4",
    level=MUST,
    quote="if the method call completed successfully, its response name is the same as the "
    "method name in the request.",
    sends="Mailbox/get with ids []",
    expects="a response named Mailbox/get",
)
def response_name(ctx: Context) -> None:
    responses = ctx.responses([("Mailbox/get", {"ids": []})])
    expect_eq(responses[0][0], "Mailbox/get", "response name")


@case(
    "core.request.session-state",
    rfc="8620",
    section="3.4",
    level=MUST,
    quote='sessionState: "String" The current value of the "state" string on the Session object',
    sends="a Core/echo request",
    expects="the Response has a string sessionState",
)
def session_state(ctx: Context) -> None:
    expect_type(ctx.request([("Core/echo", {})]).body.get("sessionState"), str, "sessionState")


@case(
    "core.request.created-ids-echoed",
    rfc="8620",
    section="3.4",
    level=MUST,
    quote="This MUST include all creation ids passed in the original createdIds parameter of "
    "the Request object",
    sends='a Core/echo request with createdIds {"k1": "Xcf1"}',
    expects="the Response has createdIds containing k1: Xcf1",
)
def created_ids_echoed(ctx: Context) -> None:
    body = ctx.request([("Core/echo", {})], created_ids={"k1": "Xcf1"}).body
    expect_eq(as_map(body.get("createdIds"), "createdIds").get("k1"), "Xcf1", "createdIds.k1")


@case(
    "core.request.created-ids-empty-object",
    rfc="8620",
    section="3.3",
    level=MUST,
    quote="This may be an empty object. If given in the request, the response will also "
    "include a createdIds property.",
    sends="a Core/echo request with createdIds {}",
    expects="the Response has a createdIds object",
)
def created_ids_empty(ctx: Context) -> None:
    body = ctx.request([("Core/echo", {})], created_ids={}).body
    expect_type(body.get("createdIds"), dict, "createdIds")


@case(
    "core.request.created-ids-absent",
    rfc="8620",
    section="3.4",
    level=MUST,
    quote='createdIds: "Id[Id]" (optional; only returned if given in the request)',
    sends="a Core/echo request without createdIds",
    expects="the Response has no createdIds property",
)
def created_ids_absent(ctx: Context) -> None:
    body = ctx.request([("Core/echo", {})]).body
    expect("createdIds" not in body, f"createdIds returned unasked: {show(body.get('createdIds'))}")


@case(
    "core.request.created-ids-new-records",
    rfc="8620",
    section="3.3",
    level=MUST,
    quote="any time it successfully creates a new record, it adds the creation id to this map",
    sends='Mailbox/set create "m1" in a request that carries createdIds {}',
    expects="the Response's createdIds maps m1 to the new Mailbox id",
)
def created_ids_new_records(ctx: Context) -> None:
    name = ctx.unique("cids")
    response = ctx.request([("Mailbox/set", {"create": {"m1": {"name": name}}})], created_ids={})
    args = response.method_responses[0][1]
    new_id = as_map(args.get("created"), "created").get("m1", {}).get("id")
    expect(new_id, f"Mailbox/set did not create: {show(args)}")
    ctx.destroy_later("Mailbox", new_id)
    expect_eq(
        as_map(response.body.get("createdIds"), "createdIds").get("m1"), new_id, "createdIds.m1"
    )


@case(
    "core.request.ignore-unknown-properties",
    rfc="8620",
    section="3.3",
    level=MUST,
    quote="a server MUST ignore any other properties it does not understand on the JMAP Request "
    "object.",
    sends='a Request with an extra property "conformanceExtra": 1',
    expects="the request is processed normally",
)
def ignore_unknown_properties(ctx: Context) -> None:
    response = ctx.client.post_api(
        {"using": [CORE], "conformanceExtra": 1, "methodCalls": [["Core/echo", {"k": "v"}, "c0"]]}
    )
    expect_eq(response.status, 200, "HTTP status")
    expect_eq(response.method_responses[0][1], {"k": "v"}, "echo")


@case(
    "core.request.sequential-processing",
    rfc="8620",
    section="3.3",
    level=MUST,
    quote="The method calls MUST be processed sequentially, in order.",
    sends="Mailbox/set creating a uniquely named mailbox, then Mailbox/query filtering on that "
    "name, in one request",
    expects="the query (second call) finds the mailbox created by the first",
)
def sequential_processing(ctx: Context) -> None:
    name = ctx.unique("seq")
    responses = ctx.responses(
        [
            ("Mailbox/set", {"create": {"s": {"name": name}}}),
            ("Mailbox/query", {"filter": {"name": name}}),
        ]
    )
    created = as_map(responses[0][1].get("created"), "created").get("s", {}).get("id")
    expect(created, f"Mailbox/set failed: {show(responses[0][1])}")
    ctx.destroy_later("Mailbox", created)
    expect_eq(responses[1][0], "Mailbox/query", "second response")
    expect(created in responses[1][1].get("ids", []), "the query ran before the create")


@case(
    "core.request.capability-required-for-method",
    rfc="8620",
    section="2",
    level=MUST,
    quote="Clients MUST opt in to any capability it wishes to use (see Section 3.3).",
    sends="Mailbox/get with using [urn:ietf:params:jmap:core] only",
    expects="the call is not executed: an error response (unknownMethod) or a request-level error",
)
def capability_required(ctx: Context) -> None:
    response = ctx.client.post_api(
        {
            "using": [CORE],
            "methodCalls": [["Mailbox/get", {"accountId": ctx.account_id, "ids": []}, "c0"]],
        }
    )
    if response.status != 200:
        expect(400 <= response.status < 500, f"HTTP {response.status}")
        return
    first = response.method_responses[0]
    expect_eq(first[0], "error", "response name without the mail capability in using")
    expect_eq(first[1].get("type"), "unknownMethod", "error type")


@case(
    "core.request.unauthenticated-api",
    rfc="8620",
    section="3.1",
    level=MUST,
    quote="To make an API request, the client makes an authenticated POST request to the API "
    "resource",
    sends="a valid Core/echo request without credentials",
    expects="HTTP 401 (or 403/404), not a Response",
)
def unauthenticated_api(ctx: Context) -> None:
    body = json.dumps({"using": [CORE, MAIL], "methodCalls": [["Core/echo", {}, "c0"]]})
    response = ctx.client.http.send(
        "POST",
        ctx.session.api_url,
        content=body,
        anonymous=True,
        headers={"Content-Type": "application/json"},
    )
    expect(
        response.status_code in (401, 403, 404),
        f"unauthenticated API request answered HTTP {response.status_code}",
    )
