"""Push for accounts shared with the user (accounts.AccountAccess): a StateChange maps each
account id to its changed types (RFC 8620 §7.1), so a shared account's changes reach the user's
EventSource (§7.3) and WebSocket (RFC 8887 §4.3.5) like its own."""

from __future__ import annotations

import json

import pytest

from accounts.models import AccountAccess
from tests.factories import make_account, make_token, share
from tests.push.changes import create_draft, states
from tests.push.conftest import LiveUser
from tests.push.server import Server
from tests.push.sse import EventStream
from tests.push.test_websocket import receive, socket

IDENTITY_SET = "urn:ietf:params:jmap:submission"


@pytest.fixture
def colleague(user: LiveUser) -> LiveUser:
    """An account of the user's tenant, shared read-only with the user (committed)."""
    account = make_account(tenant=user.account.tenant)
    share(account, user.account)
    return LiveUser(account, make_token(account))


def url(server: Server) -> str:
    return f"{server.base}/jmap/eventsource/?types=*&closeafter=no&ping=0"


def test_a_change_in_a_shared_account_reaches_the_event_source(
    server: Server, user: LiveUser, colleague: LiveUser
) -> None:
    """RFC 8620 §7.1 changed: "A map of an account id to an object encoding the state of data
    types that have changed for that account"; the states are what Foo/get says to the user."""
    theirs = colleague.account.jmap_id
    stream = EventStream(url(server), {"Authorization": user.auth})
    try:
        stream.next()
        create_draft(server, colleague.auth, theirs)
        event = stream.next_named("state")
        assert list(event.json()["changed"]) == [theirs]
        now = states(server, user.auth, theirs, "Email", "Mailbox", "Thread")
        changed = event.json()["changed"][theirs]
        assert {name: changed[name] for name in now} == now
    finally:
        stream.close()


def test_a_reconnecting_event_source_gets_what_a_shared_account_missed(
    server: Server, user: LiveUser, colleague: LiveUser
) -> None:
    """RFC 8620 §7.3 Last-Event-ID: the id encodes the state of every account the user sees."""
    theirs = colleague.account.jmap_id
    first = EventStream(url(server), {"Authorization": user.auth})
    last_id = first.next().id
    first.close()
    assert last_id
    create_draft(server, colleague.auth, theirs)
    now = states(server, user.auth, theirs, "Email")
    again = EventStream(url(server), {"Authorization": user.auth, "Last-Event-ID": last_id})
    try:
        event = again.next()
        assert event.event == "state"
        assert list(event.json()["changed"]) == [theirs]
        assert event.json()["changed"][theirs]["Email"] == now["Email"]
    finally:
        again.close()


def test_a_shared_accounts_change_reaches_the_websocket(
    server: Server, user: LiveUser, colleague: LiveUser
) -> None:
    """RFC 8887 §4.3.5: StateChange with pushState after WebSocketPushEnable."""
    theirs = colleague.account.jmap_id
    with socket(server, user) as ws:
        ws.send(json.dumps({"@type": "WebSocketPushEnable", "dataTypes": ["Email"]}))
        create_draft(server, colleague.auth, theirs)
        push = receive(ws)
        assert push == {
            "@type": "StateChange",
            "changed": {theirs: states(server, user.auth, theirs, "Email")},
            "pushState": push["pushState"],
        }


def test_a_revoked_share_is_not_followed_and_submission_types_never_are(
    server: Server, user: LiveUser, colleague: LiveUser
) -> None:
    """A connection follows the accounts of the user's session: not a revoked share, and in a
    shared account not the types of capabilities the session does not offer there (RFC 8620
    §7.3: "The server MUST only push changes for the types in this list")."""
    other = make_account(tenant=user.account.tenant)
    share(other, user.account, may_write=True)
    AccountAccess.objects.filter(owner=colleague.account).delete()
    other_auth = f"Bearer {make_token(other)}"
    stream = EventStream(url(server), {"Authorization": user.auth})
    try:
        stream.next()
        create_draft(server, colleague.auth, colleague.account.jmap_id)
        identity = {"name": "Other", "email": other.address}
        responses = server.api(
            other_auth,
            [["Identity/set", {"accountId": other.jmap_id, "create": {"i": identity}}, "0"]],
            using=["urn:ietf:params:jmap:core", IDENTITY_SET],
        )
        assert responses[0][1]["created"], responses
        try:
            event = stream.next(timeout=1.5)
        except AssertionError:
            return
        raise AssertionError(f"unexpected event {event}")
    finally:
        stream.close()
