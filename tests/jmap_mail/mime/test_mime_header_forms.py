"""Header field parsed forms and `header:` properties (RFC 8621 §4.1.2-§4.1.3)."""

from __future__ import annotations

import pytest

from jmap_mail.mime import (
    Header,
    HeaderProperty,
    form_allowed,
    header_form,
    header_property_value,
    parse_header_property,
    parse_message,
)

from .corpus import header, load

RFC_ADDRESS_LIST = (
    ' "  James Smythe" <james@example.com>, Friends:\r\n'
    "   jane@example.com, =?UTF-8?Q?John_Sm=C3=AEth?=\r\n"
    "   <john@example.com>;"
)


def test_raw_form_keeps_the_leading_space_and_folding() -> None:
    """RFC 8621 §4.1.2.1: everything after the colon, up to the terminating CRLF."""
    msg = parse_message(b"Subject: one\r\n two\r\nX-Empty:\r\n\r\n")
    assert [(h.name, h.value) for h in msg.headers] == [
        ("Subject", " one\r\n two"),
        ("X-Empty", ""),
    ]


def test_raw_form_drops_nul_and_replaces_invalid_utf8_octets() -> None:
    """RFC 8621 §4.1.2.1: NUL MUST be dropped; invalid UTF-8 SHOULD become U+FFFD."""
    msg = parse_message(b"Subject: a\x00b caf\xe9 \xe2\x82\xac\r\n\r\n")
    assert msg.headers == [Header("Subject", " ab caf\ufffd \u20ac")]


def test_raw_utf8_header_values_are_kept_as_written() -> None:
    """RFC 6532 §3.2: header field values may hold UTF-8."""
    msg = parse_message(load("headers-8bit.eml"))
    assert header(msg, "From", "addresses") == [{"name": "Zoë Ünïcode", "email": "zoe@example.org"}]
    assert header(msg, "To", "addresses") == [{"name": "测试", "email": "test@例え.jp"}]
    assert header(msg, "X-Legacy", "text") == "Caf\ufffd au lait"


def test_text_form_unfolds_decodes_encoded_words_and_trims() -> None:
    """RFC 8621 §4.1.2.2 steps 1-5."""
    value = " =?UTF-8?B?R3LDvMOfZSBhdXMgS8O2bG4=?=\r\n =?UTF-8?Q?_=E2=80=94_Bericht?= "
    assert header_form(value, "text") == "Grüße aus Köln — Bericht"


def test_text_form_does_not_decode_encoded_words_glued_to_other_text() -> None:
    """RFC 8621 §4.1.2.2 step 4 and RFC 2047 §5 rule 1: misplaced encoded-words stay as-is."""
    assert header_form(" x=?utf-8?q?a?= =?utf-8?q?b?=y", "text") == "x=?utf-8?q?a?= =?utf-8?q?b?=y"


def test_text_form_leaves_encoded_words_in_unknown_charsets_alone() -> None:
    """RFC 8621 §4.1.2.2 step 4: only sections with a known character set are decoded."""
    assert header_form(" =?x-klingon?q?abc?= ok", "text") == "=?x-klingon?q?abc?= ok"


def test_text_form_keeps_space_between_encoded_word_and_plain_text() -> None:
    """RFC 2047 §6.2: only white space between two encoded-words is dropped."""
    value = " Re: =?utf-8?q?caf=C3=A9?= =?utf-8?q?_au?= lait"
    assert header_form(value, "text") == "Re: café au lait"


def test_text_form_joins_a_character_split_across_two_encoded_words() -> None:
    """RFC 2047 §5 rule 3 violated by the sender; decoding still recovers the character."""
    assert header_form(" =?utf-8?q?caf=C3?= =?utf-8?q?=A9?=", "text") == "café"


def test_text_form_drops_control_characters_from_encoded_words_and_normalises_to_nfc() -> None:
    """RFC 8621 §4.1.2.2 steps 4-5."""
    assert header_form(" =?utf-8?q?a=00b=07c_e=CC=81?=", "text") == "abc é"


