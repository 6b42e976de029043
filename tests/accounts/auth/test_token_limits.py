"""What a limited token may do: read-only accounts and capability subsets (RFC 8620 §2, §3.6.1)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from accounts.models import Account
from jmap_core.registry import CAPABILITIES, Capability, capability
from tests.accounts.http import CORE, basic, bearer, body, get_session, post_api
from tests.factories import PASSWORD, make_token

# Two capabilities of our own, so the test does not depend on which apps register theirs.
ALPHA = "urn:mailyard:test:alpha"
BETA = "urn:mailyard:test:beta"


@pytest.fixture
def extra_capabilities() -> Iterator[None]:
    for uri in (ALPHA, BETA):
        capability(Capability(uri, session_value=dict, account_value=lambda _: {}))
    yield
    for uri in (ALPHA, BETA):
        del CAPABILITIES[uri]


def test_a_read_only_token_sees_its_account_as_read_only(account: Account) -> None:
    """RFC 8620 §2: isReadOnly."""
    session = body(get_session(bearer(make_token(account, read_only=True))))
    assert session["accounts"][account.jmap_id]["isReadOnly"] is True


def test_a_read_only_token_as_app_password_sees_its_account_as_read_only(
    account: Account,
) -> None:
    token = make_token(account, read_only=True)
    session = body(get_session(basic(account.address, token)))
    assert session["accounts"][account.jmap_id]["isReadOnly"] is True


def test_the_password_gives_a_writable_account(account: Account) -> None:
    session = body(get_session(basic(account.address, PASSWORD)))
    assert session["accounts"][account.jmap_id]["isReadOnly"] is False


@pytest.mark.usefixtures("extra_capabilities")
def test_a_capability_limited_token_is_offered_only_its_capabilities(account: Account) -> None:
    """RFC 8620 §2: the core capability is always there; others only when the token allows."""
    session = body(get_session(bearer(make_token(account, capabilities=[ALPHA]))))
    assert set(session["capabilities"]) == {CORE, ALPHA}
    assert session["accounts"][account.jmap_id]["accountCapabilities"] == {ALPHA: {}}
    assert session["primaryAccounts"] == {ALPHA: account.jmap_id}


@pytest.mark.usefixtures("extra_capabilities")
def test_an_unlimited_token_is_offered_every_capability(account: Account) -> None:
    session = body(get_session(bearer(make_token(account))))
    assert {CORE, ALPHA, BETA} <= set(session["capabilities"])


@pytest.mark.usefixtures("extra_capabilities")
def test_using_a_capability_the_token_lacks_is_an_unknown_capability(account: Account) -> None:
    """RFC 8620 §3.6.1: unknownCapability."""
    response = post_api(bearer(make_token(account, capabilities=[ALPHA])), [CORE, BETA])
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    problem = body(response)
    assert problem["type"] == "urn:ietf:params:jmap:error:unknownCapability"
    assert problem["status"] == 400
    assert BETA in problem["detail"]


@pytest.mark.usefixtures("extra_capabilities")
def test_using_a_capability_the_token_has_is_accepted(account: Account) -> None:
    response = post_api(bearer(make_token(account, capabilities=[ALPHA])), [CORE, ALPHA])
    assert response.status_code == 200
    assert body(response)["methodResponses"] == [["Core/echo", {"ping": 1}, "c0"]]
