"""RFC 8621 §4.4.1: the text, address, header and operator Email/query filters."""

from __future__ import annotations

from collections.abc import Callable

from conformance import corpus as cp
from conformance.checks import JSONObject, expect_eq
from conformance.context import Context
from conformance.registry import MUST, SHOULD, case

Expected = Callable[[cp.Corpus], set[str]]


def _check(
    ctx: Context, condition: JSONObject, expected: Expected | set[str], *, text: bool = False
) -> None:
    corpus = cp.get(ctx)
    want = expected(corpus) if callable(expected) else expected
    if text:  # full-text indexes may lag; give them a few seconds to agree
        ctx.eventually(lambda: set(cp.query(ctx, corpus, condition)) == want, timeout=5.0)
    expect_eq(sorted(cp.query(ctx, corpus, condition)), sorted(want), f"matches of {condition}")


@case(
    "mail.filter.text-subject",
    rfc="8621",
    section="4.4.1",
    level=MUST,
    quote="The server MUST look up text in the From, To, Cc, Bcc, and Subject header fields of "
    "the message",
    sends='filter text "gamma" (a word of e4\'s subject only)',
    expects="e4",
)
def text_subject(ctx: Context) -> None:
    _check(ctx, {"text": "gamma"}, {"e4"}, text=True)


@case(
    "mail.filter.text-from",
    rfc="8621",
    section="4.4.1",
    level=MUST,
    quote="The server MUST look up text in the From, To, Cc, Bcc, and Subject header fields of "
    "the message",
    sends='filter text "Mallory" (e5\'s From name only)',
    expects="e5",
)
def text_from(ctx: Context) -> None:
    _check(ctx, {"text": "Mallory"}, {"e5"}, text=True)


@case(
    "mail.filter.text-to",
    rfc="8621",
    section="4.4.1",
    level=MUST,
    quote="The server MUST look up text in the From, To, Cc, Bcc, and Subject header fields of "
    "the message",
    sends='filter text "Dunn" (e2\'s To name only)',
    expects="e2",
)
def text_to(ctx: Context) -> None:
    _check(ctx, {"text": "Dunn"}, {"e2"}, text=True)


@case(
    "mail.filter.text-cc",
    rfc="8621",
    section="4.4.1",
    level=MUST,
    quote="The server MUST look up text in the From, To, Cc, Bcc, and Subject header fields of "
    "the message",
    sends='filter text "Erin" (e2\'s Cc only)',
    expects="e2",
)
def text_cc(ctx: Context) -> None:
    _check(ctx, {"text": "Erin"}, {"e2"}, text=True)


@case(
    "mail.filter.text-bcc",
    rfc="8621",
    section="4.4.1",
    level=MUST,
    quote="The server MUST look up text in the From, To, Cc, Bcc, and Subject header fields of "
    "the message",
    sends='filter text "Frank" (e4\'s Bcc only)',
    expects="e4",
)
def text_bcc(ctx: Context) -> None:
    _check(ctx, {"text": "Frank"}, {"e4"}, text=True)


@case(
    "mail.filter.text-body",
    rfc="8621",
    section="4.4.1",
    level=SHOULD,
    quote='SHOULD look inside any "text/*" or other body parts that may be converted to text '
    "by the server.",
    sends='filter text "orchard" (in e1\'s body only)',
    expects="e1",
)
def text_body(ctx: Context) -> None:
    _check(ctx, {"text": "orchard"}, {"e1"}, text=True)


@case(
    "mail.filter.from",
    rfc="8621",
    section="4.4.1",
    level=MUST,
    quote="Looks for the text in the From header field of the message.",
    sends='filter from "Alice" (e1\'s From; e3 only has Alice in To)',
    expects="e1",
)
def from_(ctx: Context) -> None:
    _check(ctx, {"from": "Alice"}, {"e1"}, text=True)


@case(
    "mail.filter.from-address",
    rfc="8621",
    section="4.4.1",
    level=MUST,
    quote="Looks for the text in the From header field of the message.",
    sends='filter from "carol.cole@conformance.example"',
    expects="e2",
)
def from_address(ctx: Context) -> None:
    _check(ctx, {"from": "carol.cole@conformance.example"}, {"e2"}, text=True)


@case(
    "mail.filter.to",
    rfc="8621",
    section="4.4.1",
    level=MUST,
    quote="Looks for the text in the To header field of the message.",
    sends='filter to "Alice" (e3\'s To; e1 only has Alice in From)',
    expects="e3",
)
def to(ctx: Context) -> None:
    _check(ctx, {"to": "Alice"}, {"e3"}, text=True)


