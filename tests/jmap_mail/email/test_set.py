"""Email/set (RFC 8621 §4.6)."""

from __future__ import annotations

from tests.factories import message
from tests.jmap_client import JmapClient
from tests.jmap_mail.email.helpers import import_raw, role


def test_create_a_draft_from_properties(jmap: JmapClient) -> None:
    """RFC 8621 §4.6: a valid RFC 5322 message is written from JSON."""
    drafts = role(jmap, "drafts")
    result = jmap.call(
        "Email/set",
        {
            "create": {
                "d": {
                    "mailboxIds": {drafts: True},
                    "keywords": {"$draft": True, "$seen": True},
                    "from": [{"name": "Zoë", "email": jmap.account.address}],
                    "to": [{"name": None, "email": "bob@example.com"}],
                    "subject": "Grüße",
                    "textBody": [{"partId": "t", "type": "text/plain"}],
                    "htmlBody": [{"partId": "h", "type": "text/html"}],
                    "bodyValues": {
                        "t": {"value": "Hello there"},
                        "h": {"value": "<p>Hello <b>there</b></p>"},
                    },
                }
            }
        },
    )
    created = result["created"]["d"]
    assert set(created) == {"id", "blobId", "threadId", "size"}
    email = jmap.call(
        "Email/get",
        {
            "ids": [created["id"]],
            "properties": [
                "subject",
                "from",
                "to",
                "keywords",
                "messageId",
                "sentAt",
                "bodyValues",
                "textBody",
                "htmlBody",
            ],
            "fetchAllBodyValues": True,
        },
    )["list"][0]
    assert email["subject"] == "Grüße"
    assert email["from"] == [{"name": "Zoë", "email": jmap.account.address}]
    assert email["keywords"] == {"$draft": True, "$seen": True}
    assert email["messageId"]
    assert email["sentAt"]
    values = {
        p["type"]: email["bodyValues"][p["partId"]]["value"]
        for p in email["textBody"] + email["htmlBody"]
    }
    assert values["text/plain"].strip() == "Hello there"
    assert values["text/html"].strip() == "<p>Hello <b>there</b></p>"
    raw = jmap.download(created["blobId"]).content
    assert b"multipart/alternative" in raw
    assert b"\r\n" in raw


def test_create_with_an_uploaded_attachment(jmap: JmapClient) -> None:
    blob = jmap.upload(b"PNGDATA", "image/png").json()["blobId"]
    result = jmap.call(
        "Email/set",
        {
            "create": {
                "d": {
                    "mailboxIds": {role(jmap, "drafts"): True},
                    "subject": "pic",
                    "bodyStructure": {
                        "type": "multipart/mixed",
                        "subParts": [
                            {"partId": "t", "type": "text/plain"},
                            {
                                "blobId": blob,
                                "type": "image/png",
                                "name": "p.png",
                                "disposition": "attachment",
                            },
                        ],
                    },
                    "bodyValues": {"t": {"value": "see attached"}},
                }
            }
        },
    )
    email_id = result["created"]["d"]["id"]
    attachments = jmap.call(
        "Email/get", {"ids": [email_id], "properties": ["attachments", "hasAttachment"]}
    )["list"][0]
    assert attachments["hasAttachment"] is True
    part = attachments["attachments"][0]
    assert (part["type"], part["name"]) == ("image/png", "p.png")
    assert jmap.download(part["blobId"]).content == b"PNGDATA"


def test_create_errors(jmap: JmapClient) -> None:
    drafts = role(jmap, "drafts")
    result = jmap.call(
        "Email/set",
        {
            "create": {
                "nomailbox": {"subject": "x"},
                "serverset": {"mailboxIds": {drafts: True}, "size": 5},
                "missingblob": {
                    "mailboxIds": {drafts: True},
                    "attachments": [{"blobId": "b" + "2" * 64, "type": "image/png"}],
                },
            }
        },
    )
    errors = result["notCreated"]
    assert errors["nomailbox"]["type"] == "invalidProperties"
    assert errors["nomailbox"]["properties"] == ["mailboxIds"]
    assert errors["serverset"]["properties"] == ["size"]
    assert errors["missingblob"]["type"] == "blobNotFound"
    assert errors["missingblob"]["notFound"] == ["b" + "2" * 64]


def test_update_keywords_by_patch_and_whole(jmap: JmapClient) -> None:
    """RFC 8621 §4.6: keywords patched one key at a time or replaced."""
    created = import_raw(jmap, message())
    email_id = created["id"]
    jmap.call(
        "Email/set", {"update": {email_id: {"keywords/$seen": True, "keywords/$flagged": True}}}
    )
    jmap.call("Email/set", {"update": {email_id: {"keywords/$flagged": None}}})
    got = jmap.call("Email/get", {"ids": [email_id], "properties": ["keywords"]})["list"][0]
    assert got["keywords"] == {"$seen": True}
    jmap.call("Email/set", {"update": {email_id: {"keywords": {"custom": True}}}})
    got = jmap.call("Email/get", {"ids": [email_id], "properties": ["keywords"]})["list"][0]
    assert got["keywords"] == {"custom": True}


