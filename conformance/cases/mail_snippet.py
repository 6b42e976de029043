"""RFC 8621 §5: SearchSnippet/get."""

from __future__ import annotations

from conformance import corpus as cp
from conformance import messages
from conformance.checks import JSONObject, as_list, expect, expect_eq, show
from conformance.context import Context
from conformance.registry import MUST, NotSupported, case


def _snippets(ctx: Context, condition: JSONObject, email_ids: list[str]) -> JSONObject:
    return ctx.call("SearchSnippet/get", {"filter": condition, "emailIds": email_ids})


def _by_id(result: JSONObject) -> dict[str, JSONObject]:
    return {s["emailId"]: s for s in result.get("list", [])}


def _match_or_unsupported(snippet: JSONObject) -> None:
    if snippet.get("subject") is None and snippet.get("preview") is None:
        raise NotSupported("the server returns null snippets (it cannot determine them)")


@case(
    "mail.snippet.response-shape",
    rfc="8621",
    section="5.1",
    level=MUST,
    quote="An array of SearchSnippet objects for the requested Email ids.",
    sends='SearchSnippet/get for two corpus emails with filter text "beta"',
    expects="accountId and one SearchSnippet per id, each with emailId",
)
def response_shape(ctx: Context) -> None:
    corpus = cp.get(ctx)
    ids = [corpus.emails["e1"]["id"], corpus.emails["e2"]["id"]]
    result = _snippets(ctx, {"text": "beta"}, ids)
    expect_eq(result.get("accountId"), ctx.account_id, "accountId")
    expect_eq(sorted(_by_id(result)), sorted(ids), "emailIds in list")


@case(
    "mail.snippet.no-id-property",
    rfc="8621",
    section="5",
    level=MUST,
    quote='Note that unlike most data types, a SearchSnippet DOES NOT have a property called "id".',
    sends="SearchSnippet/get for a corpus email",
    expects="no snippet has an id property",
)
def no_id_property(ctx: Context) -> None:
    corpus = cp.get(ctx)
    result = _snippets(ctx, {"text": "beta"}, [corpus.emails["e2"]["id"]])
    for snippet in result["list"]:
        expect("id" not in snippet, show(snippet))


@case(
    "mail.snippet.subject-mark",
    rfc="8621",
    section="5",
    level=MUST,
    quote='The matching words/phrases from the filter are wrapped in HTML "<mark></mark>" tags.',
    sends='SearchSnippet/get filter subject "beta" for e2 (subject "beta …")',
    expects="subject contains <mark>beta</mark> (not supported if both values are null)",
)
def subject_mark(ctx: Context) -> None:
    corpus = cp.get(ctx)
    email_id = corpus.emails["e2"]["id"]
    snippet = _by_id(_snippets(ctx, {"subject": "beta"}, [email_id]))[email_id]
    _match_or_unsupported(snippet)
    expect("<mark>beta</mark>" in str(snippet.get("subject")).lower(), show(snippet))


@case(
    "mail.snippet.preview-mark",
    rfc="8621",
    section="5",
    level=MUST,
    quote="If text from the filter matches the plaintext or HTML body, this is the relevant "
    "section of the body (converted to plaintext if originally HTML), with the same "
    'transformations as the "subject" property.',
    sends='SearchSnippet/get filter body "banana" for e2',
    expects="preview contains <mark>banana</mark>",
)
def preview_mark(ctx: Context) -> None:
    corpus = cp.get(ctx)
    email_id = corpus.emails["e2"]["id"]
    snippet = _by_id(_snippets(ctx, {"body": "banana"}, [email_id]))[email_id]
    _match_or_unsupported(snippet)
    expect("<mark>banana</mark>" in str(snippet.get("preview")).lower(), show(snippet))


@case(
    "mail.snippet.no-match-null",
    rfc="8621",
    section="5",
    level=MUST,
    quote="If the subject does not match text from the filter, this property is null.",
    sends='SearchSnippet/get filter subject "beta" for e4 (subject "gamma …")',
    expects="subject null",
)
def no_match_null(ctx: Context) -> None:
    corpus = cp.get(ctx)
    email_id = corpus.emails["e4"]["id"]
    snippet = _by_id(_snippets(ctx, {"subject": "beta"}, [email_id]))[email_id]
    expect(snippet.get("subject") is None, show(snippet))


@case(
    "mail.snippet.escapes-html",
    rfc="8621",
    section="5",
    level=MUST,
    quote="Any instance of the following three characters MUST be replaced by an appropriate "
    "HTML entity: & (ampersand), < (less-than sign), and > (greater-than sign) [HTML].",
    sends='a message with subject "Fish & <chips> zesty"; SearchSnippet/get subject "zesty"',
    expects="the snippet subject has &amp; &lt; &gt; and no raw <chips>",
)
def escapes_html(ctx: Context) -> None:
    email = ctx.import_email(messages.simple(subject=f"Fish & <chips> zesty {messages.token()}"))

    def probe() -> JSONObject | None:
        snippet = _by_id(_snippets(ctx, {"subject": "zesty"}, [email["id"]]))[email["id"]]
        return snippet if snippet.get("subject") else None

    snippet = ctx.eventually(probe, timeout=5.0) or {}
    _match_or_unsupported(snippet)
    subject = str(snippet.get("subject"))
    expect(
        "&amp;" in subject and "&lt;chips&gt;" in subject and "<chips>" not in subject,
        f"subject {subject!r}",
    )


@case(
    "mail.snippet.preview-size",
    rfc="8621",
    section="5",
    level=MUST,
    quote="It MUST NOT be bigger than 255 octets in size.",
    sends='SearchSnippet/get filter body "durian" for e5 (a long body)',
    expects="a preview of at most 255 octets (UTF-8)",
)
def preview_size(ctx: Context) -> None:
    corpus = cp.get(ctx)
    email_id = corpus.emails["e5"]["id"]
    snippet = _by_id(_snippets(ctx, {"body": "durian"}, [email_id]))[email_id]
    preview = snippet.get("preview")
    if preview is not None:
        expect(len(str(preview).encode()) <= 255, f"{len(str(preview).encode())} octets")


@case(
    "mail.snippet.not-found",
    rfc="8621",
    section="5.1",
    level=MUST,
    quote="An array of Email ids requested that could not be found, or null if all ids were found.",
    sends="SearchSnippet/get for an unknown email id",
    expects="notFound lists it",
)
def not_found(ctx: Context) -> None:
    result = _snippets(ctx, {"text": "x"}, ["cfNoSuchEmail0"])
    expect_eq(as_list(result.get("notFound"), "notFound"), ["cfNoSuchEmail0"], "notFound")


@case(
    "mail.snippet.unsupported-filter",
    rfc="8621",
    section="5.1",
    level=MUST,
    quote='"unsupportedFilter": The server is unable to process the given "filter" for any reason.',
    sends="SearchSnippet/get with filter {conformanceNoSuch: 1}",
    expects="an unsupportedFilter (or invalidArguments) error",
)
def unsupported_filter(ctx: Context) -> None:
    corpus = cp.get(ctx)
    ctx.expect_error(
        "SearchSnippet/get",
        {"filter": {"conformanceNoSuch": 1}, "emailIds": [corpus.emails["e1"]["id"]]},
        "unsupportedFilter",
        "invalidArguments",
    )
