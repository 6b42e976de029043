"""Email/query and /queryChanges (RFC 8621 §4.4, §4.5)."""

from __future__ import annotations

from typing import Any

import pytest

from accounts.auth import Principal
from jmap_core.context import CallContext, RequestContext
from jmap_core.standard import build_filter
from jmap_mail.email import type as email_type
from tests.factories import message
from tests.jmap_client import JmapClient
from tests.jmap_mail.email.helpers import import_raw, role


def _seed(jmap: JmapClient) -> dict[str, dict[str, Any]]:
    return {
        "a": import_raw(
            jmap,
            message(
                "Apple pie recipe",
                sender="Carol <carol@example.com>",
                body="Bake the apples slowly",
                message_id="qa@x",
            ),
            received_at="2024-01-01T00:00:00Z",
            keywords={"$seen": True},
        ),
        "b": import_raw(
            jmap,
            message(
                "Budget report",
                sender="Dave <dave@example.com>",
                to="finance@example.com",
                body="Numbers attached",
                message_id="qb@x",
                extra="X-Priority: 1",
            ),
            received_at="2024-01-02T00:00:00Z",
            keywords={"$flagged": True},
        ),
        "c": import_raw(
            jmap,
            message(
                "Re: Apple pie recipe",
                sender="Dave <dave@example.com>",
                body="Loved it",
                message_id="qc@x",
                in_reply_to="qa@x",
            ),
            received_at="2024-01-03T00:00:00Z",
        ),
    }


def _ids(jmap: JmapClient, flt: Any = None, sort: Any = None, **extra: Any) -> list[str]:
    args: dict[str, Any] = {"filter": flt, **extra}
    if sort is not None:
        args["sort"] = sort
    return list(jmap.call("Email/query", args)["ids"])


def test_default_order_is_newest_first(jmap: JmapClient) -> None:
    e = _seed(jmap)
    assert _ids(jmap) == [e["c"]["id"], e["b"]["id"], e["a"]["id"]]
    assert _ids(jmap, sort=[{"property": "receivedAt", "isAscending": True}]) == [
        e["a"]["id"],
        e["b"]["id"],
        e["c"]["id"],
    ]


def test_filters(jmap: JmapClient) -> None:
    """RFC 8621 §4.4.1."""
    e = _seed(jmap)
    a, b, c = e["a"]["id"], e["b"]["id"], e["c"]["id"]
    inbox = role(jmap, "inbox")
    cases: list[tuple[Any, set[str]]] = [
        ({"inMailbox": inbox}, {a, b, c}),
        ({"inMailboxOtherThan": [inbox]}, set()),
        ({"before": "2024-01-02T00:00:00Z"}, {a}),
        ({"after": "2024-01-02T00:00:00Z"}, {b, c}),
        ({"hasKeyword": "$seen"}, {a}),
        ({"notKeyword": "$seen"}, {b, c}),
        ({"someInThreadHaveKeyword": "$seen"}, {a, c}),
        ({"allInThreadHaveKeyword": "$seen"}, set()),
        ({"noneInThreadHaveKeyword": "$seen"}, {b}),
        ({"from": "dave"}, {b, c}),
        ({"to": "finance"}, {b}),
        ({"subject": "apple"}, {a, c}),
        ({"text": "apples"}, {a, c}),
        ({"text": "slowly"}, {a}),
        ({"body": "numbers"}, {b}),
        ({"text": "carol"}, {a}),
        ({"header": ["X-Priority"]}, {b}),
        ({"header": ["x-priority", "1"]}, {b}),
        ({"header": ["X-Priority", "9"]}, set()),
        ({"hasAttachment": False}, {a, b, c}),
        ({"minSize": 1, "maxSize": 10}, set()),
        (
            {"operator": "OR", "conditions": [{"hasKeyword": "$seen"}, {"hasKeyword": "$flagged"}]},
            {a, b},
        ),
        ({"operator": "NOT", "conditions": [{"from": "dave"}]}, {a}),
    ]
    for flt, expected in cases:
        assert set(_ids(jmap, flt)) == expected, flt


