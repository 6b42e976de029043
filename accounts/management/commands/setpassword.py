"""manage.py setpassword ADDRESS: replace an account's password (prompted when not given)."""

from __future__ import annotations

import getpass
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts import throttle
from accounts.management.support import checked_password, get_account


class Command(BaseCommand):
    help = "Set a mail account's password; asks for it twice when --password is not given."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("address")
        parser.add_argument("--password", metavar="PW")

    def handle(self, *args: Any, **options: Any) -> None:
        account = get_account(options["address"])
        password = options["password"]
        if password is None:
            password = getpass.getpass("Password: ")
            if getpass.getpass("Password (again): ") != password:
                raise CommandError("the two passwords differ")
        account.set_password(checked_password(password))
        account.save(update_fields=["password"])
        # An operator resetting a password usually unblocks a user: forget their failed logins.
        throttle.reset_login(account.address)
        self.stdout.write(f"Password changed for {account.address}.")