def test_text_form_decodes_legacy_charsets() -> None:
    """RFC 2047 §4 with ISO-2022-JP, KOI8-R and Big5 encoded-words."""
    for name, subject in [
        ("iso-2022-jp.eml", "会議のお知らせ"),
        ("koi8-r.eml", "Привет мир"),
        ("big5.eml", "會議通知"),
        ("attachments-rfc2231.eml", "Presupuesto año 2024"),
    ]:
        assert header(parse_message(load(name)), "Subject", "text") == subject, name


def test_addresses_form_parses_the_rfc_example() -> None:
    """RFC 8621 §4.1.2.3 example; the RFC prints "John Smith" but its own encoded-word spells
    Sm=C3=AEth, which is "Smîth"."""
    assert header_form(RFC_ADDRESS_LIST, "addresses") == [
        {"name": "James Smythe", "email": "james@example.com"},
        {"name": None, "email": "jane@example.com"},
        {"name": "John Smîth", "email": "john@example.com"},
    ]


def test_grouped_addresses_form_parses_the_rfc_example() -> None:
    """RFC 8621 §4.1.2.4 example."""
    assert header_form(RFC_ADDRESS_LIST, "groupedaddresses") == [
        {"name": None, "addresses": [{"name": "James Smythe", "email": "james@example.com"}]},
        {
            "name": "Friends",
            "addresses": [
                {"name": None, "email": "jane@example.com"},
                {"name": "John Smîth", "email": "john@example.com"},
            ],
        },
    ]


def test_addresses_form_handles_comments_groups_routes_and_quoted_names() -> None:
    """RFC 8621 §4.1.2.3: comment as name, empty groups, obsolete routes, quoted-pairs."""
    msg = parse_message(load("addresses.eml"))
    assert header(msg, "From", "addresses") == [
        {"name": "Smythe, James", "email": "james@example.com"}
    ]
    assert header(msg, "Reply-To", "groupedaddresses") == [
        {
            "name": "Friends",
            "addresses": [
                {"name": None, "email": "jane@example.com"},
                {"name": "John Smîth", "email": "john@example.com"},
            ],
        },
        {"name": None, "addresses": [{"name": "Bob Builder", "email": "bob@example.com"}]},
    ]
    assert header(msg, "To", "groupedaddresses") == [
        {"name": "undisclosed-recipients", "addresses": []}
    ]
    assert header(msg, "To", "addresses") == []
    assert header(msg, "Cc", "addresses") == [
        {"name": "Jürgen", "email": "juergen@example.de"},
        {"name": None, "email": "route@example.com"},
    ]


def test_addresses_form_is_best_effort_on_half_written_drafts() -> None:
    """RFC 8621 §4.1.2.3: invalid structure still yields addresses, possibly without "@"."""
    assert header_form(' bob, "Al \\"Pal\\" Ng" <al@x>, <broken@', "addresses") == [
        {"name": None, "email": "bob"},
        {"name": 'Al "Pal" Ng', "email": "al@x"},
        {"name": None, "email": "broken@"},
    ]
    assert header_form(" ,, ;", "addresses") == []


def test_addresses_form_keeps_spaces_in_a_quoted_local_part() -> None:
    """RFC 5322 §3.4.1: a quoted-string local part is part of the addr-spec."""
    assert header_form(' "john smith"@example.com', "addresses") == [
        {"name": None, "email": '"john smith"@example.com'}
    ]


def test_message_ids_form_strips_brackets_cfws_and_obsolete_phrases() -> None:
    """RFC 8621 §4.1.2.5 with RFC 5322 §3.6.4 and §4.5.4."""
    msg = parse_message(load("addresses.eml"))
    assert header(msg, "Message-ID", "messageids") == ["msg.1@example.com"]
    assert header(msg, "In-Reply-To", "messageids") == ["prev.1@example.com"]
    assert header(msg, "References", "messageids") == [
        "a.1@example.com",
        "b.2@example.com",
        "c.3@example.com",
    ]


