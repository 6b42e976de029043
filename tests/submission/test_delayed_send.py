"""Delayed send with FUTURERELEASE (RFC 4865; RFC 8621 §1.3.2 maxDelayedSend, §7 sendAt and
undoStatus): the message waits, and cancelling it before it leaves stops it."""

from __future__ import annotations

import datetime
import time
from typing import Any

from jmap_mail.vacation import parse_utc_date
from submission.models import OutboundRecipient
from submission.tasks import sweep_outbound
from tests.jmap_client import JmapClient
from tests.submission.helpers import draft, get_submission, not_created, submitted
from tests.submission.peers import Relay, wait_until


def _envelope(jmap: JmapClient, to: str, **params: str) -> dict[str, Any]:
    return {
        "mailFrom": {"email": jmap.account.address, "parameters": params or None},
        "rcptTo": [{"email": to, "parameters": None}],
    }


def test_the_session_advertises_futurerelease_and_max_delayed_send(jmap: JmapClient) -> None:
    """RFC 8621 §1.3.2; RFC 4865 §3: interval and latest release time."""
    value = jmap.session()["accounts"][jmap.account_id]["accountCapabilities"][
        "urn:ietf:params:jmap:submission"
    ]
    assert value["maxDelayedSend"] == 7 * 86400
    interval, latest = value["submissionExtensions"]["FUTURERELEASE"]
    assert interval == str(7 * 86400)
    assert parse_utc_date(latest) > datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=6)


def test_holdfor_sets_send_at_and_nothing_leaves_before_it(
    jmap: JmapClient, relay: Relay, worker: object
) -> None:
    before = datetime.datetime.now(datetime.UTC)
    envelope = _envelope(jmap, "friend@elsewhere.example", HOLDFOR="600")
    created = submitted(jmap, draft(jmap), envelope=envelope)
    send_at = parse_utc_date(created["sendAt"])
    assert before + datetime.timedelta(seconds=599) <= send_at
    assert send_at <= before + datetime.timedelta(seconds=602)
    assert created["undoStatus"] == "pending"
    assert sweep_outbound() == 0
    time.sleep(0.3)
    assert relay.messages == []
    assert get_submission(jmap, created["id"])["deliveryStatus"]["friend@elsewhere.example"] == {
        "smtpReply": "250 2.1.5 Queued",
        "delivered": "queued",
        "displayed": "unknown",
    }


def test_cancelling_a_delayed_send_stops_it(
    jmap: JmapClient, relay: Relay, worker: object, settings: Any
) -> None:
    """RFC 8621 §7: pending → canceled; the message reaches no recipient."""
    envelope = _envelope(jmap, "friend@elsewhere.example", HOLDFOR="1")
    created = submitted(jmap, draft(jmap), envelope=envelope)
    result = jmap.call(
        "EmailSubmission/set", {"update": {created["id"]: {"undoStatus": "canceled"}}}
    )
    assert result["updated"] == {
        created["id"]: {
            "deliveryStatus": {
                "friend@elsewhere.example": {
                    "smtpReply": "550 5.0.0 Canceled by the sender before it was sent",
                    "delivered": "no",
                    "displayed": "unknown",
                }
            }
        }
    }
    assert get_submission(jmap, created["id"])["undoStatus"] == "canceled"
    time.sleep(1.1)
    assert sweep_outbound() == 0
    time.sleep(0.3)
    assert relay.messages == []
    assert OutboundRecipient.objects.get().state == "canceled"


def test_a_released_delayed_send_goes_out_when_its_time_comes(
    jmap: JmapClient, relay: Relay, worker: object
) -> None:
    envelope = _envelope(jmap, "friend@elsewhere.example", HOLDFOR="1")
    created = submitted(jmap, draft(jmap), envelope=envelope)
    time.sleep(1.1)
    assert sweep_outbound() == 1
    wait_until(lambda: relay.messages)
    assert b"HOLDFOR" not in relay.messages[0].data
    assert not any("HOLD" in o for o in relay.messages[0].mail_options)
    wait_until(lambda: get_submission(jmap, created["id"])["undoStatus"] == "final")


def test_a_sent_message_cannot_be_unsent(jmap: JmapClient, relay: Relay, worker: object) -> None:
    """RFC 8621 §7.5 cannotUnsend."""
    created = submitted(jmap, draft(jmap))
    wait_until(lambda: get_submission(jmap, created["id"])["undoStatus"] == "final")
    result = jmap.call(
        "EmailSubmission/set", {"update": {created["id"]: {"undoStatus": "canceled"}}}
    )
    assert result["notUpdated"][created["id"]]["type"] == "cannotUnsend"


def test_holduntil_gives_the_release_time(jmap: JmapClient) -> None:
    """RFC 4865 §4: HOLDUNTIL is an RFC 3339 date-time."""
    when = (datetime.datetime.now(datetime.UTC) + datetime.timedelta(hours=2)).replace(
        microsecond=0
    )
    envelope = _envelope(
        jmap, "friend@elsewhere.example", HOLDUNTIL=when.strftime("%Y-%m-%dT%H:%M:%SZ")
    )
    created = submitted(jmap, draft(jmap), envelope=envelope)
    assert parse_utc_date(created["sendAt"]) == when


def test_a_hold_longer_than_max_delayed_send_is_refused(jmap: JmapClient) -> None:
    envelope = _envelope(jmap, "friend@elsewhere.example", HOLDFOR=str(8 * 86400))
    error = not_created(jmap, draft(jmap), envelope=envelope)
    assert (error["type"], error["properties"]) == ("invalidProperties", ["envelope"])
