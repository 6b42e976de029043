"""Email/import (RFC 8621 §4.8)."""

from __future__ import annotations

from typing import Any

from accounts.models import Account
from jmap_mail.models import MailboxMessage
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


def _import_many(jmap: JmapClient, raws: dict[str, bytes], **extra: Any) -> dict[str, Any]:
    """One Email/import call with one EmailImport per entry, all into the Inbox."""
    inbox = role(jmap, "inbox")
    emails = {
        cid: {
            "blobId": jmap.upload(raw, "message/rfc822").json()["blobId"],
            "mailboxIds": {inbox: True},
            **extra,
        }
        for cid, raw in raws.items()
    }
    return jmap.call("Email/import", {"emails": emails})


def test_one_call_threads_its_messages_among_themselves(jmap: JmapClient) -> None:
    """RFC 8621 §3 within one Email/import: a reply finds its parent imported just before it,
    a reply listed before its parent is joined by it, and a message naming two threads of the
    same call merges them."""
    result = _import_many(
        jmap,
        {
            "root": message("Batch", message_id="root@b"),
            "reply": message("Re: Batch", message_id="reply@b", in_reply_to="root@b"),
            "early": message("Re: Other", message_id="early@b", in_reply_to="other@b"),
            "other": message("Other", message_id="other@b"),
            "lone": message("Re: Batch", message_id="lone@b", in_reply_to="missing@b"),
            "link": message("Re: Batch", message_id="link@b", references="<root@b> <missing@b>"),
        },
    )
    assert result["notCreated"] is None
    created = result["created"]
    assert created["reply"]["threadId"] == created["root"]["threadId"]
    assert created["early"]["threadId"] == created["other"]["threadId"]
    assert created["other"]["threadId"] != created["root"]["threadId"]
    # "lone" started a thread of its own, which "link" merged into the root's: lone was
    # re-inserted under a new id (§3), so the thread holds four emails, none of them lone's old id.
    keeper = created["link"]["threadId"]
    assert keeper == created["root"]["threadId"]
    thread = jmap.call("Thread/get", {"ids": [keeper]})["list"][0]
    assert len(thread["emailIds"]) == 4
    assert created["lone"]["id"] not in thread["emailIds"]
    assert {created[c]["id"] for c in ("root", "reply", "link")} < set(thread["emailIds"])
    lone = jmap.call("Email/get", {"ids": [created["lone"]["id"]]})
    assert lone["notFound"] == [created["lone"]["id"]]
    inbox = jmap.call("Mailbox/get", {"ids": [role(jmap, "inbox")]})["list"][0]
    assert (inbox["totalEmails"], inbox["totalThreads"]) == (6, 2)
    assert (inbox["unreadEmails"], inbox["unreadThreads"]) == (6, 2)


def test_one_call_gives_each_message_its_own_uid_and_change(jmap: JmapClient) -> None:
    """Each imported email is a change of its own (RFC 8620 §5.2 maxChanges can split them)
    and gets a distinct, increasing UID in its mailbox (RFC 9051 §2.3.1.1)."""
    since = jmap.state("Email")
    result = _import_many(jmap, {str(n): message(f"Subject {n}") for n in range(5)})
    ids = [result["created"][str(n)]["id"] for n in range(5)]
    seen: list[str] = []
    state = since
    for _ in range(5):
        page = jmap.call("Email/changes", {"sinceState": state, "maxChanges": 1})
        assert len(page["created"]) == 1
        seen += page["created"]
        state = page["newState"]
    assert page["hasMoreChanges"] is False
    assert seen == ids
    uids = list(
        MailboxMessage.objects.filter(email__jmap_id__in=ids)
        .order_by("email_id")
        .values_list("uid", flat=True)
    )
    assert uids == sorted(uids)
    assert len(set(uids)) == 5


