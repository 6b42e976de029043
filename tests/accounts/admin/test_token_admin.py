"""Access tokens in the admin: the secret is shown once, only its digest is kept."""

from __future__ import annotations

import datetime
from typing import Any

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import AccessToken, Account
from tests.accounts.http import bearer, get_session
from tests.factories import make_account

ADD = reverse("admin:accounts_accesstoken_add")
MAIL = "urn:ietf:params:jmap:mail"


def add_form(account: Account, **fields: Any) -> dict[str, Any]:
    return {
        "account": account.pk,
        "name": "phone",
        "capabilities": "",
        "expires_at_0": "",
        "expires_at_1": "",
        **fields,
    }


def secret_from(messages: list[str]) -> str:
    shown = [m for m in messages if "myd_" in m]
    assert len(shown) == 1, messages
    return next(word for word in shown[0].split() if word.startswith("myd_"))


def test_adding_a_token_shows_its_secret_once(operator: Client) -> None:
    account = make_account()
    response = operator.post(ADD, add_form(account), follow=True)
    text = secret_from([str(m) for m in response.context["messages"]])
    assert get_session(bearer(text)).status_code == 200
    page = operator.get(reverse("admin:accounts_accesstoken_changelist")).content.decode()
    assert text not in page
    token = AccessToken.objects.get()
    assert token.matches(text.split("_", 2)[2])
    assert text.split("_", 2)[2] not in token.digest


def test_the_change_page_shows_neither_secret_nor_digest(operator: Client) -> None:
    account = make_account()
    response = operator.post(ADD, add_form(account), follow=True)
    text = secret_from([str(m) for m in response.context["messages"]])
    token = AccessToken.objects.get()
    page = operator.get(reverse("admin:accounts_accesstoken_change", args=[token.pk])).content
    assert text.encode() not in page
    assert token.digest.encode() not in page


def test_adding_a_token_with_limits(operator: Client) -> None:
    account = make_account()
    expiry = timezone.now() + datetime.timedelta(days=7)
    operator.post(
        ADD,
        add_form(
            account,
            read_only="on",
            capabilities=f"{MAIL}\nurn:ietf:params:jmap:submission\n{MAIL}",
            expires_at_0=expiry.strftime("%Y-%m-%d"),
            expires_at_1=expiry.strftime("%H:%M:%S"),
        ),
    )
    token = AccessToken.objects.get()
    assert (token.read_only, token.capabilities) == (
        True,
        [MAIL, "urn:ietf:params:jmap:submission"],
    )
    assert token.expires_at == expiry.replace(microsecond=0)


def test_adding_refuses_a_capability_that_is_not_a_uri(operator: Client) -> None:
    response = operator.post(ADD, add_form(make_account(), capabilities="mail"))
    assert response.context["adminform"].form.errors == {
        "capabilities": ["Not a capability URI: mail"]
    }
    assert not AccessToken.objects.exists()


def test_adding_refuses_an_expiry_in_the_past(operator: Client) -> None:
    response = operator.post(
        ADD, add_form(make_account(), expires_at_0="2001-01-01", expires_at_1="00:00:00")
    )
    assert response.context["adminform"].form.errors == {
        "expires_at": ["The expiry must be in the future."]
    }


def test_the_revoke_action_stops_the_selected_tokens(operator: Client) -> None:
    account = make_account()
    _, kept = AccessToken.issue(account, "kept")
    revoked, text = AccessToken.issue(account, "lost")
    response = operator.post(
        reverse("admin:accounts_accesstoken_changelist"),
        {"action": "revoke", "_selected_action": [revoked.pk]},
        follow=True,
    )
    assert [str(m) for m in response.context["messages"]] == ["Revoked 1 token(s)."]
    assert get_session(bearer(text)).status_code == 401
    assert get_session(bearer(kept)).status_code == 200


def test_revoking_again_keeps_the_first_revocation_time(operator: Client) -> None:
    token, _ = AccessToken.issue(make_account(), "lost")
    first = timezone.now() - datetime.timedelta(days=1)
    AccessToken.objects.filter(pk=token.pk).update(revoked_at=first)
    operator.post(
        reverse("admin:accounts_accesstoken_changelist"),
        {"action": "revoke", "_selected_action": [token.pk]},
    )
    assert AccessToken.objects.get().revoked_at == first


def test_the_status_filter_separates_active_expired_and_revoked(operator: Client) -> None:
    account = make_account()
    AccessToken.issue(account, "active")
    AccessToken.issue(account, "forever", expires_at=None)
    expired, _ = AccessToken.issue(account, "expired")
    revoked, _ = AccessToken.issue(account, "revoked")
    AccessToken.objects.filter(pk=expired.pk).update(
        expires_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    AccessToken.objects.filter(pk=revoked.pk).update(revoked_at=timezone.now())
    url = reverse("admin:accounts_accesstoken_changelist")

    def names(status: str) -> set[str]:
        result = operator.get(url, {"status": status}).context["cl"].result_list
        return {token.name for token in result}

    assert names("active") == {"active", "forever"}
    assert names("expired") == {"expired"}
    assert names("revoked") == {"revoked"}
