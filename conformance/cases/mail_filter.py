"""RFC 8621 §4.4.1: every Email/query FilterCondition, over the shared corpus."""

from __future__ import annotations

from collections.abc import Callable

from conformance import corpus as cp
from conformance.checks import JSONObject, expect_eq
from conformance.context import Context
from conformance.registry import MUST, case

Expected = Callable[[cp.Corpus], set[str]]


def _check(
    ctx: Context, condition: JSONObject, expected: Expected | set[str], *, text: bool = False
) -> None:
    corpus = cp.get(ctx)
    want = expected(corpus) if callable(expected) else expected
    if text:  # full-text indexes may lag; give them a few seconds to agree
        ctx.eventually(lambda: set(cp.query(ctx, corpus, condition)) == want, timeout=5.0)
    expect_eq(sorted(cp.query(ctx, corpus, condition)), sorted(want), f"matches of {condition}")


def _thread_keyword(corpus: cp.Corpus, keyword: str, mode: str) -> set[str]:
    out = set()
    for key in cp.KEYS:
        flags = [keyword in corpus.emails[k]["keywords"] for k in corpus.thread_mates(key)]
        if (
            (mode == "all" and all(flags))
            or (mode == "some" and any(flags))
            or (mode == "none" and not any(flags))
        ):
            out.add(key)
    return out


def _attachment(corpus: cp.Corpus, value: bool) -> set[str]:
    return {k for k in cp.KEYS if corpus.emails[k]["hasAttachment"] is value}


def _size(corpus: cp.Corpus, key: str) -> int:
    return int(corpus.emails[key]["size"])


@case(
    "mail.filter.in-mailbox",
    rfc="8621",
    section="4.4.1",
    level=MUST,
    quote="A Mailbox id. An Email must be in this Mailbox to match the condition.",
    sends="Email/query filter {inMailbox: corpus mailbox 2}",
    expects="exactly the one corpus email filed in mailbox 2 (e4)",
)
def in_mailbox(ctx: Context) -> None:
    corpus = cp.get(ctx)
    ids = ctx.call("Email/query", {"filter": {"inMailbox": corpus.mailbox2}})["ids"]
    expect_eq(corpus.keys(ids), ["e4"], "matches")


@case(
    "mail.filter.in-mailbox-other-than",
    rfc="8621",
    section="4.4.1",
    level=MUST,
    quote="A list of Mailbox ids. An Email must be in at least one Mailbox not in this list to "
    "match the condition.",
    sends="filter inMailboxOtherThan [corpus mailbox] within the corpus",
    expects="only e4 (also in mailbox 2)",
)
def in_mailbox_other_than(ctx: Context) -> None:
    _check(ctx, {"inMailboxOtherThan": [cp.get(ctx).mailbox]}, {"e4"})


@case(
    "mail.filter.before",
    rfc="8621",
    section="4.4.1",
    level=MUST,
    quote='The "receivedAt" date-time of the Email must be before this date-time to match '
    "the condition.",
    sends="filter before 2024-03-10T00:00:00Z (e3's receivedAt)",
    expects="e1 and e2 (strictly before)",
)
def before(ctx: Context) -> None:
    _check(ctx, {"before": "2024-03-10T00:00:00Z"}, {"e1", "e2"})


@case(
    "mail.filter.after",
    rfc="8621",
    section="4.4.1",
    level=MUST,
    quote='The "receivedAt" date-time of the Email must be the same or after this date-time '
    "to match the condition.",
    sends="filter after 2024-03-10T00:00:00Z (e3's receivedAt)",
    expects="e3, e4 and e5 (same or after)",
)
def after(ctx: Context) -> None:
    _check(ctx, {"after": "2024-03-10T00:00:00Z"}, {"e3", "e4", "e5"})


@case(
    "mail.filter.min-size",
    rfc="8621",
    section="4.4.1",
    level=MUST,
    quote='The "size" property of the Email must be equal to or greater than this number to '
    "match the condition.",
    sends="filter minSize = size of e2",
    expects="exactly the corpus emails whose size is >= that",
)
def min_size(ctx: Context) -> None:
    _check(
        ctx,
        {"minSize": _size(cp.get(ctx), "e2")},
        lambda c: {k for k in cp.KEYS if _size(c, k) >= _size(c, "e2")},
    )


