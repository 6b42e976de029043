"""manage.py setpassword."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from django.core.management.base import CommandError
from pytest_django.fixtures import Settings

from accounts.models import Account
from tests.accounts.commands.run import run
from tests.accounts.http import basic, get_session
from tests.factories import PASSWORD

NEW = "a brand new password"


def prompts(monkeypatch: pytest.MonkeyPatch, *answers: str) -> list[str]:
    """Answer getpass prompts (the terminal is outside the system); returns the prompts seen."""
    asked: list[str] = []
    replies: Iterator[str] = iter(answers)

    def fake_getpass(prompt: str = "Password: ") -> str:
        asked.append(prompt)
        return next(replies)

    monkeypatch.setattr("getpass.getpass", fake_getpass)
    return asked


def test_it_replaces_the_password(account: Account) -> None:
    assert run("setpassword", account.address, f"--password={NEW}").stdout == (
        f"Password changed for {account.address}.\n"
    )
    account.refresh_from_db()
    assert account.check_password(NEW)
    assert not account.check_password(PASSWORD)
    assert get_session(basic(account.address, NEW)).status_code == 200
    assert get_session(basic(account.address, PASSWORD)).status_code == 401


def test_it_prompts_twice_when_no_password_is_given(
    account: Account, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked = prompts(monkeypatch, NEW, NEW)
    run("setpassword", account.address)
    assert asked == ["Password: ", "Password (again): "]
    account.refresh_from_db()
    assert account.check_password(NEW)


def test_it_refuses_prompted_passwords_that_differ(
    account: Account, monkeypatch: pytest.MonkeyPatch
) -> None:
    prompts(monkeypatch, NEW, NEW + "!")
    with pytest.raises(CommandError, match="the two passwords differ"):
        run("setpassword", account.address)
    account.refresh_from_db()
    assert account.check_password(PASSWORD)


def test_it_refuses_an_empty_prompted_password(
    account: Account, monkeypatch: pytest.MonkeyPatch
) -> None:
    prompts(monkeypatch, "", "")
    with pytest.raises(CommandError, match="the password is empty"):
        run("setpassword", account.address)


def test_it_refuses_a_password_the_validators_reject(account: Account) -> None:
    with pytest.raises(CommandError, match="too short"):
        run("setpassword", account.address, "--password=short")
    account.refresh_from_db()
    assert account.check_password(PASSWORD)


@pytest.mark.django_db
def test_it_refuses_an_unknown_account() -> None:
    with pytest.raises(CommandError, match=re.escape("no account 'ghost@nowhere.example'")):
        run("setpassword", "ghost@nowhere.example", f"--password={NEW}")


def test_it_lifts_the_failed_login_block_of_the_account(
    account: Account, settings: Settings
) -> None:
    settings.MAILYARD_LOGIN_FAILURES = 2
    for n in range(2):
        get_session(basic(account.address, "wrong"), ip=f"203.0.113.{n + 1}")
    assert get_session(basic(account.address, PASSWORD), ip="203.0.113.50").status_code == 429
    run("setpassword", account.address, f"--password={NEW}")
    assert get_session(basic(account.address, NEW), ip="203.0.113.50").status_code == 200
