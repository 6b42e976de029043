"""Email/import (RFC 8621 §4.8)."""

from __future__ import annotations

from accounts.models import Account
from tests.factories import message
from tests.jmap_client import JmapClient
from tests.jmap_mail.email.helpers import import_raw, role


def test_import_stores_the_message_byte_exact(jmap: JmapClient) -> None:
    raw = message("Imported")
    created = import_raw(jmap, raw, keywords={"$Seen": True}, received_at="2024-02-03T04:05:06Z")
    assert set(created) == {"id", "blobId", "threadId", "size"}
    assert created["size"] == len(raw)
    email = jmap.call(
        "Email/get",
        {
            "ids": [created["id"]],
            "properties": ["subject", "keywords", "receivedAt", "mailboxIds", "blobId"],
        },
    )["list"][0]
    assert email == {
        "id": created["id"],
        "subject": "Imported",
        "keywords": {"$seen": True},
        "receivedAt": "2024-02-03T04:05:06Z",
        "mailboxIds": {role(jmap, "inbox"): True},
        "blobId": created["blobId"],
    }
    assert jmap.download(created["blobId"]).content == raw


def test_import_errors_are_per_item(jmap: JmapClient) -> None:
    blob_id = jmap.upload(message()).json()["blobId"]
    inbox = role(jmap, "inbox")
    result = jmap.call(
        "Email/import",
        {
            "emails": {
                "nomailbox": {"blobId": blob_id, "mailboxIds": {}},
                "badmailbox": {"blobId": blob_id, "mailboxIds": {"mnope": True}},
                "noblob": {"blobId": "b" + "1" * 64, "mailboxIds": {inbox: True}},
                "badkeyword": {
                    "blobId": blob_id,
                    "mailboxIds": {inbox: True},
                    "keywords": {"a b": True},
                },
                "ok": {"blobId": blob_id, "mailboxIds": {inbox: True}},
            }
        },
    )
    errors = {k: v["type"] for k, v in result["notCreated"].items()}
    assert errors == {
        "nomailbox": "invalidProperties",
        "badmailbox": "invalidProperties",
        "noblob": "blobNotFound",
        "badkeyword": "invalidProperties",
    }
    assert set(result["created"]) == {"ok"}


def test_not_a_message_is_invalid_email(jmap: JmapClient) -> None:
    blob_id = jmap.upload(b"\x00\x01 just bytes").json()["blobId"]
    result = jmap.call(
        "Email/import",
        {"emails": {"x": {"blobId": blob_id, "mailboxIds": {role(jmap, "inbox"): True}}}},
    )
    assert result["notCreated"]["x"]["type"] == "invalidEmail"


def test_import_of_a_message_that_does_not_fit_is_over_quota(jmap: JmapClient) -> None:
    """RFC 8621 §4.8 overQuota: a part of a stored message imported as a new message adds its
    size to the quota."""
    outer = (
        b"From: a@example.com\r\nSubject: outer\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="b"\r\n\r\n'
        b"--b\r\nContent-Type: message/rfc822\r\n\r\n"
        b"From: c@example.com\r\nSubject: inner\r\n\r\n" + b"x" * 3000 + b"\r\n--b--\r\n"
    )
    created = import_raw(jmap, outer)
    part = jmap.call("Email/get", {"ids": [created["id"]], "properties": ["attachments"]})["list"][
        0
    ]["attachments"][0]
    used = Account.objects.get(pk=jmap.account.pk).storage_used
    Account.objects.filter(pk=jmap.account.pk).update(storage_quota=used + 100)
    result = jmap.call(
        "Email/import",
        {"emails": {"x": {"blobId": part["blobId"], "mailboxIds": {role(jmap, "inbox"): True}}}},
    )
    assert result["notCreated"]["x"]["type"] == "overQuota"


def test_import_changes_email_mailbox_and_thread_states(jmap: JmapClient) -> None:
    before = {t: jmap.state(t) for t in ("Email", "Mailbox", "Thread")}
    created = import_raw(jmap, message())
    changes = jmap.call("Email/changes", {"sinceState": before["Email"]})
    assert changes["created"] == [created["id"]]
    mailbox_changes = jmap.call("Mailbox/changes", {"sinceState": before["Mailbox"]})
    assert mailbox_changes["updated"] == [role(jmap, "inbox")]
    assert mailbox_changes["updatedProperties"] == [
        "totalEmails",
        "unreadEmails",
        "totalThreads",
        "unreadThreads",
    ]
    thread_changes = jmap.call("Thread/changes", {"sinceState": before["Thread"]})
    assert thread_changes["created"] == [created["threadId"]]


def test_import_state_mismatch(jmap: JmapClient) -> None:
    assert jmap.call_error("Email/import", {"ifInState": "s0", "emails": {}}) in ("stateMismatch",)


def test_received_at_defaults_to_the_latest_received_header(jmap: JmapClient) -> None:
    """RFC 8621 §4.8: receivedAt defaults to the most recent Received header's time."""
    raw = (
        b"Received: from mx.example.com by mail.example.net; Sat, 01 Jul 2023 10:00:00 +0200\r\n"
        b"Received: from a by b; Fri, 30 Jun 2023 10:00:00 +0000\r\n" + message()
    )
    created = import_raw(jmap, raw)
    got = jmap.call("Email/get", {"ids": [created["id"]], "properties": ["receivedAt"]})["list"][0]
    assert got["receivedAt"] == "2023-07-01T08:00:00Z"
