"""Mailbox/changes (RFC 8621 §2.2) and the generic /changes machinery (RFC 8620 §5.2)."""

from __future__ import annotations

from tests.jmap_client import JmapClient


def test_changes_reports_a_new_mailbox_as_created(jmap: JmapClient) -> None:
    """RFC 8620 §5.2."""
    since = jmap.state("Mailbox")
    new_id = jmap.call("Mailbox/set", {"create": {"m": {"name": "Receipts"}}})["created"]["m"]["id"]
    assert jmap.call("Mailbox/changes", {"sinceState": since}) == {
        "accountId": jmap.account_id,
        "oldState": since,
        "newState": jmap.state("Mailbox"),
        "hasMoreChanges": False,
        "created": [new_id],
        "updated": [],
        "destroyed": [],
        "updatedProperties": None,
    }


def test_changes_reports_updates_and_destroys(jmap: JmapClient) -> None:
    ids = jmap.call("Mailbox/set", {"create": {"a": {"name": "A"}, "b": {"name": "B"}}})["created"]
    a, b = ids["a"]["id"], ids["b"]["id"]
    since = jmap.state("Mailbox")
    jmap.call("Mailbox/set", {"update": {a: {"name": "A2"}}, "destroy": [b]})
    result = jmap.call("Mailbox/changes", {"sinceState": since})
    assert (result["created"], result["updated"], result["destroyed"]) == ([], [a], [b])


def test_created_and_destroyed_since_is_not_reported(jmap: JmapClient) -> None:
    """RFC 8620 §5.2: a record created and destroyed since the old state is omitted."""
    since = jmap.state("Mailbox")
    a = jmap.call("Mailbox/set", {"create": {"a": {"name": "A"}}})["created"]["a"]["id"]
    jmap.call("Mailbox/set", {"destroy": [a]})
    result = jmap.call("Mailbox/changes", {"sinceState": since})
    assert (result["created"], result["updated"], result["destroyed"]) == ([], [], [])


def test_max_changes_pages_through_with_has_more_changes(jmap: JmapClient) -> None:
    """RFC 8620 §5.2 maxChanges and hasMoreChanges."""
    since = jmap.state("Mailbox")
    created = jmap.call("Mailbox/set", {"create": {f"c{i}": {"name": f"N{i}"} for i in range(5)}})[
        "created"
    ]
    seen: list[str] = []
    state = since
    pages = 0
    while True:
        result = jmap.call("Mailbox/changes", {"sinceState": state, "maxChanges": 2})
        assert len(result["created"]) <= 2
        seen += result["created"]
        state = result["newState"]
        pages += 1
        if not result["hasMoreChanges"]:
            break
    assert sorted(seen) == sorted(c["id"] for c in created.values())
    assert pages == 3
    assert state == jmap.state("Mailbox")


def test_unknown_state_cannot_calculate_changes(jmap: JmapClient) -> None:
    """RFC 8620 §5.2 cannotCalculateChanges."""
    for state in ["garbage", "s" + "A" * 30, ""]:
        assert jmap.call_error("Mailbox/changes", {"sinceState": state}) == "cannotCalculateChanges"


def test_max_changes_zero_is_invalid(jmap: JmapClient) -> None:
    assert (
        jmap.call_error("Mailbox/changes", {"sinceState": jmap.state("Mailbox"), "maxChanges": 0})
        == "invalidArguments"
    )


def test_no_changes_keeps_the_state(jmap: JmapClient) -> None:
    state = jmap.state("Mailbox")
    result = jmap.call("Mailbox/changes", {"sinceState": state})
    assert result["newState"] == state
    assert result["created"] == []


def test_other_types_do_not_move_the_mailbox_state(jmap: JmapClient) -> None:
    """RFC 8620 §5.1: the state string moves only when that type changes."""
    state = jmap.state("Mailbox")
    jmap.request([["Core/echo", {}, "x"]])
    assert jmap.state("Mailbox") == state
