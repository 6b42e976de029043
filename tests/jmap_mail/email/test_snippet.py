"""SearchSnippet/get (RFC 8621 §5)."""

from __future__ import annotations

from tests.factories import message
from tests.jmap_client import JmapClient
from tests.jmap_mail.email.helpers import import_raw


def test_matches_are_marked_and_escaped(jmap: JmapClient) -> None:
    created = import_raw(
        jmap,
        message(
            "Quarterly <budget> review",
            body="The budget for Q3 & Q4 is ready. " + "filler words " * 40,
        ),
    )
    other = import_raw(jmap, message("Unrelated", body="nothing here"))
    result = jmap.call(
        "SearchSnippet/get",
        {"filter": {"text": "budget"}, "emailIds": [created["id"], other["id"], "enope"]},
    )
    by_id = {s["emailId"]: s for s in result["list"]}
    assert by_id[created["id"]]["subject"] == "Quarterly &lt;<mark>budget</mark>&gt; review"
    preview = by_id[created["id"]]["preview"]
    assert "<mark>budget</mark>" in preview
    assert "&amp;" in preview
    assert len(preview.encode()) <= 255
    assert by_id[other["id"]] == {"emailId": other["id"], "subject": None, "preview": None}
    assert result["notFound"] == ["enope"]


def test_subject_filter_marks_only_the_subject(jmap: JmapClient) -> None:
    created = import_raw(jmap, message("Lunch plans", body="lunch is at noon"))
    snippet = jmap.call(
        "SearchSnippet/get", {"filter": {"subject": "lunch"}, "emailIds": [created["id"]]}
    )["list"][0]
    assert snippet["subject"] == "<mark>Lunch</mark> plans"
    assert snippet["preview"] is None


def test_bad_filters_are_refused(jmap: JmapClient) -> None:
    assert (
        jmap.call_error("SearchSnippet/get", {"filter": {"nope": 1}, "emailIds": []})
        == "unsupportedFilter"
    )
    assert jmap.call_error("SearchSnippet/get", {"filter": None}) == "invalidArguments"
