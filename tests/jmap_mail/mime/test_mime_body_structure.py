"""Body structure and the textBody/htmlBody/attachments lists (RFC 8621 §4.1.4)."""

from __future__ import annotations

from jmap_mail.mime import parse_message

from .corpus import load, part_json, text_of


def test_the_rfc_example_structure_decomposes_exactly_as_printed_in_the_rfc() -> None:
    """RFC 8621 §4.1.4: the mailing-list example gives textBody A B C D K, htmlBody A E K and
    attachments C F G H J. Leaves are numbered depth first, so A=1 … H=8, J=9, K=10."""
    msg = parse_message(load("rfc8621-example.eml"))
    labels = {str(i): label for i, label in enumerate("ABCDEFGHJK", 1)}
    assert [labels[p] for p in msg.text_body] == ["A", "B", "C", "D", "K"]
    assert [labels[p] for p in msg.html_body] == ["A", "E", "K"]
    assert [labels[p] for p in msg.attachments] == ["C", "F", "G", "H", "J"]
    assert msg.has_attachment is True


def test_the_rfc_example_parts_carry_their_labels_as_content() -> None:
    """RFC 8621 §4.1.4: each leaf of the example is the part the RFC names."""
    raw = load("rfc8621-example.eml")
    msg = parse_message(raw)
    texts = {pid: text_of(raw, msg, pid) for pid in ("1", "2", "4", "5", "10")}
    assert texts == {"1": "A", "2": "B", "4": "D", "5": "E", "10": "K"}


def test_multipart_alternative_puts_plain_text_in_text_body_and_html_in_html_body() -> None:
    """RFC 8621 §4.1.4: textBody prefers text/plain, htmlBody prefers text/html."""
    msg = parse_message(load("alternative.eml"))
    assert (msg.text_body, msg.html_body, msg.attachments) == (["1"], ["2"], [])
    assert msg.has_attachment is False
    assert part_json(msg.root) == {
        "partId": None,
        "size": 523,
        "name": None,
        "type": "multipart/alternative",
        "charset": None,
        "disposition": None,
        "cid": None,
        "language": None,
        "location": None,
        "subParts": [
            {
                "partId": "1",
                "size": 108,
                "name": None,
                "type": "text/plain",
                "charset": "UTF-8",
                "disposition": None,
                "cid": None,
                "language": None,
                "location": None,
            },
            {
                "partId": "2",
                "size": 128,
                "name": None,
                "type": "text/html",
                "charset": "UTF-8",
                "disposition": None,
                "cid": None,
                "language": None,
                "location": None,
            },
        ],
    }


def test_an_image_embedded_through_multipart_related_is_an_attachment_but_not_downloadable() -> (
    None
):
    """RFC 8621 §4.1.4: related non-first parts are attachments; hasAttachment MAY ignore
    images the HTML embeds."""
    msg = parse_message(load("related-inline-image.eml"))
    assert (msg.text_body, msg.html_body, msg.attachments) == (["1"], ["2"], ["3"])
    image = part_json(msg.root.sub_parts[1].sub_parts[1])
    assert image == {
        "partId": "3",
        "size": 70,
        "name": "logo.png",
        "type": "image/png",
        "charset": None,
        "disposition": None,
        "cid": "logo@shop.example",
        "language": None,
        "location": None,
    }
    assert msg.has_attachment is False


def test_attachment_names_are_decoded_from_rfc2231_continuations_and_charsets() -> None:
    """RFC 2231 §3-§4 continuations and charsets; RFC 8621 §4.1.4 `name` prefers filename."""
    msg = parse_message(load("attachments-rfc2231.eml"))
    names = [(p.part_id, p.name) for p in msg.root.sub_parts]
    assert names == [
        ("1", None),
        ("2", "Presupuesto año 2024 — versión final.pdf"),
        ("3", "notas de reunión.txt"),
        ("4", "Grüße.xls"),
    ]
    assert (msg.text_body, msg.attachments, msg.has_attachment) == (["1"], ["2", "3", "4"], True)


def test_a_forwarded_message_is_a_single_leaf_that_is_not_descended_into() -> None:
    """RFC 8621 §4.1.4: bodyStructure does not recurse into message/rfc822."""
    raw = load("forwarded-rfc822.eml")
    msg = parse_message(raw)
    attached = msg.root.sub_parts[1]
    assert (attached.part_id, attached.type, attached.sub_parts) == ("2", "message/rfc822", [])
    assert msg.attachments == ["2"]
    inner = parse_message(raw[attached.body_start : attached.body_end])
    assert (inner.text_body, inner.html_body) == (["1"], ["2"])


