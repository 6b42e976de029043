"""RFC 8621 §4.4.2 sorting and §4.4.3 thread collapsing, over the shared corpus."""

from __future__ import annotations

from conformance import corpus as cp
from conformance.checks import JSONObject, expect, expect_eq
from conformance.context import Context
from conformance.registry import MUST, SHOULD, case

BY_RECEIVED = {"property": "receivedAt", "isAscending": True}


def _sorted(ctx: Context, *comparators: JSONObject, **extra: object) -> list[str]:
    return cp.query(ctx, cp.get(ctx), None, sort=list(comparators), **extra)


def _thread_flag(corpus: cp.Corpus, key: str, keyword: str, mode: str) -> bool:
    flags = [keyword in corpus.emails[k]["keywords"] for k in corpus.thread_mates(key)]
    return all(flags) if mode == "all" else any(flags)


@case(
    "mail.sort.received-at",
    rfc="8621",
    section="4.4.2",
    level=MUST,
    quote='The following value for the "property" field on the Comparator object MUST be '
    'supported for sorting: o "receivedAt"',
    sends="Email/query over the corpus sorted by receivedAt ascending",
    expects="e1, e2, e3, e4, e5",
)
def received_at(ctx: Context) -> None:
    expect_eq(_sorted(ctx, BY_RECEIVED), list(cp.KEYS), "order")


@case(
    "mail.sort.received-at-descending",
    rfc="8621",
    section="4.4.2",
    level=MUST,
    quote='The following value for the "property" field on the Comparator object MUST be '
    'supported for sorting: o "receivedAt"',
    sends="sort receivedAt isAscending false",
    expects="e5, e4, e3, e2, e1",
)
def received_at_descending(ctx: Context) -> None:
    order = _sorted(ctx, {"property": "receivedAt", "isAscending": False})
    expect_eq(order, list(reversed(cp.KEYS)), "order")


@case(
    "mail.sort.size",
    rfc="8621",
    section="4.4.2",
    level=SHOULD,
    quote='o "size" - The "size" as returned in the Email object.',
    sends="sort size ascending, then receivedAt",
    expects="the corpus ordered by the sizes the server reports",
)
def size(ctx: Context) -> None:
    corpus = cp.get(ctx)
    want = sorted(cp.KEYS, key=lambda k: (corpus.emails[k]["size"], k))
    expect_eq(_sorted(ctx, {"property": "size"}, BY_RECEIVED), want, "order")


@case(
    "mail.sort.from",
    rfc="8621",
    section="4.4.2",
    level=SHOULD,
    quote='This is taken to be either the "name" property or if null/empty, the "email" '
    'property of the *first* EmailAddress object in the Email\'s "from" property.',
    sends="sort from ascending",
    expects="Alice (e1), Bob (e3), Carol (e2), Mallory (e5), Zed (e4)",
)
def from_(ctx: Context) -> None:
    expect_eq(_sorted(ctx, {"property": "from"}), ["e1", "e3", "e2", "e5", "e4"], "order")


@case(
    "mail.sort.to",
    rfc="8621",
    section="4.4.2",
    level=SHOULD,
    quote='This is taken to be either the "name" property or if null/empty, the "email" '
    'property of the *first* EmailAddress object in the Email\'s "to" property.',
    sends="sort to ascending, then receivedAt",
    expects="Alice (e3), Amy (e4), Bob (e1, e5), Dave (e2)",
)
def to(ctx: Context) -> None:
    expect_eq(
        _sorted(ctx, {"property": "to"}, BY_RECEIVED), ["e3", "e4", "e1", "e5", "e2"], "order"
    )


@case(
    "mail.sort.subject",
    rfc="8621",
    section="4.4.2",
    level=SHOULD,
    quote="This is taken to be the base subject of the message, as defined in Section 2.1 of "
    "[RFC5256].",
    sends='sort subject ascending, then receivedAt (e3\'s subject is "Re: alpha …")',
    expects="alpha (e1, e3), beta (e2), delta (e5), gamma (e4)",
)
def subject(ctx: Context) -> None:
    expect_eq(
        _sorted(ctx, {"property": "subject"}, BY_RECEIVED), ["e1", "e3", "e2", "e5", "e4"], "order"
    )


