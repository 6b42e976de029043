"""PushSubscription/get (RFC 8620 §7.2.1)."""

from __future__ import annotations

from typing import Any

import pytest

from accounts.models import Account
from tests.factories import PASSWORD, make_token
from tests.jmap_client import JmapClient

URL = "https://push.example.net/sub/abc"


def create(jmap: JmapClient, **values: Any) -> dict[str, Any]:
    args = {"deviceClientId": "device-1", "url": URL, **values}
    result = jmap.call("PushSubscription/set", {"create": {"k": args}})
    assert result["created"], result
    return dict(result["created"]["k"])


def test_get_returns_every_subscription_without_url_and_keys(jmap: JmapClient) -> None:
    """§7.2.1: no accountId, no state; properties null means all but url and keys."""
    created = create(jmap, types=["Email", "Mailbox"])
    assert jmap.call("PushSubscription/get", {"ids": None}) == {
        "list": [
            {
                "id": created["id"],
                "deviceClientId": "device-1",
                "verificationCode": None,
                "expires": created["expires"],
                "types": ["Email", "Mailbox"],
            }
        ],
        "notFound": [],
    }


@pytest.mark.parametrize("private", ["url", "keys"])
def test_asking_for_url_or_keys_is_forbidden(jmap: JmapClient, private: str) -> None:
    """§7.2.1: explicitly requesting url or keys MUST be rejected with forbidden."""
    create(jmap)
    assert jmap.call_error("PushSubscription/get", {"properties": ["id", private]}) == "forbidden"


def test_get_reports_unknown_ids_as_not_found(jmap: JmapClient) -> None:
    created = create(jmap)
    result = jmap.call(
        "PushSubscription/get", {"ids": [created["id"], "Pnope"], "properties": ["id"]}
    )
    assert result == {"list": [{"id": created["id"]}], "notFound": ["Pnope"]}


def test_get_rejects_an_account_id(jmap: JmapClient) -> None:
    """§7.2.1: the method does not take an accountId."""
    error = jmap.call_error("PushSubscription/get", {"accountId": jmap.account_id})
    assert error == "invalidArguments"


def test_only_subscriptions_of_the_same_credentials_are_returned(account: Account) -> None:
    """§7.2.1: subscriptions made with a token are not seen with the password, and vice versa."""
    with_password = JmapClient(account, PASSWORD)
    with_token = JmapClient(account, token=make_token(account))
    mine = create(with_token)
    create(with_password)
    listed = with_token.call("PushSubscription/get", {"properties": ["id"]})["list"]
    assert listed == [{"id": mine["id"]}]


def test_another_account_never_sees_the_subscription(
    jmap: JmapClient, other_jmap: JmapClient
) -> None:
    created = create(jmap)
    result = other_jmap.call("PushSubscription/get", {"ids": [created["id"]]})
    assert result == {"list": [], "notFound": [created["id"]]}


def test_a_password_change_ends_the_subscriptions_made_with_it(jmap: JmapClient) -> None:
    """§7.2: subscriptions are tied to the credentials that created them."""
    create(jmap)
    jmap.account.set_password("a whole new password")
    jmap.account.save()
    fresh = JmapClient(jmap.account, "a whole new password")
    assert fresh.call("PushSubscription/get", {})["list"] == []
