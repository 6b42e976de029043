"""EmailSubmission/get, /changes, /query, /queryChanges (RFC 8621 §7.1-§7.4)."""

from __future__ import annotations

from typing import Any

from tests.jmap_client import JmapClient
from tests.submission.helpers import draft, get_submission, identity_id, submitted


def test_get_returns_every_property(jmap: JmapClient) -> None:
    email_id = draft(jmap)
    created = submitted(jmap, email_id)
    got = get_submission(jmap, created["id"])
    assert got == {
        "id": created["id"],
        "identityId": identity_id(jmap),
        "emailId": email_id,
        "threadId": created["threadId"],
        "envelope": created["envelope"],
        "sendAt": created["sendAt"],
        "undoStatus": "pending",
        "deliveryStatus": created["deliveryStatus"],
        "dsnBlobIds": [],
        "mdnBlobIds": [],
    }


def test_another_tenants_submission_is_not_found(jmap: JmapClient, other_jmap: JmapClient) -> None:
    created = submitted(jmap, draft(jmap))
    other_jmap.using = jmap.using
    result = other_jmap.call("EmailSubmission/get", {"ids": [created["id"]]})
    assert (result["list"], result["notFound"]) == ([], [created["id"]])
    assert other_jmap.call("EmailSubmission/query")["ids"] == []


def test_changes_reports_a_new_submission_as_created(jmap: JmapClient) -> None:
    since = jmap.state("EmailSubmission")
    created = submitted(jmap, draft(jmap))
    assert jmap.call("EmailSubmission/changes", {"sinceState": since}) == {
        "accountId": jmap.account_id,
        "oldState": since,
        "newState": jmap.state("EmailSubmission"),
        "hasMoreChanges": False,
        "created": [created["id"]],
        "updated": [],
        "destroyed": [],
    }


def test_changes_reports_a_cancel_as_updated(jmap: JmapClient) -> None:
    created = submitted(jmap, draft(jmap))
    since = jmap.state("EmailSubmission")
    jmap.call("EmailSubmission/set", {"update": {created["id"]: {"undoStatus": "canceled"}}})
    changes = jmap.call("EmailSubmission/changes", {"sinceState": since})
    assert (changes["created"], changes["updated"]) == ([], [created["id"]])


def _three(jmap: JmapClient) -> list[dict[str, Any]]:
    out = []
    for hold in ("300", "100", "200"):
        envelope = {
            "mailFrom": {"email": jmap.account.address, "parameters": {"HOLDFOR": hold}},
            "rcptTo": [{"email": "x@elsewhere.example", "parameters": None}],
        }
        email_id = draft(jmap)
        out.append({**submitted(jmap, email_id, envelope=envelope), "emailId": email_id})
    return out


def test_query_filters_by_email_thread_identity_and_undo_status(jmap: JmapClient) -> None:
    first, second, third = _three(jmap)
    jmap.call("EmailSubmission/set", {"update": {third["id"]: {"undoStatus": "canceled"}}})

    def ids(flt: dict[str, Any]) -> list[str]:
        return list(jmap.call("EmailSubmission/query", {"filter": flt})["ids"])

    assert ids({"emailIds": [first["emailId"]]}) == [first["id"]]
    assert ids({"threadIds": [second["threadId"]]}) == [second["id"]]
    assert sorted(ids({"identityIds": [identity_id(jmap)]})) == sorted(
        s["id"] for s in (first, second, third)
    )
    assert ids({"undoStatus": "canceled"}) == [third["id"]]
    assert ids({"identityIds": ["inothere"]}) == []


def test_query_filters_and_sorts_by_send_time(jmap: JmapClient) -> None:
    """RFC 8621 §7.3: before/after compare sendAt; sentAt sorts."""
    slow, fast, middle = _three(jmap)
    result = jmap.call("EmailSubmission/query", {"sort": [{"property": "sentAt"}]})
    assert result["ids"] == [fast["id"], middle["id"], slow["id"]]
    result = jmap.call(
        "EmailSubmission/query",
        {
            "sort": [{"property": "sentAt", "isAscending": False}],
            "filter": {"after": middle["sendAt"]},
        },
    )
    assert result["ids"] == [slow["id"], middle["id"]]
    result = jmap.call("EmailSubmission/query", {"filter": {"before": middle["sendAt"]}})
    assert result["ids"] == [fast["id"]]
    for prop in ("emailId", "threadId", "sendAt"):
        assert len(jmap.call("EmailSubmission/query", {"sort": [{"property": prop}]})["ids"]) == 3


def test_query_rejects_a_bad_filter(jmap: JmapClient) -> None:
    assert jmap.call_error("EmailSubmission/query", {"filter": {"before": "yesterday"}}) == (
        "invalidArguments"
    )
    assert jmap.call_error("EmailSubmission/query", {"filter": {"subject": "x"}}) == (
        "unsupportedFilter"
    )


def test_query_changes_reports_a_new_submission(jmap: JmapClient) -> None:
    before = jmap.call("EmailSubmission/query", {"sort": [{"property": "sentAt"}]})
    created = submitted(jmap, draft(jmap))
    result = jmap.call(
        "EmailSubmission/queryChanges",
        {"sinceQueryState": before["queryState"], "sort": [{"property": "sentAt"}]},
    )
    assert result["added"] == [{"id": created["id"], "index": 0}]
    assert result["removed"] == [created["id"]]
