"""The operator's Django admin: tenants, domains, accounts, shared access, aliases and tokens.

Accounts are created through ``provisioning.create_account``, so every app sets up what a new
account needs (its mailboxes); passwords are hashed and token secrets shown once, never stored.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import admin, messages
from django.db.models import Count, QuerySet, Sum
from django.forms import ModelForm
from django.http import HttpRequest
from django.utils import timezone

from accounts.forms import (
    AccessTokenForm,
    AccountChangeForm,
    AccountCreationForm,
    AliasForm,
    DomainForm,
)
from accounts.models import AccessToken, Account, AccountAccess, Alias, Domain, Tenant
from accounts.provisioning import create_account

if TYPE_CHECKING:
    TenantModelAdmin = admin.ModelAdmin[Tenant]
    DomainModelAdmin = admin.ModelAdmin[Domain]
    AccountModelAdmin = admin.ModelAdmin[Account]
    AliasModelAdmin = admin.ModelAdmin[Alias]
    AccessTokenModelAdmin = admin.ModelAdmin[AccessToken]
    AccountAccessModelAdmin = admin.ModelAdmin[AccountAccess]
    DomainTabularInline = admin.TabularInline[Domain, Tenant]
    AccountAccessTabularInline = admin.TabularInline[AccountAccess, Account]
else:  # Django's classes take type parameters only in django-stubs.
    TenantModelAdmin = DomainModelAdmin = AccountModelAdmin = admin.ModelAdmin
    AliasModelAdmin = AccessTokenModelAdmin = AccountAccessModelAdmin = admin.ModelAdmin
    DomainTabularInline = AccountAccessTabularInline = admin.TabularInline

_UNITS = ("kB", "MB", "GB", "TB", "PB")


def format_bytes(size: int) -> str:
    """Decimal units, as the limits are configured (``50_000_000`` reads "50 MB")."""
    if abs(size) < 1000:
        return "1 byte" if size == 1 else f"{size} bytes"
    value = float(size)
    for unit in _UNITS:
        value /= 1000
        if round(abs(value), 1) < 1000 or unit == _UNITS[-1]:
            break
    return f"{value:.1f}".removesuffix(".0") + f" {unit}"


def storage_usage(used: int, limit: int | None) -> str:
    """ "1.2 MB of 5 GB", or "1.2 MB (no limit)"."""
    if limit is None:
        return f"{format_bytes(used)} (no limit)"
    return f"{format_bytes(used)} of {format_bytes(limit)}"


def count_usage(count: int, limit: int | None) -> str:
    return f"{count} (no limit)" if limit is None else f"{count} of {limit}"


class DomainInline(DomainTabularInline):
    model = Domain
    form = DomainForm
    fields = ("name", "is_verified", "created_at")
    readonly_fields = ("created_at",)
    extra = 0
    show_change_link = True


@admin.register(Tenant)
class TenantAdmin(TenantModelAdmin):
    list_display = (
        "name",
        "plan",
        "storage",
        "account_count",
        "daily_send_limit",
        "is_active",
        "created_at",
    )
    list_filter = ("is_active", "plan")
    search_fields = ("name", "plan")
    fields = (
        "name",
        "plan",
        "is_active",
        "storage_quota",
        "storage",
        "max_accounts",
        "account_count",
        "daily_send_limit",
        "created_at",
    )
    readonly_fields = ("storage", "account_count", "created_at")
    inlines = (DomainInline,)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Tenant]:
        # One join serves both aggregates, so neither is multiplied by the other.
        return (
            super()
            .get_queryset(request)
            .annotate(num_accounts=Count("accounts"), used_bytes=Sum("accounts__storage_used"))
        )

    @admin.display(description="Storage", ordering="used_bytes")
    def storage(self, tenant: Tenant) -> str:
        used = getattr(tenant, "used_bytes", None)
        return storage_usage(
            tenant.storage_used() if used is None else int(used), tenant.storage_quota
        )

    @admin.display(description="Accounts", ordering="num_accounts")
    def account_count(self, tenant: Tenant) -> str:
        count = getattr(tenant, "num_accounts", None)
        return count_usage(tenant.accounts.count() if count is None else count, tenant.max_accounts)


@admin.register(Domain)
class DomainAdmin(DomainModelAdmin):
    form = DomainForm
    list_display = ("name", "tenant", "is_verified", "account_count", "created_at")
    list_filter = ("is_verified", "tenant")
    search_fields = ("name", "tenant__name")
    list_select_related = ("tenant",)
    autocomplete_fields = ("tenant",)
    readonly_fields = ("created_at",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Domain]:
        return super().get_queryset(request).annotate(num_accounts=Count("accounts"))

    @admin.display(description="Accounts", ordering="num_accounts")
    def account_count(self, domain: Domain) -> int:
        count = getattr(domain, "num_accounts", None)
        return domain.accounts.count() if count is None else int(count)


class SharedWithInline(AccountAccessTabularInline):
    """Who may use this account (``AccountAccess.clean`` refuses other tenants' accounts)."""

    model = AccountAccess
    fk_name = "owner"
    verbose_name = "shared with"
    verbose_name_plural = "shared with (accounts of the same tenant that may use this one)"
    fields = ("grantee", "may_write", "created_at")
    readonly_fields = ("created_at",)
    autocomplete_fields = ("grantee",)
    extra = 0


@admin.register(Account)
class AccountAdmin(AccountModelAdmin):
    form = AccountChangeForm
    add_form = AccountCreationForm
    list_display = (
        "address",
        "display_name",
        "tenant",
        "storage",
        "is_active",
        "last_login",
        "created_at",
    )
    list_filter = ("is_active", "tenant__plan", "tenant")
    search_fields = ("address", "display_name", "tenant__name")
    list_select_related = ("tenant",)
    readonly_fields = (
        "address",
        "jmap_id",
        "tenant",
        "domain",
        "storage",
        "last_login",
        "created_at",
    )
    fieldsets = (
        (None, {"fields": ("address", "display_name", "is_active")}),
        ("Password", {"fields": ("password1", "password2")}),
        ("Quota", {"fields": ("storage_quota", "storage")}),
        ("Details", {"fields": ("jmap_id", "tenant", "domain", "last_login", "created_at")}),
    )
    add_fieldsets = (
        (None, {"fields": ("address", "tenant", "display_name", "storage_quota")}),
        ("Password", {"fields": ("password1", "password2")}),
    )
    actions = ("activate", "deactivate")
    inlines = (SharedWithInline,)

    def get_inlines(self, request: HttpRequest, obj: Account | None) -> Any:
        # A new account is shared once it exists (its tenant is known only then).
        return self.inlines if obj is not None else ()

    @admin.display(description="Storage", ordering="storage_used")
    def storage(self, account: Account) -> str:
        return storage_usage(account.storage_used, account.storage_quota)

    def get_fieldsets(self, request: HttpRequest, obj: Account | None = None) -> Any:
        return self.add_fieldsets if obj is None else super().get_fieldsets(request, obj)

    def get_readonly_fields(
        self, request: HttpRequest, obj: Account | None = None
    ) -> tuple[str, ...]:
        return () if obj is None else self.readonly_fields

    def get_form(
        self, request: HttpRequest, obj: Account | None = None, change: bool = False, **kwargs: Any
    ) -> type[ModelForm[Account]]:
        if obj is None:
            kwargs["form"] = self.add_form
        return super().get_form(request, obj, change=change, **kwargs)

    def save_model(
        self, request: HttpRequest, obj: Account, form: ModelForm[Account], change: bool
    ) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        assert isinstance(form, AccountCreationForm)
        created = create_account(
            obj.address,
            password=form.new_password,
            tenant=form.cleaned_data.get("tenant"),
            display_name=obj.display_name,
            storage_quota=obj.storage_quota,
        )
        # The admin logs and redirects with `obj`: make it the row create_account wrote.
        for field in Account._meta.concrete_fields:
            setattr(obj, field.attname, getattr(created, field.attname))
        obj._state.adding = False
        obj._state.db = created._state.db

    @admin.action(description="Activate selected accounts")
    def activate(self, request: HttpRequest, queryset: QuerySet[Account]) -> None:
        count = queryset.update(is_active=True)
        self.message_user(request, f"Activated {count} account(s).", messages.SUCCESS)

    @admin.action(description="Deactivate selected accounts")
    def deactivate(self, request: HttpRequest, queryset: QuerySet[Account]) -> None:
        count = queryset.update(is_active=False)
        self.message_user(request, f"Deactivated {count} account(s).", messages.SUCCESS)


@admin.register(AccountAccess)
class AccountAccessAdmin(AccountAccessModelAdmin):
    """Every share: one account used by another of the same tenant (its JMAP session lists it)."""

    list_display = ("owner", "grantee", "may_write", "tenant", "created_at")
    list_filter = ("may_write", "owner__tenant")
    search_fields = ("owner__address", "grantee__address", "owner__tenant__name")
    list_select_related = ("owner__tenant", "grantee")
    autocomplete_fields = ("owner", "grantee")
    readonly_fields = ("created_at",)

    def get_readonly_fields(
        self, request: HttpRequest, obj: AccountAccess | None = None
    ) -> tuple[str, ...]:
        # Another pair is another share: revoke this one and add that.
        return ("owner", "grantee", "created_at") if obj is not None else ("created_at",)

    @admin.display(description="Tenant", ordering="owner__tenant__name")
    def tenant(self, access: AccountAccess) -> Tenant:
        return access.owner.tenant


@admin.register(Alias)
class AliasAdmin(AliasModelAdmin):
    form = AliasForm
    list_display = ("alias_address", "domain", "tenant", "catch_all", "recipients", "created_at")
    list_filter = ("domain__tenant", "domain")
    search_fields = ("local_part", "domain__name", "accounts__address")
    list_select_related = ("domain__tenant",)
    autocomplete_fields = ("domain", "accounts")
    readonly_fields = ("created_at",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Alias]:
        return super().get_queryset(request).prefetch_related("accounts")

    @admin.display(description="Address", ordering="local_part")
    def alias_address(self, alias: Alias) -> str:
        return alias.address

    @admin.display(description="Tenant", ordering="domain__tenant__name")
    def tenant(self, alias: Alias) -> Tenant:
        return alias.domain.tenant

    @admin.display(description="Catch-all", boolean=True)
    def catch_all(self, alias: Alias) -> bool:
        return alias.is_catch_all

    @admin.display(description="Delivered to")
    def recipients(self, alias: Alias) -> str:
        return ", ".join(account.address for account in alias.accounts.all())


class TokenStatusFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "status"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("active", "Active"), ("expired", "Expired"), ("revoked", "Revoked")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        now = timezone.now()
        match self.value():
            case "active":
                return queryset.filter(revoked_at__isnull=True).exclude(expires_at__lte=now)
            case "expired":
                return queryset.filter(revoked_at__isnull=True, expires_at__lte=now)
            case "revoked":
                return queryset.filter(revoked_at__isnull=False)
        return queryset


@admin.register(AccessToken)
class AccessTokenAdmin(AccessTokenModelAdmin):
    form = AccessTokenForm
    list_display = (
        "name",
        "account",
        "key",
        "read_only",
        "capability_list",
        "status",
        "created_at",
        "expires_at",
        "last_used_at",
    )
    list_filter = (TokenStatusFilter, "read_only")
    search_fields = ("name", "key", "account__address")
    list_select_related = ("account",)
    autocomplete_fields = ("account",)
    actions = ("revoke",)

    def get_readonly_fields(
        self, request: HttpRequest, obj: AccessToken | None = None
    ) -> tuple[str, ...]:
        if obj is None:
            return ()
        return ("account", "key", "status", "created_at", "last_used_at", "revoked_at")

    @admin.display(description="Capabilities")
    def capability_list(self, token: AccessToken) -> str:
        return ", ".join(token.capabilities) if token.capabilities else "all"

    @admin.display(description="Status")
    def status(self, token: AccessToken) -> str:
        if token.revoked_at is not None:
            return "revoked"
        return "active" if token.is_usable else "expired"

    def save_model(
        self, request: HttpRequest, obj: AccessToken, form: ModelForm[AccessToken], change: bool
    ) -> None:
        text = None if change else obj.generate_secret()
        super().save_model(request, obj, form, change)
        if text is not None:
            messages.success(
                request,
                f"Token “{obj.name}” for {obj.account}: {text} — copy it now, "
                "it will not be shown again.",
            )

    @admin.action(description="Revoke selected tokens")
    def revoke(self, request: HttpRequest, queryset: QuerySet[AccessToken]) -> None:
        count = queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        self.message_user(request, f"Revoked {count} token(s).", messages.SUCCESS)
