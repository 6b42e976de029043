"""Mailbox/get (RFC 8621 §2.1, RFC 8620 §5.1)."""

from __future__ import annotations

from tests.jmap_client import JmapClient


def test_a_new_account_has_the_standard_mailboxes(jmap: JmapClient) -> None:
    """RFC 8621 §2: roles from the IMAP special-use registry."""
    result = jmap.call("Mailbox/get", {"ids": None, "properties": ["name", "role"]})
    roles = {m["role"]: m["name"] for m in result["list"]}
    assert roles == {
        "inbox": "Inbox",
        "drafts": "Drafts",
        "sent": "Sent",
        "archive": "Archive",
        "junk": "Junk",
        "trash": "Trash",
    }
    assert result["notFound"] == []
    assert all(set(m) == {"id", "name", "role"} for m in result["list"])


def test_get_returns_every_property_when_properties_is_null(jmap: JmapClient) -> None:
    """RFC 8620 §5.1: properties null means all."""
    inbox = jmap.call("Mailbox/query", {"filter": {"role": "inbox"}})["ids"][0]
    result = jmap.call("Mailbox/get", {"ids": [inbox]})
    assert result["list"] == [
        {
            "id": inbox,
            "name": "Inbox",
            "parentId": None,
            "role": "inbox",
            "sortOrder": 1,
            "totalEmails": 0,
            "unreadEmails": 0,
            "totalThreads": 0,
            "unreadThreads": 0,
            "myRights": {
                "mayReadItems": True,
                "mayAddItems": True,
                "mayRemoveItems": True,
                "maySetSeen": True,
                "maySetKeywords": True,
                "mayCreateChild": True,
                "mayRename": False,
                "mayDelete": False,
                "maySubmit": True,
            },
            "isSubscribed": True,
        }
    ]


def test_unknown_ids_are_not_found(jmap: JmapClient) -> None:
    """RFC 8620 §5.1 notFound."""
    result = jmap.call("Mailbox/get", {"ids": ["mnope", "mnope"]})
    assert result["list"] == []
    assert result["notFound"] == ["mnope"]


def test_another_tenants_mailbox_is_not_found(jmap: JmapClient, other_jmap: JmapClient) -> None:
    """Tenant isolation: an id from another account is notFound, never a leak."""
    theirs = other_jmap.call("Mailbox/get", {"ids": None})["list"][0]["id"]
    assert jmap.call("Mailbox/get", {"ids": [theirs]})["notFound"] == [theirs]
    assert (
        jmap.call_error("Mailbox/get", {"accountId": other_jmap.account_id, "ids": None})
        == "accountNotFound"
    )


def test_unknown_property_is_invalid_arguments(jmap: JmapClient) -> None:
    """RFC 8620 §5.1: an unknown property is invalidArguments."""
    assert (
        jmap.call_error("Mailbox/get", {"ids": None, "properties": ["bogus"]}) == "invalidArguments"
    )


def test_too_many_ids_is_request_too_large(jmap: JmapClient, settings: object) -> None:
    """RFC 8620 §5.1 requestTooLarge."""
    settings.JMAP_LIMITS = {"maxObjectsInGet": 3}  # type: ignore[attr-defined]
    assert jmap.call_error("Mailbox/get", {"ids": ["a", "b", "c", "d"]}) == "requestTooLarge"
