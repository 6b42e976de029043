"""manage.py issuetoken ADDRESS: an app password / API token, printed once."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from accounts.forms import parse_capabilities
from accounts.management.support import get_account, positive
from accounts.models import AccessToken


class Command(BaseCommand):
    help = (
        "Issue a token usable as a Bearer token or as the Basic password. Only the token goes "
        "to stdout (for scripts); it is never shown again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("address")
        parser.add_argument("--name", default="cli", metavar="N")
        parser.add_argument("--read-only", action="store_true")
        parser.add_argument(
            "--capability",
            action="extend",
            nargs="+",
            default=[],
            metavar="URI",
            help="Limit the token to these capabilities (repeatable); default: all.",
        )
        parser.add_argument("--expires-days", type=positive, metavar="N")

    def handle(self, *args: Any, **options: Any) -> None:
        account = get_account(options["address"])
        name = str(options["name"]).strip()
        if not name:
            raise CommandError("the token name is empty")
        try:
            capabilities = parse_capabilities(options["capability"])
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        if account.tokens.filter(name=name, revoked_at__isnull=True).exists():
            raise CommandError(
                f"{account.address} already has a token named {name!r}; revoke it or choose "
                "another --name"
            )
        days = options["expires_days"]
        expires_at = timezone.now() + datetime.timedelta(days=days) if days else None
        token, text = AccessToken.issue(
            account,
            name,
            read_only=options["read_only"],
            capabilities=capabilities,
            expires_at=expires_at,
        )
        self.stderr.write(self._describe(token), style_func=str)
        self.stdout.write(text)

    def _describe(self, token: AccessToken) -> str:
        limits = ["read-only" if token.read_only else "read-write"]
        limits.append(
            "capabilities " + ", ".join(token.capabilities)
            if token.capabilities
            else "all capabilities"
        )
        if token.expires_at is not None:
            limits.append(f"expires {token.expires_at:%Y-%m-%d %H:%M} UTC")
        return (
            f"Token {token.name!r} for {token.account.address} ({'; '.join(limits)}). "
            "Copy it now: it cannot be shown again."
        )
