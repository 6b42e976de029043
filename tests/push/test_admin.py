"""Operators see each subscription's delivery health in admin (issue 5)."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from accounts.models import Account
from push.models import PushSubscription


@pytest.fixture
def operator(db: None) -> Client:
    user = get_user_model().objects.create_superuser("root", "root@ops.example", "unused-pw-123")
    client = Client()
    client.force_login(user)
    return client


def test_the_list_shows_host_last_success_and_last_failure_with_its_reason(
    operator: Client, account: Account
) -> None:
    PushSubscription.objects.create(
        jmap_id="Phealth",
        account=account,
        device_client_id="phone",
        url="https://fcm.googleapis.com/fcm/send/secret-device-path",
        verification_code="c",
        verified=True,
        last_success_at=timezone.now(),
        last_failure_at=timezone.now(),
        last_failure_reason="HTTP 503",
        failures=2,
    )
    page = operator.get("/admin/push/pushsubscription/").content.decode()
    assert "fcm.googleapis.com" in page
    assert "HTTP 503" in page
    assert "secret-device-path" not in page  # the URL is the user's (RFC 8620 §7.2.1)
    failing = operator.get("/admin/push/pushsubscription/?health=failing").content.decode()
    assert "Phealth" in failing


def test_the_detail_page_shows_health_but_not_the_url_or_keys(
    operator: Client, account: Account
) -> None:
    row = PushSubscription.objects.create(
        jmap_id="Pdetail",
        account=account,
        device_client_id="phone",
        url="https://push.example.net/very-private",
        p256dh="BPRIVATEKEY",
        auth="AUTHSECRET",
        verification_code="c",
    )
    page = operator.get(f"/admin/push/pushsubscription/{row.pk}/change/").content.decode()
    assert "push.example.net" in page
    assert "very-private" not in page
    assert "BPRIVATEKEY" not in page
    assert "AUTHSECRET" not in page
