"""Shared access in the admin: an inline on the account and a list of its own, both refusing to
share across tenants (accounts.AccountAccess)."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.urls import reverse

from accounts.models import Account, AccountAccess
from tests.factories import PASSWORD, share
from tests.jmap_client import JmapClient

ADD = reverse("admin:accounts_accountaccess_add")


def inline_form(account: Account, *rows: dict[str, Any], initial: int = 0) -> dict[str, Any]:
    form: dict[str, Any] = {
        "display_name": account.display_name,
        "is_active": "on",
        "storage_quota": "",
        "password1": "",
        "password2": "",
        "grants-TOTAL_FORMS": str(len(rows)),
        "grants-INITIAL_FORMS": str(initial),
    }
    for n, row in enumerate(rows):
        form.update({f"grants-{n}-{key}": value for key, value in row.items()})
    return form


def change_url(account: Account) -> str:
    return reverse("admin:accounts_account_change", args=[account.pk])


def test_the_account_page_shares_it_with_a_colleague(
    operator: Client, account: Account, colleague: Account
) -> None:
    row = {"grantee": colleague.pk, "may_write": "on"}
    response = operator.post(change_url(account), inline_form(account, row))
    assert response.status_code == 302
    access = AccountAccess.objects.get()
    assert (access.owner, access.grantee, access.may_write) == (account, colleague, True)
    assert account.jmap_id in JmapClient(colleague, PASSWORD).session()["accounts"]


def test_the_account_page_refuses_an_account_of_another_tenant(
    operator: Client, account: Account, other_account: Account
) -> None:
    row = {"grantee": other_account.pk}
    response = operator.post(change_url(account), inline_form(account, row))
    assert response.status_code == 200
    errors = response.context["inline_admin_formsets"][0].formset.errors
    assert errors == [{"__all__": ["An account can only be shared within its tenant."]}]
    assert not AccountAccess.objects.exists()


def test_the_account_page_revokes_a_share(
    operator: Client, account: Account, colleague: Account
) -> None:
    access = share(account, colleague)
    row = {"id": access.pk, "grantee": colleague.pk, "DELETE": "on"}
    response = operator.post(change_url(account), inline_form(account, row, initial=1))
    assert response.status_code == 302
    assert not AccountAccess.objects.exists()


def test_the_shared_access_list_shows_every_share(
    operator: Client, account: Account, colleague: Account
) -> None:
    share(account, colleague, may_write=True)
    page = operator.get(reverse("admin:accounts_accountaccess_changelist")).content.decode()
    assert account.address in page
    assert colleague.address in page


def test_adding_a_share_across_tenants_is_refused(
    operator: Client, account: Account, other_account: Account
) -> None:
    response = operator.post(ADD, {"owner": account.pk, "grantee": other_account.pk})
    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "__all__": ["An account can only be shared within its tenant."]
    }
    assert not AccountAccess.objects.exists()


def test_adding_a_share_with_oneself_is_refused(operator: Client, account: Account) -> None:
    response = operator.post(ADD, {"owner": account.pk, "grantee": account.pk})
    assert response.status_code == 200
    assert (
        "An account cannot be shared with itself."
        in response.context["adminform"].form.non_field_errors()
    )
    assert not AccountAccess.objects.exists()


def test_adding_a_share_in_one_tenant(
    operator: Client, account: Account, colleague: Account
) -> None:
    response = operator.post(ADD, {"owner": account.pk, "grantee": colleague.pk})
    assert response.status_code == 302
    assert AccountAccess.objects.get().may_write is False
