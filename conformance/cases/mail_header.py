"""RFC 8621 §4.1.2 header parsed forms and §4.1.3 header properties."""

from __future__ import annotations

from typing import Any

from conformance import messages
from conformance.checks import JSONObject, expect, expect_eq, show
from conformance.context import Context
from conformance.registry import MUST, SHOULD, case

RFC_EXAMPLE = (
    '"  James Smythe" <james@example.com>, Friends:\r\n jane@example.com, '
    "=?UTF-8?Q?John_Sm=C3=AEth?=\r\n <john@example.com>;"
)


def _fetch(
    ctx: Context,
    props: list[str],
    *,
    raw: bytes | None = None,
    headers: list[tuple[str, str]] | None = None,
    **kw: Any,
) -> JSONObject:
    if raw is None:
        raw = messages.message(
            subject=kw.pop("subject", f"Header case {messages.token()}"), headers=headers, **kw
        )
    email = ctx.import_email(raw)
    return ctx.get_one("Email", email["id"], props)


@case(
    "mail.header.headers-list",
    rfc="8621",
    section="4.1.3",
    level=MUST,
    quote="This is a list of all header fields [RFC5322], in the same order they appear in the "
    "message.",
    sends="import a message with known header fields, Email/get headers",
    expects="the EmailHeader list names every field in order, with its capitalisation",
)
def headers_list(ctx: Context) -> None:
    raw = messages.message(subject="Order test", headers=[("X-CF-First", "1"), ("x-cf-lower", "2")])
    names = [
        line.split(b":", 1)[0].decode()
        for line in raw.split(b"\r\n\r\n", 1)[0].split(b"\r\n")
        if line and not line.startswith((b" ", b"\t"))
    ]
    got = _fetch(ctx, ["headers"], raw=raw)["headers"]
    expect_eq([h.get("name") for h in got], names, "header names")


@case(
    "mail.header.headers-raw-value",
    rfc="8621",
    section="4.1.3",
    level=MUST,
    quote='The header "field value" as defined in [RFC5322], in Raw form.',
    sends='import a message with "X-CF-Raw:  two  spaces", Email/get headers',
    expects='the EmailHeader value is "  two  spaces" (leading white space kept)',
)
def headers_raw_value(ctx: Context) -> None:
    got = _fetch(ctx, ["headers"], headers=[("X-CF-Raw", " two  spaces")])["headers"]
    values = [h["value"] for h in got if h["name"] == "X-CF-Raw"]
    expect_eq(values, ["  two  spaces"], "X-CF-Raw value")


@case(
    "mail.header.raw-form",
    rfc="8621",
    section="4.1.2.1",
    level=MUST,
    quote="The raw octets of the header field value from the first octet following the header "
    "field name terminating colon, up to but excluding the header field terminating CRLF.",
    sends='Email/get header:Subject of a message with "Subject: Raw =?UTF-8?Q?caf=C3=A9?="',
    expects='" Raw =?UTF-8?Q?caf=C3=A9?=" (not decoded, leading space kept)',
)
def raw_form(ctx: Context) -> None:
    got = _fetch(ctx, ["header:Subject"], subject="Raw =?UTF-8?Q?caf=C3=A9?=")
    expect_eq(got["header:Subject"], " Raw =?UTF-8?Q?caf=C3=A9?=", "header:Subject")


@case(
    "mail.header.as-raw",
    rfc="8621",
    section="4.1.3",
    level=MUST,
    quote="If not given, the value is in Raw form.",
    sends="Email/get header:Subject:asRaw",
    expects="the same value as header:Subject",
)
def as_raw(ctx: Context) -> None:
    got = _fetch(ctx, ["header:Subject", "header:Subject:asRaw"], subject="As raw")
    expect_eq(got["header:Subject:asRaw"], got["header:Subject"], "asRaw")


