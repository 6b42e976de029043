"""RFC 8620 §4 Core/echo and the request envelope of §3.3-§3.4."""

from __future__ import annotations

from tests.jmap_client import CORE, JmapClient


def test_echo_returns_its_arguments(jmap: JmapClient) -> None:
    """RFC 8620 §4."""
    result = jmap.request([["Core/echo", {"hello": True, "n": [1, 2]}, "a"]], using=[CORE])
    assert result.json["methodResponses"] == [["Core/echo", {"hello": True, "n": [1, 2]}, "a"]]
    assert isinstance(result.json["sessionState"], str)
    assert "createdIds" not in result.json


def test_created_ids_are_returned_when_given(jmap: JmapClient) -> None:
    """RFC 8620 §3.4: createdIds only if given in the request."""
    result = jmap.request([["Core/echo", {}, "a"]], using=[CORE], createdIds={"x": "y"})
    assert result.json["createdIds"] == {"x": "y"}
