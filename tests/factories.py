"""Test data made through the production code paths (STYLE §9)."""

from __future__ import annotations

import itertools

from accounts.models import AccessToken, Account, Domain, Tenant
from accounts.provisioning import create_account

_seq = itertools.count(1)
PASSWORD = "correct horse battery staple"


def make_tenant(name: str | None = None, **fields: object) -> Tenant:
    return Tenant.objects.create(name=name or f"tenant{next(_seq)}", **fields)  # type: ignore[arg-type]


def make_domain(tenant: Tenant, name: str | None = None) -> Domain:
    return Domain.objects.create(tenant=tenant, name=name or f"d{next(_seq)}.example", is_verified=True)


def make_account(
    address: str | None = None, *, tenant: Tenant | None = None, password: str = PASSWORD, **fields: object
) -> Account:
    if address is None:
        tenant = tenant or make_tenant()
        domain = make_domain(tenant)
        address = f"user{next(_seq)}@{domain.name}"
    return create_account(address, password=password, tenant=tenant, **fields)  # type: ignore[arg-type]


def make_token(account: Account, **options: object) -> str:
    _, text = AccessToken.issue(account, "test token", **options)  # type: ignore[arg-type]
    return text
