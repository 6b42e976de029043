"""RFC 8620 §3.7 result references and §3.3/§5.3 creation-id references."""

from __future__ import annotations

from conformance.checks import JSONObject, as_map, expect, expect_eq, show
from conformance.client import CORE, MAIL
from conformance.context import Context
from conformance.registry import MUST, case


def _ref(result_of: str, name: str, path: str) -> dict[str, str]:
    return {"resultOf": result_of, "name": name, "path": path}


def _echo_pointer(ctx: Context, source: JSONObject, path: str) -> list[object]:
    responses = ctx.responses(
        [
            ("Core/echo", source, "src"),
            ("Core/echo", {"#out": _ref("src", "Core/echo", path)}, "dst"),
        ]
    )
    expect_eq(responses[1][0], "Core/echo", f"response to a reference with path {path}")
    return [responses[1][1].get("out")]


@case(
    "core.refs.simple-path",
    rfc="8620",
    section="3.7",
    level=MUST,
    quote='If found, the result reference should be resolved and the value used as the "real" '
    "argument.",
    sends="Mailbox/query, then Mailbox/get with #ids {resultOf, name: Mailbox/query, path: /ids}",
    expects="the Mailbox/get list holds exactly the queried ids",
)
def simple_path(ctx: Context) -> None:
    responses = ctx.responses(
        [
            ("Mailbox/query", {}, "q"),
            (
                "Mailbox/get",
                {"#ids": _ref("q", "Mailbox/query", "/ids"), "properties": ["id"]},
                "g",
            ),
        ]
    )
    expect_eq(responses[1][0], "Mailbox/get", "second response")
    got = sorted(m["id"] for m in responses[1][1]["list"])
    expect_eq(got, sorted(responses[0][1]["ids"]), "ids fetched through the reference")


@case(
    "core.refs.star-path",
    rfc="8620",
    section="3.7",
    level=MUST,
    quote='the reference token may be exactly the single character "*", making the new '
    "referenced value the result of applying the rest of the JSON Pointer tokens to every "
    "item in the array",
    sends="Mailbox/get ids null, then Mailbox/get with #ids path /list/*/id",
    expects="the second call returns the same mailboxes",
)
def star_path(ctx: Context) -> None:
    responses = ctx.responses(
        [
            ("Mailbox/get", {"ids": None, "properties": ["id"]}, "a"),
            (
                "Mailbox/get",
                {"#ids": _ref("a", "Mailbox/get", "/list/*/id"), "properties": ["name"]},
                "b",
            ),
        ]
    )
    expect_eq(responses[1][0], "Mailbox/get", "second response")
    expect_eq(
        sorted(m["id"] for m in responses[1][1]["list"]),
        sorted(m["id"] for m in responses[0][1]["list"]),
        "ids through /list/*/id",
    )


@case(
    "core.refs.star-flatten",
    rfc="8620",
    section="3.7",
    level=MUST,
    quote="If the result of applying the rest of the pointer tokens to each item was itself an "
    "array, the contents of this array are added to the output rather than the array "
    "itself",
    sends="Core/echo {list: [{v: [a, b]}, {v: [c]}]}, then Core/echo #out path /list/*/v",
    expects="out is the flat array [a, b, c]",
)
def star_flatten(ctx: Context) -> None:
    out = _echo_pointer(ctx, {"list": [{"v": ["a", "b"]}, {"v": ["c"]}]}, "/list/*/v")
    expect_eq(out[0], ["a", "b", "c"], "flattened value")


@case(
    "core.refs.pointer-escapes",
    rfc="6901",
    section="4",
    level=MUST,
    quote="first transforming any occurrence of the sequence '~1' to '/', and then "
    "transforming any occurrence of the sequence '~0' to '~'.",
    sends='Core/echo {"a/b": {"c~d": 7}}, then a reference with path /a~1b/c~0d',
    expects="the referenced value is 7",
)
def pointer_escapes(ctx: Context) -> None:
    out = _echo_pointer(ctx, {"a/b": {"c~d": 7}}, "/a~1b/c~0d")
    expect_eq(out[0], 7, "value at /a~1b/c~0d")


