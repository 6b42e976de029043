"""manage.py setupdemo: one command to a working demo."""

from __future__ import annotations

import re
import stat
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from pytest_django.fixtures import Settings

from accounts.models import Account, Domain, Tenant
from tests.accounts.commands.run import run
from tests.accounts.http import basic, get_session

ADDRESS = "demo@demo.mailyard.test"
PW = "demo password from env"


@pytest.fixture(autouse=True)
def _no_env_password(monkeypatch: pytest.MonkeyPatch, settings: Settings, tmp_path: Path) -> None:
    monkeypatch.delenv("MAILYARD_DEMO_PASSWORD", raising=False)
    settings.MAILYARD_PUBLIC_URL = ""
    settings.VAR_DIR = tmp_path


def printed_password(stdout: str) -> str:
    match = re.search(r"^  Password:    (.+)$", stdout, re.MULTILINE)
    assert match is not None, stdout
    return match.group(1)


@pytest.mark.django_db
def test_it_creates_the_tenant_domain_account_and_admin(
    monkeypatch: pytest.MonkeyPatch, provisioned: list[Account]
) -> None:
    monkeypatch.setenv("MAILYARD_DEMO_PASSWORD", PW)
    output = run("setupdemo")
    assert output.stdout == (
        "Demo ready.\n"
        "  Session URL: http://127.0.0.1:8000/.well-known/jmap\n"
        f"  Login:       {ADDRESS}\n"
        f"  Password:    {PW}\n"
        "  Admin:       http://127.0.0.1:8000/admin/ (user admin, same password)\n"
    )
    account = Account.objects.select_related("tenant", "domain").get()
    assert (account.address, account.domain.name, account.tenant.name) == (
        ADDRESS,
        "demo.mailyard.test",
        "demo",
    )
    assert account.check_password(PW)
    assert provisioned == [account]
    admin = get_user_model().objects.get(username="admin")
    assert (admin.is_superuser, admin.is_staff, admin.check_password(PW)) == (True, True, True)


@pytest.mark.django_db
def test_it_generates_a_password_when_none_is_configured() -> None:
    password = printed_password(run("setupdemo").stdout)
    assert len(password) >= 12
    assert Account.objects.get().check_password(password)
    assert get_user_model().objects.get(username="admin").check_password(password)


@pytest.mark.django_db
def test_running_it_again_keeps_one_of_each_and_the_generated_password() -> None:
    first = printed_password(run("setupdemo").stdout)
    second = printed_password(run("setupdemo").stdout)
    assert second == first
    assert (Tenant.objects.count(), Domain.objects.count(), Account.objects.count()) == (1, 1, 1)
    assert get_user_model().objects.filter(username="admin").count() == 1
    assert get_session(basic(ADDRESS, second)).status_code == 200


@pytest.mark.django_db
def test_the_generated_password_is_kept_readable_only_by_its_owner(tmp_path: Path) -> None:
    password = printed_password(run("setupdemo").stdout)
    saved = tmp_path / "demo-password"
    assert saved.read_text() == password + "\n"
    assert stat.S_IMODE(saved.stat().st_mode) == 0o600


@pytest.mark.django_db
def test_a_configured_password_replaces_the_generated_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    run("setupdemo")
    monkeypatch.setenv("MAILYARD_DEMO_PASSWORD", PW)
    assert printed_password(run("setupdemo").stdout) == PW
    assert get_session(basic(ADDRESS, PW)).status_code == 200


@pytest.mark.django_db
def test_the_printed_credentials_open_the_session_and_the_admin() -> None:
    password = printed_password(run("setupdemo").stdout)
    assert get_session(basic(ADDRESS, password)).status_code == 200
    browser = Client()
    assert browser.login(username="admin", password=password)
    assert browser.get("/admin/").status_code == 200


@pytest.mark.django_db
def test_it_reactivates_a_deactivated_demo_account() -> None:
    run("setupdemo")
    Account.objects.update(is_active=False)
    Tenant.objects.update(is_active=False)
    password = printed_password(run("setupdemo").stdout)
    assert get_session(basic(ADDRESS, password)).status_code == 200


@pytest.mark.django_db
def test_it_advertises_the_public_url(settings: Settings) -> None:
    settings.MAILYARD_PUBLIC_URL = "https://mail.example.com"
    stdout = run("setupdemo").stdout
    assert "  Session URL: https://mail.example.com/.well-known/jmap\n" in stdout
    assert "  Admin:       https://mail.example.com/admin/ (user admin" in stdout


@pytest.mark.django_db
def test_it_refuses_a_configured_password_the_validators_reject(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from django.core.management.base import CommandError

    monkeypatch.setenv("MAILYARD_DEMO_PASSWORD", "short")
    with pytest.raises(CommandError, match="too short"):
        run("setupdemo")
    assert not Account.objects.exists()