@case(
    "mail.sort.sent-at",
    rfc="8621",
    section="4.4.2",
    level=SHOULD,
    quote='o "sentAt" - The "sentAt" property on the Email object.',
    sends="sort sentAt ascending (e5's Date header is the oldest)",
    expects="e5, e1, e2, e3, e4",
)
def sent_at(ctx: Context) -> None:
    expect_eq(_sorted(ctx, {"property": "sentAt"}), ["e5", "e1", "e2", "e3", "e4"], "order")


@case(
    "mail.sort.has-keyword",
    rfc="8621",
    section="4.4.2",
    level=SHOULD,
    quote="This value MUST be considered true if the Email has the keyword given as an "
    'additional "keyword" property on the Comparator object, or false otherwise.',
    sends="sort hasKeyword $flagged descending, then receivedAt",
    expects="flagged first: e2, e3, then e1, e4, e5",
)
def has_keyword(ctx: Context) -> None:
    order = _sorted(
        ctx, {"property": "hasKeyword", "keyword": "$flagged", "isAscending": False}, BY_RECEIVED
    )
    expect_eq(order, ["e2", "e3", "e1", "e4", "e5"], "order")


@case(
    "mail.sort.some-in-thread-have-keyword",
    rfc="8621",
    section="4.4.2",
    level=SHOULD,
    quote="This value MUST be considered true for the Email if *any* of the Emails in the same "
    'Thread have the keyword given as an additional "keyword" property on the '
    "Comparator object.",
    sends="sort someInThreadHaveKeyword $flagged descending, then receivedAt",
    expects="emails of threads with a flagged email first, each group by receivedAt",
)
def some_in_thread(ctx: Context) -> None:
    corpus = cp.get(ctx)
    want = sorted(cp.KEYS, key=lambda k: (not _thread_flag(corpus, k, "$flagged", "some"), k))
    order = _sorted(
        ctx,
        {"property": "someInThreadHaveKeyword", "keyword": "$flagged", "isAscending": False},
        BY_RECEIVED,
    )
    expect_eq(order, want, "order")


@case(
    "mail.sort.all-in-thread-have-keyword",
    rfc="8621",
    section="4.4.2",
    level=SHOULD,
    quote="This value MUST be considered true for the Email if *all* of the Emails in the same "
    'Thread have the keyword given as an additional "keyword" property on the '
    "Comparator object.",
    sends="sort allInThreadHaveKeyword $seen descending, then receivedAt",
    expects="emails of all-seen threads first, each group by receivedAt",
)
def all_in_thread(ctx: Context) -> None:
    corpus = cp.get(ctx)
    want = sorted(cp.KEYS, key=lambda k: (not _thread_flag(corpus, k, "$seen", "all"), k))
    order = _sorted(
        ctx,
        {"property": "allInThreadHaveKeyword", "keyword": "$seen", "isAscending": False},
        BY_RECEIVED,
    )
    expect_eq(order, want, "order")


@case(
    "mail.sort.keyword-required",
    rfc="8621",
    section="4.4.2",
    level=MUST,
    quote='When specifying a "hasKeyword", "allInThreadHaveKeyword", or '
    '"someInThreadHaveKeyword" sort, the Comparator object MUST also have a '
    '"keyword" property.',
    sends="sort [{property: hasKeyword}] without keyword",
    expects="an invalidArguments (or unsupportedSort) error",
)
def keyword_required(ctx: Context) -> None:
    ctx.expect_error(
        "Email/query", {"sort": [{"property": "hasKeyword"}]}, "invalidArguments", "unsupportedSort"
    )


@case(
    "mail.sort.multiple-comparators",
    rfc="8620",
    section="5.5",
    level=MUST,
    quote="If two Foo records have an identical value for the first comparator, the next "
    "comparator will be considered, and so on.",
    sends="sort hasKeyword $seen ascending, then receivedAt descending",
    expects="unseen e5, e4, e2, then seen e3, e1",
)
def multiple_comparators(ctx: Context) -> None:
    order = _sorted(
        ctx,
        {"property": "hasKeyword", "keyword": "$seen"},
        {"property": "receivedAt", "isAscending": False},
    )
    expect_eq(order, ["e5", "e4", "e2", "e3", "e1"], "order")


