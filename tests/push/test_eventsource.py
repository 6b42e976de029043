"""The event source (RFC 8620 §7.3) served by daphne, read with an httpx streaming client."""

from __future__ import annotations

from tests.push.changes import create_draft, states
from tests.push.conftest import LiveUser
from tests.push.server import Server
from tests.push.sse import EventStream


def url(server: Server, types: str = "*", closeafter: str = "no", ping: str = "0") -> str:
    return f"{server.base}/jmap/eventsource/?types={types}&closeafter={closeafter}&ping={ping}"


def test_an_email_set_in_another_request_arrives_as_a_state_event(
    server: Server, user: LiveUser
) -> None:
    """§7.3: event "state" with the StateChange (§7.1) as data; states equal Foo/get's."""
    stream = EventStream(url(server), {"Authorization": user.auth})
    try:
        assert stream.status == 200
        opening = stream.next()
        assert opening.event is None
        assert opening.id
        create_draft(server, user.auth, user.account.jmap_id)
        event = stream.next_named("state")
        now = states(server, user.auth, user.account.jmap_id, "Email", "Mailbox", "Thread")
        assert event.json() == {
            "@type": "StateChange",
            "changed": {user.account.jmap_id: event.json()["changed"][user.account.jmap_id]},
        }
        changed = event.json()["changed"][user.account.jmap_id]
        for name in ("Email", "Mailbox", "Thread"):
            assert changed[name] == now[name]
        assert event.id
        assert event.id != opening.id
    finally:
        stream.close()


def test_the_stream_is_not_buffered_or_cached_and_allows_other_origins(
    server: Server, user: LiveUser
) -> None:
    """§7.3 text/event-stream; proxies must not buffer it (X-Accel-Buffering)."""
    stream = EventStream(
        url(server), {"Authorization": user.auth, "Origin": "https://webmail.example"}
    )
    try:
        headers = stream.response_headers
        assert headers["content-type"].startswith("text/event-stream")
        assert headers["cache-control"] == "no-cache"
        assert headers["x-accel-buffering"] == "no"
        assert headers["access-control-allow-origin"] == "*"
    finally:
        stream.close()


def test_only_the_requested_types_are_pushed(server: Server, user: LiveUser) -> None:
    """§7.3: "The server MUST only push changes for the types in this list"."""
    stream = EventStream(url(server, types="Mailbox,Identity"), {"Authorization": user.auth})
    try:
        stream.next()
        create_draft(server, user.auth, user.account.jmap_id)
        changed = stream.next_named("state").json()["changed"][user.account.jmap_id]
        assert set(changed) == {"Mailbox"}
    finally:
        stream.close()


def test_closeafter_state_ends_the_response_after_one_state_event(
    server: Server, user: LiveUser
) -> None:
    """§7.3 closeafter=state."""
    stream = EventStream(url(server, closeafter="state"), {"Authorization": user.auth})
    try:
        stream.next()
        create_draft(server, user.auth, user.account.jmap_id)
        assert stream.next_named("state").event == "state"
        assert stream.ended()
    finally:
        stream.close()


def test_pings_carry_the_interval_and_no_id(server: Server, user: LiveUser) -> None:
    """§7.3 ping: data {"interval": N}; "This MUST NOT set a new event id"."""
    stream = EventStream(url(server, ping="1"), {"Authorization": user.auth})
    try:
        opening = stream.next()
        ping = stream.next(timeout=5)
        assert ping.event == "ping"
        assert ping.json() == {"interval": 1}
        assert ping.id == opening.id
    finally:
        stream.close()


def test_a_client_that_reconnects_with_last_event_id_gets_what_it_missed(
    server: Server, user: LiveUser
) -> None:
    """§7.3: Last-Event-ID lets the server send the changes missed while away, at once."""
    first = EventStream(url(server), {"Authorization": user.auth})
    last_id = first.next().id
    first.close()
    assert last_id
    create_draft(server, user.auth, user.account.jmap_id)
    now = states(server, user.auth, user.account.jmap_id, "Email")
    again = EventStream(url(server), {"Authorization": user.auth, "Last-Event-ID": last_id})
    try:
        event = again.next()
        assert event.event == "state"
        assert event.json()["changed"][user.account.jmap_id]["Email"] == now["Email"]
    finally:
        again.close()


def test_a_client_that_missed_nothing_gets_no_state_event_on_reconnect(
    server: Server, user: LiveUser
) -> None:
    first = EventStream(url(server), {"Authorization": user.auth})
    last_id = first.next().id
    first.close()
    again = EventStream(url(server), {"Authorization": user.auth, "Last-Event-ID": last_id or ""})
    try:
        assert again.next().event is None
    finally:
        again.close()


def test_another_accounts_changes_are_never_pushed(
    server: Server, user: LiveUser, other_user: LiveUser
) -> None:
    stream = EventStream(url(server), {"Authorization": other_user.auth})
    try:
        stream.next()
        create_draft(server, user.auth, user.account.jmap_id)
        create_draft(server, other_user.auth, other_user.account.jmap_id)
        event = stream.next_named("state")
        assert list(event.json()["changed"]) == [other_user.account.jmap_id]
    finally:
        stream.close()


def test_without_credentials_the_answer_is_401_with_a_challenge(server: Server) -> None:
    """Authenticated like the API (RFC 8620 §8.2)."""
    stream = EventStream(url(server))
    assert stream.status == 401
    assert stream.response_headers["www-authenticate"].startswith("Basic")
    assert stream.response_headers["content-type"] == "application/problem+json"


def test_bad_parameters_are_a_400_problem(server: Server, user: LiveUser) -> None:
    for bad in (url(server, closeafter="maybe"), url(server, ping="-1"), url(server, types="a b")):
        stream = EventStream(bad, {"Authorization": user.auth})
        assert stream.status == 400, bad


def test_a_token_limited_to_other_capabilities_hears_nothing_of_mail(
    server: Server, user: LiveUser
) -> None:
    """A credential limited to some capabilities sees only their data types."""
    from tests.factories import make_token

    core_only = make_token(user.account, capabilities=["urn:ietf:params:jmap:core"])
    stream = EventStream(url(server), {"Authorization": f"Bearer {core_only}"})
    try:
        stream.next()
        create_draft(server, user.auth, user.account.jmap_id)
        try:
            event = stream.next(timeout=1.5)
        except AssertionError:
            return
        raise AssertionError(f"unexpected event {event}")
    finally:
        stream.close()


def test_head_answers_the_stream_headers_without_a_body(server: Server, user: LiveUser) -> None:
    import httpx

    response = httpx.head(url(server), headers={"Authorization": user.auth}, timeout=10)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
