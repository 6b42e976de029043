"""Domains (also inline on their tenant) and aliases in the admin."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from accounts.models import Alias, Domain
from tests.factories import make_account, make_domain, make_tenant


def test_a_domain_is_added_inline_on_its_tenant(operator: Client) -> None:
    tenant = make_tenant("acme")
    response = operator.post(
        reverse("admin:accounts_tenant_change", args=[tenant.pk]),
        {
            "name": "acme",
            "plan": "standard",
            "is_active": "on",
            "storage_quota": "",
            "max_accounts": "",
            "daily_send_limit": "",
            "domains-TOTAL_FORMS": "1",
            "domains-INITIAL_FORMS": "0",
            "domains-MIN_NUM_FORMS": "0",
            "domains-MAX_NUM_FORMS": "1000",
            "domains-0-name": "Acme.Example",
            "domains-0-is_verified": "on",
        },
    )
    assert response.status_code == 302
    domain = Domain.objects.get()
    assert (domain.name, domain.tenant, domain.is_verified) == ("acme.example", tenant, True)


def test_a_domain_name_must_be_a_domain(operator: Client) -> None:
    tenant = make_tenant()
    response = operator.post(
        reverse("admin:accounts_domain_add"), {"name": "not a domain", "tenant": tenant.pk}
    )
    assert list(response.context["adminform"].form.errors) == ["name"]
    assert not Domain.objects.exists()


def test_a_domain_in_use_cannot_be_renamed_or_moved(operator: Client) -> None:
    account = make_account()
    other = make_tenant()
    response = operator.post(
        reverse("admin:accounts_domain_change", args=[account.domain.pk]),
        {"name": "renamed.example", "tenant": other.pk, "is_verified": "on"},
    )
    assert response.context["adminform"].form.errors == {
        "name": ["Accounts use this domain; it cannot be renamed."],
        "tenant": ["Accounts use this domain; it cannot change tenant."],
    }


def test_an_unused_domain_can_be_renamed(operator: Client) -> None:
    domain = make_domain(make_tenant())
    operator.post(
        reverse("admin:accounts_domain_change", args=[domain.pk]),
        {"name": "renamed.example", "tenant": domain.tenant.pk, "is_verified": "on"},
    )
    assert Domain.objects.get().name == "renamed.example"


def test_an_alias_delivers_to_accounts_of_its_tenant(operator: Client) -> None:
    account = make_account()
    response = operator.post(
        reverse("admin:accounts_alias_add"),
        {"domain": account.domain.pk, "local_part": "Sales", "accounts": [account.pk]},
    )
    assert response.status_code == 302
    alias = Alias.objects.get()
    assert (alias.address, list(alias.accounts.all())) == (
        f"sales@{account.domain.name}",
        [account],
    )


def test_an_alias_refuses_accounts_of_another_tenant(
    operator: Client,
) -> None:
    account = make_account()
    stranger = make_account()
    response = operator.post(
        reverse("admin:accounts_alias_add"),
        {"domain": account.domain.pk, "local_part": "sales", "accounts": [stranger.pk]},
    )
    assert response.context["adminform"].form.errors == {
        "accounts": [f"Not in tenant {account.tenant}: {stranger.address}."]
    }
    assert not Alias.objects.exists()


def test_an_alias_cannot_take_an_account_address(operator: Client) -> None:
    account = make_account()
    local = account.address.split("@")[0]
    response = operator.post(
        reverse("admin:accounts_alias_add"),
        {"domain": account.domain.pk, "local_part": local, "accounts": [account.pk]},
    )
    assert response.context["adminform"].form.errors == {
        "local_part": [f"{account.address} is an account's own address."]
    }


def test_an_empty_local_part_is_the_catch_all(operator: Client) -> None:
    account = make_account()
    operator.post(
        reverse("admin:accounts_alias_add"),
        {"domain": account.domain.pk, "local_part": "", "accounts": [account.pk]},
    )
    alias = Alias.objects.get()
    assert (alias.address, alias.is_catch_all) == (f"@{account.domain.name}", True)
