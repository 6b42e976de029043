"""Result references (RFC 8620 §3.7)."""

from __future__ import annotations

from tests.jmap_client import JmapClient


def test_a_reference_feeds_query_ids_into_get(jmap: JmapClient) -> None:
    """RFC 8620 §3.7: the example of /query then /get."""
    result = jmap.request(
        [
            ["Mailbox/query", {"accountId": jmap.account_id, "filter": {"role": "inbox"}}, "q"],
            [
                "Mailbox/get",
                {
                    "accountId": jmap.account_id,
                    "#ids": {"resultOf": "q", "name": "Mailbox/query", "path": "/ids"},
                    "properties": ["role"],
                },
                "g",
            ],
        ]
    )
    assert [m["role"] for m in result.sentence(1)[1]["list"]] == ["inbox"]


def test_star_collects_from_every_array_item(jmap: JmapClient) -> None:
    """RFC 8620 §3.7: '*' maps over arrays and flattens."""
    result = jmap.request(
        [
            [
                "Mailbox/get",
                {"accountId": jmap.account_id, "ids": None, "properties": ["name"]},
                "g",
            ],
            [
                "Core/echo",
                {"#names": {"resultOf": "g", "name": "Mailbox/get", "path": "/list/*/name"}},
                "e",
            ],
        ]
    )
    assert sorted(result.sentence(1)[1]["names"]) == [
        "Archive",
        "Drafts",
        "Inbox",
        "Junk",
        "Sent",
        "Trash",
    ]


def test_bad_references_are_invalid_result_reference(jmap: JmapClient) -> None:
    bad = [
        {"resultOf": "nope", "name": "Mailbox/get", "path": "/list"},
        {"resultOf": "g", "name": "Mailbox/query", "path": "/list"},
        {"resultOf": "g", "name": "Mailbox/get", "path": "/missing"},
        {"resultOf": "g", "name": "Mailbox/get", "path": "list"},
        {"resultOf": "g", "name": "Mailbox/get", "path": "/list/99"},
        "not an object",
    ]
    for reference in bad:
        result = jmap.request(
            [
                ["Mailbox/get", {"accountId": jmap.account_id, "ids": None}, "g"],
                ["Core/echo", {"#x": reference}, "e"],
            ]
        )
        assert result.sentence(1)[0] == "error", reference
        assert result.sentence(1)[1]["type"] == "invalidResultReference", reference


def test_a_reference_beside_the_plain_argument_is_invalid_arguments(jmap: JmapClient) -> None:
    """RFC 8620 §3.7: both foo and #foo is invalidArguments."""
    result = jmap.request(
        [
            ["Mailbox/get", {"accountId": jmap.account_id, "ids": None}, "g"],
            [
                "Mailbox/get",
                {
                    "accountId": jmap.account_id,
                    "ids": [],
                    "#ids": {"resultOf": "g", "name": "Mailbox/get", "path": "/notFound"},
                },
                "h",
            ],
        ]
    )
    assert result.sentence(1)[1]["type"] == "invalidArguments"


def test_a_reference_to_an_error_fails(jmap: JmapClient) -> None:
    result = jmap.request(
        [
            ["Mailbox/get", {"accountId": "nope"}, "g"],
            ["Core/echo", {"#x": {"resultOf": "g", "name": "Mailbox/get", "path": "/list"}}, "e"],
        ]
    )
    assert result.sentence(1)[1]["type"] == "invalidResultReference"
