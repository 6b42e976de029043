"""PushSubscription/set (RFC 8620 §7.2.2)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from accounts.models import AccessToken
from push.models import PushSubscription
from tests.factories import make_token
from tests.jmap_client import JmapClient
from tests.push.receiver import UserAgent

URL = "https://push.example.net/sub/abc"


def create_result(jmap: JmapClient, **values: Any) -> dict[str, Any]:
    args = {"deviceClientId": "device-1", "url": URL, **values}
    return jmap.call("PushSubscription/set", {"create": {"k": args}})


def utc(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_create_answers_id_keys_and_a_clamped_expiry(jmap: JmapClient) -> None:
    """§7.2.2 example: expires defaults to the server's maximum (7 days) for a password."""
    before = timezone.now().replace(microsecond=0)
    result = create_result(jmap)
    created = result["created"]["k"]
    assert set(created) == {"id", "keys", "expires", "types"}
    assert created["keys"] is None
    assert created["types"] is None
    expires = datetime.datetime.fromisoformat(created["expires"])
    assert (
        before + datetime.timedelta(days=7)
        <= expires
        <= timezone.now() + datetime.timedelta(days=7)
    )
    assert result == {
        "created": {"k": created},
        "updated": None,
        "destroyed": None,
        "notCreated": None,
        "notUpdated": None,
        "notDestroyed": None,
    }


def test_an_expiry_too_far_ahead_is_shortened(jmap: JmapClient) -> None:
    """§7.2: the maximum must be at least 48 hours; ours is 7 days."""
    far = utc(timezone.now() + datetime.timedelta(days=60))
    created = create_result(jmap, expires=far)["created"]["k"]
    assert created["expires"] != far
    near = utc(timezone.now() + datetime.timedelta(days=1))
    assert create_result(jmap, expires=near, deviceClientId="d2")["created"]["k"]["expires"] == near


def test_a_token_with_an_end_bounds_the_expiry(jmap: JmapClient) -> None:
    """§7.2: with expiring credentials the subscription must expire with them."""
    end = (timezone.now() + datetime.timedelta(days=30)).replace(microsecond=0)
    client = JmapClient(jmap.account, token=make_token(jmap.account, expires_at=end))
    created = create_result(client)["created"]["k"]
    assert created["expires"] == utc(end)


def test_keys_are_accepted_when_they_are_a_p256_point_and_a_16_octet_secret(
    jmap: JmapClient,
) -> None:
    """§7.2 keys, RFC 8291 §3."""
    created = create_result(jmap, keys=UserAgent().keys)["created"]["k"]
    assert "keys" not in created
    assert PushSubscription.objects.get(jmap_id=created["id"]).has_keys


@pytest.mark.parametrize(
    ("values", "bad"),
    [
        ({"url": "http://push.example.net/x"}, ["url"]),
        ({"url": "ftp://push.example.net/x"}, ["url"]),
        ({"url": "https://127.0.0.1/x"}, ["url"]),
        ({"url": "https://localhost/x"}, ["url"]),
        ({"url": None}, ["url"]),
        ({"deviceClientId": ""}, ["deviceClientId"]),
        ({"keys": {"p256dh": "AAAA", "auth": "AAAA"}}, ["keys"]),
        ({"keys": {"p256dh": UserAgent().keys["p256dh"]}}, ["keys"]),
        ({"types": ["Email", "NoSuchType"]}, ["types"]),
        ({"types": "Email"}, ["types"]),
        ({"expires": "tomorrow"}, ["expires"]),
        ({"verificationCode": "guess"}, ["verificationCode"]),
        ({"id": "Pmine"}, ["id"]),
        ({"colour": "red"}, ["colour"]),
    ],
)
def test_create_rejects_invalid_properties(
    jmap: JmapClient, values: dict[str, Any], bad: list[str]
) -> None:
    """§7.2: url must be https; keys, types, expires well-formed; verificationCode null."""
    result = create_result(jmap, **values)
    assert result["created"] is None
    error = result["notCreated"]["k"]
    assert error["type"] == "invalidProperties"
    assert error["properties"] == bad


def test_http_urls_are_allowed_only_when_the_operator_says_so(
    jmap: JmapClient, settings: Any
) -> None:
    """MAILYARD_PUSH_ALLOW_HTTP=1 allows http:// (tests, closed networks)."""
    settings.MAILYARD_PUSH_ALLOW_HTTP = True
    result = create_result(jmap, url="http://127.0.0.1:9/push")
    assert result["created"] is not None


def test_set_takes_neither_account_id_nor_if_in_state(jmap: JmapClient) -> None:
    """§7.2.2."""
    assert (
        jmap.call_error("PushSubscription/set", {"accountId": jmap.account_id})
        == "invalidArguments"
    )
    assert jmap.call_error("PushSubscription/set", {"ifInState": "x"}) == "invalidArguments"


