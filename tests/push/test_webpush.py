"""Web Push end to end (RFC 8620 §7.2, RFC 8030, RFC 8291, RFC 8292, RFC 9749).

A real daphne serves the API; a real HTTP receiver on loopback plays the push service and the
user agent: it checks the VAPID JWT of every request and decrypts the RFC 8291 payload.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from django.utils import timezone

from accounts.models import AccessToken
from push.models import PushSubscription
from tests.push.changes import create_draft, mailbox_id, states
from tests.push.conftest import LiveUser
from tests.push.receiver import Receiver, UserAgent
from tests.push.server import Server

VAPID = "urn:ietf:params:jmap:webpush-vapid"


def subscribe(server: Server, user: LiveUser, url: str, **values: Any) -> str:
    create = {"deviceClientId": "phone", "url": url, **values}
    responses = server.api(user.auth, [["PushSubscription/set", {"create": {"k": create}}, "0"]])
    return str(responses[0][1]["created"]["k"]["id"])


def verify(
    server: Server, user: LiveUser, receiver: Receiver, subscription_id: str, code: str = ""
) -> None:
    """Set the code from the PushVerification the receiver got (or the one given)."""
    code = code or receiver.next().payload["verificationCode"]
    update = {subscription_id: {"verificationCode": code}}
    responses = server.api(user.auth, [["PushSubscription/set", {"update": update}, "0"]])
    assert responses[0][1]["updated"] == {subscription_id: None}


def test_an_encrypted_state_change_reaches_the_push_service(
    server: Server, user: LiveUser, receiver: Receiver
) -> None:
    """Verification first (§7.2.2), then the StateChange (§7.1), both VAPID-signed and encrypted."""
    agent = UserAgent()
    url = receiver.url("/push/phone", agent)
    subscription_id = subscribe(server, user, url, keys=agent.keys, types=["Email", "Mailbox"])
    verification = receiver.next()
    assert verification.payload["@type"] == "PushVerification"
    assert verification.payload["pushSubscriptionId"] == subscription_id
    assert len(verification.payload["verificationCode"]) >= 32
    key = server.session(user.auth)["capabilities"][VAPID]["applicationServerKey"]
    assert verification.vapid_key == key  # RFC 9749 §4: the advertised key signs every push
    verify(server, user, receiver, subscription_id, verification.payload["verificationCode"])

    create_draft(server, user.auth, user.account.jmap_id)
    push = receiver.next()
    now = states(server, user.auth, user.account.jmap_id, "Email", "Mailbox")
    assert push.payload == {"@type": "StateChange", "changed": {user.account.jmap_id: now}}
    assert push.vapid_key == key
    assert push.headers["Content-Encoding"] == "aes128gcm"
    assert int(push.headers["TTL"]) > 0
    assert push.headers["Urgency"] == "normal"

    def healthy() -> bool:
        row = PushSubscription.objects.get(jmap_id=subscription_id)
        return row.failures == 0 and row.last_success_at is not None and not row.pending_types

    eventually(healthy)


def test_nothing_but_the_verification_is_sent_before_the_code_is_set(
    server: Server, user: LiveUser, receiver: Receiver
) -> None:
    """§7.2: "MUST NOT make any further requests to the URL until" verified."""
    subscribe(server, user, receiver.url("/push/unverified"))
    assert receiver.next().payload["@type"] == "PushVerification"
    create_draft(server, user.auth, user.account.jmap_id)
    assert receiver.nothing(wait=1.5)


def test_without_keys_the_state_change_goes_as_plain_json(
    server: Server, user: LiveUser, receiver: Receiver
) -> None:
    """§7.2: application/json when the client gave no keys."""
    subscription_id = subscribe(server, user, receiver.url("/push/plain"), types=["Email"])
    verify(server, user, receiver, subscription_id)
    create_draft(server, user.auth, user.account.jmap_id)
    push = receiver.next()
    assert push.headers["Content-Type"] == "application/json"
    assert set(push.payload["changed"][user.account.jmap_id]) == {"Email"}


def test_a_5xx_is_retried_with_backoff_and_recorded(
    server: Server, user: LiveUser, receiver: Receiver
) -> None:
    """Retries on 5xx with back-off; the failure and its reason are kept for operators."""
    subscription_id = subscribe(server, user, receiver.url("/push/flaky"))
    verify(server, user, receiver, subscription_id)
    receiver.statuses = [503]
    create_draft(server, user.auth, user.account.jmap_id)
    first = receiver.next()
    started = time.monotonic()
    second = receiver.next()
    assert time.monotonic() - started >= 0.7  # MAILYARD_PUSH_RETRY_SECONDS=1, ±20 % jitter
    assert second.payload["changed"] == first.payload["changed"]

    def recorded() -> bool:
        row = PushSubscription.objects.get(jmap_id=subscription_id)
        assert row.last_failure_reason == "HTTP 503"
        assert row.last_failure_at is not None
        return (
            row.failures == 0
            and row.last_success_at is not None
            and row.last_success_at > row.last_failure_at
        )

    eventually(recorded)


def test_a_429_waits_at_least_retry_after(
    server: Server, user: LiveUser, receiver: Receiver
) -> None:
    """§7.2: a 429 MUST reduce the frequency of pushes."""
    subscription_id = subscribe(server, user, receiver.url("/push/busy"))
    verify(server, user, receiver, subscription_id)
    receiver.statuses = [429]
    receiver.retry_after = "2"
    create_draft(server, user.auth, user.account.jmap_id)
    receiver.next()
    started = time.monotonic()
    receiver.next(timeout=15)
    assert time.monotonic() - started >= 1.9


def test_a_410_removes_the_subscription(server: Server, user: LiveUser, receiver: Receiver) -> None:
    """RFC 8030 §7.3: 404/410 mean the push resource is gone."""
    subscription_id = subscribe(server, user, receiver.url("/push/gone"))
    verify(server, user, receiver, subscription_id)
    receiver.statuses = [410]
    create_draft(server, user.auth, user.account.jmap_id)
    receiver.next()
    eventually(lambda: not PushSubscription.objects.filter(jmap_id=subscription_id).exists())


def test_a_burst_of_changes_is_coalesced(
    server: Server, user: LiveUser, receiver: Receiver
) -> None:
    """Bursts become one StateChange per interval, carrying the newest states (§7.1)."""
    subscription_id = subscribe(server, user, receiver.url("/push/burst"), types=["Email"])
    verify(server, user, receiver, subscription_id)
    drafts = mailbox_id(server, user.auth, user.account.jmap_id, "drafts")
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(
            pool.map(
                lambda n: create_draft(
                    server, user.auth, user.account.jmap_id, f"burst {n}", drafts
                ),
                range(8),
            )
        )
    now = states(server, user.auth, user.account.jmap_id, "Email")
    seen = [receiver.next().payload]
    while seen[-1]["changed"][user.account.jmap_id]["Email"] != now["Email"]:
        seen.append(receiver.next().payload)
    assert len(seen) < 8


def test_expired_subscriptions_get_nothing_and_are_removed(
    server: Server, user: LiveUser, receiver: Receiver
) -> None:
    """§7.2 expires: "the JMAP server MUST NOT make further requests to this resource"."""
    subscription_id = subscribe(server, user, receiver.url("/push/old"))
    verify(server, user, receiver, subscription_id)
    PushSubscription.objects.filter(jmap_id=subscription_id).update(expires_at=timezone.now())
    create_draft(server, user.auth, user.account.jmap_id)
    assert receiver.nothing(wait=1.5)
    assert not PushSubscription.objects.filter(jmap_id=subscription_id).exists()


def test_a_revoked_token_gets_nothing_and_its_subscription_is_removed(
    server: Server, user: LiveUser, other_user: LiveUser, receiver: Receiver
) -> None:
    """§7.2: tied to the credentials; revoked credentials end the subscription."""
    subscription_id = subscribe(server, user, receiver.url("/push/revoked"))
    verify(server, user, receiver, subscription_id)
    AccessToken.objects.filter(account=user.account).update(revoked_at=timezone.now())
    fresh = LiveUser(user.account, _new_token(user))
    create_draft(server, fresh.auth, user.account.jmap_id)
    assert receiver.nothing(wait=1.5)
    assert not PushSubscription.objects.filter(jmap_id=subscription_id).exists()


def eventually(check: Callable[[], bool], timeout: float = 10.0) -> None:
    """Wait for the server process to record what it did after answering the receiver."""
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "never happened"
        time.sleep(0.05)


def _new_token(user: LiveUser) -> str:
    from tests.factories import make_token

    return make_token(user.account)
