"""Identity/changes (RFC 8621 §6.2, RFC 8620 §5.2)."""

from __future__ import annotations

from tests.jmap_client import JmapClient


def _create(jmap: JmapClient, **values: object) -> str:
    created = jmap.call(
        "Identity/set", {"create": {"k": {"email": jmap.account.address, **values}}}
    )
    return str(created["created"]["k"]["id"])


def test_changes_reports_a_new_identity_as_created(jmap: JmapClient) -> None:
    """RFC 8620 §5.2."""
    since = jmap.state("Identity")
    new_id = _create(jmap, name="Work")
    assert jmap.call("Identity/changes", {"sinceState": since}) == {
        "accountId": jmap.account_id,
        "oldState": since,
        "newState": jmap.state("Identity"),
        "hasMoreChanges": False,
        "created": [new_id],
        "updated": [],
        "destroyed": [],
    }


def test_changes_reports_updates_and_destroys(jmap: JmapClient) -> None:
    """RFC 8620 §5.2."""
    first, second = _create(jmap, name="A"), _create(jmap, name="B")
    since = jmap.state("Identity")
    jmap.call("Identity/set", {"update": {first: {"name": "A2"}}, "destroy": [second]})
    result = jmap.call("Identity/changes", {"sinceState": since})
    assert (result["created"], result["updated"], result["destroyed"]) == ([], [first], [second])


def test_an_unknown_state_cannot_be_calculated(jmap: JmapClient) -> None:
    """RFC 8620 §5.2 cannotCalculateChanges."""
    error = jmap.call_error("Identity/changes", {"sinceState": "bogus"})
    assert error == "cannotCalculateChanges"


def test_another_tenants_writes_do_not_move_this_state(
    jmap: JmapClient, other_jmap: JmapClient
) -> None:
    """RFC 8620 §5.1: state is per account."""
    since = jmap.state("Identity")
    _create(other_jmap, name="Theirs")
    result = jmap.call("Identity/changes", {"sinceState": since})
    assert (result["newState"], result["created"]) == (since, [])
