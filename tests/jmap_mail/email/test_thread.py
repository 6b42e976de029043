"""Threading (RFC 8621 §3) and Thread/get."""

from __future__ import annotations

from tests.factories import message
from tests.jmap_client import JmapClient
from tests.jmap_mail.email.helpers import import_raw


def test_a_reply_joins_its_parents_thread(jmap: JmapClient) -> None:
    parent = import_raw(
        jmap, message("Plans", message_id="p1@x"), received_at="2024-01-01T00:00:00Z"
    )
    reply = import_raw(
        jmap,
        message("Re: Plans", message_id="r1@x", in_reply_to="p1@x"),
        received_at="2024-01-02T00:00:00Z",
    )
    assert reply["threadId"] == parent["threadId"]
    thread = jmap.call("Thread/get", {"ids": [parent["threadId"]]})["list"][0]
    assert thread == {"id": parent["threadId"], "emailIds": [parent["id"], reply["id"]]}


def test_a_changed_subject_starts_a_new_thread(jmap: JmapClient) -> None:
    """RFC 8621 §3 condition 2: subjects must match."""
    parent = import_raw(jmap, message("Plans", message_id="p2@x"))
    other = import_raw(jmap, message("Something else", message_id="r2@x", in_reply_to="p2@x"))
    assert other["threadId"] != parent["threadId"]


def test_a_reply_that_arrives_first_is_joined_by_its_parent(jmap: JmapClient) -> None:
    reply = import_raw(jmap, message("Re: Early", message_id="r3@x", in_reply_to="p3@x"))
    parent = import_raw(jmap, message("Early", message_id="p3@x"))
    assert parent["threadId"] == reply["threadId"]


def test_the_missing_link_merges_two_threads(jmap: JmapClient) -> None:
    """RFC 8621 §3: merged emails are re-inserted with new ids."""
    root = import_raw(jmap, message("Topic", message_id="a@x"), received_at="2024-01-01T00:00:00Z")
    grandchild = import_raw(
        jmap,
        message("Re: Topic", message_id="c@x", in_reply_to="b@x", references="<b@x>"),
        received_at="2024-01-03T00:00:00Z",
    )
    assert grandchild["threadId"] != root["threadId"]
    since = jmap.state("Email")
    link = import_raw(
        jmap,
        message("Re: Topic", message_id="b@x", in_reply_to="a@x", references="<a@x>"),
        received_at="2024-01-02T00:00:00Z",
    )
    threads = {link["threadId"], root["threadId"]}
    changes = jmap.call("Email/changes", {"sinceState": since})
    members = jmap.call("Thread/get", {"ids": list(threads)})["list"]
    all_ids = [i for t in members for i in t["emailIds"]]
    assert len(members) == 1
    assert len(all_ids) == 3
    if grandchild["id"] not in all_ids:
        assert grandchild["id"] in changes["destroyed"]


def test_thread_changes_track_membership(jmap: JmapClient) -> None:
    first = import_raw(jmap, message("Chat", message_id="t1@x"))
    since = jmap.state("Thread")
    import_raw(jmap, message("Re: Chat", message_id="t2@x", in_reply_to="t1@x"))
    assert jmap.call("Thread/changes", {"sinceState": since})["updated"] == [first["threadId"]]
