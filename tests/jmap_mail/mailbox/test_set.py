"""Mailbox/set (RFC 8621 §2.5) and the generic /set machinery (RFC 8620 §5.3)."""

from __future__ import annotations

from typing import Any

from tests.jmap_client import JmapClient


def _role(jmap: JmapClient, role: str) -> str:
    return str(jmap.call("Mailbox/query", {"filter": {"role": role}})["ids"][0])


def test_create_returns_the_id_and_the_defaulted_properties(jmap: JmapClient) -> None:
    """RFC 8620 §5.3: created holds server-set and defaulted properties."""
    result = jmap.call("Mailbox/set", {"create": {"k": {"name": "Receipts"}}})
    created = result["created"]["k"]
    assert set(created) == {
        "id",
        "parentId",
        "role",
        "sortOrder",
        "totalEmails",
        "unreadEmails",
        "totalThreads",
        "unreadThreads",
        "myRights",
        "isSubscribed",
    }
    assert created["parentId"] is None
    assert created["sortOrder"] == 0
    assert result["oldState"] != result["newState"]
    assert result["notCreated"] is None
    got = jmap.call("Mailbox/get", {"ids": [created["id"]], "properties": ["name"]})
    assert got["list"] == [{"id": created["id"], "name": "Receipts"}]


def test_creation_ids_resolve_within_one_call_in_any_order(jmap: JmapClient) -> None:
    """RFC 8620 §5.3: creates are ordered so that references resolve."""
    result = jmap.call(
        "Mailbox/set",
        {
            "create": {
                "child": {"name": "Child", "parentId": "#parent"},
                "parent": {"name": "Parent"},
            }
        },
    )
    parent_id = result["created"]["parent"]["id"]
    child = jmap.call("Mailbox/get", {"ids": [result["created"]["child"]["id"]]})["list"][0]
    assert child["parentId"] == parent_id


def test_creation_ids_resolve_across_calls_and_are_returned(jmap: JmapClient) -> None:
    """RFC 8620 §3.3: createdIds across method calls of one request."""
    result = jmap.request(
        [
            ["Mailbox/set", {"accountId": jmap.account_id, "create": {"p": {"name": "P"}}}, "0"],
            [
                "Mailbox/set",
                {"accountId": jmap.account_id, "create": {"c": {"name": "C", "parentId": "#p"}}},
                "1",
            ],
            [
                "Mailbox/get",
                {"accountId": jmap.account_id, "ids": ["#c"], "properties": ["parentId"]},
                "2",
            ],
        ],
        createdIds={},
    )
    p_id = result.sentence(0)[1]["created"]["p"]["id"]
    c_id = result.sentence(1)[1]["created"]["c"]["id"]
    assert result.sentence(2)[1]["list"] == [{"id": c_id, "parentId": p_id}]
    assert result.json["createdIds"] == {"p": p_id, "c": c_id}


def test_an_unknown_creation_reference_is_invalid_properties(jmap: JmapClient) -> None:
    result = jmap.call("Mailbox/set", {"create": {"c": {"name": "C", "parentId": "#nope"}}})
    assert result["notCreated"]["c"]["type"] == "invalidProperties"
    assert result["notCreated"]["c"]["properties"] == ["parentId"]


def test_sibling_names_must_be_unique(jmap: JmapClient) -> None:
    """RFC 8621 §2: names are unique among siblings."""
    result = jmap.call("Mailbox/set", {"create": {"a": {"name": "Inbox"}}})
    assert result["notCreated"]["a"]["type"] == "invalidProperties"
    assert result["notCreated"]["a"]["properties"] == ["name"]


def test_only_one_mailbox_may_have_a_role(jmap: JmapClient) -> None:
    """RFC 8621 §2: no two mailboxes share a role."""
    result = jmap.call("Mailbox/set", {"create": {"a": {"name": "Other trash", "role": "trash"}}})
    assert result["notCreated"]["a"]["properties"] == ["role"]