@case(
    "core.refs.pointer-array-index",
    rfc="6901",
    section="4",
    level=MUST,
    quote="If the currently referenced value is a JSON array, the reference token MUST "
    "contain either: * characters comprised of digits",
    sends="Core/echo {list: [x, y, z]}, then a reference with path /list/1",
    expects="the referenced value is y",
)
def pointer_array_index(ctx: Context) -> None:
    expect_eq(_echo_pointer(ctx, {"list": ["x", "y", "z"]}, "/list/1")[0], "y", "value")


@case(
    "core.refs.whole-object",
    rfc="8620",
    section="3.7",
    level=MUST,
    quote="A pointer into the arguments of the response selected via the name and resultOf "
    "properties.",
    sends="Core/echo {o: {k: [1, 2]}}, then a reference with path /o",
    expects="the referenced value is the object {k: [1, 2]}",
)
def whole_object(ctx: Context) -> None:
    expect_eq(_echo_pointer(ctx, {"o": {"k": [1, 2]}}, "/o")[0], {"k": [1, 2]}, "value")


def _expect_invalid_reference(ctx: Context, ref: dict[str, str], first_id: str = "q") -> None:
    responses = ctx.responses(
        [
            ("Mailbox/query", {}, first_id),
            ("Mailbox/get", {"#ids": ref}, "g"),
        ]
    )
    expect_eq(responses[1][0], "error", "response to an unresolvable reference")
    expect_eq(responses[1][1].get("type"), "invalidResultReference", "error type")


@case(
    "core.refs.unknown-result-of",
    rfc="8620",
    section="3.7",
    level=MUST,
    quote="If any result reference fails to resolve, the whole method MUST be rejected with an "
    '"invalidResultReference" error.',
    sends="a reference whose resultOf names no previous call",
    expects="an invalidResultReference error",
)
def unknown_result_of(ctx: Context) -> None:
    _expect_invalid_reference(ctx, _ref("nowhere", "Mailbox/query", "/ids"))


@case(
    "core.refs.wrong-name",
    rfc="8620",
    section="3.7",
    level=MUST,
    quote='If the response name is not identical to the "name" property of the '
    "ResultReference, evaluation fails.",
    sends="a reference to a Mailbox/query call but with name Mailbox/get",
    expects="an invalidResultReference error",
)
def wrong_name(ctx: Context) -> None:
    _expect_invalid_reference(ctx, _ref("q", "Mailbox/get", "/ids"))


@case(
    "core.refs.bad-path",
    rfc="8620",
    section="3.7",
    level=MUST,
    quote="If any result reference fails to resolve, the whole method MUST be rejected with an "
    '"invalidResultReference" error.',
    sends="a reference with path /noSuchArgument",
    expects="an invalidResultReference error",
)
def bad_path(ctx: Context) -> None:
    _expect_invalid_reference(ctx, _ref("q", "Mailbox/query", "/noSuchArgument"))


@case(
    "core.refs.error-response",
    rfc="8620",
    section="3.7",
    level=MUST,
    quote='If the response name is not identical to the "name" property of the '
    "ResultReference, evaluation fails.",
    sends="a failing call (unknown method), then a reference to it by its method name",
    expects='an invalidResultReference error (the response is named "error")',
)
def error_response(ctx: Context) -> None:
    responses = ctx.responses(
        [
            ("Mailbox/frobnicate", {}, "bad"),
            ("Mailbox/get", {"#ids": _ref("bad", "Mailbox/frobnicate", "/ids")}, "g"),
        ]
    )
    expect_eq(responses[1][0], "error", "second response")
    expect_eq(responses[1][1].get("type"), "invalidResultReference", "error type")


