"""Admin for push subscriptions: delivery health for operators (read-only).

Operators see each subscription's push service host, verification, expiry, last success, last
failure and its reason; never the full URL or the keys, which are the user's (RFC 8620 §7.2.1).
They may delete subscriptions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from push.models import PushSubscription

if TYPE_CHECKING:
    SubscriptionModelAdmin = admin.ModelAdmin[PushSubscription]
else:
    SubscriptionModelAdmin = admin.ModelAdmin


class HealthFilter(admin.SimpleListFilter):
    title = "delivery health"
    parameter_name = "health"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("failing", "Failing"), ("healthy", "Healthy"), ("unverified", "Unverified")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        match self.value():
            case "failing":
                return queryset.filter(failures__gt=0)
            case "healthy":
                return queryset.filter(failures=0, verified=True)
            case "unverified":
                return queryset.filter(verified=False)
        return queryset


@admin.register(PushSubscription)
class PushSubscriptionAdmin(SubscriptionModelAdmin):
    list_display = (
        "jmap_id",
        "account",
        "push_service",
        "verified",
        "expires_at",
        "expired",
        "last_success_at",
        "last_failure_at",
        "last_failure_reason",
        "failures",
    )
    list_filter = (HealthFilter, "verified")
    search_fields = ("jmap_id", "account__address", "device_client_id")
    list_select_related = ("account",)
    fields = (
        "jmap_id",
        "account",
        "credential",
        "device_client_id",
        "push_service",
        "encrypted",
        "types",
        "verified",
        "expires_at",
        "created_at",
        "last_success_at",
        "last_failure_at",
        "last_failure_reason",
        "failures",
        "next_attempt_at",
    )
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description="Push service")
    def push_service(self, subscription: PushSubscription) -> str:
        return subscription.push_host

    @admin.display(description="Encrypted (RFC 8291)", boolean=True)
    def encrypted(self, subscription: PushSubscription) -> bool:
        return subscription.has_keys

    @admin.display(description="Credential")
    def credential(self, subscription: PushSubscription) -> str:
        if subscription.token is None:
            return "password"
        state = "usable" if subscription.token.is_usable else "revoked or expired"
        return f"token “{subscription.token.name}” ({state})"

    @admin.display(description="Expired", boolean=True)
    def expired(self, subscription: PushSubscription) -> bool:
        return subscription.expires_at is not None and subscription.expires_at <= timezone.now()