@case(
    "mail.header.name-case-insensitive",
    rfc="8621",
    section="4.1.3",
    level=MUST,
    quote="Header field names are matched case insensitively.",
    sends="Email/get header:sUbJeCt",
    expects="the Subject's raw value",
)
def name_case_insensitive(ctx: Context) -> None:
    got = _fetch(ctx, ["header:sUbJeCt"], subject="Case test")
    expect_eq(got.get("header:sUbJeCt"), " Case test", "header:sUbJeCt")


@case(
    "mail.header.property-capitalisation",
    rfc="8621",
    section="4.2",
    level=MUST,
    quote="Where a specific header field is requested as a property, the capitalization of the "
    "property name in the response MUST be identical to that used in the request.",
    sends="Email/get header:X-Cf-MiXeD",
    expects="the response key is header:X-Cf-MiXeD",
)
def property_capitalisation(ctx: Context) -> None:
    got = _fetch(ctx, ["header:X-Cf-MiXeD"], headers=[("X-CF-Mixed", "v")])
    expect("header:X-Cf-MiXeD" in got, f"keys: {show(sorted(got))}")


@case(
    "mail.header.missing-null",
    rfc="8621",
    section="4.1.3",
    level=MUST,
    quote="If no header fields exist in the message with the requested name, the value is null "
    "if fetching a single instance or an empty array if requesting :all.",
    sends="Email/get header:X-CF-Absent",
    expects="null",
)
def missing_null(ctx: Context) -> None:
    got = _fetch(ctx, ["header:X-CF-Absent"])
    expect("header:X-CF-Absent" in got and got["header:X-CF-Absent"] is None, show(got))


@case(
    "mail.header.missing-all-empty",
    rfc="8621",
    section="4.1.3",
    level=MUST,
    quote="If no header fields exist in the message with the requested name, the value is null "
    "if fetching a single instance or an empty array if requesting :all.",
    sends="Email/get header:X-CF-Absent:all",
    expects="[]",
)
def missing_all_empty(ctx: Context) -> None:
    expect_eq(_fetch(ctx, ["header:X-CF-Absent:all"]).get("header:X-CF-Absent:all"), [], "value")


@case(
    "mail.header.last-instance",
    rfc="8621",
    section="4.1.3",
    level=MUST,
    quote="If this suffix is not used, the result is the value of the *last* instance of the "
    "header field",
    sends="a message with X-CF-Rep: one, X-CF-Rep: two; Email/get header:X-CF-Rep",
    expects='" two"',
)
def last_instance(ctx: Context) -> None:
    got = _fetch(ctx, ["header:X-CF-Rep"], headers=[("X-CF-Rep", "one"), ("X-CF-Rep", "two")])
    expect_eq(got["header:X-CF-Rep"], " two", "value")


@case(
    "mail.header.all-instances",
    rfc="8621",
    section="4.1.3",
    level=MUST,
    quote="This means the value is an array, with the items corresponding to each instance of "
    "the header field, in the order they appear in the message.",
    sends="the same message; Email/get header:X-CF-Rep:all",
    expects='[" one", " two"]',
)
def all_instances(ctx: Context) -> None:
    got = _fetch(ctx, ["header:X-CF-Rep:all"], headers=[("X-CF-Rep", "one"), ("X-CF-Rep", "two")])
    expect_eq(got["header:X-CF-Rep:all"], [" one", " two"], "value")


@case(
    "mail.header.as-text-decodes",
    rfc="8621",
    section="4.1.2.2",
    level=MUST,
    quote="Any syntactically correct encoded sections [RFC2047] with a known character set "
    "decoded.",
    sends="Subject: =?UTF-8?Q?Caf=C3=A9?= =?ISO-8859-1?Q?_na=EFve?=; Email/get "
    "header:Subject:asText and subject",
    expects='"Café naïve" for both',
)
def as_text_decodes(ctx: Context) -> None:
    got = _fetch(
        ctx,
        ["header:Subject:asText", "subject"],
        subject="=?UTF-8?Q?Caf=C3=A9?= =?ISO-8859-1?Q?_na=EFve?=",
    )
    expect_eq(got["header:Subject:asText"], "Café naïve", "header:Subject:asText")
    expect_eq(got["subject"], "Café naïve", "subject")


