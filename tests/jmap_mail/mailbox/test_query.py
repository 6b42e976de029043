"""Mailbox/query and /queryChanges (RFC 8621 §2.3-§2.4, RFC 8620 §5.5-§5.6)."""

from __future__ import annotations

from typing import Any

from tests.jmap_client import JmapClient


def _make_tree(jmap: JmapClient) -> dict[str, str]:
    created = jmap.call(
        "Mailbox/set",
        {
            "create": {
                "work": {"name": "Work", "sortOrder": 10},
                "alpha": {"name": "alpha", "parentId": "#work", "sortOrder": 2},
                "beta": {
                    "name": "Beta",
                    "parentId": "#work",
                    "sortOrder": 1,
                    "isSubscribed": False,
                },
            }
        },
    )["created"]
    return {k: v["id"] for k, v in created.items()}


def _names(jmap: JmapClient, ids: list[str]) -> list[str]:
    found = {
        m["id"]: m["name"]
        for m in jmap.call("Mailbox/get", {"ids": ids, "properties": ["name"]})["list"]
    }
    return [found[i] for i in ids]


def test_query_sorts_by_name_case_insensitively(jmap: JmapClient) -> None:
    ids = _make_tree(jmap)
    result = jmap.call(
        "Mailbox/query", {"filter": {"parentId": ids["work"]}, "sort": [{"property": "name"}]}
    )
    assert _names(jmap, result["ids"]) == ["alpha", "Beta"]
    assert result["position"] == 0
    assert result["canCalculateChanges"] is True


def test_query_filters(jmap: JmapClient) -> None:
    """RFC 8621 §2.3 FilterCondition."""
    ids = _make_tree(jmap)
    q: Any = lambda flt: set(jmap.call("Mailbox/query", {"filter": flt})["ids"])  # noqa: E731
    assert q({"parentId": ids["work"]}) == {ids["alpha"], ids["beta"]}
    assert q({"name": "ALP"}) == {ids["alpha"]}
    assert q({"isSubscribed": False}) == {ids["beta"]}
    assert len(q({"hasAnyRole": True})) == 6
    assert q({"role": None, "parentId": None}) == {ids["work"]}
    assert q({"operator": "NOT", "conditions": [{"hasAnyRole": True}, {"parentId": None}]}) == {
        ids["alpha"],
        ids["beta"],
    }
    assert q({"operator": "OR", "conditions": [{"name": "alpha"}, {"name": "beta"}]}) == {
        ids["alpha"],
        ids["beta"],
    }


def test_sort_as_tree_puts_parents_first(jmap: JmapClient) -> None:
    """RFC 8621 §2.3 sortAsTree."""
    _make_tree(jmap)
    result = jmap.call("Mailbox/query", {"sort": [{"property": "sortOrder"}], "sortAsTree": True})
    assert _names(jmap, result["ids"])[-3:] == ["Work", "Beta", "alpha"]
    assert result["canCalculateChanges"] is False


def test_filter_as_tree_drops_children_of_unmatched_parents(jmap: JmapClient) -> None:
    """RFC 8621 §2.3 filterAsTree."""
    ids = _make_tree(jmap)
    flt = {"operator": "NOT", "conditions": [{"name": "Work"}]}
    plain = set(jmap.call("Mailbox/query", {"filter": flt})["ids"])
    tree = set(jmap.call("Mailbox/query", {"filter": flt, "filterAsTree": True})["ids"])
    assert {ids["alpha"], ids["beta"]} <= plain
    assert not {ids["alpha"], ids["beta"]} & tree


def test_position_limit_anchor_and_total(jmap: JmapClient) -> None:
    """RFC 8620 §5.5 windowing."""
    all_ids = jmap.call("Mailbox/query", {"sort": [{"property": "sortOrder"}]})["ids"]
    page = jmap.call(
        "Mailbox/query",
        {"sort": [{"property": "sortOrder"}], "position": 1, "limit": 2, "calculateTotal": True},
    )
    assert page["ids"] == all_ids[1:3]
    assert page["total"] == 6
    assert page["position"] == 1
    tail = jmap.call("Mailbox/query", {"sort": [{"property": "sortOrder"}], "position": -2})
    assert tail["ids"] == all_ids[-2:]
    assert tail["position"] == 4
    anchored = jmap.call(
        "Mailbox/query",
        {"sort": [{"property": "sortOrder"}], "anchor": all_ids[3], "anchorOffset": -1, "limit": 2},
    )
    assert anchored["ids"] == all_ids[2:4]
    assert anchored["position"] == 2
    assert jmap.call_error("Mailbox/query", {"anchor": "mnothere"}) == "anchorNotFound"


def test_unknown_filters_and_sorts_are_refused(jmap: JmapClient) -> None:
    assert jmap.call_error("Mailbox/query", {"filter": {"bogus": 1}}) == "unsupportedFilter"
    assert (
        jmap.call_error("Mailbox/query", {"filter": {"operator": "XOR", "conditions": []}})
        == "unsupportedFilter"
    )
    assert jmap.call_error("Mailbox/query", {"sort": [{"property": "bogus"}]}) == "unsupportedSort"
    assert (
        jmap.call_error("Mailbox/query", {"sort": [{"property": "name", "collation": "x;y"}]})
        == "unsupportedSort"
    )
    assert jmap.call_error("Mailbox/query", {"limit": -1}) == "invalidArguments"
    assert (
        jmap.call_error("Mailbox/query", {"filter": {"isSubscribed": "yes"}}) == "invalidArguments"
    )


def test_query_changes_reports_additions_and_removals(jmap: JmapClient) -> None:
    """RFC 8620 §5.6."""
    sort = [{"property": "name"}]
    before = jmap.call("Mailbox/query", {"sort": sort})
    ids = _make_tree(jmap)
    jmap.call("Mailbox/set", {"destroy": [ids["beta"]]})
    after = jmap.call("Mailbox/query", {"sort": sort})
    result = jmap.call(
        "Mailbox/queryChanges",
        {"sort": sort, "sinceQueryState": before["queryState"], "calculateTotal": True},
    )
    assert result["oldQueryState"] == before["queryState"]
    assert result["newQueryState"] == after["queryState"]
    assert result["total"] == len(after["ids"])
    added = {a["id"]: a["index"] for a in result["added"]}
    assert added == {
        ids["work"]: after["ids"].index(ids["work"]),
        ids["alpha"]: after["ids"].index(ids["alpha"]),
    }
    assert ids["beta"] in result["removed"]
    # Replaying the changes on the old list gives the new list.
    replayed = [i for i in before["ids"] if i not in set(result["removed"])]
    for item in sorted(result["added"], key=lambda a: a["index"]):
        replayed.insert(item["index"], item["id"])
    assert replayed == after["ids"]


def test_query_changes_refuses_unknown_states_and_too_many_changes(jmap: JmapClient) -> None:
    state = jmap.call("Mailbox/query", {})["queryState"]
    assert (
        jmap.call_error("Mailbox/queryChanges", {"sinceQueryState": "nope"})
        == "cannotCalculateChanges"
    )
    _make_tree(jmap)
    assert (
        jmap.call_error("Mailbox/queryChanges", {"sinceQueryState": state, "maxChanges": 1})
        == "tooManyChanges"
    )