def test_invalid_values_are_all_listed(jmap: JmapClient) -> None:
    """RFC 8620 §5.3: properties lists all invalid properties."""
    result = jmap.call(
        "Mailbox/set",
        {
            "create": {
                "a": {"name": "", "role": "bogus", "sortOrder": -1, "isSubscribed": "yes", "x": 1}
            }
        },
    )
    error = result["notCreated"]["a"]
    assert error["type"] == "invalidProperties"
    assert error["properties"] == ["x"]
    result = jmap.call(
        "Mailbox/set",
        {"create": {"a": {"name": "", "role": "bogus", "sortOrder": -1, "isSubscribed": "yes"}}},
    )
    assert result["notCreated"]["a"]["properties"] == ["isSubscribed", "name", "role", "sortOrder"]


def test_server_set_properties_cannot_be_created(jmap: JmapClient) -> None:
    result = jmap.call("Mailbox/set", {"create": {"a": {"name": "A", "totalEmails": 5}}})
    assert result["notCreated"]["a"]["properties"] == ["totalEmails"]


def test_update_with_a_patch_renames_and_moves(jmap: JmapClient) -> None:
    """RFC 8620 §5.3 PatchObject."""
    ids = jmap.call("Mailbox/set", {"create": {"a": {"name": "A"}, "b": {"name": "B"}}})["created"]
    a, b = ids["a"]["id"], ids["b"]["id"]
    result = jmap.call("Mailbox/set", {"update": {a: {"name": "A2", "parentId": b}}})
    assert result["updated"] == {a: None}
    got = jmap.call("Mailbox/get", {"ids": [a], "properties": ["name", "parentId"]})["list"]
    assert got == [{"id": a, "name": "A2", "parentId": b}]


def test_a_mailbox_cannot_become_its_own_ancestor(jmap: JmapClient) -> None:
    ids = jmap.call(
        "Mailbox/set", {"create": {"a": {"name": "A"}, "b": {"name": "B", "parentId": "#a"}}}
    )["created"]
    a, b = ids["a"]["id"], ids["b"]["id"]
    result = jmap.call("Mailbox/set", {"update": {a: {"parentId": b}}})
    assert result["notUpdated"][a]["type"] == "invalidProperties"
    assert result["notUpdated"][a]["properties"] == ["parentId"]


def test_server_set_properties_may_be_sent_back_unchanged(jmap: JmapClient) -> None:
    """RFC 8620 §5.3: an identical server-set value in an update is not an error."""
    inbox = _role(jmap, "inbox")
    result = jmap.call("Mailbox/set", {"update": {inbox: {"totalEmails": 0, "sortOrder": 9}}})
    assert result["updated"] == {inbox: None}
    result = jmap.call("Mailbox/set", {"update": {inbox: {"totalEmails": 3}}})
    assert result["notUpdated"][inbox]["properties"] == ["totalEmails"]


def test_bad_patches_are_invalid_patch(jmap: JmapClient) -> None:
    inbox = _role(jmap, "inbox")
    cases: list[Any] = [
        {"myRights/mayDelete/x": True},
        {"/name": "x"},
        {"myRights": {}, "myRights/mayDelete": True},
        "not an object",
    ]
    for patch in cases:
        result = jmap.call("Mailbox/set", {"update": {inbox: patch}})
        assert result["notUpdated"][inbox]["type"] == "invalidPatch", patch


def test_update_and_destroy_of_unknown_ids_are_not_found(
    jmap: JmapClient, other_jmap: JmapClient
) -> None:
    theirs = other_jmap.call("Mailbox/get", {"ids": None})["list"][0]["id"]
    result = jmap.call(
        "Mailbox/set", {"update": {theirs: {"name": "x"}}, "destroy": [theirs, "mzzz"]}
    )
    assert result["notUpdated"][theirs]["type"] == "notFound"
    assert result["notDestroyed"] == {
        theirs: {"type": "notFound", "description": f"no Mailbox {theirs}"},
        "mzzz": {"type": "notFound", "description": "no Mailbox mzzz"},
    }
    assert (
        other_jmap.call("Mailbox/get", {"ids": [theirs], "properties": ["name"]})["list"][0]["name"]
        != "x"
    )


