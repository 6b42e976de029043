"""manage.py createtenant NAME: an organisation that will own domains and accounts."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.management.support import non_negative
from accounts.models import Tenant


class Command(BaseCommand):
    help = "Create a tenant with its plan and limits."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name")
        parser.add_argument("--plan", default="standard")
        parser.add_argument("--storage-quota", type=non_negative, metavar="BYTES")
        parser.add_argument("--max-accounts", type=non_negative, metavar="N")
        parser.add_argument("--daily-send-limit", type=non_negative, metavar="N")

    def handle(self, *args: Any, **options: Any) -> None:
        name = str(options["name"]).strip()
        if not name:
            raise CommandError("the tenant name is empty")
        if Tenant.objects.filter(name=name).exists():
            raise CommandError(f"tenant {name!r} already exists")
        tenant = Tenant.objects.create(
            name=name,
            plan=options["plan"],
            storage_quota=options["storage_quota"],
            max_accounts=options["max_accounts"],
            daily_send_limit=options["daily_send_limit"],
        )
        self.stdout.write(f"Created tenant {tenant.name} (plan {tenant.plan}).")
