"""Accounts in the admin: created through provisioning, passwords only ever written."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.urls import reverse

from accounts.models import Account, Domain, Tenant
from tests.accounts.http import basic, get_session
from tests.factories import PASSWORD, make_account, make_domain, make_tenant

ADD = reverse("admin:accounts_account_add")
PW = "an admin chosen password"


def add_form(**fields: Any) -> dict[str, Any]:
    return {
        "address": "Carol@Shop.Example",
        "tenant": "",
        "display_name": "Carol",
        "storage_quota": "",
        "password1": PW,
        "password2": PW,
        **fields,
    }


def change_form(account: Account, **fields: Any) -> dict[str, Any]:
    return {
        "display_name": account.display_name,
        "is_active": "on",
        "storage_quota": "",
        "password1": "",
        "password2": "",
        # The "shared with" inline's management form, as the page sends it.
        "grants-TOTAL_FORMS": "0",
        "grants-INITIAL_FORMS": "0",
        **fields,
    }


def test_adding_an_account_provisions_it_with_a_hashed_password(
    operator: Client, provisioned: list[Account]
) -> None:
    response = operator.post(ADD, add_form())
    account = Account.objects.select_related("tenant", "domain").get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:accounts_account_changelist")
    assert (account.address, account.display_name, account.domain.name, account.tenant.name) == (
        "carol@shop.example",
        "Carol",
        "shop.example",
        "shop.example",
    )
    assert account.check_password(PW)
    assert PW not in account.password
    assert provisioned == [account]


def test_an_account_added_in_the_admin_can_log_in(operator: Client) -> None:
    operator.post(ADD, add_form())
    assert get_session(basic("carol@shop.example", PW)).status_code == 200


def test_adding_an_account_logs_the_addition(operator: Client) -> None:
    from django.contrib.admin.models import LogEntry

    operator.post(ADD, add_form())
    entry = LogEntry.objects.get()
    assert (entry.object_id, entry.object_repr) == (
        str(Account.objects.get().pk),
        "carol@shop.example",
    )


def test_adding_an_account_in_a_chosen_tenant(operator: Client) -> None:
    tenant = make_tenant("shops")
    operator.post(ADD, add_form(tenant=tenant.pk))
    assert Account.objects.get().tenant == tenant
    assert Domain.objects.get().tenant == tenant


def test_adding_refuses_passwords_that_differ(operator: Client) -> None:
    response = operator.post(ADD, add_form(password2=PW + "!"))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {"password2": ["The two passwords differ."]}
    assert not Account.objects.exists()


def test_adding_refuses_a_password_the_validators_reject(operator: Client) -> None:
    response = operator.post(ADD, add_form(password1="short", password2="short"))
    assert list(response.context["adminform"].form.errors) == ["password2"]
    assert not Account.objects.exists()


def test_adding_refuses_a_domain_of_another_tenant(operator: Client) -> None:
    make_domain(make_tenant("owner"), "shop.example")
    intruder = make_tenant("intruder")
    response = operator.post(ADD, add_form(tenant=intruder.pk))
    assert response.context["adminform"].form.errors == {
        "address": ["shop.example belongs to tenant owner"]
    }
    assert not Account.objects.exists()


def test_adding_refuses_an_existing_address_once(operator: Client) -> None:
    make_account("carol@shop.example")
    response = operator.post(ADD, add_form())
    assert response.context["adminform"].form.errors == {
        "address": ["carol@shop.example already exists"]
    }


def test_adding_refuses_a_full_tenant(operator: Client) -> None:
    tenant = make_tenant("tiny", max_accounts=1)
    make_account(tenant=tenant)
    response = operator.post(ADD, add_form(tenant=tenant.pk))
    assert response.context["adminform"].form.errors == {
        "address": ["tenant tiny already has 1 accounts"]
    }
    assert Tenant.objects.get(name="tiny").accounts.count() == 1


def test_the_change_page_never_shows_the_password_hash(operator: Client) -> None:
    account = make_account()
    page = operator.get(reverse("admin:accounts_account_change", args=[account.pk])).content
    assert account.password.encode() not in page


def test_changing_with_a_new_password_replaces_it(operator: Client) -> None:
    account = make_account()
    url = reverse("admin:accounts_account_change", args=[account.pk])
    response = operator.post(url, change_form(account, password1=PW, password2=PW))
    assert response.status_code == 302
    account.refresh_from_db()
    assert account.check_password(PW)
    assert not account.check_password(PASSWORD)


def test_changing_with_empty_password_fields_keeps_the_password(operator: Client) -> None:
    account = make_account()
    url = reverse("admin:accounts_account_change", args=[account.pk])
    operator.post(url, change_form(account, display_name="Renamed", storage_quota="1000"))
    account.refresh_from_db()
    assert (account.display_name, account.storage_quota) == ("Renamed", 1000)
    assert account.check_password(PASSWORD)


def test_the_change_form_cannot_move_an_account(operator: Client) -> None:
    account = make_account()
    other = make_tenant()
    url = reverse("admin:accounts_account_change", args=[account.pk])
    operator.post(url, change_form(account, address="x@y.example", tenant=other.pk))
    moved = Account.objects.get(pk=account.pk)
    assert (moved.address, moved.tenant_id) == (account.address, account.tenant_id)


def test_the_deactivate_action_stops_logins(operator: Client) -> None:
    account = make_account()
    operator.post(
        reverse("admin:accounts_account_changelist"),
        {"action": "deactivate", "_selected_action": [account.pk]},
    )
    assert get_session(basic(account.address, PASSWORD)).status_code == 401
    operator.post(
        reverse("admin:accounts_account_changelist"),
        {"action": "activate", "_selected_action": [account.pk]},
    )
    assert get_session(basic(account.address, PASSWORD)).status_code == 200
