"""Email/set create objects that RFC 8621 §4.6 forbids raise BuildError or BlobNotFound."""

from __future__ import annotations

import pytest

from jmap_mail.mime import BlobNotFound, BuildError, BuildSpec, build_message
from jmap_mail.mime._json import JSONValue

TEXT: dict[str, JSONValue] = {
    "textBody": [{"partId": "t"}],
    "bodyValues": {"t": {"value": "hello"}},
}


def _invalid(email: dict[str, JSONValue]) -> list[str]:
    """The invalid properties BuildSpec.from_jmap or build_message reports."""
    with pytest.raises(BuildError) as caught:
        build_message(BuildSpec.from_jmap(email, domain="x.test"), lambda _: b"blob")
    return caught.value.properties


def test_the_headers_property_is_refused_on_the_email_and_on_parts() -> None:
    """RFC 8621 §4.6: "headers" MUST NOT be given on the Email or an EmailBodyPart."""
    assert _invalid({"headers": [], **TEXT}) == ["headers"]
    email: dict[str, JSONValue] = {
        "textBody": [{"partId": "t", "headers": []}],
        "bodyValues": TEXT["bodyValues"],
    }
    assert _invalid(email) == ["textBody/0/headers"]


def test_two_properties_for_one_header_field_are_refused() -> None:
    """RFC 8621 §4.6: no two properties may represent the same header field."""
    email: dict[str, JSONValue] = {
        "from": [{"name": None, "email": "a@x"}],
        "header:FROM:asAddresses": [],
        **TEXT,
    }
    assert _invalid(email) == ["from", "header:FROM:asAddresses"]
    assert _invalid({"header:X-A": " 1", "header:x-a:asText": "2", **TEXT}) == [
        "header:X-A",
        "header:x-a:asText",
    ]


def test_forbidden_forms_and_malformed_header_properties_are_refused() -> None:
    """RFC 8621 §4.6: header fields MUST NOT be given in forms forbidden for them."""
    assert _invalid({"header:From:asDate": "2024-01-01T00:00:00Z", **TEXT}) == [
        "header:From:asDate"
    ]
    assert _invalid({"header:X:asBlob": "x", **TEXT}) == ["header:X:asBlob"]


def test_content_header_fields_are_refused_on_the_email() -> None:
    """RFC 8621 §4.6: Content-* fields only on EmailBodyPart objects."""
    assert _invalid({"header:Content-Type": " text/plain", **TEXT}) == ["header:Content-Type"]


def test_values_of_the_wrong_shape_are_refused() -> None:
    """RFC 8621 §4.1.2: each form has a JSON type; Dates are RFC 3339 (RFC 8620 §1.4)."""
    email: dict[str, JSONValue] = {
        "to": [{"name": "No address"}],
        "subject": 42,
        "sentAt": "yesterday",
        "messageId": ["<bracketed@x>"],
        "header:X-All:all": " not a list",
        "cc": [{"name": None, "email": "a@x>\r\nBcc: evil@x"}],
        **TEXT,
    }
    assert _invalid(email) == ["to", "subject", "sentAt", "messageId", "header:X-All:all", "cc"]


def test_a_raw_value_that_would_inject_header_fields_is_refused() -> None:
    """RFC 5322 §2.2: a bare line break would end the field; only folds are allowed."""
    assert _invalid({"header:X-Evil": " a\nBcc: victim@x", **TEXT}) == ["header:X-Evil"]
    assert _invalid({"header:X-Evil": " " + "x" * 2000, **TEXT}) == ["header:X-Evil"]


def test_body_structure_excludes_the_flat_body_lists() -> None:
    """RFC 8621 §4.6: with bodyStructure there MUST NOT be textBody, htmlBody or attachments."""
    email: dict[str, JSONValue] = {"bodyStructure": {"partId": "t"}, **TEXT, "attachments": []}
    assert _invalid(email) == ["textBody", "attachments"]


def test_text_and_html_bodies_hold_exactly_one_part_of_their_type() -> None:
    """RFC 8621 §4.6: textBody is one text/plain part, htmlBody one text/html part."""
    values: JSONValue = {"t": {"value": "x"}}
    assert _invalid({"textBody": [{"partId": "t"}, {"partId": "t"}], "bodyValues": values}) == [
        "textBody"
    ]
    assert _invalid(
        {"htmlBody": [{"partId": "t", "type": "text/plain"}], "bodyValues": values}
    ) == ["htmlBody/0/type"]


