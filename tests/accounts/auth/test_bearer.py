"""Bearer tokens (RFC 6750) and app passwords: revocation, expiry, last use."""

from __future__ import annotations

import datetime

from django.utils import timezone

from accounts.auth import REALM
from accounts.models import AccessToken, Account
from tests.accounts.http import CORE, basic, bearer, body, get_session, post_api
from tests.factories import make_token


def test_a_bearer_token_opens_the_session(account: Account) -> None:
    """RFC 8620 §2."""
    response = get_session(bearer(make_token(account)))
    assert response.status_code == 200
    assert body(response)["username"] == account.address


def test_a_bearer_token_reaches_the_api(account: Account) -> None:
    """RFC 8620 §3.3."""
    response = post_api(bearer(make_token(account)), [CORE])
    assert response.status_code == 200
    assert body(response)["methodResponses"] == [["Core/echo", {"ping": 1}, "c0"]]


def test_a_bearer_token_with_a_wrong_secret_is_refused(account: Account) -> None:
    key = AccessToken.parse(make_token(account))
    assert key is not None
    response = get_session(bearer(f"myd_{key[0]}_wrongsecret"))
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == REALM
    assert body(response)["detail"] == "invalid token"


def test_a_bearer_token_that_is_not_one_of_ours_is_refused(db: None) -> None:
    response = get_session(bearer("eyJhbGciOiJIUzI1NiJ9.e30.c2ln"))
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == REALM


def test_a_revoked_token_is_refused_as_bearer_and_as_app_password(account: Account) -> None:
    token = make_token(account)
    AccessToken.objects.filter(account=account).update(revoked_at=timezone.now())
    assert get_session(bearer(token)).status_code == 401
    assert get_session(basic(account.address, token)).status_code == 401


def test_an_expired_token_is_refused(account: Account) -> None:
    token = make_token(account, expires_at=timezone.now() + datetime.timedelta(days=1))
    AccessToken.objects.filter(account=account).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    assert get_session(bearer(token)).status_code == 401
    assert get_session(basic(account.address, token)).status_code == 401


def test_a_token_that_has_not_expired_yet_works(account: Account) -> None:
    token = make_token(account, expires_at=timezone.now() + datetime.timedelta(hours=1))
    assert get_session(bearer(token)).status_code == 200


def test_a_token_of_an_inactive_account_is_refused(account: Account) -> None:
    token = make_token(account)
    Account.objects.filter(pk=account.pk).update(is_active=False)
    assert get_session(bearer(token)).status_code == 401


def test_using_a_token_records_when_it_was_last_used(account: Account) -> None:
    token = make_token(account)
    before = timezone.now()
    assert get_session(bearer(token)).status_code == 200
    used = AccessToken.objects.get(account=account).last_used_at
    assert used is not None
    assert before <= used <= timezone.now()


def test_last_use_is_rewritten_only_after_a_few_minutes(account: Account) -> None:
    """One UPDATE per token per few minutes, not one per request."""
    token = make_token(account)
    recent = timezone.now() - datetime.timedelta(minutes=1)
    stale = timezone.now() - datetime.timedelta(hours=1)
    AccessToken.objects.filter(account=account).update(last_used_at=recent)
    get_session(bearer(token))
    assert AccessToken.objects.get(account=account).last_used_at == recent
    AccessToken.objects.filter(account=account).update(last_used_at=stale)
    get_session(bearer(token))
    assert AccessToken.objects.get(account=account).last_used_at > recent  # type: ignore[operator]