def test_a_wrong_verification_code_is_rejected(jmap: JmapClient) -> None:
    """§7.2.2: an invalid code MUST be rejected with invalidProperties."""
    created = create_result(jmap)["created"]["k"]
    result = jmap.call(
        "PushSubscription/set", {"update": {created["id"]: {"verificationCode": "nope"}}}
    )
    assert result["notUpdated"][created["id"]]["type"] == "invalidProperties"
    assert result["notUpdated"][created["id"]]["properties"] == ["verificationCode"]
    assert not PushSubscription.objects.get(jmap_id=created["id"]).verified


def test_the_right_verification_code_verifies_the_subscription(jmap: JmapClient) -> None:
    """§7.2.2: then /get shows the code the client set."""
    created = create_result(jmap)["created"]["k"]
    code = PushSubscription.objects.get(jmap_id=created["id"]).verification_code
    result = jmap.call(
        "PushSubscription/set", {"update": {created["id"]: {"verificationCode": code}}}
    )
    assert result["updated"] == {created["id"]: None}
    listed = jmap.call("PushSubscription/get", {"properties": ["verificationCode"]})["list"]
    assert listed == [{"id": created["id"], "verificationCode": code}]


def test_url_keys_and_device_client_id_are_immutable(jmap: JmapClient) -> None:
    """§7.2.2: url and keys are immutable."""
    created = create_result(jmap)["created"]["k"]
    for patch in (
        {"url": "https://push.example.net/other"},
        {"keys": None},
        {"deviceClientId": "x"},
    ):
        result = jmap.call("PushSubscription/set", {"update": {created["id"]: patch}})
        assert result["notUpdated"][created["id"]]["type"] == "invalidProperties"


def test_expires_and_types_can_be_updated_and_the_server_may_adjust_expires(
    jmap: JmapClient,
) -> None:
    """§7.2.2: "The server MAY modify the proposed new expiry time"."""
    created = create_result(jmap)["created"]["k"]
    far = utc(timezone.now() + datetime.timedelta(days=90))
    result = jmap.call(
        "PushSubscription/set", {"update": {created["id"]: {"expires": far, "types": ["Email"]}}}
    )
    granted = result["updated"][created["id"]]["expires"]
    assert granted != far
    got = jmap.call("PushSubscription/get", {"properties": ["expires", "types"]})["list"]
    assert got == [{"id": created["id"], "expires": granted, "types": ["Email"]}]


def test_destroy_erases_the_subscription(jmap: JmapClient) -> None:
    """§7.2: when destroyed, the URL and keys are erased."""
    created = create_result(jmap, keys=UserAgent().keys)["created"]["k"]
    result = jmap.call("PushSubscription/set", {"destroy": [created["id"], "Pnope"]})
    assert result["destroyed"] == [created["id"]]
    assert result["notDestroyed"]["Pnope"]["type"] == "notFound"
    assert not PushSubscription.objects.filter(jmap_id=created["id"]).exists()


def test_another_credential_cannot_update_or_destroy_it(jmap: JmapClient) -> None:
    created = create_result(jmap)["created"]["k"]
    other = JmapClient(jmap.account, token=make_token(jmap.account))
    result = other.call(
        "PushSubscription/set",
        {"update": {created["id"]: {"types": None}}, "destroy": [created["id"]]},
    )
    assert result["notUpdated"][created["id"]]["type"] == "notFound"
    assert result["notDestroyed"][created["id"]]["type"] == "notFound"


def test_revoking_the_token_destroys_its_subscriptions(jmap: JmapClient) -> None:
    """§7.2: "Should these credentials expire or be revoked, the push subscription MUST be destroyed"."""
    text = make_token(jmap.account)
    client = JmapClient(jmap.account, token=text)
    create_result(client)
    token = AccessToken.objects.get(key=AccessToken.parse(text)[0])  # type: ignore[index]
    token.revoked_at = timezone.now()
    token.save()
    assert not PushSubscription.objects.exists()


def test_the_purge_removes_subscriptions_of_tokens_revoked_in_bulk(jmap: JmapClient) -> None:
    """Revocation by queryset update (admin action, revoketoken) sends no signal; purge catches it."""
    from push import delivery

    text = make_token(jmap.account)
    create_result(JmapClient(jmap.account, token=text))
    AccessToken.objects.filter(key=AccessToken.parse(text)[0]).update(revoked_at=timezone.now())  # type: ignore[index]
    create_result(jmap, deviceClientId="kept")
    assert delivery.purge() == 1
    assert list(PushSubscription.objects.values_list("device_client_id", flat=True)) == ["kept"]


def test_the_purge_removes_expired_subscriptions(jmap: JmapClient) -> None:
    from push import delivery

    created = create_result(jmap)["created"]["k"]
    PushSubscription.objects.filter(jmap_id=created["id"]).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    assert delivery.purge() == 1


def test_a_creation_id_can_be_referenced_in_update(jmap: JmapClient) -> None:
    """RFC 8620 §5.3: "#creationId" in update keys."""
    result = jmap.request(
        [
            ["PushSubscription/set", {"create": {"k": {"deviceClientId": "d", "url": URL}}}, "0"],
            ["PushSubscription/set", {"update": {"#k": {"types": ["Email"]}}}, "1"],
        ]
    )
    assert result.sentence(1)[1]["updated"] == {"#k": None}