def test_quota_is_counted_message_by_message_within_one_call(jmap: JmapClient) -> None:
    """RFC 8621 §4.8 overQuota: within one call the messages that fit are created and the
    one that does not is refused; the same bytes imported twice are counted once. (Parts of a
    stored message are blobs not yet counted, so importing them adds to the quota.)"""
    outer = (
        b"From: a@example.com\r\nSubject: outer\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="b"\r\n\r\n'
        b"--b\r\nContent-Type: message/rfc822\r\n\r\n"
        b"From: c@example.com\r\nSubject: one\r\n\r\n" + b"x" * 3000 + b"\r\n"
        b"--b\r\nContent-Type: message/rfc822\r\n\r\n"
        b"From: c@example.com\r\nSubject: two\r\n\r\n" + b"y" * 3000 + b"\r\n--b--\r\n"
    )
    created = import_raw(jmap, outer)
    parts = jmap.call("Email/get", {"ids": [created["id"]], "properties": ["attachments"]})["list"][
        0
    ]["attachments"]
    used = Account.objects.get(pk=jmap.account.pk).storage_used
    Account.objects.filter(pk=jmap.account.pk).update(storage_quota=used + 3500)
    inbox = role(jmap, "inbox")
    result = jmap.call(
        "Email/import",
        {
            "emails": {
                "one": {"blobId": parts[0]["blobId"], "mailboxIds": {inbox: True}},
                "again": {"blobId": parts[0]["blobId"], "mailboxIds": {inbox: True}},
                "two": {"blobId": parts[1]["blobId"], "mailboxIds": {inbox: True}},
            }
        },
    )
    assert set(result["created"]) == {"one", "again"}
    assert result["notCreated"]["two"]["type"] == "overQuota"
    assert result["created"]["one"]["id"] != result["created"]["again"]["id"]
    assert result["created"]["one"]["blobId"] == result["created"]["again"]["blobId"]
    one_size = result["created"]["one"]["size"]
    assert Account.objects.get(pk=jmap.account.pk).storage_used == used + one_size


def test_more_emails_than_max_objects_in_set_is_request_too_large(
    jmap: JmapClient, settings: Any
) -> None:
    """RFC 8620 §2 maxObjectsInSet bounds Email/import like /set; nothing is imported."""
    blob_id = jmap.upload(message(), "message/rfc822").json()["blobId"]
    settings.JMAP_LIMITS = {"maxObjectsInSet": 1}
    item = {"blobId": blob_id, "mailboxIds": {role(jmap, "inbox"): True}}
    since = jmap.state("Email")
    assert jmap.call_error("Email/import", {"emails": {"a": item, "b": item}}) == "requestTooLarge"
    assert jmap.state("Email") == since


def test_import_and_blob_upload_in_one_request(jmap: JmapClient) -> None:
    """RFC 9404 §4.1 creation ids: messages sent as Blob/upload creations are imported in the
    same request."""
    raw = message("Inline")
    inbox = role(jmap, "inbox")
    responses = jmap.request(
        [
            [
                "Blob/upload",
                {
                    "accountId": jmap.account_id,
                    "create": {
                        "m": {"data": [{"data:asText": raw.decode()}], "type": "message/rfc822"}
                    },
                },
                "u",
            ],
            [
                "Email/import",
                {
                    "accountId": jmap.account_id,
                    "emails": {"e": {"blobId": "#m", "mailboxIds": {inbox: True}}},
                },
                "i",
            ],
        ],
        using=[
            "urn:ietf:params:jmap:core",
            "urn:ietf:params:jmap:mail",
            "urn:ietf:params:jmap:blob",
        ],
    ).responses
    created = responses[1][1]["created"]["e"]
    assert created["size"] == len(raw)
    assert jmap.download(created["blobId"]).content == raw


def test_import_from_a_blob_of_the_plain_postgres_store(jmap: JmapClient, settings: Any) -> None:
    """Blobs stored uncompressed (before the LZ4 store, or MAILYARD_BLOB_STORE=postgres) import
    like any other, also after the default changed back."""
    settings.MAILYARD_BLOB_STORE = "postgres"
    raw = message(subject="stored as it is")
    blob_id = jmap.upload(raw, "message/rfc822").json()["blobId"]
    settings.MAILYARD_BLOB_STORE = "postgres-lz4"
    imported = jmap.call(
        "Email/import",
        {"emails": {"m": {"blobId": blob_id, "mailboxIds": {role(jmap, "inbox"): True}}}},
    )
    email_id = imported["created"]["m"]["id"]
    got = jmap.call("Email/get", {"ids": [email_id], "properties": ["subject", "blobId"]})
    assert got["list"][0] == {"id": email_id, "subject": "stored as it is", "blobId": blob_id}
    assert jmap.download(blob_id).content == raw
