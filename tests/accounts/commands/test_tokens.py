"""manage.py issuetoken and revoketoken."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core.management.base import CommandError
from django.utils import timezone

from accounts.models import AccessToken, Account
from tests.accounts.commands.run import run
from tests.accounts.http import basic, bearer, get_session

MAIL = "urn:ietf:params:jmap:mail"
SUBMISSION = "urn:ietf:params:jmap:submission"


def test_issuetoken_prints_only_the_token_on_stdout(account: Account) -> None:
    output = run("issuetoken", account.address)
    text = output.stdout.strip()
    assert output.stdout == text + "\n"
    assert AccessToken.parse(text) is not None
    assert output.stderr == (
        f"Token 'cli' for {account.address} (read-write; all capabilities). "
        "Copy it now: it cannot be shown again.\n"
    )


def test_issuetoken_stores_the_digest_not_the_secret(account: Account) -> None:
    text = run("issuetoken", account.address).stdout.strip()
    token = AccessToken.objects.get(account=account)
    assert text.split("_", 2)[2] not in (token.key, token.digest)
    assert token.matches(text.split("_", 2)[2])


def test_the_issued_token_works_as_bearer_and_as_app_password(account: Account) -> None:
    text = run("issuetoken", account.address).stdout.strip()
    assert get_session(bearer(text)).status_code == 200
    assert get_session(basic(account.address, text)).status_code == 200


def test_issuetoken_applies_every_limit(account: Account) -> None:
    before = timezone.now()
    output = run(
        "issuetoken",
        account.address,
        "--name=phone",
        "--read-only",
        "--capability",
        MAIL,
        "--capability",
        SUBMISSION,
        MAIL,
        "--expires-days=30",
    )
    token = AccessToken.objects.get(account=account)
    assert (token.name, token.read_only, token.capabilities) == ("phone", True, [MAIL, SUBMISSION])
    assert token.expires_at is not None
    month = datetime.timedelta(days=30)
    assert before + month <= token.expires_at <= timezone.now() + month
    assert f"read-only; capabilities {MAIL}, {SUBMISSION}; expires " in output.stderr


def test_issuetoken_refuses_what_is_not_a_capability_uri(account: Account) -> None:
    with pytest.raises(CommandError, match="Not a capability URI: mail"):
        run("issuetoken", account.address, "--capability", "mail")
    assert not AccessToken.objects.exists()


def test_issuetoken_refuses_a_name_already_in_use(account: Account) -> None:
    run("issuetoken", account.address, "--name=phone")
    with pytest.raises(CommandError, match="already has a token named 'phone'"):
        run("issuetoken", account.address, "--name=phone")


def test_issuetoken_may_reuse_the_name_of_a_revoked_token(account: Account) -> None:
    run("issuetoken", account.address, "--name=phone")
    run("revoketoken", account.address, "phone")
    run("issuetoken", account.address, "--name=phone")
    assert AccessToken.objects.filter(name="phone").count() == 2


def test_issuetoken_refuses_zero_days(account: Account) -> None:
    with pytest.raises(CommandError, match="0 is not positive"):
        run("issuetoken", account.address, "--expires-days=0")


@pytest.mark.django_db
def test_issuetoken_refuses_an_unknown_account() -> None:
    with pytest.raises(CommandError, match=re.escape("no account 'ghost@nowhere.example'")):
        run("issuetoken", "ghost@nowhere.example")


def test_revoketoken_stops_the_token_from_working(account: Account) -> None:
    text = run("issuetoken", account.address, "--name=phone").stdout.strip()
    output = run("revoketoken", account.address, "phone")
    assert output.stdout == f"Revoked token 'phone' of {account.address}.\n"
    assert AccessToken.objects.get().revoked_at is not None
    assert get_session(bearer(text)).status_code == 401


def test_revoketoken_leaves_other_tokens_alone(account: Account) -> None:
    run("issuetoken", account.address, "--name=phone")
    laptop = run("issuetoken", account.address, "--name=laptop").stdout.strip()
    run("revoketoken", account.address, "phone")
    assert get_session(bearer(laptop)).status_code == 200


def test_revoketoken_refuses_a_name_with_no_live_token(account: Account) -> None:
    run("issuetoken", account.address, "--name=phone")
    run("revoketoken", account.address, "phone")
    with pytest.raises(CommandError, match="has no unrevoked token named 'phone'"):
        run("revoketoken", account.address, "phone")


def test_revoketoken_only_touches_the_named_account(
    account: Account, other_account: Account
) -> None:
    """Across the tenant boundary (STYLE §9)."""
    text = run("issuetoken", other_account.address, "--name=phone").stdout.strip()
    with pytest.raises(CommandError, match="has no unrevoked token named 'phone'"):
        run("revoketoken", account.address, "phone")
    assert get_session(bearer(text)).status_code == 200
