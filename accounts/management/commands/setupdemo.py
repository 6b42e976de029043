"""manage.py setupdemo: a ready-to-use demo tenant, account and admin user (idempotent)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.urls import reverse

from accounts import throttle
from accounts.management.support import checked_password
from accounts.models import Account, Domain, Tenant
from accounts.provisioning import create_account

TENANT = "demo"
DOMAIN = "demo.mailyard.test"
ADDRESS = f"demo@{DOMAIN}"
ADMIN_USERNAME = "admin"


def _local_url() -> str:
    """Where bin/serve binds daphne unless MAILYARD_BIND / MAILYARD_PORT say otherwise."""
    host = os.environ.get("MAILYARD_BIND", "127.0.0.1")
    return f"http://{host}:{os.environ.get('MAILYARD_PORT', '8000')}"


KEPT_IN = "demo-password"


def _saved_password() -> str:
    """The generated demo password, the same on every run so saved logins keep working."""
    path = Path(settings.VAR_DIR) / KEPT_IN
    if path.exists():
        saved = path.read_text().strip()
        if saved:
            return saved
    password = secrets.token_urlsafe(12)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as file:
        file.write(password + "\n")
    return password


class Command(BaseCommand):
    help = (
        f"Ensure tenant {TENANT!r}, domain {DOMAIN}, account {ADDRESS} and superuser "
        f"{ADMIN_USERNAME!r}, all with the password in MAILYARD_DEMO_PASSWORD (else one generated "
        f"once and kept in MAILYARD_VAR_DIR/{KEPT_IN}), and print how to log in."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        password = checked_password(os.environ.get("MAILYARD_DEMO_PASSWORD") or _saved_password())
        with transaction.atomic():
            tenant = self._tenant()
            self._domain(tenant)
            self._account(tenant, password)
            self._admin(password)
        throttle.reset_login(ADDRESS)
        base = settings.MAILYARD_PUBLIC_URL or _local_url()
        self.stdout.write(
            "Demo ready.\n"
            f"  Session URL: {base}/.well-known/jmap\n"
            f"  Login:       {ADDRESS}\n"
            f"  Password:    {password}\n"
            f"  Admin:       {base}{reverse('admin:index')} (user {ADMIN_USERNAME}, same password)"
        )

    def _tenant(self) -> Tenant:
        tenant, _ = Tenant.objects.get_or_create(name=TENANT)
        if not tenant.is_active:
            tenant.is_active = True
            tenant.save(update_fields=["is_active"])
        return tenant

    def _domain(self, tenant: Tenant) -> None:
        domain, _ = Domain.objects.get_or_create(
            name=DOMAIN, defaults={"tenant": tenant, "is_verified": True}
        )
        if domain.tenant_id != tenant.pk:
            raise CommandError(f"{DOMAIN} already belongs to tenant {domain.tenant}")

    def _account(self, tenant: Tenant, password: str) -> None:
        account = Account.objects.filter(address=ADDRESS).first()
        if account is None:
            create_account(ADDRESS, password=password, tenant=tenant, display_name="Demo User")
            return
        account.set_password(password)
        account.is_active = True
        account.save(update_fields=["password", "is_active"])

    def _admin(self, password: str) -> None:
        user_model = get_user_model()
        user = user_model.objects.filter(username=ADMIN_USERNAME).first()
        if user is None:
            user_model.objects.create_superuser(ADMIN_USERNAME, f"admin@{DOMAIN}", password)
            return
        user.is_active = user.is_staff = user.is_superuser = True
        user.set_password(password)
        user.save()
