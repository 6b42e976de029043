"""Quota use beside its limit, for tenants and accounts."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from accounts.admin import format_bytes
from accounts.models import Account
from tests.factories import make_account, make_tenant


@pytest.mark.parametrize(
    ("size", "text"),
    [
        (0, "0 bytes"),
        (1, "1 byte"),
        (999, "999 bytes"),
        (1000, "1 kB"),
        (1_234_567, "1.2 MB"),
        (999_960, "1 MB"),
        (5_000_000_000, "5 GB"),
        (2_500_000_000_000, "2.5 TB"),
        (7 * 10**18, "7000 PB"),
    ],
)
def test_format_bytes_uses_decimal_units(size: int, text: str) -> None:
    assert format_bytes(size) == text


def test_the_tenant_list_shows_storage_and_accounts_against_their_limits(
    operator: Client,
) -> None:
    tenant = make_tenant("acme", storage_quota=5_000_000_000, max_accounts=10)
    first = make_account(tenant=tenant)
    make_account(tenant=tenant)
    Account.objects.filter(pk=first.pk).update(storage_used=1_234_567)
    page = operator.get(reverse("admin:accounts_tenant_changelist")).content.decode()
    assert "1.2 MB of 5 GB" in page
    assert "2 of 10" in page


def test_a_tenant_without_limits_says_so(operator: Client) -> None:
    make_account(tenant=make_tenant("free"))
    page = operator.get(reverse("admin:accounts_tenant_changelist")).content.decode()
    assert "0 bytes (no limit)" in page
    assert "1 (no limit)" in page


def test_the_tenant_page_shows_its_usage(operator: Client) -> None:
    tenant = make_tenant("acme", storage_quota=1_000_000, max_accounts=3)
    Account.objects.filter(pk=make_account(tenant=tenant).pk).update(storage_used=250_000)
    page = operator.get(reverse("admin:accounts_tenant_change", args=[tenant.pk])).content
    assert b"250 kB of 1 MB" in page
    assert b"1 of 3" in page


def test_the_account_list_shows_storage_against_the_quota(operator: Client) -> None:
    account = make_account(storage_quota=2_000_000_000)
    Account.objects.filter(pk=account.pk).update(storage_used=1_500_000)
    page = operator.get(reverse("admin:accounts_account_changelist")).content.decode()
    assert "1.5 MB of 2 GB" in page


def test_the_tenant_list_is_ordered_by_storage(operator: Client) -> None:
    small, big = make_tenant("small"), make_tenant("big")
    Account.objects.filter(pk=make_account(tenant=small).pk).update(storage_used=10)
    Account.objects.filter(pk=make_account(tenant=big).pk).update(storage_used=10_000)
    response = operator.get(reverse("admin:accounts_tenant_changelist"), {"o": "-3"})
    assert [t.name for t in response.context["cl"].result_list] == ["big", "small"]
