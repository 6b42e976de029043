"""manage.py grantaccess OWNER GRANTEE [--write]: share an account with another of its tenant."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.management.support import get_account
from accounts.models import AccountAccess


class Command(BaseCommand):
    help = (
        "Let GRANTEE use OWNER's account (its JMAP session lists it, not personal): read-only, "
        "or read-write with --write. Both accounts must belong to the same tenant. Granting "
        "again changes the mode."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("owner", help="The address of the account to share.")
        parser.add_argument("grantee", help="The address of the account that may use it.")
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument("--write", action="store_true", help="Allow changes, not only reading.")
        mode.add_argument(
            "--read-only", action="store_true", help="Only reading (the default; downgrades)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        owner = get_account(options["owner"])
        grantee = get_account(options["grantee"])
        may_write = bool(options["write"])
        access = AccountAccess.objects.filter(owner=owner, grantee=grantee).first()
        verb = "Shared"
        if access is None:
            access = AccountAccess(owner=owner, grantee=grantee)
        elif access.may_write == may_write:
            verb = "Already shared"
        else:
            verb = "Changed: shared"
        access.may_write = may_write
        try:
            access.save()
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        mode = "read-write" if may_write else "read-only"
        self.stdout.write(f"{verb} {owner.address} with {grantee.address} ({mode}).")
