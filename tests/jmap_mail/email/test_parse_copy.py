"""Email/parse (RFC 8621 §4.9) and Email/copy (§4.7)."""

from __future__ import annotations

from tests.factories import message
from tests.jmap_client import JmapClient
from tests.jmap_mail.email.helpers import import_raw, role

FORWARD = (
    b"From: a@example.com\r\nTo: b@example.com\r\nSubject: Fwd: hello\r\nMIME-Version: 1.0\r\n"
    b'Content-Type: multipart/mixed; boundary="b"\r\n\r\n'
    b"--b\r\nContent-Type: text/plain\r\n\r\nsee below\r\n"
    b"--b\r\nContent-Type: message/rfc822\r\n\r\n"
    b"From: c@example.com\r\nSubject: inner\r\n\r\ninner body\r\n"
    b"--b--\r\n"
)


def test_parse_an_uploaded_message_without_storing_it(jmap: JmapClient) -> None:
    blob_id = jmap.upload(message("Parsed"), "message/rfc822").json()["blobId"]
    before = jmap.state("Email")
    result = jmap.call(
        "Email/parse",
        {
            "blobIds": [blob_id, "bnope"],
            "properties": [
                "id",
                "subject",
                "blobId",
                "mailboxIds",
                "keywords",
                "receivedAt",
                "threadId",
            ],
        },
    )
    assert result["parsed"][blob_id] == {
        "id": None,
        "subject": "Parsed",
        "blobId": blob_id,
        "mailboxIds": None,
        "keywords": None,
        "receivedAt": None,
        "threadId": None,
    }
    assert result["notFound"] == ["bnope"]
    assert jmap.state("Email") == before


def test_parse_an_attached_message(jmap: JmapClient) -> None:
    """RFC 8621 §4.9: any message/rfc822 blob, including attached ones."""
    created = import_raw(jmap, FORWARD)
    attachments = jmap.call("Email/get", {"ids": [created["id"]], "properties": ["attachments"]})[
        "list"
    ][0]["attachments"]
    inner_blob = attachments[0]["blobId"]
    parsed = jmap.call(
        "Email/parse",
        {
            "blobIds": [inner_blob],
            "properties": ["subject", "textBody"],
            "fetchTextBodyValues": True,
        },
    )
    assert parsed["parsed"][inner_blob]["subject"] == "inner"


def test_parse_of_garbage_is_not_parsable(jmap: JmapClient) -> None:
    blob_id = jmap.upload(b"", "message/rfc822").json()["blobId"]
    assert jmap.call("Email/parse", {"blobIds": [blob_id]})["notParsable"] == [blob_id]


def test_copy_needs_another_reachable_account(jmap: JmapClient, other_jmap: JmapClient) -> None:
    """RFC 8620 §5.4: fromAccountNotFound; copying within one account is refused."""
    created = import_raw(jmap, message())
    create = {"c": {"id": created["id"], "mailboxIds": {role(jmap, "inbox"): True}}}
    assert (
        jmap.call_error("Email/copy", {"fromAccountId": other_jmap.account_id, "create": create})
        == "fromAccountNotFound"
    )
    assert (
        jmap.call_error("Email/copy", {"fromAccountId": jmap.account_id, "create": create})
        == "invalidArguments"
    )