def test_message_ids_form_is_null_when_nothing_parses() -> None:
    """RFC 8621 §4.1.2.5: "If parsing fails, the value is null"."""
    assert header_form(" not a message id", "messageids") is None
    assert header_form("", "messageids") is None
    assert header_form(" bare@example.com", "messageids") == ["bare@example.com"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (" Tue, 02 Jan 2024 03:04:05 +0100", "2024-01-02T03:04:05+01:00"),
        (" Tue, 2 Jan 2024 03:04:05 -0330 (NST)", "2024-01-02T03:04:05-03:30"),
        (" 2 Jan 2024 03:04 +0000", "2024-01-02T03:04:00Z"),
        (" 2 Jan 99 03:04 EST", "1999-01-02T03:04:00-05:00"),
        (" Fri, 1 Mar 24 10:00:00 GMT", "2024-03-01T10:00:00Z"),
        (" Sat, 31 Dec 2016 23:59:60 +0000", "2016-12-31T23:59:59Z"),
        (" Mon, 30 Feb 2024 10:00:00 +0000", None),
        (" 2024-01-02T03:04:05Z", None),
        (" Tue, 02 Jan 2024 03:04:05 +2500", None),
        (" yesterday", None),
    ],
)
def test_date_form_keeps_the_offset_or_is_null(value: str, expected: str | None) -> None:
    """RFC 8621 §4.1.2.6 with RFC 5322 §3.3 and the obsolete forms of §4.3."""
    assert header_form(value, "date") == expected


def test_urls_form_strips_brackets_and_comments_or_is_null() -> None:
    """RFC 8621 §4.1.2.7 with RFC 2369 §2."""
    msg = parse_message(load("addresses.eml"))
    assert header(msg, "List-Unsubscribe", "urls") == [
        "mailto:leave@lists.example",
        "https://lists.example/leave?u=1",
    ]
    assert header(msg, "List-Post", "urls") is None


def test_header_form_accepts_as_prefixed_names_and_rejects_unknown_forms() -> None:
    """RFC 8621 §4.1.3: forms are named as{Form} in properties."""
    assert header_form(" <a@b>", "asMessageIds") == ["a@b"]
    with pytest.raises(ValueError, match="unknown header form"):
        header_form(" x", "asBlob")


def test_header_properties_parse_name_form_and_all_suffix() -> None:
    """RFC 8621 §4.1.3: header:{name}[:as{form}][:all], suffixes in that order."""
    assert parse_header_property("header:Resent-To:asAddresses:all") == HeaderProperty(
        "Resent-To", "addresses", True
    )
    assert parse_header_property("header:subject") == HeaderProperty("subject", "raw", False)
    assert parse_header_property("header:X-Foo:all") == HeaderProperty("X-Foo", "raw", True)
    for bad in ["header:", "header:A B", "header:X:all:asText", "header:X:asBlob", "subject"]:
        assert parse_header_property(bad) is None, bad


def test_parsed_forms_are_allowed_only_on_appropriate_fields() -> None:
    """RFC 8621 §4.1.2.2-§4.1.2.7 lists; fields outside RFC 5322/2369 allow every form."""
    assert form_allowed("From", "addresses")
    assert form_allowed("Resent-Reply-To", "groupedaddresses")
    assert form_allowed("List-Id", "text")
    assert form_allowed("X-Anything", "date")
    assert form_allowed("Received", "raw")
    assert not form_allowed("From", "date")
    assert not form_allowed("Subject", "addresses")
    assert not form_allowed("Received", "text")
    assert not form_allowed("List-Post", "messageids")


def test_header_property_values_take_the_last_instance_or_all_of_them() -> None:
    """RFC 8621 §4.1.3: last instance or null; with :all every instance or []."""
    headers = [Header("To", " a@x"), Header("Subject", " s"), Header("to", " b@y")]
    to_all = parse_header_property("header:TO:asAddresses:all")
    last = parse_header_property("header:To:asAddresses")
    missing = parse_header_property("header:Cc")
    missing_all = parse_header_property("header:Cc:all")
    assert to_all is not None
    assert last is not None
    assert missing is not None
    assert missing_all is not None
    assert header_property_value(headers, to_all) == [
        [{"name": None, "email": "a@x"}],
        [{"name": None, "email": "b@y"}],
    ]
    assert header_property_value(headers, last) == [{"name": None, "email": "b@y"}]
    assert header_property_value(headers, missing) is None
    assert header_property_value(headers, missing_all) == []