@case(
    "mail.header.as-text-unfolds",
    rfc="8621",
    section="4.1.2.2",
    level=MUST,
    quote="White space unfolded (as defined in [RFC5322], Section 2.2.3).",
    sends='Subject folded over two lines ("Folded\\r\\n subject line")',
    expects='subject "Folded subject line"',
)
def as_text_unfolds(ctx: Context) -> None:
    got = _fetch(ctx, ["subject"], subject="Folded\r\n subject line")
    expect_eq(got["subject"], "Folded subject line", "subject")


@case(
    "mail.header.as-text-nfc",
    rfc="8621",
    section="4.1.2.2",
    level=MUST,
    quote="The resulting unicode converted to Normalization Form C (NFC) form.",
    sends="Subject with an encoded decomposed e + U+0301 (=?UTF-8?Q?Cafe=CC=81?=)",
    expects='subject "Café" with the precomposed U+00E9',
)
def as_text_nfc(ctx: Context) -> None:
    got = _fetch(ctx, ["subject"], subject="=?UTF-8?Q?Cafe=CC=81?=")
    expect_eq(got["subject"], "Caf\u00e9", "subject")


@case(
    "mail.header.as-addresses-example",
    rfc="8621",
    section="4.1.2.3",
    level=MUST,
    quote='There is an EmailAddress item for each "mailbox" parsed from the '
    '"address-list". Group and comment information is discarded.',
    sends="the RFC's own example address-list in To, Email/get header:To:asAddresses",
    expects="James Smythe, null/jane, John Smîth, exactly as in the RFC example "
    "(with the encoded word decoded)",
)
def as_addresses_example(ctx: Context) -> None:
    got = _fetch(ctx, ["header:To:asAddresses"], to=RFC_EXAMPLE)
    expect_eq(
        got["header:To:asAddresses"],
        [
            {"name": "James Smythe", "email": "james@example.com"},
            {"name": None, "email": "jane@example.com"},
            {"name": "John Smîth", "email": "john@example.com"},
        ],
        "header:To:asAddresses",
    )


@case(
    "mail.header.as-grouped-addresses-example",
    rfc="8621",
    section="4.1.2.4",
    level=MUST,
    quote='Consecutive "mailbox" values that are not part of a group are still collected '
    "under an EmailAddressGroup object to provide a uniform type.",
    sends="the RFC example address-list, Email/get header:To:asGroupedAddresses",
    expects="[{name null, [James]}, {name Friends, [jane, John]}]",
)
def as_grouped_addresses_example(ctx: Context) -> None:
    got = _fetch(ctx, ["header:To:asGroupedAddresses"], to=RFC_EXAMPLE)
    expect_eq(
        got["header:To:asGroupedAddresses"],
        [
            {"name": None, "addresses": [{"name": "James Smythe", "email": "james@example.com"}]},
            {
                "name": "Friends",
                "addresses": [
                    {"name": None, "email": "jane@example.com"},
                    {"name": "John Smîth", "email": "john@example.com"},
                ],
            },
        ],
        "header:To:asGroupedAddresses",
    )


@case(
    "mail.header.quoted-pair-name",
    rfc="8621",
    section="4.1.2.3",
    level=MUST,
    quote='Any "quoted-pair" is decoded.',
    sends='From: "Joe \\"Q\\" Public" <joe@example.com>',
    expects='from [{name: Joe "Q" Public, email: joe@example.com}]',
)
def quoted_pair_name(ctx: Context) -> None:
    got = _fetch(ctx, ["from"], from_='"Joe \\"Q\\" Public" <joe@example.com>')
    expect_eq(got["from"], [{"name": 'Joe "Q" Public', "email": "joe@example.com"}], "from")


