"""manage.py inbound: the LMTP server (RFC 2033) a front MTA delivers to, and optionally SMTP.

Postfix: ``virtual_transport = lmtp:inet:127.0.0.1:24`` (or ``lmtp:unix:/path``) with
``virtual_mailbox_domains`` listing the hosted domains. Stops cleanly on SIGINT/SIGTERM.
"""

from __future__ import annotations

import signal
import threading
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from submission import lmtp


class Command(BaseCommand):
    help = "Accept mail for hosted addresses over LMTP (and SMTP with --smtp-port)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=settings.MAILYARD_LMTP_HOST)
        parser.add_argument("--port", type=int, default=settings.MAILYARD_LMTP_PORT)
        parser.add_argument("--socket", default=settings.MAILYARD_LMTP_SOCKET, help="Unix socket")
        parser.add_argument(
            "--smtp-port",
            type=int,
            default=settings.MAILYARD_LMTP_SMTP_PORT,
            help="also accept SMTP on this port (0: off)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        servers = [lmtp.lmtp_controller(options["host"], options["port"], options["socket"])]
        if options["smtp_port"]:
            servers.append(lmtp.smtp_controller(options["host"], options["smtp_port"]))
        stopping = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stopping.set())
        for server in servers:
            server.start()
        where = options["socket"] or f"{options['host']}:{options['port']}"
        self.stdout.write(
            f"LMTP on {where}"
            + (
                f", SMTP on {options['host']}:{options['smtp_port']}"
                if options["smtp_port"]
                else ""
            )
        )
        stopping.wait()
        for server in servers:
            lmtp.stop(server)
