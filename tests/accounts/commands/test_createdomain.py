"""manage.py createdomain."""

from __future__ import annotations

import re

import pytest
from django.core.management.base import CommandError

from accounts.models import Domain
from tests.accounts.commands.run import run
from tests.factories import make_domain, make_tenant


@pytest.mark.django_db
def test_it_adds_a_lowercased_verified_domain_to_the_tenant() -> None:
    tenant = make_tenant("acme")
    output = run("createdomain", "Mail.Acme.Example", "--tenant=acme")
    assert output.stdout == "Created domain mail.acme.example in tenant acme.\n"
    domain = Domain.objects.get()
    assert (domain.name, domain.tenant, domain.is_verified) == ("mail.acme.example", tenant, True)


@pytest.mark.django_db
def test_it_refuses_an_unknown_tenant() -> None:
    with pytest.raises(CommandError, match="no tenant 'ghost'"):
        run("createdomain", "acme.example", "--tenant=ghost")
    assert not Domain.objects.exists()


@pytest.mark.django_db
def test_it_requires_the_tenant_option() -> None:
    with pytest.raises(CommandError, match="--tenant"):
        run("createdomain", "acme.example")


@pytest.mark.django_db
def test_it_refuses_a_domain_that_exists_and_names_its_owner() -> None:
    owner = make_tenant("first")
    make_tenant("second")
    make_domain(owner, "acme.example")
    with pytest.raises(
        CommandError, match=re.escape("acme.example already exists in tenant first")
    ):
        run("createdomain", "acme.example", "--tenant=second")


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["not a domain", "user@acme.example", "acme..example"])
def test_it_refuses_what_is_not_a_domain_name(name: str) -> None:
    make_tenant("acme")
    with pytest.raises(CommandError, match="is not a domain name"):
        run("createdomain", name, "--tenant=acme")