@case(
    "mail.header.comment-as-name",
    rfc="8621",
    section="4.1.2.3",
    level=SHOULD,
    quote='If there is no "display-name" but there is a "comment" immediately following '
    'the "addr-spec", the value of this SHOULD be used instead.',
    sends="From: bob@example.com (Bob Smith)",
    expects="from [{name: Bob Smith, email: bob@example.com}]",
)
def comment_as_name(ctx: Context) -> None:
    got = _fetch(ctx, ["from"], from_="bob@example.com (Bob Smith)")
    expect_eq(got["from"], [{"name": "Bob Smith", "email": "bob@example.com"}], "from")


@case(
    "mail.header.as-message-ids",
    rfc="8621",
    section="4.1.2.5",
    level=MUST,
    quote='Comments and/or folding white space (CFWS) and surrounding angle brackets ("<>") '
    "are removed.",
    sends="References: <a1@example.com> (comment)\\r\\n <b2@example.com>",
    expects="references and header:References:asMessageIds = [a1@example.com, b2@example.com]",
)
def as_message_ids(ctx: Context) -> None:
    got = _fetch(
        ctx,
        ["references", "header:References:asMessageIds"],
        references="<a1@example.com> (comment)\r\n <b2@example.com>",
    )
    want = ["a1@example.com", "b2@example.com"]
    expect_eq(got["header:References:asMessageIds"], want, "asMessageIds")
    expect_eq(got["references"], want, "references")


@case(
    "mail.header.message-id",
    rfc="8621",
    section="4.1.3",
    level=MUST,
    quote="For messages conforming to RFC 5322, this will be an array with a single entry.",
    sends="a message with Message-ID <cf-N@conformance.example>",
    expects='messageId ["cf-N@conformance.example"]',
)
def message_id(ctx: Context) -> None:
    wanted = messages.new_message_id()
    got = _fetch(ctx, ["messageId"], message_id=wanted)
    expect_eq(got["messageId"], [wanted], "messageId")


@case(
    "mail.header.in-reply-to",
    rfc="8621",
    section="4.1.3",
    level=MUST,
    quote='The value is identical to the value of "header:In-Reply-To:asMessageIds".',
    sends="In-Reply-To: <parent@example.com>",
    expects='inReplyTo ["parent@example.com"], equal to header:In-Reply-To:asMessageIds',
)
def in_reply_to(ctx: Context) -> None:
    got = _fetch(
        ctx, ["inReplyTo", "header:In-Reply-To:asMessageIds"], in_reply_to="<parent@example.com>"
    )
    expect_eq(got["inReplyTo"], ["parent@example.com"], "inReplyTo")
    expect_eq(got["header:In-Reply-To:asMessageIds"], got["inReplyTo"], "parsed form")


@case(
    "mail.header.as-date",
    rfc="8621",
    section="4.1.2.6",
    level=MUST,
    quote='The header field is parsed as a "date-time" value, as specified in [RFC5322], '
    'Section 3.3, into the "Date" type.',
    sends="Date: Tue, 02 Jan 2024 10:00:00 +0100; Email/get sentAt and header:Date:asDate",
    expects="2024-01-02T10:00:00+01:00 for both",
)
def as_date(ctx: Context) -> None:
    got = _fetch(ctx, ["sentAt", "header:Date:asDate"], date="Tue, 02 Jan 2024 10:00:00 +0100")
    expect_eq(got["header:Date:asDate"], "2024-01-02T10:00:00+01:00", "header:Date:asDate")
    expect_eq(got["sentAt"], "2024-01-02T10:00:00+01:00", "sentAt")


@case(
    "mail.header.as-date-invalid",
    rfc="8621",
    section="4.1.2.6",
    level=MUST,
    quote="If parsing fails, the value is null.",
    sends="X-CF-When: not a date; Email/get header:X-CF-When:asDate",
    expects="null",
)
def as_date_invalid(ctx: Context) -> None:
    got = _fetch(ctx, ["header:X-CF-When:asDate"], headers=[("X-CF-When", "not a date")])
    expect("header:X-CF-When:asDate" in got and got["header:X-CF-When:asDate"] is None, show(got))


