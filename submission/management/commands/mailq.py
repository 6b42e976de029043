"""manage.py mailq [--flush]: the outbound queue's waiting recipients; --flush retries them now."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from submission import queue
from submission.models import OutboundRecipient


class Command(BaseCommand):
    help = (
        "List recipients waiting in the outbound queue; --flush makes them due and nudges workers."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--flush", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        waiting = (
            OutboundRecipient.objects.filter(state__in=OutboundRecipient.WAITING)
            .select_related("message")
            .order_by("message_id", "pk")
        )
        for row in waiting:
            self.stdout.write(
                f"{row.message_id}\t<{row.message.mail_from}>\t{row.address}\t{row.state}\t"
                f"tries={row.attempts}\tnext={row.next_attempt_at:%Y-%m-%d %H:%M:%S}\t{row.smtp_reply}"
            )
        if options["flush"]:
            waiting.filter(state=OutboundRecipient.QUEUED).update(next_attempt_at=timezone.now())
            for message_pk in queue.due_messages():
                queue.schedule(message_pk)
            self.stdout.write("Flushed.")
