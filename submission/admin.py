"""Operator views: DKIM keys with the DNS record to publish, and the outbound queue."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.html import format_html

from submission import dkim, queue
from submission.models import DkimKey, OutboundMessage, OutboundRecipient

if TYPE_CHECKING:
    DkimKeyModelAdmin = admin.ModelAdmin[DkimKey]
    OutboundModelAdmin = admin.ModelAdmin[OutboundMessage]
    RecipientInline = admin.TabularInline[OutboundRecipient, OutboundMessage]
else:  # Django's classes take type parameters only in django-stubs.
    DkimKeyModelAdmin = OutboundModelAdmin = admin.ModelAdmin
    RecipientInline = admin.TabularInline


@admin.register(DkimKey)
class DkimKeyAdmin(DkimKeyModelAdmin):
    """A domain's key is made here (pick the domain, save); the private key is never shown."""

    list_display = ("domain", "selector", "is_active", "created_at")
    list_filter = ("is_active",)
    search_fields = ("domain__name",)
    readonly_fields = ("dns_record", "created_at")
    actions = ("regenerate",)

    def get_fields(self, request: HttpRequest, obj: DkimKey | None = None) -> Sequence[str]:  # type: ignore[override]
        if obj is None:
            return ("domain", "selector")
        return ("domain", "selector", "is_active", "dns_record", "created_at")

    def get_readonly_fields(
        self, request: HttpRequest, obj: DkimKey | None = None
    ) -> tuple[str, ...]:
        return ("domain", "selector", "dns_record", "created_at") if obj else ()

    @admin.display(description="DNS record to publish")
    def dns_record(self, obj: DkimKey) -> str:
        return format_html(
            "<p>Publish this TXT record in the domain's DNS (RFC 6376 §3.6.2):</p>"
            "<p><code>{}</code> TXT</p><pre style='white-space: pre-wrap'>{}</pre>",
            obj.dns_name,
            obj.dns_value,
        )

    def save_model(self, request: HttpRequest, obj: DkimKey, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        made = dkim.generate_key(obj.domain, obj.selector or "mailyard")
        obj.pk, obj.private_key, obj.public_key = made.pk, made.private_key, made.public_key
        messages.info(request, f'Publish {made.dns_name} TXT "{made.dns_value}"')

    @admin.action(description="Generate a new key (publish the new record before mail is signed)")
    def regenerate(self, request: HttpRequest, queryset: QuerySet[DkimKey]) -> None:
        for key in queryset.select_related("domain"):
            made = dkim.generate_key(key.domain, key.selector)
            messages.info(request, f'{made.dns_name} TXT "{made.dns_value}"')


class OutboundRecipientInline(RecipientInline):
    model = OutboundRecipient
    extra = 0
    can_delete = False
    fields = ("address", "state", "attempts", "next_attempt_at", "smtp_reply", "remote_host")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(OutboundMessage)
class OutboundMessageAdmin(OutboundModelAdmin):
    """The outbound queue, read-only; "retry now" makes waiting recipients due at once."""

    list_display = ("pk", "account", "mail_from", "kind", "size", "created_at", "send_at")
    list_filter = ("kind",)
    search_fields = ("account__address", "mail_from", "recipients__address", "message_id")
    fields = ("account", "mail_from", "kind", "message_id", "size", "created_at", "send_at")
    readonly_fields = fields
    inlines = (OutboundRecipientInline,)
    actions = ("retry_now",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    @admin.action(description="Retry waiting recipients now")
    def retry_now(self, request: HttpRequest, queryset: QuerySet[OutboundMessage]) -> None:
        for queued in queryset:
            OutboundRecipient.objects.filter(message=queued, state=OutboundRecipient.QUEUED).update(
                next_attempt_at=timezone.now()
            )
            queue.schedule(queued.pk)