def test_a_calendar_invite_keeps_text_calendar_as_an_attachment() -> None:
    """RFC 8621 §4.1.4: text/calendar is neither text/plain nor text/html, so inside
    multipart/alternative it is an attachment."""
    msg = parse_message(load("calendar-invite.eml"))
    calendar = msg.root.sub_parts[0].sub_parts[2]
    assert (calendar.part_id, calendar.type, calendar.charset) == ("3", "text/calendar", "UTF-8")
    assert (msg.text_body, msg.html_body, msg.attachments) == (["1"], ["2"], ["3", "4"])


def test_a_signed_message_keeps_its_signature_part_but_does_not_count_it_as_attachment() -> None:
    """RFC 8621 §4.1.4: multipart/signed stays intact; a server MAY ignore parts processed
    automatically when setting hasAttachment."""
    msg = parse_message(load("smime-signed.eml"))
    assert [p.type for p in msg.root.sub_parts] == ["text/plain", "application/pkcs7-signature"]
    assert msg.root.type == "multipart/signed"
    assert (msg.text_body, msg.attachments, msg.has_attachment) == (["1"], ["2"], False)


def test_an_encrypted_message_keeps_both_pgp_mime_parts() -> None:
    """RFC 8621 §4.1.4 with RFC 3156 §4: both parts of multipart/encrypted are attachments."""
    msg = parse_message(load("pgp-encrypted.eml"))
    assert [(p.part_id, p.type) for p in msg.root.sub_parts] == [
        ("1", "application/pgp-encrypted"),
        ("2", "application/octet-stream"),
    ]
    assert (msg.text_body, msg.html_body, msg.attachments) == ([], [], ["1", "2"])


def test_parts_of_a_digest_default_to_message_rfc822() -> None:
    """RFC 8621 §4.1.4 `type`, RFC 2046 §5.1.5: the implicit type inside multipart/digest."""
    msg = parse_message(load("digest.eml"))
    assert [(p.part_id, p.type, p.charset) for p in msg.root.sub_parts] == [
        ("1", "message/rfc822", None),
        ("2", "message/rfc822", None),
    ]


def test_a_part_without_content_type_is_us_ascii_plain_text() -> None:
    """RFC 8621 §4.1.4 `type` and `charset`: the MIME defaults (RFC 2045 §5.2)."""
    msg = parse_message(b"Subject: plain\r\n\r\nHello\r\n")
    assert part_json(msg.root) == {
        "partId": "1",
        "size": 7,
        "name": None,
        "type": "text/plain",
        "charset": "us-ascii",
        "disposition": None,
        "cid": None,
        "language": None,
        "location": None,
    }
    assert (msg.text_body, msg.html_body, msg.attachments) == (["1"], ["1"], [])


def test_content_id_language_and_location_are_read_without_cfws_or_brackets() -> None:
    """RFC 8621 §4.1.4 `cid`, `language` and `location`."""
    raw = (
        b"Content-Type: image/gif\r\n"
        b"Content-ID: (comment) < img1@example.com >\r\n"
        b"Content-Language: en-GB, (British) fr\r\n"
        b"Content-Location: https://example.com/\r\n very/long/path.gif\r\n"
        b"Content-Disposition: INLINE; filename=a.gif\r\n\r\nGIF"
    )
    assert part_json(parse_message(raw).root) == {
        "partId": "1",
        "size": 3,
        "name": "a.gif",
        "type": "image/gif",
        "charset": None,
        "disposition": "inline",
        "cid": "img1@example.com",
        "language": ["en-GB", "fr"],
        "location": "https://example.com/very/long/path.gif",
    }


def test_a_charset_parameter_on_a_non_text_type_is_reported() -> None:
    """RFC 8621 §4.1.4 `charset`: the parameter's value when present, whatever the type."""
    msg = parse_message(b"Content-Type: application/json; charset=utf-8\r\n\r\n{}")
    assert (msg.root.type, msg.root.charset) == ("application/json", "utf-8")


def test_an_html_only_message_offers_the_html_part_as_text_body_too() -> None:
    """RFC 8621 §4.1.4: with no alternative, the same part is in both lists."""
    msg = parse_message(load("html-only.eml"))
    assert (msg.text_body, msg.html_body, msg.attachments) == (["1"], ["1"], [])


def test_a_text_part_with_a_filename_after_the_first_is_an_attachment() -> None:
    """RFC 8621 §4.1.4 isInline: a named text part that is not first is an attachment."""
    raw = (
        b"Content-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\n\r\nbody\r\n--x\r\n"
        b"Content-Type: text/plain; name=notes.txt\r\n\r\nnotes\r\n--x--\r\n"
    )
    msg = parse_message(raw)
    assert (msg.text_body, msg.attachments, msg.has_attachment) == (["1"], ["2"], True)