@case(
    "mail.filter.max-size",
    rfc="8621",
    section="4.4.1",
    level=MUST,
    quote='The "size" property of the Email must be less than this number to match the condition.',
    sends="filter maxSize = size of e2",
    expects="exactly the corpus emails whose size is < that",
)
def max_size(ctx: Context) -> None:
    _check(
        ctx,
        {"maxSize": _size(cp.get(ctx), "e2")},
        lambda c: {k for k in cp.KEYS if _size(c, k) < _size(c, "e2")},
    )


@case(
    "mail.filter.has-keyword",
    rfc="8621",
    section="4.4.1",
    level=MUST,
    quote="This Email must have the given keyword to match the condition.",
    sends="filter hasKeyword $flagged",
    expects="e2 and e3",
)
def has_keyword(ctx: Context) -> None:
    _check(ctx, {"hasKeyword": "$flagged"}, {"e2", "e3"})


@case(
    "mail.filter.not-keyword",
    rfc="8621",
    section="4.4.1",
    level=MUST,
    quote="This Email must not have the given keyword to match the condition.",
    sends="filter notKeyword $seen",
    expects="e2, e4 and e5",
)
def not_keyword(ctx: Context) -> None:
    _check(ctx, {"notKeyword": "$seen"}, {"e2", "e4", "e5"})


@case(
    "mail.filter.all-in-thread-have-keyword",
    rfc="8621",
    section="4.4.1",
    level=MUST,
    quote="All Emails (including this one) in the same Thread as this Email must have the "
    "given keyword to match the condition.",
    sends="filter allInThreadHaveKeyword $seen",
    expects="the corpus emails whose whole thread (as the server threads them) has $seen",
)
def all_in_thread(ctx: Context) -> None:
    _check(ctx, {"allInThreadHaveKeyword": "$seen"}, lambda c: _thread_keyword(c, "$seen", "all"))


@case(
    "mail.filter.some-in-thread-have-keyword",
    rfc="8621",
    section="4.4.1",
    level=MUST,
    quote="At least one Email (possibly this one) in the same Thread as this Email must have "
    "the given keyword to match the condition.",
    sends="filter someInThreadHaveKeyword $flagged",
    expects="the corpus emails with a $flagged email in their thread",
)
def some_in_thread(ctx: Context) -> None:
    _check(
        ctx,
        {"someInThreadHaveKeyword": "$flagged"},
        lambda c: _thread_keyword(c, "$flagged", "some"),
    )


@case(
    "mail.filter.none-in-thread-have-keyword",
    rfc="8621",
    section="4.4.1",
    level=MUST,
    quote="All Emails (including this one) in the same Thread as this Email must *not* have "
    "the given keyword to match the condition.",
    sends="filter noneInThreadHaveKeyword $flagged",
    expects="the corpus emails with no $flagged email in their thread",
)
def none_in_thread(ctx: Context) -> None:
    _check(
        ctx,
        {"noneInThreadHaveKeyword": "$flagged"},
        lambda c: _thread_keyword(c, "$flagged", "none"),
    )


@case(
    "mail.filter.has-attachment-true",
    rfc="8621",
    section="4.4.1",
    level=MUST,
    quote='The "hasAttachment" property of the Email must be identical to the value given to '
    "match the condition.",
    sends="filter hasAttachment true",
    expects="exactly the corpus emails whose hasAttachment property is true",
)
def has_attachment_true(ctx: Context) -> None:
    _check(ctx, {"hasAttachment": True}, lambda c: _attachment(c, True))


@case(
    "mail.filter.has-attachment-false",
    rfc="8621",
    section="4.4.1",
    level=MUST,
    quote='The "hasAttachment" property of the Email must be identical to the value given to '
    "match the condition.",
    sends="filter hasAttachment false",
    expects="exactly the corpus emails whose hasAttachment property is false",
)
def has_attachment_false(ctx: Context) -> None:
    _check(ctx, {"hasAttachment": False}, lambda c: _attachment(c, False))
