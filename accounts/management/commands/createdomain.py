"""manage.py createdomain DOMAIN --tenant NAME: a mail domain owned by a tenant."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.validators import DomainNameValidator

from accounts.management.support import get_tenant
from accounts.models import Domain


class Command(BaseCommand):
    help = "Add a mail domain to a tenant."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("domain")
        parser.add_argument("--tenant", required=True, metavar="NAME")

    def handle(self, *args: Any, **options: Any) -> None:
        name = str(options["domain"]).strip().lower()
        try:
            DomainNameValidator(accept_idna=False)(name)
        except ValidationError:
            raise CommandError(f"{name!r} is not a domain name (use the ASCII form)") from None
        tenant = get_tenant(options["tenant"])
        existing = Domain.objects.select_related("tenant").filter(name=name).first()
        if existing is not None:
            raise CommandError(f"domain {name} already exists in tenant {existing.tenant}")
        Domain.objects.create(tenant=tenant, name=name, is_verified=True)
        self.stdout.write(f"Created domain {name} in tenant {tenant}.")
