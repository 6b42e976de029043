"""Email/get (RFC 8621 §4.2) over stored messages."""

from __future__ import annotations

from tests.factories import message
from tests.jmap_client import JmapClient
from tests.jmap_mail.email.helpers import import_raw

MULTIPART = (
    b"From: =?utf-8?q?Ren=C3=A9e?= <renee@example.com>\r\n"
    b"To: a@example.com, Group: b@example.com, c@example.com;\r\n"
    b"Subject: =?iso-8859-1?q?Caf=E9?= menu\r\n"
    b"Date: Wed, 04 Jan 2023 09:30:00 -0500\r\n"
    b"Message-ID: <menu@example.com>\r\n"
    b"List-Unsubscribe: <https://example.com/u>, <mailto:u@example.com>\r\n"
    b"MIME-Version: 1.0\r\n"
    b'Content-Type: multipart/mixed; boundary="outer"\r\n\r\n'
    b"--outer\r\n"
    b'Content-Type: multipart/alternative; boundary="inner"\r\n\r\n'
    b"--inner\r\n"
    b"Content-Type: text/plain; charset=iso-8859-1\r\n"
    b"Content-Transfer-Encoding: quoted-printable\r\n\r\n"
    b"Caf=E9 au lait today.\r\n"
    b"--inner\r\n"
    b"Content-Type: text/html; charset=utf-8\r\n\r\n"
    b"<p>Caf\xc3\xa9 <b>au lait</b> today.</p>\r\n"
    b"--inner--\r\n"
    b"--outer\r\n"
    b'Content-Type: application/pdf; name="menu.pdf"\r\n'
    b"Content-Disposition: attachment; filename*=utf-8''men%C3%BC.pdf\r\n"
    b"Content-Transfer-Encoding: base64\r\n\r\n"
    b"JVBERi0xLjQK\r\n"
    b"--outer--\r\n"
)


def test_convenience_headers_and_body_lists(jmap: JmapClient) -> None:
    """RFC 8621 §4.1.2-§4.1.4."""
    created = import_raw(jmap, MULTIPART)
    email = jmap.call("Email/get", {"ids": [created["id"]], "fetchTextBodyValues": True})["list"][0]
    assert email["subject"] == "Café menu"
    assert email["from"] == [{"name": "Renée", "email": "renee@example.com"}]
    assert email["to"] == [
        {"name": None, "email": "a@example.com"},
        {"name": None, "email": "b@example.com"},
        {"name": None, "email": "c@example.com"},
    ]
    assert email["messageId"] == ["menu@example.com"]
    assert email["sentAt"] == "2023-01-04T09:30:00-05:00"
    assert email["hasAttachment"] is True
    assert email["preview"] == "Café au lait today."
    assert [p["type"] for p in email["textBody"]] == ["text/plain"]
    assert [p["type"] for p in email["htmlBody"]] == ["text/html"]
    assert [(p["type"], p["name"]) for p in email["attachments"]] == [
        ("application/pdf", "menü.pdf")
    ]
    text_part = email["textBody"][0]["partId"]
    assert email["bodyValues"] == {
        text_part: {
            "value": "Café au lait today.",
            "isEncodingProblem": False,
            "isTruncated": False,
        }
    }


def test_part_blobs_download_decoded(jmap: JmapClient) -> None:
    """RFC 8621 §4.1.4: each part has a blobId."""
    created = import_raw(jmap, MULTIPART)
    attachment = jmap.call("Email/get", {"ids": [created["id"]], "properties": ["attachments"]})[
        "list"
    ][0]["attachments"][0]
    response = jmap.download(attachment["blobId"], "menu.pdf", "application/pdf")
    assert response.status_code == 200
    assert response.content == b"%PDF-1.4\n"


