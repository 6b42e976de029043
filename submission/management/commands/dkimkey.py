"""manage.py dkimkey DOMAIN [--selector S] [--show]: make a domain's DKIM key (RFC 6376) and print
the TXT record to publish."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.models import Domain
from submission import dkim
from submission.models import DkimKey


class Command(BaseCommand):
    help = "Generate (or, with --show, print) a hosted domain's DKIM key and its DNS record."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("domain")
        parser.add_argument("--selector", default="mailyard")
        parser.add_argument("--show", action="store_true", help="print the existing record")

    def handle(self, *args: Any, **options: Any) -> None:
        domain = Domain.objects.filter(name=str(options["domain"]).strip().lower()).first()
        if domain is None:
            raise CommandError(f"{options['domain']} is not a hosted domain")
        if options["show"]:
            key = DkimKey.objects.filter(domain=domain).first()
            if key is None:
                raise CommandError(f"{domain} has no DKIM key")
        else:
            key = dkim.generate_key(domain, options["selector"])
        self.stdout.write(f'{key.dns_name}. IN TXT "{key.dns_value}"')