def test_part_content_rules_are_enforced() -> None:
    """RFC 8621 §4.6 "Within an EmailBodyPart": partId xor blobId, no charset or size with a
    partId, partId present in bodyValues, no Content-Transfer-Encoding."""
    email: dict[str, JSONValue] = {
        "bodyStructure": {
            "type": "multipart/mixed",
            "subParts": [
                {"partId": "t", "blobId": "b"},
                {"partId": "t", "charset": "utf-8", "size": 3},
                {"partId": "missing"},
                {"type": "image/png"},
                {"partId": "t", "type": "image/png"},
                {"blobId": "b", "header:Content-Transfer-Encoding": " base64"},
                {"type": "multipart/alternative"},
                {"blobId": "b", "subParts": []},
                {"blobId": "b", "colour": "red"},
            ],
        },
        "bodyValues": {"t": {"value": "x"}},
    }
    prefix = "bodyStructure/subParts/"
    assert _invalid(email) == [
        prefix + "0/blobId",
        prefix + "1/charset",
        prefix + "1/size",
        prefix + "2/partId",
        prefix + "3/partId",
        prefix + "4/type",
        prefix + "5/header:Content-Transfer-Encoding",
        prefix + "6/subParts",
        prefix + "7/blobId",
        prefix + "8/colour",
    ]


def test_body_values_may_not_claim_problems_or_truncation() -> None:
    """RFC 8621 §4.6: isEncodingProblem and isTruncated MUST be false or omitted."""
    email: dict[str, JSONValue] = {
        "textBody": [{"partId": "t"}],
        "bodyValues": {"t": {"value": "x", "isTruncated": True, "isEncodingProblem": False}},
    }
    assert _invalid(email) == ["bodyValues/t/isTruncated"]


def test_a_part_header_property_may_not_repeat_a_part_property() -> None:
    """RFC 8621 §4.6: no two properties may represent the same header field on a part."""
    email: dict[str, JSONValue] = {
        "attachments": [{"blobId": "b", "type": "image/png", "header:Content-Type": " x/y"}]
    }
    assert _invalid(email) == ["attachments/0/header:Content-Type"]


def test_the_root_part_may_not_repeat_a_field_of_the_email() -> None:
    """RFC 8621 §4.6: bodyStructure MUST NOT repeat a header field defined on the Email."""
    email: dict[str, JSONValue] = {
        "subject": "s",
        "bodyStructure": {"partId": "t", "header:Subject:asText": "other"},
        "bodyValues": {"t": {"value": "x"}},
    }
    assert _invalid(email) == ["bodyStructure/header:Subject:asText"]


def test_metadata_properties_are_left_to_the_caller() -> None:
    """RFC 8621 §4.1.1: mailboxIds, keywords and receivedAt are not in the message."""
    spec = BuildSpec.from_jmap(
        {"mailboxIds": {"m": True}, "keywords": {}, "receivedAt": "2024-01-01T00:00:00Z", **TEXT},
        domain="x.test",
    )
    assert build_message(spec, lambda _: None).endswith(b"\r\n\r\nhello")


def test_missing_blobs_are_all_reported_once_each() -> None:
    """RFC 8621 §4.6 blobNotFound: `notFound` lists every missing blobId."""
    email: dict[str, JSONValue] = {
        "attachments": [
            {"blobId": "gone1"},
            {"blobId": "here"},
            {"blobId": "gone2"},
            {"blobId": "gone1"},
        ],
    }
    spec = BuildSpec.from_jmap(email, domain="x.test")
    with pytest.raises(BlobNotFound) as caught:
        build_message(spec, {"here": b"data"}.get)
    assert caught.value.blob_ids == ["gone1", "gone2"]


def test_invalid_properties_are_reported_before_missing_blobs() -> None:
    """A create with both problems answers invalidProperties (RFC 8620 §5.3 SetError)."""
    email: dict[str, JSONValue] = {"header:X": " a\nb", "attachments": [{"blobId": "gone"}]}
    with pytest.raises(BuildError) as caught:
        build_message(BuildSpec.from_jmap(email, domain="x.test"), lambda _: None)
    assert caught.value.properties == ["header:X"]
    assert "bare line breaks" in caught.value.description


def test_unknown_and_server_set_properties_are_refused() -> None:
    """RFC 8620 §5.3: invalidProperties for properties a client may not set."""
    assert _invalid({"id": "e1", "preview": "p", "colour": "red", **TEXT}) == [
        "id",
        "preview",
        "colour",
    ]