def test_destroying_a_parent_is_mailbox_has_child(jmap: JmapClient) -> None:
    """RFC 8621 §2.5 mailboxHasChild."""
    ids = jmap.call(
        "Mailbox/set", {"create": {"a": {"name": "A"}, "b": {"name": "B", "parentId": "#a"}}}
    )["created"]
    result = jmap.call("Mailbox/set", {"destroy": [ids["a"]["id"]]})
    assert result["notDestroyed"][ids["a"]["id"]]["type"] == "mailboxHasChild"
    result = jmap.call("Mailbox/set", {"destroy": [ids["b"]["id"]]})
    assert result["destroyed"] == [ids["b"]["id"]]


def test_if_in_state_mismatch_changes_nothing(jmap: JmapClient) -> None:
    """RFC 8620 §5.3 stateMismatch."""
    old = jmap.state("Mailbox")
    jmap.call("Mailbox/set", {"create": {"a": {"name": "A"}}})
    assert (
        jmap.call_error("Mailbox/set", {"ifInState": old, "create": {"b": {"name": "B"}}})
        == "stateMismatch"
    )
    names = [m["name"] for m in jmap.call("Mailbox/get", {"ids": None})["list"]]
    assert "B" not in names


def test_if_in_state_match_applies(jmap: JmapClient) -> None:
    current = jmap.state("Mailbox")
    result = jmap.call("Mailbox/set", {"ifInState": current, "create": {"b": {"name": "B"}}})
    assert result["oldState"] == current
    assert result["created"]["b"]["id"]


def test_update_and_destroy_in_one_call_is_will_destroy(jmap: JmapClient) -> None:
    """RFC 8620 §5.3 willDestroy."""
    a = jmap.call("Mailbox/set", {"create": {"a": {"name": "A"}}})["created"]["a"]["id"]
    result = jmap.call("Mailbox/set", {"update": {a: {"name": "Z"}}, "destroy": [a]})
    assert result["notUpdated"][a]["type"] == "willDestroy"
    assert result["destroyed"] == [a]


def test_too_many_objects_is_request_too_large(jmap: JmapClient, settings: Any) -> None:
    settings.JMAP_LIMITS = {"maxObjectsInSet": 2}
    create = {f"c{i}": {"name": f"N{i}"} for i in range(3)}
    assert jmap.call_error("Mailbox/set", {"create": create}) == "requestTooLarge"


def test_a_read_only_token_cannot_write(jmap: JmapClient) -> None:
    """RFC 8620 §3.6.2 accountReadOnly."""
    from tests.factories import make_token

    reader = JmapClient(jmap.account, token=make_token(jmap.account, read_only=True))
    assert reader.call_error("Mailbox/set", {"create": {"a": {"name": "A"}}}) == "accountReadOnly"
    assert reader.session()["accounts"][jmap.account_id]["isReadOnly"] is True


def test_a_null_patch_resets_to_the_default(jmap: JmapClient) -> None:
    """RFC 8620 §5.3: null in a PatchObject sets the default value."""
    box = jmap.call("Mailbox/set", {"create": {"b": {"name": "B", "sortOrder": 7}}})["created"][
        "b"
    ]["id"]
    assert jmap.call("Mailbox/set", {"update": {box: {"sortOrder": None}}})["updated"] == {
        box: None
    }
    assert (
        jmap.call("Mailbox/get", {"ids": [box], "properties": ["sortOrder"]})["list"][0][
            "sortOrder"
        ]
        == 0
    )
