"""Every admin page of the accounts app renders for an operator."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db.models import Model
from django.test import Client
from django.urls import reverse

from accounts.models import AccessToken, Alias
from tests.factories import make_account, make_domain, make_tenant

Maker = Callable[[], Model]


def make_alias() -> Alias:
    account = make_account()
    alias = Alias.objects.create(domain=account.domain, local_part="sales")
    alias.accounts.add(account)
    return alias


def make_access_token() -> AccessToken:
    token, _ = AccessToken.issue(make_account(), "phone", capabilities=["urn:x:y"])
    return token


MAKERS: dict[str, Maker] = {
    "tenant": lambda: make_tenant(storage_quota=5_000_000_000, max_accounts=10),
    "domain": lambda: make_domain(make_tenant()),
    "account": make_account,
    "alias": make_alias,
    "accesstoken": make_access_token,
}


@pytest.mark.parametrize("model", list(MAKERS))
def test_the_changelist_renders(operator: Client, model: str) -> None:
    MAKERS[model]()
    response = operator.get(reverse(f"admin:accounts_{model}_changelist"))
    assert response.status_code == 200
    assert response.context["cl"].result_count == 1


@pytest.mark.parametrize("model", list(MAKERS))
def test_the_changelist_searches(operator: Client, model: str) -> None:
    MAKERS[model]()
    response = operator.get(reverse(f"admin:accounts_{model}_changelist"), {"q": "example"})
    assert response.status_code == 200


@pytest.mark.parametrize("model", list(MAKERS))
def test_the_add_page_renders(operator: Client, model: str) -> None:
    response = operator.get(reverse(f"admin:accounts_{model}_add"))
    assert response.status_code == 200


@pytest.mark.parametrize("model", list(MAKERS))
def test_the_change_page_renders(operator: Client, model: str) -> None:
    obj = MAKERS[model]()
    response = operator.get(reverse(f"admin:accounts_{model}_change", args=[obj.pk]))
    assert response.status_code == 200


@pytest.mark.parametrize("status", ["active", "expired", "revoked"])
def test_the_token_status_filter_renders(operator: Client, status: str) -> None:
    make_access_token()
    url = reverse("admin:accounts_accesstoken_changelist")
    assert operator.get(url, {"status": status}).status_code == 200


def test_a_staff_member_without_rights_sees_nothing(db: None) -> None:
    from django.contrib.auth import get_user_model

    clerk = get_user_model().objects.create_user("clerk", password="unused-pw-123", is_staff=True)
    client = Client()
    client.force_login(clerk)
    assert client.get(reverse("admin:accounts_account_changelist")).status_code == 403
