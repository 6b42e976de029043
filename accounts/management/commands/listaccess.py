"""manage.py listaccess [ADDRESS] [--tenant NAME]: the shared accounts, one line each."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db.models import Q

from accounts.management.support import get_account, get_tenant
from accounts.models import AccountAccess


class Command(BaseCommand):
    help = (
        "List who may use which account: OWNER -> GRANTEE (mode, since). With ADDRESS, only "
        "what that account shares or is shared; with --tenant, only that tenant's."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("address", nargs="?")
        parser.add_argument("--tenant", metavar="NAME")

    def handle(self, *args: Any, **options: Any) -> None:
        shares = AccountAccess.objects.select_related("owner", "grantee")
        if options["address"]:
            account = get_account(options["address"])
            shares = shares.filter(Q(owner=account) | Q(grantee=account))
        if options["tenant"]:
            shares = shares.filter(owner__tenant=get_tenant(options["tenant"]))
        for access in shares:
            mode = "read-write" if access.may_write else "read-only"
            inactive = "" if access.owner.is_active else ", owner inactive"
            self.stdout.write(
                f"{access.owner.address} -> {access.grantee.address} "
                f"({mode}{inactive}, since {access.created_at:%Y-%m-%d})"
            )