def test_header_forms(jmap: JmapClient) -> None:
    """RFC 8621 §4.1.3 header:{name}:as{Form}[:all]."""
    created = import_raw(jmap, MULTIPART)
    props = [
        "header:Subject",
        "header:subject:asText",
        "header:To:asGroupedAddresses",
        "header:List-Unsubscribe:asURLs",
        "header:Date:asDate",
        "header:X-Missing:all",
        "header:Message-ID:asMessageIds",
    ]
    email = jmap.call("Email/get", {"ids": [created["id"]], "properties": props})["list"][0]
    assert email["header:Subject"] == " =?iso-8859-1?q?Caf=E9?= menu"
    assert email["header:subject:asText"] == "Café menu"
    assert email["header:To:asGroupedAddresses"] == [
        {"name": None, "addresses": [{"name": None, "email": "a@example.com"}]},
        {
            "name": "Group",
            "addresses": [
                {"name": None, "email": "b@example.com"},
                {"name": None, "email": "c@example.com"},
            ],
        },
    ]
    assert email["header:List-Unsubscribe:asURLs"] == [
        "https://example.com/u",
        "mailto:u@example.com",
    ]
    assert email["header:Date:asDate"] == "2023-01-04T09:30:00-05:00"
    assert email["header:X-Missing:all"] == []
    assert email["header:Message-ID:asMessageIds"] == ["menu@example.com"]


def test_an_invalid_header_form_is_invalid_arguments(jmap: JmapClient) -> None:
    """RFC 8621 §4.2."""
    assert (
        jmap.call_error("Email/get", {"ids": [], "properties": ["header:Subject:asAddresses"]})
        == "invalidArguments"
    )
    assert (
        jmap.call_error("Email/get", {"ids": [], "bodyProperties": ["nope"]}) == "invalidArguments"
    )


def test_max_body_value_bytes_truncates(jmap: JmapClient) -> None:
    created = import_raw(jmap, message(body="h\u00e9llo world"))
    email = jmap.call(
        "Email/get",
        {
            "ids": [created["id"]],
            "properties": ["bodyValues", "textBody"],
            "fetchAllBodyValues": True,
            "maxBodyValueBytes": 2,
        },
    )["list"][0]
    value = next(iter(email["bodyValues"].values()))
    assert value == {"value": "h", "isEncodingProblem": False, "isTruncated": True}


def test_body_structure_lists_sub_parts(jmap: JmapClient) -> None:
    created = import_raw(jmap, MULTIPART)
    structure = jmap.call(
        "Email/get",
        {
            "ids": [created["id"]],
            "properties": ["bodyStructure"],
            "bodyProperties": ["partId", "type"],
        },
    )["list"][0]["bodyStructure"]
    assert structure == {
        "partId": None,
        "type": "multipart/mixed",
        "subParts": [
            {
                "partId": None,
                "type": "multipart/alternative",
                "subParts": [
                    {"partId": "1", "type": "text/plain"},
                    {"partId": "2", "type": "text/html"},
                ],
            },
            {"partId": "3", "type": "application/pdf"},
        ],
    }


def test_another_tenants_email_is_not_found(jmap: JmapClient, other_jmap: JmapClient) -> None:
    created = import_raw(other_jmap, message())
    assert jmap.call("Email/get", {"ids": [created["id"]]})["notFound"] == [created["id"]]
    assert jmap.download(created["blobId"]).status_code == 404


def test_fetch_all_body_values_covers_every_text_part(jmap: JmapClient) -> None:
    """RFC 8621 §4.2: fetchAllBodyValues includes any text/* part of bodyStructure."""
    raw = (
        b"From: a@example.com\r\nSubject: parts\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="x"\r\n\r\n'
        b"--x\r\nContent-Type: text/plain\r\n\r\nbody\r\n"
        b'--x\r\nContent-Type: text/csv\r\nContent-Disposition: attachment; filename="a.csv"\r\n\r\na,b\r\n'
        b"--x--\r\n"
    )
    created = import_raw(jmap, raw)
    email = jmap.call(
        "Email/get",
        {"ids": [created["id"]], "properties": ["bodyValues"], "fetchAllBodyValues": True},
    )["list"][0]
    assert sorted(email["bodyValues"]) == ["1", "2"]
    assert email["bodyValues"]["2"]["value"] == "a,b"
