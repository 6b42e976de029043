"""VacationResponse/set (RFC 8621 §8.2, RFC 8620 §5.3)."""

from __future__ import annotations

from typing import Any

from tests.jmap_client import JmapClient


def _update(jmap: JmapClient, patch: dict[str, Any]) -> dict[str, Any]:
    return jmap.call("VacationResponse/set", {"update": {"singleton": patch}})


def _get(jmap: JmapClient) -> dict[str, Any]:
    return dict(jmap.call("VacationResponse/get")["list"][0])


def test_update_sets_every_property_and_moves_the_state(jmap: JmapClient) -> None:
    """RFC 8621 §8.2."""
    before = jmap.state("VacationResponse")
    values = {
        "isEnabled": True,
        "fromDate": "2030-07-01T00:00:00Z",
        "toDate": "2030-07-15T12:30:00Z",
        "subject": "Away",
        "textBody": "Back on the 15th.",
        "htmlBody": "<p>Back on the 15th.</p>",
    }
    result = _update(jmap, values)
    assert result["updated"] == {"singleton": None}
    assert (result["oldState"], result["newState"]) == (before, jmap.state("VacationResponse"))
    assert before != result["newState"]
    assert _get(jmap) == {"id": "singleton", **values}


def test_fractional_seconds_are_kept_and_zero_fractions_dropped(jmap: JmapClient) -> None:
    """RFC 8620 §1.4: time-secfrac is omitted when zero."""
    _update(jmap, {"fromDate": "2030-01-01T10:00:00.250Z", "toDate": "2030-01-02T10:00:00.000Z"})
    got = _get(jmap)
    assert (got["fromDate"], got["toDate"]) == ("2030-01-01T10:00:00.25Z", "2030-01-02T10:00:00Z")


def test_null_dates_and_texts_are_accepted(jmap: JmapClient) -> None:
    """RFC 8621 §8: fromDate, toDate, subject, textBody and htmlBody may be null."""
    _update(jmap, {"fromDate": "2030-01-01T00:00:00Z", "subject": "Away"})
    _update(jmap, {"fromDate": None, "subject": None})
    got = _get(jmap)
    assert (got["fromDate"], got["subject"]) == (None, None)


def test_a_from_date_after_the_to_date_is_accepted(jmap: JmapClient) -> None:
    """RFC 8621 §8 does not order the dates; such a response is simply never active."""
    result = _update(jmap, {"fromDate": "2031-01-01T00:00:00Z", "toDate": "2030-01-01T00:00:00Z"})
    assert result["notUpdated"] is None


def test_dates_must_be_utc_dates(jmap: JmapClient) -> None:
    """RFC 8620 §1.4: UTCDate is RFC 3339 with "Z" and upper-case letters."""
    for bad in (
        "2030-01-01 00:00:00Z",
        "2030-01-01T00:00:00+01:00",
        "2030-01-01t00:00:00z",
        "2030-02-30T00:00:00Z",
        "2030-01-01",
        12,
    ):
        result = _update(jmap, {"fromDate": bad})
        error = result["notUpdated"]["singleton"]
        assert (error["type"], error["properties"]) == ("invalidProperties", ["fromDate"]), bad


def test_invalid_values_are_all_listed(jmap: JmapClient) -> None:
    """RFC 8620 §5.3: properties lists every invalid property."""
    result = _update(
        jmap,
        {"isEnabled": None, "toDate": "soon", "subject": 1, "textBody": [], "htmlBody": {}},
    )
    assert result["notUpdated"]["singleton"] == {
        "type": "invalidProperties",
        "properties": ["htmlBody", "isEnabled", "subject", "textBody", "toDate"],
    }
    assert _get(jmap)["isEnabled"] is False


def test_unknown_properties_are_refused(jmap: JmapClient) -> None:
    """RFC 8620 §5.3 invalidProperties."""
    error = _update(jmap, {"replyTo": "x"})["notUpdated"]["singleton"]
    assert (error["type"], error["properties"]) == ("invalidProperties", ["replyTo"])


def test_create_is_refused_as_singleton(jmap: JmapClient) -> None:
    """RFC 8620 §5.3 singleton: there is only ever one."""
    result = jmap.call("VacationResponse/set", {"create": {"k": {"isEnabled": True}}})
    assert result["created"] is None
    assert result["notCreated"]["k"]["type"] == "singleton"


def test_destroy_is_refused_as_singleton(jmap: JmapClient) -> None:
    """RFC 8620 §5.3 singleton: the one object cannot be destroyed."""
    result = jmap.call("VacationResponse/set", {"destroy": ["singleton"]})
    assert result["destroyed"] is None
    assert result["notDestroyed"]["singleton"]["type"] == "singleton"
    assert _get(jmap)["id"] == "singleton"


def test_only_the_singleton_can_be_updated(jmap: JmapClient) -> None:
    """RFC 8621 §8.1: no other id exists."""
    result = jmap.call("VacationResponse/set", {"update": {"other": {"isEnabled": True}}})
    assert result["notUpdated"]["other"]["type"] == "notFound"


def test_a_stale_if_in_state_is_a_state_mismatch(jmap: JmapClient) -> None:
    """RFC 8620 §5.3 ifInState."""
    old = jmap.state("VacationResponse")
    _update(jmap, {"isEnabled": True})
    error = jmap.call_error(
        "VacationResponse/set", {"ifInState": old, "update": {"singleton": {"isEnabled": False}}}
    )
    assert error == "stateMismatch"


def test_an_update_in_one_tenant_leaves_the_other_alone(
    jmap: JmapClient, other_jmap: JmapClient
) -> None:
    """RFC 8621 §8: the singleton is per account."""
    before = other_jmap.state("VacationResponse")
    _update(jmap, {"isEnabled": True, "subject": "Mine"})
    assert other_jmap.state("VacationResponse") == before
    assert other_jmap.call("VacationResponse/get")["list"][0]["isEnabled"] is False
