"""Operator forms: passwords go through Account.set_password, tokens keep only their digest."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.validators import DomainNameValidator
from django.utils import timezone

from accounts.models import AccessToken, Account, Alias, Domain
from accounts.provisioning import ProvisioningError, check_new_account

if TYPE_CHECKING:
    DomainModelForm = forms.ModelForm[Domain]
    AccountModelForm = forms.ModelForm[Account]
    AccessTokenModelForm = forms.ModelForm[AccessToken]
    AliasModelForm = forms.ModelForm[Alias]
else:  # Django's classes take type parameters only in django-stubs.
    DomainModelForm = AccountModelForm = AccessTokenModelForm = AliasModelForm = forms.ModelForm

# A capability is a URI (RFC 8620 §2): a scheme, a colon, then anything without spaces.
_CAPABILITY = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:\S+")


def parse_capabilities(uris: Iterable[str]) -> list[str]:
    """Capability URIs without duplicates, in order; raises ValidationError for a non-URI."""
    uris = list(dict.fromkeys(uris))
    bad = [uri for uri in uris if not _CAPABILITY.fullmatch(uri)]
    if bad:
        raise ValidationError(f"Not a capability URI: {', '.join(bad)}", code="invalid")
    return uris


def _password_field(label: str, *, required: bool, help_text: str = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        strip=False,
        help_text=help_text,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )


class PasswordPairMixin:
    """Two password inputs that must match and pass AUTH_PASSWORD_VALIDATORS; never rendered back."""

    cleaned_data: dict[str, Any]

    def clean_password2(self) -> str:
        first = self.cleaned_data.get("password1") or ""
        second: str = self.cleaned_data.get("password2") or ""
        if first != second:
            raise ValidationError("The two passwords differ.", code="password_mismatch")
        if second:
            password_validation.validate_password(second)
        return second

    @property
    def new_password(self) -> str | None:
        """The password to set, or None to leave the current one."""
        return self.cleaned_data.get("password2") or None


class DomainForm(DomainModelForm):
    """A domain; its name and tenant are fixed once accounts use it (their addresses depend on it)."""

    class Meta:
        model = Domain
        fields = ("name", "tenant", "is_verified")

    def clean_name(self) -> str:
        name = str(self.cleaned_data["name"]).strip().lower()
        DomainNameValidator(accept_idna=False)(name)
        return name

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        domain = self.instance
        if domain._state.adding or not domain.accounts.exists():
            return cleaned
        original = Domain.objects.get(pk=domain.pk)
        if "name" in cleaned and cleaned["name"] != original.name:
            self.add_error("name", "Accounts use this domain; it cannot be renamed.")
        if cleaned.get("tenant") is not None and cleaned["tenant"].pk != original.tenant_id:
            self.add_error("tenant", "Accounts use this domain; it cannot change tenant.")
        return cleaned


class AccountCreationForm(PasswordPairMixin, AccountModelForm):
    """The admin's add form; the admin creates the account through provisioning.create_account."""

    password1 = _password_field("Password", required=True)
    password2 = _password_field("Password (again)", required=True)

    class Meta:
        model = Account
        fields = ("address", "tenant", "display_name", "storage_quota")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        tenant = self.fields["tenant"]
        tenant.required = False
        tenant.help_text = (
            "Empty: the tenant owning the address's domain, or a new tenant named after the domain."
        )

    def clean_address(self) -> str:
        return str(self.cleaned_data["address"]).strip().lower()

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        address = cleaned.get("address")
        if address:
            try:
                check_new_account(address, tenant=cleaned.get("tenant"))
            except ProvisioningError as exc:
                self.add_error("address", str(exc))
        return cleaned


class AccountChangeForm(PasswordPairMixin, AccountModelForm):
    password1 = _password_field(
        "New password", required=False, help_text="Leave empty to keep the current password."
    )
    password2 = _password_field("New password (again)", required=False)

    class Meta:
        model = Account
        fields = ("display_name", "is_active", "storage_quota")

    def save(self, commit: bool = True) -> Account:
        account = super().save(commit=False)
        if self.new_password:
            account.set_password(self.new_password)
        if commit:
            account.save()
        return account


class CapabilityListField(forms.Field):
    """Capability URIs, one per line, stored as a JSON list; empty means every capability."""

    widget = forms.Textarea(attrs={"rows": 3, "cols": 60})

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list):
            return "\n".join(str(uri) for uri in value)
        return value

    def to_python(self, value: Any) -> list[str]:
        return parse_capabilities(str(value or "").split())


class AccessTokenForm(AccessTokenModelForm):
    capabilities = CapabilityListField(
        required=False,
        help_text="Capability URIs this token may use, one per line; empty for all.",
    )

    class Meta:
        model = AccessToken
        fields = ("account", "name", "read_only", "capabilities", "expires_at")

    def clean_expires_at(self) -> Any:
        expires_at = self.cleaned_data.get("expires_at")
        changed = "expires_at" in self.changed_data
        if changed and expires_at is not None and expires_at <= timezone.now():
            raise ValidationError("The expiry must be in the future.", code="past")
        return expires_at


class AliasForm(AliasModelForm):
    class Meta:
        model = Alias
        fields = ("domain", "local_part", "accounts")

    def clean_local_part(self) -> str:
        local = str(self.cleaned_data.get("local_part") or "").strip().lower()
        if "@" in local or any(char.isspace() for char in local):
            raise ValidationError("Enter only the part before the @.", code="invalid")
        return local

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        domain = cleaned.get("domain")
        if domain is None:
            return cleaned
        outsiders = [
            a.address for a in cleaned.get("accounts") or [] if a.tenant_id != domain.tenant_id
        ]
        if outsiders:
            self.add_error(
                "accounts", f"Not in tenant {domain.tenant}: {', '.join(sorted(outsiders))}."
            )
        local = cleaned.get("local_part")
        if local and Account.objects.filter(address=f"{local}@{domain.name}").exists():
            self.add_error("local_part", f"{local}@{domain.name} is an account's own address.")
        return cleaned
