"""Change fan-out: committed changes become StateChange messages (RFC 8620 §7.1; issue 5)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from django.db import connection, transaction

from accounts.models import Account
from jmap_core import state
from push import events
from push.fanout import Coalescer, publisher
from tests.factories import make_account, make_email, message


def test_the_first_change_of_a_quiet_account_is_due_at_once() -> None:
    coalescer = Coalescer(interval=0.2)
    assert coalescer.add(1, "a1", {"Email": state.encode_state(5)}, now=10.0) == 10.0
    assert coalescer.pop_due(10.0) == [(1, "a1", {"Email": state.encode_state(5)})]


def test_a_burst_becomes_one_message_per_interval_with_the_newest_states() -> None:
    coalescer = Coalescer(interval=0.2)
    coalescer.add(1, "a1", {"Email": state.encode_state(5)}, now=10.0)
    coalescer.pop_due(10.0)
    assert coalescer.add(1, "a1", {"Email": state.encode_state(7)}, now=10.05) == pytest.approx(
        10.2
    )
    coalescer.add(
        1, "a1", {"Email": state.encode_state(6), "Mailbox": state.encode_state(6)}, now=10.1
    )
    assert coalescer.pop_due(10.19) == []
    assert coalescer.pop_due(10.2) == [
        (1, "a1", {"Email": state.encode_state(7), "Mailbox": state.encode_state(6)})
    ]


def test_accounts_are_throttled_independently() -> None:
    coalescer = Coalescer(interval=0.2)
    coalescer.add(1, "a1", {"Email": "s1"}, now=10.0)
    coalescer.pop_due(10.0)
    assert coalescer.add(2, "a2", {"Email": "s1"}, now=10.01) == 10.01


def test_push_state_tokens_round_trip_and_reject_foreign_values() -> None:
    """RFC 8620 §7.3 event ids / RFC 8887 pushState: opaque to clients, parsed by us."""
    token = events.encode_token({"Email": 1234567, "Mailbox": 0})
    assert events.decode_token(token) == {"Email": 1234567, "Mailbox": 0}
    for bad in (None, "", "p2.Email:1", "p1.Email", "p1.Em ail:1", "p1.Email:-1", "x" * 3000):
        assert events.decode_token(bad) is None


def test_a_tracker_reports_only_news_for_followed_types() -> None:
    tracker = events.Tracker("a1", frozenset({"Email"}), {"Email": 5})
    assert (
        tracker.absorb("a1", {"Email": state.encode_state(5), "Mailbox": state.encode_state(9)})
        == {}
    )
    assert tracker.absorb("a2", {"Email": state.encode_state(7)}) == {}
    assert tracker.absorb("a1", {"Email": state.encode_state(6)}) == {
        "Email": state.encode_state(6)
    }
    assert events.decode_token(tracker.token()) == {"Email": 6}


def test_a_tracker_finds_what_changed_since_a_token() -> None:
    """RFC 8620 §7.3: a reconnecting client gets the types that moved while it was away."""
    tracker = events.Tracker("a1", None)
    current = {"Email": 9, "Mailbox": 4, "Thread": 0}
    assert tracker.missed(current, {"Email": 7, "Mailbox": 4}) == {"Email": state.encode_state(9)}
    assert tracker.missed(current, None) == {}
    assert tracker.known == current


def test_push_state_tokens_carry_every_followed_account() -> None:
    """RFC 8620 §7.3: the event id "encodes the entire server state visible to the user", which
    includes the accounts shared with it; the user's own part reads as a one-account token."""
    modseqs = {"aown": {"Email": 9, "Mailbox": 2}, "ashared": {"Email": 40}, "aquiet": {}}
    token = events.encode_tokens("aown", modseqs)
    assert token == "p1.Email:9.Mailbox:2~aquiet~ashared.Email:14"
    assert events.decode_tokens(token, "aown") == modseqs
    assert events.decode_tokens("p1.Email:9", "aown") == {"aown": {"Email": 9}}
    for bad in ("p1~", "p1~a b.Email:1", "p1~ashared.", "p1~ashared.Email", "x~aown"):
        assert events.decode_tokens(bad, "aown") is None, bad


def test_following_finds_what_changed_in_each_account_since_a_token() -> None:
    """A shared account the token does not mention (shared since) counts as all news."""
    following = events.Following(
        "aown", {"aown": events.Tracker("aown", None), "ashared": events.Tracker("ashared", None)}
    )
    current = {"aown": {"Email": 9, "Mailbox": 4}, "ashared": {"Email": 3, "Thread": 0}}
    assert following.missed(current, {"aown": {"Email": 9, "Mailbox": 4}}) == {
        "ashared": {"Email": state.encode_state(3)}
    }
    assert following.absorb("ashared", {"Email": state.encode_state(5)}) == {
        "Email": state.encode_state(5)
    }
    assert following.absorb("astranger", {"Email": state.encode_state(5)}) == {}
    assert events.decode_tokens(following.token(), "aown") == {
        "aown": {"Email": 9, "Mailbox": 4},
        "ashared": {"Email": 5, "Thread": 0},
    }


@pytest_asyncio.fixture
async def thread_connections() -> AsyncIterator[None]:
    """sync_to_async work runs on one shared thread; close its connection so the test database can go."""
    yield

    def close() -> None:
        connection.close()  # resolved on the worker thread: its own connection

    await sync_to_async(close)()


async def listen(account: Account) -> str:
    layer = get_channel_layer()
    channel: str = await layer.new_channel()
    await layer.group_add(events.group_name(account.pk), channel)
    publisher.attach(asyncio.get_running_loop())
    return channel


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_a_committed_change_is_published_to_the_accounts_group(
    thread_connections: None,
) -> None:
    """The StateChange states are what Foo/get returns after the commit (RFC 8620 §7.1)."""
    account = await sync_to_async(make_account)()
    channel = await listen(account)
    await sync_to_async(make_email)(account, message())
    received = await asyncio.wait_for(get_channel_layer().receive(channel), 5)
    expected = await sync_to_async(state.states)(account, received["changed"])
    assert received == {
        "type": "push.state",
        "pk": account.pk,
        "account": account.jmap_id,
        "changed": expected,
    }
    assert {"Email", "Mailbox", "Thread"} <= set(expected)


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_rolled_back_work_publishes_nothing(thread_connections: None) -> None:
    """Never for rolled-back work (STYLE §6, issue 5)."""
    account = await sync_to_async(make_account)()
    channel = await listen(account)

    def change_then_fail() -> None:
        with transaction.atomic():
            make_email(account, message())
            raise RuntimeError("roll back")

    with pytest.raises(RuntimeError):
        await sync_to_async(change_then_fail)()
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(get_channel_layer().receive(channel), 0.6)
