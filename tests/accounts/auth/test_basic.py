"""HTTP Basic authentication on the JMAP endpoints (RFC 8620 §1.6.1 defers to HTTP; RFC 7617)."""

from __future__ import annotations

import base64

import pytest

from accounts.auth import REALM
from accounts.models import Account
from tests.accounts.http import CORE, basic, body, get_session, post_api
from tests.factories import PASSWORD, make_account, make_tenant, make_token

UNAUTHORIZED = {"type": "about:blank", "status": 401, "title": "Unauthorized"}


def assert_unauthorized(response: object, detail: str) -> None:
    assert response.status_code == 401  # type: ignore[attr-defined]
    assert response["WWW-Authenticate"] == REALM  # type: ignore[index]
    assert response["Content-Type"] == "application/problem+json"  # type: ignore[index]
    assert body(response) == {**UNAUTHORIZED, "detail": detail}


def test_basic_with_the_password_opens_the_session(account: Account) -> None:
    """RFC 8620 §2: the session belongs to the authenticated user."""
    response = get_session(basic(account.address, PASSWORD))
    assert response.status_code == 200
    session = body(response)
    assert session["username"] == account.address
    assert list(session["accounts"]) == [account.jmap_id]
    assert session["accounts"][account.jmap_id]["isReadOnly"] is False


def test_basic_login_ignores_letter_case(account: Account) -> None:
    response = get_session(basic(account.address.upper(), PASSWORD))
    assert response.status_code == 200


def test_basic_with_the_password_reaches_the_api(account: Account) -> None:
    """RFC 8620 §3.3."""
    response = post_api(basic(account.address, PASSWORD), [CORE])
    assert response.status_code == 200
    assert body(response)["methodResponses"] == [["Core/echo", {"ping": 1}, "c0"]]


def test_basic_with_an_app_password_opens_the_session(account: Account) -> None:
    token = make_token(account)
    response = get_session(basic(account.address, token))
    assert response.status_code == 200
    assert body(response)["username"] == account.address


def test_an_app_password_is_refused_for_another_login(
    account: Account, other_account: Account
) -> None:
    token = make_token(account)
    assert_unauthorized(
        get_session(basic(other_account.address, token)), "invalid login or password"
    )


def test_a_wrong_password_is_refused_with_www_authenticate(account: Account) -> None:
    """RFC 7235 §3.1: a 401 carries a WWW-Authenticate challenge."""
    assert_unauthorized(
        get_session(basic(account.address, "not the password")), "invalid login or password"
    )


def test_a_wrong_password_is_refused_by_the_api(account: Account) -> None:
    response = post_api(basic(account.address, "not the password"), [CORE])
    assert_unauthorized(response, "invalid login or password")


def test_an_unknown_login_is_refused_like_a_wrong_password(db: None) -> None:
    assert_unauthorized(
        get_session(basic("nobody@nowhere.example", PASSWORD)), "invalid login or password"
    )


def test_a_missing_authorization_header_is_refused(db: None) -> None:
    assert_unauthorized(get_session(None), "authentication required")


def test_the_well_known_url_requires_authentication_too(db: None) -> None:
    """RFC 8620 §2.2."""
    from django.test import Client

    response = Client().get("/.well-known/jmap")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == REALM


@pytest.mark.parametrize(
    "authorization",
    [
        pytest.param("Basic !!!not-base64!!!", id="not base64"),
        pytest.param("Basic " + base64.b64encode(b"no-colon").decode(), id="no colon"),
        pytest.param("Basic " + base64.b64encode(b":password").decode(), id="empty login"),
        pytest.param("Basic " + base64.b64encode(b"\xff\xfe:pw").decode(), id="not UTF-8"),
        pytest.param("Basic", id="no credentials"),
    ],
)
def test_malformed_basic_credentials_are_refused(db: None, authorization: str) -> None:
    assert_unauthorized(get_session(authorization), "malformed Basic credentials")


def test_an_unsupported_scheme_is_refused(account: Account) -> None:
    assert_unauthorized(get_session("Digest username=x"), "unsupported authentication scheme")


def test_an_inactive_account_is_refused(account: Account) -> None:
    Account.objects.filter(pk=account.pk).update(is_active=False)
    assert_unauthorized(get_session(basic(account.address, PASSWORD)), "invalid login or password")


def test_an_account_of_an_inactive_tenant_is_refused(db: None) -> None:
    tenant = make_tenant(is_active=False)
    account = make_account(tenant=tenant)
    assert_unauthorized(get_session(basic(account.address, PASSWORD)), "invalid login or password")


def test_an_app_password_of_an_inactive_account_is_refused(account: Account) -> None:
    token = make_token(account)
    Account.objects.filter(pk=account.pk).update(is_active=False)
    assert_unauthorized(get_session(basic(account.address, token)), "invalid login or password")
