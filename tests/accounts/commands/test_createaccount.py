"""manage.py createaccount: the operator's path into provisioning.create_account."""

from __future__ import annotations

import re

import pytest
from django.core.management.base import CommandError

from accounts.models import Account, Domain, Tenant
from tests.accounts.commands.run import run
from tests.accounts.http import basic, get_session
from tests.factories import make_account, make_domain, make_tenant

PW = "a long enough password"


@pytest.mark.django_db
def test_it_creates_the_account_its_domain_and_a_tenant_named_after_it(
    provisioned: list[Account],
) -> None:
    output = run("createaccount", "Alice@New.Example", f"--password={PW}")
    account = Account.objects.select_related("tenant", "domain").get()
    assert output.stdout == (
        f"Created account alice@new.example (JMAP id {account.jmap_id}) in tenant new.example.\n"
    )
    assert (account.address, account.domain.name, account.tenant.name) == (
        "alice@new.example",
        "new.example",
        "new.example",
    )
    assert account.check_password(PW)
    assert PW not in account.password
    assert provisioned == [account]


@pytest.mark.django_db
def test_the_new_account_can_log_in_over_http() -> None:
    """RFC 8620 §2."""
    run("createaccount", "alice@new.example", f"--password={PW}")
    assert get_session(basic("alice@new.example", PW)).status_code == 200


@pytest.mark.django_db
def test_it_uses_the_tenant_that_owns_an_existing_domain() -> None:
    tenant = make_tenant("acme")
    make_domain(tenant, "acme.example")
    run("createaccount", "bob@acme.example", f"--password={PW}")
    assert Account.objects.get().tenant == tenant
    assert Tenant.objects.count() == 1


@pytest.mark.django_db
def test_it_puts_a_new_domain_in_the_given_tenant() -> None:
    tenant = make_tenant("acme")
    run("createaccount", "bob@fresh.example", f"--password={PW}", "--tenant=acme")
    assert Domain.objects.get(name="fresh.example").tenant == tenant
    assert Account.objects.get().tenant == tenant


@pytest.mark.django_db
def test_it_sets_the_quota_and_display_name() -> None:
    run("createaccount", "bob@acme.example", f"--password={PW}", "--quota=1000000", "--name=Bob B")
    account = Account.objects.get()
    assert (account.storage_quota, account.display_name) == (1_000_000, "Bob B")


@pytest.mark.django_db
def test_it_refuses_a_domain_of_another_tenant() -> None:
    make_domain(make_tenant("owner"), "acme.example")
    make_tenant("intruder")
    with pytest.raises(CommandError, match=re.escape("acme.example belongs to tenant owner")):
        run("createaccount", "bob@acme.example", f"--password={PW}", "--tenant=intruder")
    assert not Account.objects.exists()


@pytest.mark.django_db
def test_it_refuses_an_existing_address() -> None:
    make_account("bob@acme.example")
    with pytest.raises(CommandError, match=re.escape("bob@acme.example already exists")):
        run("createaccount", "BOB@acme.example", f"--password={PW}")


@pytest.mark.django_db
def test_it_refuses_an_unknown_tenant() -> None:
    with pytest.raises(CommandError, match="no tenant 'ghost'"):
        run("createaccount", "bob@acme.example", f"--password={PW}", "--tenant=ghost")
    assert not Domain.objects.exists()


@pytest.mark.django_db
def test_it_refuses_a_tenant_that_is_full() -> None:
    tenant = make_tenant("small", max_accounts=1)
    make_domain(tenant, "small.example")
    run("createaccount", "one@small.example", f"--password={PW}")
    with pytest.raises(CommandError, match="tenant small already has 1 accounts"):
        run("createaccount", "two@small.example", f"--password={PW}")
    assert Account.objects.count() == 1


@pytest.mark.django_db
def test_it_refuses_a_password_the_validators_reject() -> None:
    with pytest.raises(CommandError, match="too short"):
        run("createaccount", "bob@acme.example", "--password=short")
    assert not Account.objects.exists()


@pytest.mark.django_db
def test_it_requires_a_password() -> None:
    with pytest.raises(CommandError, match="--password"):
        run("createaccount", "bob@acme.example")


@pytest.mark.django_db
def test_it_refuses_what_is_not_an_address() -> None:
    with pytest.raises(CommandError, match="is not an email address"):
        run("createaccount", "acme.example", f"--password={PW}")