@case(
    "core.refs.forward-reference",
    rfc="8620",
    section="3.7",
    level=MUST,
    quote='Find the first response with a method call id identical to the "resultOf" property '
    'of the ResultReference in the "methodResponses" array from previously processed '
    "method calls in the same request.",
    sends="a Mailbox/get referring to a Mailbox/query that comes after it",
    expects="an invalidResultReference error for the first call",
)
def forward_reference(ctx: Context) -> None:
    responses = ctx.responses(
        [
            ("Mailbox/get", {"#ids": _ref("later", "Mailbox/query", "/ids")}, "g"),
            ("Mailbox/query", {}, "later"),
        ]
    )
    expect_eq(responses[0][0], "error", "first response")
    expect_eq(responses[0][1].get("type"), "invalidResultReference", "error type")


@case(
    "core.refs.both-forms",
    rfc="8620",
    section="3.7",
    level=MUST,
    quote="If an arguments object contains the same argument name in normal and referenced "
    'form (e.g., "foo" and "#foo"), the method MUST return an "invalidArguments" '
    "error.",
    sends="Mailbox/get with both ids and #ids",
    expects="an invalidArguments error",
)
def both_forms(ctx: Context) -> None:
    responses = ctx.responses(
        [
            ("Mailbox/query", {}, "q"),
            ("Mailbox/get", {"ids": [], "#ids": _ref("q", "Mailbox/query", "/ids")}, "g"),
        ]
    )
    expect_eq(responses[1][0], "error", "second response")
    expect_eq(responses[1][1].get("type"), "invalidArguments", "error type")


@case(
    "core.refs.creation-id-same-call",
    rfc="8620",
    section="5.3",
    level=MUST,
    quote="the server MUST order the creates and updates within a single method call so that "
    "creates happen before their creation ids are referenced by another "
    "create/update/destroy in the same call.",
    sends='one Mailbox/set creating child {parentId: "#parent"} listed before parent',
    expects="both created; the child's parentId is the parent's new id",
)
def creation_id_same_call(ctx: Context) -> None:
    result = ctx.call(
        "Mailbox/set",
        {
            "create": {
                "child": {"name": ctx.unique("child"), "parentId": "#parent"},
                "parent": {"name": ctx.unique("parent")},
            }
        },
    )
    created = as_map(result.get("created"), "created")
    if "parent" in created:
        ctx.destroy_later("Mailbox", created["parent"]["id"])
    if "child" in created:
        ctx.destroy_later("Mailbox", created["child"]["id"])
    expect("child" in created and "parent" in created, f"not created: {show(result)}")
    child = ctx.get_one("Mailbox", created["child"]["id"], ["parentId"])
    expect_eq(child["parentId"], created["parent"]["id"], "child's parentId")


@case(
    "core.refs.creation-id-later-call",
    rfc="8620",
    section="5.3",
    level=MUST,
    quote="the server MUST keep a simple map for the duration of the request of creation id to "
    "record id for each newly created record, so it can substitute in the correct value "
    "if necessary in later method calls.",
    sends='Mailbox/set creating "p", then a second Mailbox/set creating a child with parentId "#p"',
    expects="the child's parentId is p's id",
)
def creation_id_later_call(ctx: Context) -> None:
    responses = ctx.responses(
        [
            ("Mailbox/set", {"create": {"p": {"name": ctx.unique("p")}}}),
            ("Mailbox/set", {"create": {"c": {"name": ctx.unique("c"), "parentId": "#p"}}}),
        ]
    )
    parent = as_map(responses[0][1].get("created"), "created").get("p", {}).get("id")
    child = as_map(responses[1][1].get("created"), "created").get("c", {}).get("id")
    if parent:
        ctx.destroy_later("Mailbox", parent)
    if child:
        ctx.destroy_later("Mailbox", child)
    expect(parent and child, f"creation failed: {show(responses)}")
    expect_eq(ctx.get_one("Mailbox", child, ["parentId"])["parentId"], parent, "parentId")


