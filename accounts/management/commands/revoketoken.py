"""manage.py revoketoken ADDRESS NAME: stop a token from working."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from accounts.management.support import get_account


class Command(BaseCommand):
    help = "Revoke an account's token by name."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("address")
        parser.add_argument("name")

    def handle(self, *args: Any, **options: Any) -> None:
        account = get_account(options["address"])
        name = options["name"]
        revoked = account.tokens.filter(name=name, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        if not revoked:
            raise CommandError(f"{account.address} has no unrevoked token named {name!r}")
        self.stdout.write(f"Revoked token {name!r} of {account.address}.")
