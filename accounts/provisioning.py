"""Creating tenants, domains and accounts: the one write path for admin, commands and tests."""

from __future__ import annotations

from django.db import transaction
from django.dispatch import Signal

from accounts.models import Account, Domain, Tenant

# Sent inside the creating transaction so that apps set up what a new account needs (mailboxes).
account_created = Signal()


class ProvisioningError(Exception):
    pass


def check_new_account(address: str, *, tenant: Tenant | None = None) -> tuple[str, str]:
    """Refuse what create_account would refuse, without writing (STYLE §6: check, then create).

    Returns the normalised address and its domain name; raises ProvisioningError.
    """
    address = address.strip().lower()
    local, sep, domain_name = address.rpartition("@")
    if not sep or not local or not domain_name or " " in address:
        raise ProvisioningError(f"{address!r} is not an email address")
    domain = Domain.objects.select_related("tenant").filter(name=domain_name).first()
    if domain is not None:
        if tenant is not None and domain.tenant_id != tenant.pk:
            raise ProvisioningError(f"{domain_name} belongs to tenant {domain.tenant}")
        tenant = domain.tenant
    elif tenant is None:
        tenant = Tenant.objects.filter(name=domain_name).first()
    limit = tenant.max_accounts if tenant is not None else None
    if tenant is not None and limit is not None and tenant.accounts.count() >= limit:
        raise ProvisioningError(f"tenant {tenant} already has {limit} accounts")
    if Account.objects.filter(address=address).exists():
        raise ProvisioningError(f"{address} already exists")
    return address, domain_name


def create_account(
    address: str,
    *,
    password: str | None = None,
    tenant: Tenant | None = None,
    display_name: str = "",
    storage_quota: int | None = None,
) -> Account:
    """Create a mail account, creating its domain (and a tenant named after it) when missing."""
    with transaction.atomic():
        address, domain_name = check_new_account(address, tenant=tenant)
        domain = Domain.objects.select_related("tenant").filter(name=domain_name).first()
        if domain is None:
            if tenant is None:
                tenant, _ = Tenant.objects.get_or_create(name=domain_name)
            domain = Domain.objects.create(tenant=tenant, name=domain_name, is_verified=True)
        account = Account(
            tenant=domain.tenant,
            domain=domain,
            address=address,
            display_name=display_name,
            storage_quota=storage_quota,
        )
        if password:
            account.set_password(password)
        account.save()
        account_created.send(sender=Account, account=account)
    return account
