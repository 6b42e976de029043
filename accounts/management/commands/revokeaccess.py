"""manage.py revokeaccess OWNER GRANTEE: stop sharing an account."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.management.support import get_account
from accounts.models import AccountAccess


class Command(BaseCommand):
    help = (
        "Stop GRANTEE from using OWNER's account. Its next request no longer sees the account "
        "(accountNotFound); open push connections stop hearing of it when they reconnect."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("owner")
        parser.add_argument("grantee")

    def handle(self, *args: Any, **options: Any) -> None:
        owner = get_account(options["owner"])
        grantee = get_account(options["grantee"])
        deleted, _ = AccountAccess.objects.filter(owner=owner, grantee=grantee).delete()
        if not deleted:
            raise CommandError(f"{owner.address} is not shared with {grantee.address}")
        self.stdout.write(f"Revoked {grantee.address}'s access to {owner.address}.")