@case(
    "mail.filter.cc",
    rfc="8621",
    section="4.4.1",
    level=MUST,
    quote="Looks for the text in the Cc header field of the message.",
    sends='filter cc "Erin"',
    expects="e2",
)
def cc(ctx: Context) -> None:
    _check(ctx, {"cc": "Erin"}, {"e2"}, text=True)


@case(
    "mail.filter.bcc",
    rfc="8621",
    section="4.4.1",
    level=MUST,
    quote="Looks for the text in the Bcc header field of the message.",
    sends='filter bcc "Frank"',
    expects="e4",
)
def bcc(ctx: Context) -> None:
    _check(ctx, {"bcc": "Frank"}, {"e4"}, text=True)


@case(
    "mail.filter.subject",
    rfc="8621",
    section="4.4.1",
    level=MUST,
    quote="Looks for the text in the Subject header field of the message.",
    sends='filter subject "beta"',
    expects="e2",
)
def subject(ctx: Context) -> None:
    _check(ctx, {"subject": "beta"}, {"e2"}, text=True)


@case(
    "mail.filter.subject-not-body",
    rfc="8621",
    section="4.4.1",
    level=MUST,
    quote="Looks for the text in the Subject header field of the message.",
    sends='filter subject "orchard" (a body word)',
    expects="no match",
)
def subject_not_body(ctx: Context) -> None:
    _check(ctx, {"subject": "orchard"}, set(), text=True)


@case(
    "mail.filter.body",
    rfc="8621",
    section="4.4.1",
    level=MUST,
    quote="Looks for the text in one of the body parts of the message.",
    sends='filter body "banana" (a text/plain part of e2)',
    expects="e2",
)
def body(ctx: Context) -> None:
    _check(ctx, {"body": "banana"}, {"e2"}, text=True)


@case(
    "mail.filter.body-html",
    rfc="8621",
    section="4.4.1",
    level=MUST,
    quote="Looks for the text in one of the body parts of the message.",
    sends='filter body "cherry" (in e4\'s text/html part)',
    expects="e4",
)
def body_html(ctx: Context) -> None:
    _check(ctx, {"body": "cherry"}, {"e4"}, text=True)


@case(
    "mail.filter.body-not-subject",
    rfc="8621",
    section="4.4.1",
    level=MUST,
    quote="Looks for the text in one of the body parts of the message.",
    sends='filter body "gamma" (a subject word)',
    expects="no match",
)
def body_not_subject(ctx: Context) -> None:
    _check(ctx, {"body": "gamma"}, set(), text=True)


@case(
    "mail.filter.body-ignores-markup",
    rfc="8621",
    section="4.4.1",
    level=SHOULD,
    quote='When searching inside a "text/html" body part, any text considered markup rather '
    "than content SHOULD be ignored, including HTML tags and most attributes",
    sends='filter body "html" (only an HTML tag name in e4)',
    expects="no match",
)
def body_ignores_markup(ctx: Context) -> None:
    _check(ctx, {"body": "html"}, set(), text=True)


@case(
    "mail.filter.header-exists",
    rfc="8621",
    section="4.4.1",
    level=MUST,
    quote="If not supplied, the message matches simply if it has a header field of the given name.",
    sends='filter header ["X-CF-Marker"]',
    expects="e3",
)
def header_exists(ctx: Context) -> None:
    _check(ctx, {"header": ["X-CF-Marker"]}, {"e3"}, text=True)


@case(
    "mail.filter.header-value",
    rfc="8621",
    section="4.4.1",
    level=MUST,
    quote="The second (optional) element is the text to look for in the header field value.",
    sends='filter header ["X-CF-Marker", "present"]',
    expects="e3",
)
def header_value(ctx: Context) -> None:
    _check(ctx, {"header": ["X-CF-Marker", "present"]}, {"e3"}, text=True)


@case(
    "mail.filter.header-value-mismatch",
    rfc="8621",
    section="4.4.1",
    level=MUST,
    quote="The second (optional) element is the text to look for in the header field value.",
    sends='filter header ["X-CF-Marker", "zzabsentzz"]',
    expects="no match",
)
def header_value_mismatch(ctx: Context) -> None:
    _check(ctx, {"header": ["X-CF-Marker", "zzabsentzz"]}, set(), text=True)


@case(
    "mail.filter.header-bad-arity",
    rfc="8621",
    section="4.4.1",
    level=MUST,
    quote="The array MUST contain either one or two elements.",
    sends="filter header [] (no element)",
    expects="an invalidArguments (or unsupportedFilter) error",
)
def header_bad_arity(ctx: Context) -> None:
    ctx.expect_error(
        "Email/query", {"filter": {"header": []}}, "invalidArguments", "unsupportedFilter"
    )


