"""manage.py createtenant."""

from __future__ import annotations

import pytest
from django.core.management.base import CommandError

from accounts.models import Tenant
from tests.accounts.commands.run import run


@pytest.mark.django_db
def test_it_creates_a_tenant_with_the_standard_plan_and_no_limits() -> None:
    assert run("createtenant", "acme").stdout == "Created tenant acme (plan standard).\n"
    tenant = Tenant.objects.get(name="acme")
    assert (tenant.plan, tenant.storage_quota, tenant.max_accounts, tenant.daily_send_limit) == (
        "standard",
        None,
        None,
        None,
    )
    assert tenant.is_active


@pytest.mark.django_db
def test_it_sets_the_plan_and_every_limit() -> None:
    run(
        "createtenant",
        "acme",
        "--plan=business",
        "--storage-quota=5000000000",
        "--max-accounts=25",
        "--daily-send-limit=2000",
    )
    tenant = Tenant.objects.get(name="acme")
    assert (tenant.plan, tenant.storage_quota, tenant.max_accounts, tenant.daily_send_limit) == (
        "business",
        5_000_000_000,
        25,
        2000,
    )


@pytest.mark.django_db
def test_it_refuses_an_existing_name() -> None:
    run("createtenant", "acme")
    with pytest.raises(CommandError, match="tenant 'acme' already exists"):
        run("createtenant", "acme")
    assert Tenant.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("option", "message"),
    [
        ("--storage-quota=-1", "-1 is negative"),
        ("--max-accounts=many", "'many' is not a whole number"),
    ],
)
def test_it_refuses_a_bad_limit(option: str, message: str) -> None:
    with pytest.raises(CommandError, match=message):
        run("createtenant", "acme", option)
    assert not Tenant.objects.exists()


@pytest.mark.django_db
def test_it_refuses_an_empty_name() -> None:
    with pytest.raises(CommandError, match="the tenant name is empty"):
        run("createtenant", "  ")
