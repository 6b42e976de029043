"""Generated garbage at the API endpoint (RFC 8620 §3.6): every answer is a JMAP response or a
problem document, never a server error."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jmap_core.registry import METHODS
from tests.jmap_client import CORE, MAIL, JmapClient

JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**60), 2**60)
    | st.floats(allow_nan=False)
    | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=20,
)
ARG_NAMES = st.sampled_from(
    [
        "accountId",
        "ids",
        "properties",
        "sinceState",
        "maxChanges",
        "create",
        "update",
        "destroy",
        "ifInState",
        "filter",
        "sort",
        "position",
        "anchor",
        "limit",
        "calculateTotal",
        "blobIds",
        "emails",
        "#ids",
        "emailIds",
        "collapseThreads",
        "fromAccountId",
        "bodyProperties",
    ]
)
CALL = st.tuples(
    st.sampled_from(sorted(METHODS)) | st.text(max_size=15),
    st.dictionaries(ARG_NAMES, JSON, max_size=5),
    st.text(max_size=5),
).map(list)
REQUEST = st.fixed_dictionaries(
    {
        "using": st.sampled_from(
            [[CORE], [CORE, MAIL], [CORE, MAIL, "urn:ietf:params:jmap:submission"]]
        ),
        "methodCalls": st.lists(CALL, max_size=4),
    }
)
FUZZ = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _assert_well_formed(result: Any) -> None:
    assert result.status in (200, 400), (result.status, result.json)
    if result.status == 400:
        assert result.http["Content-Type"] == "application/problem+json"
        assert result.json["type"].startswith("urn:ietf:params:jmap:error:")
        return
    for name, args, call_id in result.json["methodResponses"]:
        assert isinstance(name, str)
        assert isinstance(args, dict)
        assert isinstance(call_id, str)
        if name == "error":
            assert args["type"] != "serverFail", args


@FUZZ
@given(body=JSON)
def test_arbitrary_json_gets_a_problem_document(jmap: JmapClient, body: Any) -> None:
    _assert_well_formed(jmap.post(body))


@FUZZ
@given(raw=st.binary(max_size=200))
def test_arbitrary_bytes_get_a_problem_document(jmap: JmapClient, raw: bytes) -> None:
    _assert_well_formed(jmap.post(None, raw=raw))


@FUZZ
@given(request=REQUEST)
def test_generated_method_calls_never_fail_the_server(jmap: JmapClient, request: Any) -> None:
    if any(
        isinstance(c[1].get("accountId"), str) or "accountId" not in c[1]
        for c in request["methodCalls"]
    ):
        for call in request["methodCalls"]:
            call[1].setdefault("accountId", jmap.account_id)
    _assert_well_formed(jmap.post(json.loads(json.dumps(request))))