@case(
    "mail.header.as-urls",
    rfc="8621",
    section="4.1.2.7",
    level=MUST,
    quote="Values do not include the surrounding angle brackets or any comments in the header "
    "field with the URLs.",
    sends="List-Unsubscribe: <mailto:leave@example.com> (by mail), <https://example.com/leave>",
    expects="header:List-Unsubscribe:asURLs = [mailto:leave@example.com, "
    "https://example.com/leave]",
)
def as_urls(ctx: Context) -> None:
    got = _fetch(
        ctx,
        ["header:List-Unsubscribe:asURLs"],
        headers=[
            (
                "List-Unsubscribe",
                "<mailto:leave@example.com> (by mail), <https://example.com/leave>",
            )
        ],
    )
    expect_eq(
        got["header:List-Unsubscribe:asURLs"],
        ["mailto:leave@example.com", "https://example.com/leave"],
        "asURLs",
    )


@case(
    "mail.header.convenience-addresses",
    rfc="8621",
    section="4.1.3",
    level=MUST,
    quote='The value is identical to the value of "header:From:asAddresses".',
    sends="a message with From, Sender, To, Cc, Bcc and Reply-To",
    expects="from/sender/to/cc/bcc/replyTo equal the matching header:…:asAddresses values",
)
def convenience_addresses(ctx: Context) -> None:
    headers = [("Sender", "Sec <sec@example.com>"), ("Reply-To", "Rep <rep@example.com>")]
    names = {
        "from": "From",
        "sender": "Sender",
        "to": "To",
        "cc": "Cc",
        "bcc": "Bcc",
        "replyTo": "Reply-To",
    }
    props = list(names) + [f"header:{h}:asAddresses" for h in names.values()]
    got = _fetch(
        ctx, props, headers=headers, cc="Cee <cc@example.com>", bcc="Bee <bcc@example.com>"
    )
    for prop, header in names.items():
        expect_eq(got[prop], got[f"header:{header}:asAddresses"], prop)
    expect_eq(got["replyTo"], [{"name": "Rep", "email": "rep@example.com"}], "replyTo")


@case(
    "mail.header.convenience-null",
    rfc="8621",
    section="4.1.3",
    level=MUST,
    quote='o cc: "EmailAddress[]|null" (immutable)',
    sends="a message without Cc",
    expects="cc null",
)
def convenience_null(ctx: Context) -> None:
    got = _fetch(ctx, ["cc"])
    expect("cc" in got and got["cc"] is None, show(got))


@case(
    "mail.header.forbidden-as-date-on-from",
    rfc="8621",
    section="4.2",
    level=MUST,
    quote='Attempting to fetch a form that is forbidden (e.g., "header:From:asDate") MUST '
    'result in the method call being rejected with an "invalidArguments" error.',
    sends='Email/get properties ["header:From:asDate"]',
    expects="invalidArguments",
)
def forbidden_as_date_on_from(ctx: Context) -> None:
    email = ctx.import_email(messages.simple())
    ctx.expect_error(
        "Email/get",
        {"ids": [email["id"]], "properties": ["header:From:asDate"]},
        "invalidArguments",
    )


@case(
    "mail.header.forbidden-as-text-on-from",
    rfc="8621",
    section="4.1.2.2",
    level=MUST,
    quote="this form may only be fetched or set for the following header fields: o Subject o "
    "Comments o Keywords o List-Id",
    sends='Email/get properties ["header:From:asText"]',
    expects="invalidArguments",
)
def forbidden_as_text_on_from(ctx: Context) -> None:
    email = ctx.import_email(messages.simple())
    ctx.expect_error(
        "Email/get",
        {"ids": [email["id"]], "properties": ["header:From:asText"]},
        "invalidArguments",
    )


