"""What the operator commands share: lookups and argument checks that fail with CommandError."""

from __future__ import annotations

import argparse

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from accounts.models import Account, Tenant


def get_account(address: str) -> Account:
    account = (
        Account.objects.select_related("tenant").filter(address=address.strip().lower()).first()
    )
    if account is None:
        raise CommandError(f"no account {address!r}")
    return account


def get_tenant(name: str) -> Tenant:
    tenant = Tenant.objects.filter(name=name.strip()).first()
    if tenant is None:
        raise CommandError(f"no tenant {name!r}")
    return tenant


def checked_password(password: str) -> str:
    """The password, once it passes AUTH_PASSWORD_VALIDATORS (as in the admin)."""
    if not password:
        raise CommandError("the password is empty")
    try:
        password_validation.validate_password(password)
    except ValidationError as exc:
        raise CommandError(" ".join(exc.messages)) from exc
    return password


def non_negative(text: str) -> int:
    """An argparse type: a whole number, zero or more (argparse reports the error)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{value} is negative")
    return value


def positive(text: str) -> int:
    """An argparse type: a whole number, one or more."""
    value = non_negative(text)
    if value == 0:
        raise argparse.ArgumentTypeError("0 is not positive")
    return value