def test_phrase_search(jmap: JmapClient) -> None:
    e = _seed(jmap)
    assert _ids(jmap, {"text": '"apples slowly"'}) == [e["a"]["id"]]
    assert _ids(jmap, {"text": '"slowly apples"'}) == []


def test_sorts(jmap: JmapClient) -> None:
    """RFC 8621 §4.4.2."""
    e = _seed(jmap)
    a, b, c = e["a"]["id"], e["b"]["id"], e["c"]["id"]
    assert _ids(jmap, sort=[{"property": "subject"}, {"property": "receivedAt"}]) == [a, c, b]
    assert _ids(jmap, sort=[{"property": "from"}, {"property": "receivedAt"}]) == [a, b, c]
    assert _ids(
        jmap,
        sort=[
            {"property": "hasKeyword", "keyword": "$flagged", "isAscending": False},
            {"property": "receivedAt"},
        ],
    ) == [b, a, c]
    assert _ids(
        jmap,
        sort=[
            {"property": "someInThreadHaveKeyword", "keyword": "$seen", "isAscending": False},
            {"property": "receivedAt"},
        ],
    ) == [a, c, b]
    assert _ids(jmap, sort=[{"property": "size"}])  # every email sorted
    assert (
        jmap.call_error("Email/query", {"sort": [{"property": "hasKeyword"}]}) == "unsupportedSort"
    )


def test_collapse_threads_keeps_the_first_of_each_thread(jmap: JmapClient) -> None:
    """RFC 8621 §4.4.3."""
    e = _seed(jmap)
    result = jmap.call("Email/query", {"collapseThreads": True, "calculateTotal": True})
    assert result["ids"] == [e["c"]["id"], e["b"]["id"]]
    assert result["total"] == 2


def test_query_changes_for_the_inbox_view(jmap: JmapClient) -> None:
    """RFC 8621 §4.5: inMailbox sorted by receivedAt can report changes."""
    e = _seed(jmap)
    inbox = role(jmap, "inbox")
    args = {
        "filter": {"inMailbox": inbox},
        "sort": [{"property": "receivedAt", "isAscending": False}],
    }
    before = jmap.call("Email/query", args)
    assert before["canCalculateChanges"] is True
    new = import_raw(
        jmap, message("New one", message_id="qn@x"), received_at="2024-01-04T00:00:00Z"
    )
    jmap.call(
        "Email/set", {"update": {e["b"]["id"]: {"mailboxIds": {role(jmap, "archive"): True}}}}
    )
    result = jmap.call("Email/queryChanges", {**args, "sinceQueryState": before["queryState"]})
    after = jmap.call("Email/query", args)["ids"]
    replayed = [i for i in before["ids"] if i not in set(result["removed"])]
    for item in sorted(result["added"], key=lambda x: x["index"]):
        replayed.insert(item["index"], item["id"])
    assert replayed == after
    assert after[0] == new["id"]
    assert e["b"]["id"] not in after


def test_bad_filter_values(jmap: JmapClient) -> None:
    for flt in [
        {"before": "yesterday"},
        {"hasKeyword": "a b"},
        {"minSize": -1},
        {"header": []},
        {"inMailbox": 5},
    ]:
        assert jmap.call_error("Email/query", {"filter": flt}) == "invalidArguments", flt
    assert jmap.call_error("Email/query", {"filter": {"nope": 1}}) == "unsupportedFilter"


def test_body_filter_ignores_the_subject(jmap: JmapClient) -> None:
    """RFC 8621 §4.4.1 body: looks in the body parts only."""
    in_subject = import_raw(jmap, message("Gamma rays", body="nothing relevant"))
    in_body = import_raw(jmap, message("Other", body="gamma rays everywhere"))
    assert set(_ids(jmap, {"body": "gamma"})) == {in_body["id"]}
    assert set(_ids(jmap, {"text": "gamma"})) == {in_body["id"], in_subject["id"]}