@case(
    "mail.sort.unsupported-property",
    rfc="8620",
    section="5.5",
    level=MUST,
    quote='"unsupportedSort": The "sort" is syntactically valid, but it includes a property '
    "the server does not support sorting on",
    sends='Email/query sort on "conformanceNoSuch"',
    expects="an unsupportedSort (or invalidArguments) error",
)
def unsupported_property(ctx: Context) -> None:
    ctx.expect_error(
        "Email/query",
        {"sort": [{"property": "conformanceNoSuch"}]},
        "unsupportedSort",
        "invalidArguments",
    )


@case(
    "mail.sort.collapse-threads",
    rfc="8621",
    section="4.4.3",
    level=MUST,
    quote="A Thread will therefore only appear *once* in the result, at the position of the "
    "first Email in the list that belongs to the Thread (given the current sort/filter).",
    sends="Email/query over the corpus, receivedAt ascending, collapseThreads true",
    expects="one email per thread, each at its thread's first position",
)
def collapse_threads(ctx: Context) -> None:
    corpus = cp.get(ctx)
    seen: set[str] = set()
    want = []
    for key in cp.KEYS:
        if corpus.emails[key]["threadId"] not in seen:
            seen.add(corpus.emails[key]["threadId"])
            want.append(key)
    expect_eq(_sorted(ctx, BY_RECEIVED, collapseThreads=True), want, "order")


@case(
    "mail.sort.collapse-threads-descending",
    rfc="8621",
    section="4.4.3",
    level=MUST,
    quote="the list is further winnowed by removing any Emails for a Thread id that has "
    "already been seen (when passing through the list sequentially).",
    sends="Email/query receivedAt descending, collapseThreads true",
    expects="the newest email of each thread, newest first",
)
def collapse_threads_descending(ctx: Context) -> None:
    corpus = cp.get(ctx)
    seen: set[str] = set()
    want = []
    for key in reversed(cp.KEYS):
        if corpus.emails[key]["threadId"] not in seen:
            seen.add(corpus.emails[key]["threadId"])
            want.append(key)
    order = _sorted(ctx, {"property": "receivedAt", "isAscending": False}, collapseThreads=True)
    expect_eq(order, want, "order")


@case(
    "mail.sort.collapse-threads-total",
    rfc="8620",
    section="5.5",
    level=MUST,
    quote='The total number of Foos in the results (given the "filter").',
    sends="Email/query collapseThreads true, calculateTotal true",
    expects="total equals the number of distinct threads in the corpus",
)
def collapse_threads_total(ctx: Context) -> None:
    corpus = cp.get(ctx)
    result = ctx.call(
        "Email/query",
        {"filter": {"inMailbox": corpus.mailbox}, "collapseThreads": True, "calculateTotal": True},
    )
    threads = {e["threadId"] for e in corpus.emails.values()}
    expect_eq(result.get("total"), len(threads), "total")


@case(
    "mail.sort.sort-options-listed",
    rfc="8621",
    section="1.3.1",
    level=MUST,
    quote='A list of all the values the server supports for the "property" field of the '
    'Comparator object in an "Email/query" sort',
    sends="Email/query sorted by each property listed in emailQuerySortOptions that this "
    "suite knows how to use",
    expects="no unsupportedSort error for any advertised option",
)
def sort_options_listed(ctx: Context) -> None:
    caps = ctx.account_capability("urn:ietf:params:jmap:mail") or {}
    options = caps.get("emailQuerySortOptions") or []
    expect(isinstance(options, list) and options, "emailQuerySortOptions is missing")
    keyword_sorts = {"hasKeyword", "allInThreadHaveKeyword", "someInThreadHaveKeyword"}
    for option in options:
        comparator: JSONObject = {"property": option}
        if option in keyword_sorts:
            comparator["keyword"] = "$seen"
        ctx.call(
            "Email/query", {"filter": {"inMailbox": cp.get(ctx).mailbox}, "sort": [comparator]}
        )