def test_update_moves_between_mailboxes_and_counts_follow(jmap: JmapClient) -> None:
    created = import_raw(jmap, message())
    inbox, archive = role(jmap, "inbox"), role(jmap, "archive")
    jmap.call(
        "Email/set",
        {"update": {created["id"]: {f"mailboxIds/{inbox}": None, f"mailboxIds/{archive}": True}}},
    )
    counts = {
        m["id"]: (m["totalEmails"], m["unreadEmails"])
        for m in jmap.call("Mailbox/get", {"ids": [inbox, archive]})["list"]
    }
    assert counts == {inbox: (0, 0), archive: (1, 1)}
    jmap.call("Email/set", {"update": {created["id"]: {"keywords/$seen": True}}})
    archive_box = jmap.call("Mailbox/get", {"ids": [archive]})["list"][0]
    assert (
        archive_box["unreadEmails"],
        archive_box["unreadThreads"],
        archive_box["totalThreads"],
    ) == (0, 0, 1)


def test_an_email_must_stay_in_a_mailbox(jmap: JmapClient) -> None:
    created = import_raw(jmap, message())
    inbox = role(jmap, "inbox")
    result = jmap.call("Email/set", {"update": {created["id"]: {f"mailboxIds/{inbox}": None}}})
    assert result["notUpdated"][created["id"]]["properties"] == ["mailboxIds"]


def test_immutable_properties_cannot_change(jmap: JmapClient) -> None:
    created = import_raw(jmap, message())
    result = jmap.call("Email/set", {"update": {created["id"]: {"subject": "changed"}}})
    assert result["notUpdated"][created["id"]]["type"] == "invalidProperties"


def test_destroy_leaves_a_tombstone_and_updates_counts(jmap: JmapClient) -> None:
    created = import_raw(jmap, message())
    since = jmap.state("Email")
    result = jmap.call("Email/set", {"destroy": [created["id"]]})
    assert result["destroyed"] == [created["id"]]
    assert jmap.call("Email/changes", {"sinceState": since})["destroyed"] == [created["id"]]
    assert jmap.call("Thread/get", {"ids": [created["threadId"]]})["notFound"] == [
        created["threadId"]
    ]
    inbox = jmap.call("Mailbox/get", {"ids": [role(jmap, "inbox")]})["list"][0]
    assert inbox["totalEmails"] == 0


def test_mailbox_with_email_cannot_be_destroyed_unless_asked(jmap: JmapClient) -> None:
    """RFC 8621 §2.5 mailboxHasEmail and onDestroyRemoveEmails."""
    box = jmap.call("Mailbox/set", {"create": {"b": {"name": "Box"}}})["created"]["b"]["id"]
    only_here = import_raw(jmap, message("one"))
    also_inbox = import_raw(jmap, message("two"))
    jmap.call(
        "Email/set",
        {
            "update": {
                only_here["id"]: {"mailboxIds": {box: True}},
                also_inbox["id"]: {f"mailboxIds/{box}": True},
            }
        },
    )
    result = jmap.call("Mailbox/set", {"destroy": [box]})
    assert result["notDestroyed"][box]["type"] == "mailboxHasEmail"
    result = jmap.call("Mailbox/set", {"destroy": [box], "onDestroyRemoveEmails": True})
    assert result["destroyed"] == [box]
    got = jmap.call(
        "Email/get", {"ids": [only_here["id"], also_inbox["id"]], "properties": ["mailboxIds"]}
    )
    assert got["notFound"] == [only_here["id"]]
    assert got["list"] == [{"id": also_inbox["id"], "mailboxIds": {role(jmap, "inbox"): True}}]


def test_create_over_quota_is_over_quota(jmap: JmapClient) -> None:
    """RFC 8620 §5.3 overQuota: a new draft that does not fit the account's quota."""
    from accounts.models import Account

    Account.objects.filter(pk=jmap.account.pk).update(storage_quota=10)
    result = jmap.call(
        "Email/set",
        {
            "create": {
                "d": {
                    "mailboxIds": {role(jmap, "drafts"): True},
                    "subject": "too big",
                    "textBody": [{"partId": "t", "type": "text/plain"}],
                    "bodyValues": {"t": {"value": "x" * 500}},
                }
            }
        },
    )
    assert result["notCreated"]["d"]["type"] == "overQuota"
    assert jmap.call("Email/query", {})["ids"] == []
