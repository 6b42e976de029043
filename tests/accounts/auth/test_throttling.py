"""Failed logins are limited per client address and per login; then 429 (RFC 6585 §4)."""

from __future__ import annotations

import pytest
from pytest_django.fixtures import Settings

from accounts.models import Account
from tests.accounts.http import basic, bearer, body, get_session
from tests.factories import PASSWORD, make_token

LIMIT = 3
WINDOW = 120


@pytest.fixture(autouse=True)
def _small_limit(settings: Settings) -> None:
    settings.MAILYARD_LOGIN_FAILURES = LIMIT
    settings.MAILYARD_LOGIN_WINDOW = WINDOW


def assert_throttled(response: object) -> None:
    assert response.status_code == 429  # type: ignore[attr-defined]
    assert response["Retry-After"] == str(WINDOW)  # type: ignore[index]
    assert body(response) == {
        "type": "about:blank",
        "status": 429,
        "title": "Too many failed logins",
        "detail": f"too many failed logins; retry after {WINDOW} s",
    }


def test_failures_below_the_limit_do_not_block_the_right_password(account: Account) -> None:
    for _ in range(LIMIT - 1):
        assert get_session(basic(account.address, "wrong")).status_code == 401
    assert get_session(basic(account.address, PASSWORD)).status_code == 200


def test_an_address_that_failed_too_often_is_refused_even_with_the_right_password(
    account: Account,
) -> None:
    for n in range(LIMIT):
        assert (
            get_session(basic(f"guess{n}@nowhere.example", "x"), ip="198.51.100.7").status_code
            == 401
        )
    assert_throttled(get_session(basic(account.address, PASSWORD), ip="198.51.100.7"))


def test_another_address_is_not_blocked_by_one_that_failed(account: Account) -> None:
    for n in range(LIMIT):
        get_session(basic(f"guess{n}@nowhere.example", "x"), ip="198.51.100.7")
    assert get_session(basic(account.address, PASSWORD), ip="198.51.100.8").status_code == 200


def test_a_login_that_failed_too_often_is_refused_from_every_address(account: Account) -> None:
    for n in range(LIMIT):
        response = get_session(basic(account.address, "wrong"), ip=f"203.0.113.{n + 1}")
        assert response.status_code == 401
    assert_throttled(get_session(basic(account.address, PASSWORD), ip="203.0.113.200"))


def test_another_login_is_not_blocked_by_one_that_failed(
    account: Account, other_account: Account
) -> None:
    for n in range(LIMIT):
        get_session(basic(account.address, "wrong"), ip=f"203.0.113.{n + 1}")
    response = get_session(basic(other_account.address, PASSWORD), ip="203.0.113.200")
    assert response.status_code == 200


def test_bad_bearer_tokens_count_against_the_address(account: Account) -> None:
    token = make_token(account)
    for _ in range(LIMIT):
        assert get_session(bearer("myd_0000_nope"), ip="198.51.100.9").status_code == 401
    assert_throttled(get_session(bearer(token), ip="198.51.100.9"))
