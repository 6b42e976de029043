"""manage.py createaccount ADDRESS --password PW: a mail account, through provisioning."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.management.support import checked_password, get_tenant, non_negative
from accounts.provisioning import ProvisioningError, create_account


class Command(BaseCommand):
    help = (
        "Create a mail account; its domain, and a tenant named after the domain, are created "
        "when missing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("address")
        parser.add_argument("--password", required=True, metavar="PW")
        parser.add_argument("--tenant", metavar="NAME", help="An existing tenant.")
        parser.add_argument("--quota", type=non_negative, metavar="BYTES")
        parser.add_argument("--name", default="", metavar="DISPLAY", help="The display name.")

    def handle(self, *args: Any, **options: Any) -> None:
        tenant = get_tenant(options["tenant"]) if options["tenant"] else None
        try:
            account = create_account(
                options["address"],
                password=checked_password(options["password"]),
                tenant=tenant,
                display_name=options["name"],
                storage_quota=options["quota"],
            )
        except ProvisioningError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Created account {account.address} (JMAP id {account.jmap_id}) "
            f"in tenant {account.tenant}."
        )