def test_the_mailbox_listing_matches_the_general_query(jmap: JmapClient) -> None:
    """The list-view path (inMailbox + receivedAt) answers exactly what the general one does."""
    for n in range(9):
        parent = f"l{n - 1}@x" if n % 3 else None
        subject = "Re: Thread" if parent else "Thread"
        import_raw(
            jmap,
            message(subject if n % 3 else f"Thread {n}", message_id=f"l{n}@x", in_reply_to=parent),
            received_at=f"2024-02-0{1 + n % 5}T00:00:0{n}Z",
        )
    inbox = role(jmap, "inbox")
    fast = {"inMailbox": inbox}
    general = {"operator": "AND", "conditions": [{"inMailbox": inbox}]}
    for collapse in (False, True):
        for sort in (
            [],
            [{"property": "receivedAt"}],
            [{"property": "receivedAt", "isAscending": False}],
        ):
            for window in ({}, {"position": 2, "limit": 3}, {"position": -2}):
                args = {"sort": sort, "collapseThreads": collapse, "calculateTotal": True, **window}
                a = jmap.call("Email/query", {"filter": fast, **args})
                b = jmap.call("Email/query", {"filter": general, **args})
                assert (a["ids"], a["total"], a["position"]) == (
                    b["ids"],
                    b["total"],
                    b["position"],
                ), args
            anchor = jmap.call(
                "Email/query", {"filter": general, "sort": sort, "collapseThreads": collapse}
            )["ids"][1]
            args = {
                "sort": sort,
                "collapseThreads": collapse,
                "anchor": anchor,
                "anchorOffset": -1,
                "limit": 2,
            }
            assert (
                jmap.call("Email/query", {"filter": fast, **args})["ids"]
                == jmap.call("Email/query", {"filter": general, **args})["ids"]
            )


@pytest.mark.parametrize("probe", [0, 1, 2000])
def test_full_text_results_do_not_depend_on_how_many_match(
    jmap: JmapClient, monkeypatch: pytest.MonkeyPatch, probe: int
) -> None:
    """RFC 8621 §4.4.1 text: whether the matches are few enough to be counted first
    (FULL_TEXT_PROBE) or not, the same emails come back in the same order, collapsed or not."""
    monkeypatch.setattr(email_type, "FULL_TEXT_PROBE", probe)
    e = _seed(jmap)
    newest_first = [{"property": "receivedAt", "isAscending": False}]
    assert _ids(jmap, {"text": "apples"}, newest_first) == [e["c"]["id"], e["a"]["id"]]
    either = {"operator": "OR", "conditions": [{"text": "numbers"}, {"text": "loved"}]}
    assert _ids(jmap, either, newest_first) == [e["c"]["id"], e["b"]["id"]]
    assert _ids(jmap, {"text": "apples"}, newest_first, collapseThreads=True) == [e["c"]["id"]]
    assert _ids(jmap, {"text": "nowhere"}) == []
    neither = {"operator": "NOT", "conditions": [{"text": "apples"}]}
    assert _ids(jmap, neither) == [e["b"]["id"]]


@pytest.mark.parametrize(
    ("flt", "driven"),
    [
        ({"text": "apples"}, True),
        ({"body": "apples"}, True),
        ({"operator": "NOT", "conditions": [{"text": "apples"}]}, False),
        ({"operator": "OR", "conditions": [{"text": "a"}, {"text": "b"}]}, True),
        ({"operator": "OR", "conditions": [{"text": "a"}, {"hasKeyword": "$seen"}]}, False),
        ({"operator": "AND", "conditions": [{"text": "a"}, {"hasKeyword": "$seen"}]}, True),
        ({"hasKeyword": "$seen"}, False),
    ],
)
def test_only_filters_the_search_index_can_answer_are_counted_first(
    jmap: JmapClient, flt: dict[str, Any], driven: bool
) -> None:
    """The count-first plan needs the GIN index to find every match: not under NOT, and in
    every branch of an OR."""
    ctx = CallContext(RequestContext(Principal(jmap.account), frozenset()), "q", "Email/query")
    ctx.account = jmap.account
    assert email_type._index_driven(build_filter(email_type.EMAIL_TYPE, ctx, flt)) is driven