@case(
    "mail.header.forbidden-as-addresses-on-subject",
    rfc="8621",
    section="4.1.2.3",
    level=MUST,
    quote="To prevent obviously nonsense behaviour, which can lead to interoperability issues, "
    "this form may only be fetched or set for the following header fields: o From",
    sends='Email/get properties ["header:Subject:asAddresses"]',
    expects="invalidArguments",
)
def forbidden_as_addresses_on_subject(ctx: Context) -> None:
    email = ctx.import_email(messages.simple())
    ctx.expect_error(
        "Email/get",
        {"ids": [email["id"]], "properties": ["header:Subject:asAddresses"]},
        "invalidArguments",
    )


@case(
    "mail.header.unknown-form",
    rfc="8621",
    section="4.1.3",
    level=MUST,
    quote='where "{header-form}" is one of the parsed-form names specified above.',
    sends='Email/get properties ["header:Subject:asConformance"]',
    expects="invalidArguments",
)
def unknown_form(ctx: Context) -> None:
    email = ctx.import_email(messages.simple())
    ctx.expect_error(
        "Email/get",
        {"ids": [email["id"]], "properties": ["header:Subject:asConformance"]},
        "invalidArguments",
    )


@case(
    "mail.header.suffix-order",
    rfc="8621",
    section="4.1.3",
    level=MUST,
    quote="If both suffixes are used, they MUST be specified in the order above.",
    sends='Email/get properties ["header:Subject:all:asText"]',
    expects="invalidArguments",
)
def suffix_order(ctx: Context) -> None:
    email = ctx.import_email(messages.simple())
    ctx.expect_error(
        "Email/get",
        {"ids": [email["id"]], "properties": ["header:Subject:all:asText"]},
        "invalidArguments",
    )


@case(
    "mail.header.custom-header-any-form",
    rfc="8621",
    section="4.1.2.3",
    level=MUST,
    quote="o Any header field not defined in [RFC5322] or [RFC2369]",
    sends="X-CF-Addr: Zoe <zoe@example.com>; Email/get header:X-CF-Addr:asAddresses and "
    "header:X-CF-Addr:asText",
    expects='[{Zoe, zoe@example.com}] and "Zoe <zoe@example.com>"',
)
def custom_header_any_form(ctx: Context) -> None:
    got = _fetch(
        ctx,
        ["header:X-CF-Addr:asAddresses", "header:X-CF-Addr:asText"],
        headers=[("X-CF-Addr", "Zoe <zoe@example.com>")],
    )
    expect_eq(
        got["header:X-CF-Addr:asAddresses"],
        [{"name": "Zoe", "email": "zoe@example.com"}],
        "asAddresses",
    )
    expect_eq(got["header:X-CF-Addr:asText"], "Zoe <zoe@example.com>", "asText")


@case(
    "mail.header.all-with-form",
    rfc="8621",
    section="4.1.3",
    level=MUST,
    quote='The result is of type "EmailAddress[][]" -- each item in the array corresponds to '
    "the parsed value (which is itself an array) of the Resent-To header field instance.",
    sends="two Resent-To fields; Email/get header:Resent-To:asAddresses:all",
    expects="an array of two EmailAddress arrays, in order",
)
def all_with_form(ctx: Context) -> None:
    got = _fetch(
        ctx,
        ["header:Resent-To:asAddresses:all"],
        headers=[("Resent-To", "One <one@example.com>"), ("Resent-To", "Two <two@example.com>")],
    )
    expect_eq(
        got["header:Resent-To:asAddresses:all"],
        [
            [{"name": "One", "email": "one@example.com"}],
            [{"name": "Two", "email": "two@example.com"}],
        ],
        "value",
    )


@case(
    "mail.header.raw-utf8",
    rfc="8621",
    section="4.1.2.1",
    level=MUST,
    quote="Any standards-compliant message MUST be either ASCII (RFC 5322) or UTF-8 (RFC 6532)",
    sends='a message with a raw UTF-8 Subject (RFC 6532) "Grüße 日本"',
    expects='subject "Grüße 日本"',
)
def raw_utf8(ctx: Context) -> None:
    got = _fetch(ctx, ["subject"], subject="Grüße 日本")
    expect_eq(got["subject"], "Grüße 日本", "subject")