@case(
    "mail.filter.case-insensitive",
    rfc="8621",
    section="4.4.1",
    level=SHOULD,
    quote="Text SHOULD be matched in a case-insensitive manner.",
    sends='filter subject "BETA"',
    expects="e2",
)
def case_insensitive(ctx: Context) -> None:
    _check(ctx, {"subject": "BETA"}, {"e2"}, text=True)


@case(
    "mail.filter.all-tokens",
    rfc="8621",
    section="4.4.1",
    level=MUST,
    quote="white space SHOULD be treated as dividing separate tokens that may be searched for "
    "separately but MUST all be present for the Email to match the filter.",
    sends='filter body "apple orchard" (e1 has both words, e3 only "apple")',
    expects="e1 only",
)
def all_tokens(ctx: Context) -> None:
    _check(ctx, {"body": "apple orchard"}, {"e1"}, text=True)


@case(
    "mail.filter.phrase",
    rfc="8621",
    section="4.4.1",
    level=SHOULD,
    quote="Text contained in either (but matched) single (') or double (\") quotes SHOULD be "
    "treated as a *phrase search*",
    sends='filter body "\\"orchard apple\\"" (both words, wrong order)',
    expects="no match",
)
def phrase(ctx: Context) -> None:
    _check(ctx, {"body": '"orchard apple"'}, set(), text=True)


@case(
    "mail.filter.empty-condition",
    rfc="8621",
    section="4.4.1",
    level=MUST,
    quote="If zero properties are specified on the FilterCondition, the condition MUST always "
    "evaluate to true.",
    sends="filter AND [inMailbox corpus, {}]",
    expects="all five corpus emails",
)
def empty_condition(ctx: Context) -> None:
    _check(ctx, {}, set(cp.KEYS))


@case(
    "mail.filter.multiple-properties",
    rfc="8621",
    section="4.4.1",
    level=MUST,
    quote="If multiple properties are specified, ALL must apply for the condition to be true",
    sends="filter {hasKeyword: $seen, notKeyword: $flagged}",
    expects="e1",
)
def multiple_properties(ctx: Context) -> None:
    _check(ctx, {"hasKeyword": "$seen", "notKeyword": "$flagged"}, {"e1"})


@case(
    "mail.filter.operator-or",
    rfc="8620",
    section="5.5",
    level=MUST,
    quote='"OR": At least one of the conditions must match for the filter to match.',
    sends="filter OR [hasKeyword $draft, before 2024-02-01]",
    expects="e1 and e5",
)
def operator_or(ctx: Context) -> None:
    _check(
        ctx,
        {
            "operator": "OR",
            "conditions": [{"hasKeyword": "$draft"}, {"before": "2024-02-01T00:00:00Z"}],
        },
        {"e1", "e5"},
    )


@case(
    "mail.filter.operator-not",
    rfc="8620",
    section="5.5",
    level=MUST,
    quote='"NOT": None of the conditions must match for the filter to match.',
    sends="filter NOT [hasKeyword $seen, hasKeyword $draft]",
    expects="e2 and e4",
)
def operator_not(ctx: Context) -> None:
    _check(
        ctx,
        {"operator": "NOT", "conditions": [{"hasKeyword": "$seen"}, {"hasKeyword": "$draft"}]},
        {"e2", "e4"},
    )


@case(
    "mail.filter.nested-operators",
    rfc="8620",
    section="5.5",
    level=MUST,
    quote="The conditions to evaluate against each record.",
    sends="filter OR [AND [hasKeyword $seen, hasKeyword $flagged], NOT [after 2024-02-01]]",
    expects="e1 and e3",
)
def nested_operators(ctx: Context) -> None:
    _check(
        ctx,
        {
            "operator": "OR",
            "conditions": [
                {
                    "operator": "AND",
                    "conditions": [{"hasKeyword": "$seen"}, {"hasKeyword": "$flagged"}],
                },
                {"operator": "NOT", "conditions": [{"after": "2024-02-01T00:00:00Z"}]},
            ],
        },
        {"e1", "e3"},
    )


@case(
    "mail.filter.unknown-condition",
    rfc="8620",
    section="5.5",
    level=MUST,
    quote='"unsupportedFilter": The "filter" is syntactically valid, but the server cannot '
    "process it.",
    sends='Email/query filter {conformanceNoSuch: "x"}',
    expects="an unsupportedFilter (or invalidArguments) error",
)
def unknown_condition(ctx: Context) -> None:
    ctx.expect_error(
        "Email/query",
        {"filter": {"conformanceNoSuch": "x"}},
        "unsupportedFilter",
        "invalidArguments",
    )