@case(
    "core.refs.created-ids-across-requests",
    rfc="8620",
    section="3.3",
    level=MUST,
    quote='The client can pass an initial value for this map as the "createdIds" property of '
    "the Request object.",
    sends='a request whose createdIds maps "p" to an existing mailbox id, creating a child '
    'with parentId "#p"',
    expects="the child's parentId is the mapped id",
)
def created_ids_across_requests(ctx: Context) -> None:
    parent = ctx.mailbox()
    response = ctx.request(
        [("Mailbox/set", {"create": {"c": {"name": ctx.unique("c"), "parentId": "#p"}}})],
        created_ids={"p": parent},
    )
    args = response.method_responses[0][1]
    child = as_map(args.get("created"), "created").get("c", {}).get("id")
    expect(child, f"creation failed: {show(args)}")
    ctx.destroy_later("Mailbox", child)
    expect_eq(ctx.get_one("Mailbox", child, ["parentId"])["parentId"], parent, "parentId")


@case(
    "core.refs.creation-id-reused",
    rfc="8620",
    section="5.3",
    level=MUST,
    quote="If a creation id is reused, the server MUST map the creation id to the most "
    "recently created item with that id.",
    sends='two Mailbox/set calls each creating "dup", then a child with parentId "#dup"',
    expects="the child's parent is the second mailbox",
)
def creation_id_reused(ctx: Context) -> None:
    responses = ctx.responses(
        [
            ("Mailbox/set", {"create": {"dup": {"name": ctx.unique("d1")}}}),
            ("Mailbox/set", {"create": {"dup": {"name": ctx.unique("d2")}}}),
            ("Mailbox/set", {"create": {"c": {"name": ctx.unique("c"), "parentId": "#dup"}}}),
        ]
    )
    ids = [
        as_map(r[1].get("created"), "created").get(k, {}).get("id")
        for r, k in zip(responses, ("dup", "dup", "c"), strict=True)
    ]
    for mailbox_id in ids:
        if mailbox_id:
            ctx.destroy_later("Mailbox", mailbox_id)
    expect(all(ids), f"creation failed: {show(responses)}")
    expect_eq(ctx.get_one("Mailbox", ids[2], ["parentId"])["parentId"], ids[1], "parentId")


@case(
    "core.refs.unknown-creation-id",
    rfc="8620",
    section="5.3",
    level=MUST,
    quote="There is a reference to another record (foreign key), and the given id does not "
    "correspond to a valid record.",
    sends='Mailbox/set create with parentId "#neverCreated"',
    expects="notCreated with invalidProperties (or a notFound-style SetError), or an "
    "invalidResultReference/invalidArguments method error",
)
def unknown_creation_id(ctx: Context) -> None:
    responses = ctx.responses(
        [("Mailbox/set", {"create": {"c": {"name": ctx.unique("c"), "parentId": "#neverCreated"}}})]
    )
    name, args = responses[0][0], responses[0][1]
    if name == "error":
        expect(
            args.get("type") in ("invalidArguments", "invalidResultReference"),
            f"error {show(args)}",
        )
        return
    created = as_map(args.get("created"), "created")
    if "c" in created:
        ctx.destroy_later("Mailbox", created["c"]["id"])
    expect(
        "c" in as_map(args.get("notCreated"), "notCreated"),
        f"a mailbox was created under an unknown creation id: {show(args)}",
    )


@case(
    "core.refs.result-reference-into-set",
    rfc="8620",
    section="3.7",
    level=MUST,
    quote="an argument to one method can be taken from the result of a previous method call in "
    "the same request.",
    sends="Mailbox/query by unique name, then Mailbox/set with #destroy path /ids",
    expects="the mailbox found by the query is destroyed",
)
def result_reference_into_set(ctx: Context) -> None:
    name = ctx.unique("refdel")
    mailbox_id = ctx.mailbox(name)
    responses = ctx.request(
        [
            ("Mailbox/query", {"filter": {"name": name}}, "q"),
            ("Mailbox/set", {"#destroy": _ref("q", "Mailbox/query", "/ids")}, "s"),
        ],
        using=[CORE, MAIL],
    ).method_responses
    expect_eq(responses[1][0], "Mailbox/set", "second response")
    expect(
        mailbox_id in (responses[1][1].get("destroyed") or []),
        f"not destroyed: {show(responses[1][1])}",
    )
