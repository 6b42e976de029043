"""Request-level and method-level errors (RFC 8620 §3.6)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.jmap_client import CORE, JmapClient

PROBLEM = "urn:ietf:params:jmap:error:"


def _problem(result: Any, kind: str) -> None:
    assert result.status == 400, result.json
    assert result.http["Content-Type"] == "application/problem+json"
    assert result.json["type"] == PROBLEM + kind
    assert result.json["status"] == 400


@pytest.mark.parametrize("raw", [b"{", b"\xff\xfe", b"", b'{"using": [], "using": []}'])
def test_malformed_json_is_not_json(jmap: JmapClient, raw: bytes) -> None:
    """RFC 8620 §3.6.1 notJSON (I-JSON forbids duplicate names, RFC 7493 §2.3)."""
    _problem(jmap.post(None, raw=raw), "notJSON")


@pytest.mark.parametrize(
    "body",
    [
        [],
        {"methodCalls": []},
        {"using": [CORE]},
        {"using": "x", "methodCalls": []},
        {"using": [CORE], "methodCalls": [["Core/echo", {}]]},
        {"using": [CORE], "methodCalls": [["Core/echo", [], "a"]]},
        {"using": [CORE], "methodCalls": [[1, {}, "a"]]},
        {"using": [CORE], "methodCalls": [], "createdIds": []},
    ],
)
def test_wrong_shapes_are_not_request(jmap: JmapClient, body: Any) -> None:
    """RFC 8620 §3.6.1 notRequest."""
    _problem(jmap.post(body), "notRequest")


def test_deep_nesting_is_refused(jmap: JmapClient) -> None:
    deep: Any = {}
    for _ in range(5000):
        deep = {"a": deep}
    raw = (
        b'{"using": [], "methodCalls": [["Core/echo", '
        + b'{"a":' * 5000
        + b"{}"
        + b"}" * 5000
        + b', "x"]]}'
    )
    result = jmap.post(None, raw=raw)
    assert result.status == 400
    assert result.json["type"] in (PROBLEM + "notRequest", PROBLEM + "notJSON")


def test_unknown_capability(jmap: JmapClient) -> None:
    """RFC 8620 §3.6.1 unknownCapability."""
    _problem(
        jmap.post({"using": [CORE, "urn:example:nope"], "methodCalls": []}), "unknownCapability"
    )


def test_too_many_calls_is_a_limit(jmap: JmapClient, settings: Any) -> None:
    """RFC 8620 §3.6.1 limit, naming maxCallsInRequest."""
    settings.JMAP_LIMITS = {"maxCallsInRequest": 2}
    result = jmap.post(
        {"using": [CORE], "methodCalls": [["Core/echo", {}, str(i)] for i in range(3)]}
    )
    _problem(result, "limit")
    assert result.json["limit"] == "maxCallsInRequest"


def test_too_large_request_is_a_limit(jmap: JmapClient, settings: Any) -> None:
    settings.JMAP_LIMITS = {"maxSizeRequest": 100}
    result = jmap.post({"using": [CORE], "methodCalls": [["Core/echo", {"pad": "x" * 200}, "a"]]})
    _problem(result, "limit")
    assert result.json["limit"] == "maxSizeRequest"


def test_unknown_method_is_a_method_error_and_the_next_call_runs(jmap: JmapClient) -> None:
    """RFC 8620 §3.6.2: method errors do not stop the request."""
    result = jmap.request([["Nope/get", {}, "a"], ["Core/echo", {"x": 1}, "b"]], using=[CORE])
    assert result.triples() == [
        ("error", {"type": "unknownMethod", "description": "no method 'Nope/get'"}, "a"),
        ("Core/echo", {"x": 1}, "b"),
    ]


def test_a_method_whose_capability_is_not_used_is_unknown(jmap: JmapClient) -> None:
    """RFC 8620 §3.3: methods need their capability in using."""
    assert jmap.call_error("Mailbox/get", {"ids": None}, using=[CORE]) == "unknownMethod"


def test_account_errors(jmap: JmapClient) -> None:
    """RFC 8620 §3.6.2 accountNotFound and invalidArguments."""
    assert jmap.call_error("Mailbox/get", {"accountId": "anope"}) == "accountNotFound"
    assert jmap.call_error("Mailbox/get", {"accountId": 5}) == "invalidArguments"
    assert jmap.call_error("Mailbox/get", {"ids": "x"}) == "invalidArguments"
    assert jmap.call_error("Mailbox/get", {"bogusArg": 1}) == "invalidArguments"


def test_wrong_argument_types_change_nothing(jmap: JmapClient) -> None:
    state = jmap.state("Mailbox")
    cases: list[dict[str, Any]] = [{"create": []}, {"update": 1}, {"destroy": {}}, {"ifInState": 3}]
    for args in cases:
        assert jmap.call_error("Mailbox/set", args) == "invalidArguments", args
    assert jmap.state("Mailbox") == state


def test_problem_documents_for_unauthenticated_requests(db: None) -> None:
    from django.test import Client

    response = Client().post("/jmap/api/", data=b"{}", content_type="application/json")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Basic")
    assert response["Content-Type"] == "application/problem+json"


def test_a_wrong_content_type_is_not_json(jmap: JmapClient) -> None:
    """RFC 8620 §3.6.1: notJSON when the content type is not application/json."""
    result = jmap.post({"using": [CORE], "methodCalls": []}, content_type="text/plain")
    _problem(result, "notJSON")


def test_invalid_arguments_names_the_arguments(jmap: JmapClient) -> None:
    result = jmap.request(
        [["Mailbox/get", {"accountId": jmap.account_id, "bogus": 1, "ids": 5}, "0"]]
    )
    error = result.sentence(0)[1]
    assert error["type"] == "invalidArguments"
    assert error["arguments"] == ["bogus", "ids"]
