"""manage.py grantaccess, revokeaccess and listaccess (accounts.AccountAccess)."""

from __future__ import annotations

import re

import pytest
from django.core.management.base import CommandError

from accounts.models import Account, AccountAccess
from tests.accounts.commands.run import run
from tests.factories import PASSWORD, make_account
from tests.jmap_client import JmapClient


def session_accounts(account: Account) -> dict[str, dict[str, object]]:
    return dict(JmapClient(account, PASSWORD).session()["accounts"])


def test_grantaccess_shares_read_only_by_default(account: Account, colleague: Account) -> None:
    output = run("grantaccess", account.address, colleague.address)
    assert output.stdout == f"Shared {account.address} with {colleague.address} (read-only).\n"
    access = AccountAccess.objects.get()
    assert (access.owner, access.grantee, access.may_write) == (account, colleague, False)
    shown = session_accounts(colleague)[account.jmap_id]
    assert (shown["isPersonal"], shown["isReadOnly"]) == (False, True)


def test_grantaccess_write_and_granting_again_changes_the_mode(
    account: Account, colleague: Account
) -> None:
    run("grantaccess", account.address, colleague.address)
    output = run("grantaccess", account.address, colleague.address, "--write")
    assert output.stdout == (
        f"Changed: shared {account.address} with {colleague.address} (read-write).\n"
    )
    assert AccountAccess.objects.get().may_write is True
    assert session_accounts(colleague)[account.jmap_id]["isReadOnly"] is False
    again = run("grantaccess", account.address, colleague.address, "--write")
    assert again.stdout.startswith("Already shared")
    run("grantaccess", account.address, colleague.address, "--read-only")
    assert AccountAccess.objects.get().may_write is False


def test_grantaccess_refuses_another_tenant(account: Account, other_account: Account) -> None:
    """Tenant isolation (STYLE §9): no share crosses tenants."""
    with pytest.raises(
        CommandError, match=re.escape("An account can only be shared within its tenant.")
    ):
        run("grantaccess", account.address, other_account.address, "--write")
    assert not AccountAccess.objects.exists()
    assert list(session_accounts(other_account)) == [other_account.jmap_id]


def test_grantaccess_refuses_the_account_itself(account: Account) -> None:
    with pytest.raises(CommandError, match=re.escape("An account cannot be shared with itself.")):
        run("grantaccess", account.address, account.address)


@pytest.mark.django_db
def test_grantaccess_refuses_an_unknown_account() -> None:
    with pytest.raises(CommandError, match=re.escape("no account 'ghost@nowhere.example'")):
        run("grantaccess", "ghost@nowhere.example", "x@nowhere.example")


def test_revokeaccess_ends_the_share(account: Account, colleague: Account) -> None:
    run("grantaccess", account.address, colleague.address, "--write")
    output = run("revokeaccess", account.address, colleague.address)
    assert output.stdout == f"Revoked {colleague.address}'s access to {account.address}.\n"
    assert not AccountAccess.objects.exists()
    assert account.jmap_id not in session_accounts(colleague)


def test_revokeaccess_refuses_what_is_not_shared(account: Account, colleague: Account) -> None:
    run("grantaccess", colleague.address, account.address)
    with pytest.raises(CommandError, match="is not shared with"):
        run("revokeaccess", account.address, colleague.address)
    assert AccountAccess.objects.count() == 1


def test_listaccess_lists_every_share_or_one_accounts(
    account: Account, colleague: Account, other_account: Account
) -> None:
    third = make_account(tenant=account.tenant)
    run("grantaccess", account.address, colleague.address, "--write")
    run("grantaccess", third.address, account.address)
    lines = run("listaccess").stdout.splitlines()
    assert sorted(line.split(", since ")[0] for line in lines) == sorted(
        [
            f"{account.address} -> {colleague.address} (read-write",
            f"{third.address} -> {account.address} (read-only",
        ]
    )
    only = run("listaccess", colleague.address).stdout.splitlines()
    assert [line.split(" (")[0] for line in only] == [f"{account.address} -> {colleague.address}"]
    assert run("listaccess", other_account.address).stdout == ""
    assert run("listaccess", "--tenant", other_account.tenant.name).stdout == ""
