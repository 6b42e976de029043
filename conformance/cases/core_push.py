"""RFC 8620 §7: push by EventSource (§7.3) and by PushSubscription (§7.2)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from conformance import messages
from conformance.checks import JSONObject, as_map, expect, expect_eq, expect_type, show
from conformance.context import Context
from conformance.push import EventStream, PushReceiver
from conformance.registry import MUST, SHOULD, Skipped, case

WAIT = 10.0


# ----- EventSource (RFC 8620 §7.3) ---------------------------------------------------------
def _stream(ctx: Context, types: str = "*", closeafter: str = "no", ping: str = "0") -> EventStream:
    url = ctx.session.event_source_url(types, closeafter, ping)
    return EventStream(ctx.client.http, url)


def _require_stream(stream: EventStream) -> None:
    expect(
        stream.status == 200, f"eventSourceUrl answered HTTP {stream.status} {stream.error or ''}"
    )
    ctype = stream.response_headers.get("content-type", "")
    expect(ctype.split(";")[0].strip() == "text/event-stream", f"Content-Type {ctype!r}")


def _state_event(ctx: Context, stream: EventStream) -> JSONObject:
    event = stream.next(WAIT, "state")
    expect(event is not None, "no state event within 10 s of a change")
    assert event is not None
    return dict(event.json())


@case(
    "core.push.eventsource-connect",
    rfc="8620",
    section="7.3",
    level=MUST,
    quote="Clients that can hold transport connections open can connect directly to the JMAP "
    'server to receive push notifications via a "text/event-stream" resource',
    sends="authenticated GET of eventSourceUrl (types=*, closeafter=no, ping=0)",
    expects="HTTP 200 with Content-Type text/event-stream",
)
def eventsource_connect(ctx: Context) -> None:
    with _stream(ctx) as stream:
        _require_stream(stream)


@case(
    "core.push.eventsource-state-event",
    rfc="8620",
    section="7.3",
    level=MUST,
    quote="When a change occurs in the data on the server, it pushes an event called "
    '"state" to any connected clients, with the StateChange object as the data.',
    sends="connect, then create a mailbox",
    expects='a "state" event whose data is a StateChange naming Mailbox for the account',
)
def eventsource_state_event(ctx: Context) -> None:
    with _stream(ctx) as stream:
        _require_stream(stream)
        ctx.mailbox()
        data = _state_event(ctx, stream)
        expect_eq(data.get("@type"), "StateChange", "@type")
        changed = as_map(data.get("changed"), "changed")
        expect("Mailbox" in changed.get(ctx.account_id, {}), f"changed {show(changed)}")


@case(
    "core.push.eventsource-state-value",
    rfc="8620",
    section="7.1",
    level=MUST,
    quote='the value is the "state" property that would currently be returned by a call to '
    '"Foo/get".',
    sends="connect with types=Mailbox, create a mailbox, wait for the state event",
    expects="its Mailbox state equals Mailbox/get's state",
)
def eventsource_state_value(ctx: Context) -> None:
    with _stream(ctx, types="Mailbox") as stream:
        _require_stream(stream)
        ctx.mailbox()
        data = _state_event(ctx, stream)
        pushed = data["changed"][ctx.account_id]["Mailbox"]
        expect_eq(pushed, ctx.state("Mailbox"), "pushed Mailbox state")


@case(
    "core.push.eventsource-types",
    rfc="8620",
    section="7.3",
    level=MUST,
    quote="The server MUST only push changes for the types in this list.",
    sends="connect with types=Email, create a mailbox, then import an email",
    expects="every state event names only Email",
)
def eventsource_types(ctx: Context) -> None:
    with _stream(ctx, types="Email") as stream:
        _require_stream(stream)
        mailbox = ctx.mailbox()
        ctx.import_email(messages.simple(), mailbox)
        data = _state_event(ctx, stream)
        for account, types in as_map(data.get("changed"), "changed").items():
            expect(set(types) <= {"Email"}, f"account {account}: pushed {show(types)}")


@case(
    "core.push.eventsource-closeafter-state",
    rfc="8620",
    section="7.3",
    level=MUST,
    quote='"state": The server MUST end the HTTP response after pushing a state event.',
    sends="connect with closeafter=state, create a mailbox",
    expects="one state event, then the response ends",
)
def eventsource_closeafter(ctx: Context) -> None:
    with _stream(ctx, closeafter="state") as stream:
        _require_stream(stream)
        ctx.mailbox()
        _state_event(ctx, stream)
        expect(stream.next(WAIT) is None and stream.ended, "the response did not end")


@case(
    "core.push.eventsource-ping",
    rfc="8620",
    section="7.3",
    level=MUST,
    quote='If non-zero, the server MUST send an event called "ping" whenever this time '
    "elapses since the previous event was sent.",
    sends="connect with ping=1 (servers may raise it to at most 30 s)",
    expects="a ping event within 35 s whose data has an UnsignedInt interval <= 30",
)
def eventsource_ping(ctx: Context) -> None:
    with _stream(ctx, ping="1") as stream:
        _require_stream(stream)
        event = stream.next(35.0, "ping")
        expect(event is not None, "no ping event within 35 s")
        assert event is not None
        interval = event.json().get("interval")
        expect(isinstance(interval, int) and 0 < interval <= 30, f"interval {interval!r}")


@case(
    "core.push.eventsource-ping-no-id",
    rfc="8620",
    section="7.3",
    level=MUST,
    quote="This MUST NOT set a new event id.",
    sends="connect with ping=1 and wait for a ping",
    expects="the ping event carries no id field",
)
def eventsource_ping_no_id(ctx: Context) -> None:
    with _stream(ctx, ping="1") as stream:
        _require_stream(stream)
        event = stream.next(35.0, "ping")
        expect(event is not None, "no ping event within 35 s")
        assert event is not None
        expect(event.id is None, f"ping set event id {event.id!r}")


@case(
    "core.push.eventsource-unauthenticated",
    rfc="8620",
    section="7.3",
    level=MUST,
    quote="To connect to the resource, the client makes an authenticated GET request to the "
    "event-source URL",
    sends="GET eventSourceUrl without credentials",
    expects="HTTP 401/403/404",
)
def eventsource_unauthenticated(ctx: Context) -> None:
    url = ctx.session.event_source_url("*", "state", "0")
    response = ctx.client.http.send("GET", url, anonymous=True)
    expect(response.status_code in (401, 403, 404), f"HTTP {response.status_code}")


@case(
    "core.push.eventsource-state-id",
    rfc="8620",
    section="7.3",
    level=SHOULD,
    quote="The server SHOULD also send a new event id that encodes the entire server state "
    'visible to the user immediately after sending a "state" event.',
    sends="connect, create a mailbox",
    expects="the state event carries an id",
)
def eventsource_state_id(ctx: Context) -> None:
    with _stream(ctx) as stream:
        _require_stream(stream)
        ctx.mailbox()
        event = stream.next(WAIT, "state")
        expect(event is not None and event.id, f"event {event!r}")


# ----- PushSubscription (RFC 8620 §7.2) ----------------------------------------------------
def _receiver(ctx: Context) -> PushReceiver:
    def build(_: Context) -> PushReceiver:
        receiver = PushReceiver(str(ctx.run.options.get("push_host", "127.0.0.1")))
        ctx.run.cleanups.append(receiver.close)
        return receiver

    return ctx.fixture("push-receiver", build)


def _subscribe(ctx: Context, **extra: object) -> tuple[str, str]:
    """Create a PushSubscription to a fresh receiver path; returns (id, path)."""
    url, path = _receiver(ctx).new_url()
    values = {"deviceClientId": ctx.unique("device"), "url": url, "types": None, **extra}
    result = ctx.call("PushSubscription/set", {"create": {"p": values}}, optional=True)
    created = as_map(result.get("created"), "created")
    if "p" not in created:
        error = as_map(result.get("notCreated"), "notCreated").get("p", {})
        if "url" in (error.get("properties") or []) or "https" in str(error.get("description")):
            raise Skipped(
                f"the server refuses the suite's http:// loopback push URL: {show(error)}"
            )
        expect("p" in created, f"PushSubscription not created: {show(result)}")
    sub_id = str(created["p"]["id"])
    ctx.defer(lambda: ctx.call("PushSubscription/set", {"destroy": [sub_id]}))
    return sub_id, path


def _verification(ctx: Context, path: str) -> JSONObject:
    deliveries = _receiver(ctx).wait(path, WAIT)
    expect(deliveries, "no PushVerification was POSTed within 10 s")
    return dict(deliveries[0].json())


def _verify(ctx: Context, sub_id: str, path: str) -> None:
    code = _verification(ctx, path)["verificationCode"]
    result = ctx.call("PushSubscription/set", {"update": {sub_id: {"verificationCode": code}}})
    expect(sub_id in as_map(result.get("updated"), "updated"), f"verification {show(result)}")


@case(
    "core.push.subscription-get",
    rfc="8621",
    section="1.5",
    level=MUST,
    quote="Servers MUST support the JMAP push mechanisms, as specified in [RFC8620], Section 7",
    sends="PushSubscription/get ids null (no accountId)",
    expects="a PushSubscription/get response with list and notFound",
)
def subscription_get(ctx: Context) -> None:
    result = ctx.call("PushSubscription/get", {"ids": None})
    expect_type(result.get("list"), list, "list")


@case(
    "core.push.subscription-get-no-state",
    rfc="8620",
    section="7.2.1",
    level=MUST,
    quote='It also does *not* return a "state" argument.',
    sends="PushSubscription/get ids null",
    expects="no state and no accountId in the response",
)
def subscription_get_no_state(ctx: Context) -> None:
    result = ctx.call("PushSubscription/get", {"ids": None}, optional=True)
    expect("state" not in result and "accountId" not in result, show(result))


@case(
    "core.push.subscription-create",
    rfc="8620",
    section="7.2.2",
    level=MUST,
    quote="Standard /set method as described in Section 5.3, except it does *not* take or "
    'return an "accountId" argument',
    sends="PushSubscription/set create {deviceClientId, url (loopback receiver), types null}",
    expects="created[p].id; no accountId/oldState/newState in the response",
)
def subscription_create(ctx: Context) -> None:
    url, _ = _receiver(ctx).new_url()
    result = ctx.call(
        "PushSubscription/set",
        {"create": {"p": {"deviceClientId": ctx.unique("device"), "url": url, "types": None}}},
        optional=True,
    )
    created = as_map(result.get("created"), "created")
    if "p" in created:
        ctx.defer(lambda: ctx.call("PushSubscription/set", {"destroy": [created["p"]["id"]]}))
    else:
        _subscribe(ctx)  # reports an https refusal as skipped
    for key in ("accountId", "oldState", "newState"):
        expect(key not in result, f"the response has {key}: {show(result)}")


@case(
    "core.push.verification-sent",
    rfc="8620",
    section="7.2.2",
    level=MUST,
    quote="When a PushSubscription is created, the server MUST immediately push a "
    "*PushVerification* object to the URL.",
    sends="create a PushSubscription to the loopback receiver",
    expects="a POST with {@type: PushVerification, pushSubscriptionId, verificationCode}",
)
def verification_sent(ctx: Context) -> None:
    sub_id, path = _subscribe(ctx)
    body = _verification(ctx, path)
    expect_eq(body.get("@type"), "PushVerification", "@type")
    expect_eq(body.get("pushSubscriptionId"), sub_id, "pushSubscriptionId")
    expect(isinstance(body.get("verificationCode"), str) and body["verificationCode"], show(body))


@case(
    "core.push.post-headers",
    rfc="8620",
    section="7.2",
    level=MUST,
    quote='The POST request MUST have a content type of "application/json" and contain the '
    'UTF-8 JSON-encoded object as the body. The request MUST have a "TTL" header',
    sends="create a PushSubscription",
    expects="the verification POST has Content-Type application/json and a TTL header",
)
def post_headers(ctx: Context) -> None:
    _, path = _subscribe(ctx)
    deliveries = _receiver(ctx).wait(path, WAIT)
    expect(deliveries, "no POST within 10 s")
    headers = {k.lower(): v for k, v in deliveries[0].headers.items()}
    expect_eq(
        headers.get("content-type", "").split(";")[0].strip(), "application/json", "Content-Type"
    )
    expect("ttl" in headers, f"no TTL header: {show(headers)}")


@case(
    "core.push.codes-differ",
    rfc="8620",
    section="7.2.2",
    level=MUST,
    quote="This MUST contain sufficient entropy to avoid the client being able to guess the "
    "code via brute force.",
    sends="create two PushSubscriptions",
    expects="two different verification codes, each at least 8 characters",
)
def codes_differ(ctx: Context) -> None:
    codes = [str(_verification(ctx, _subscribe(ctx)[1]).get("verificationCode")) for _ in range(2)]
    expect(codes[0] != codes[1] and min(len(c) for c in codes) >= 8, f"codes {codes}")


@case(
    "core.push.no-push-before-verification",
    rfc="8620",
    section="7.2",
    level=MUST,
    quote="The JMAP server MUST NOT make any further requests to the URL until the client "
    "receives the push and updates the subscription with the correct verification code.",
    sends="create a PushSubscription, do not verify it, create a mailbox, wait 5 s",
    expects="only the PushVerification POST arrives",
)
def no_push_before_verification(ctx: Context) -> None:
    _, path = _subscribe(ctx)
    _verification(ctx, path)
    ctx.mailbox()
    deliveries = _receiver(ctx).wait(path, 5.0, count=2)
    expect_eq(len(deliveries), 1, "POSTs to an unverified subscription")


@case(
    "core.push.wrong-code",
    rfc="8620",
    section="7.2.2",
    level=MUST,
    quote="Attempts to update the subscription with an invalid verification code MUST be "
    'rejected by the server with an "invalidProperties" SetError.',
    sends="update verificationCode to a wrong value",
    expects="notUpdated[id].type = invalidProperties",
)
def wrong_code(ctx: Context) -> None:
    sub_id, path = _subscribe(ctx)
    _verification(ctx, path)
    result = ctx.call(
        "PushSubscription/set", {"update": {sub_id: {"verificationCode": "cf-wrong-code"}}}
    )
    expect_eq(
        as_map(result.get("notUpdated"), "notUpdated").get(sub_id, {}).get("type"),
        "invalidProperties",
        "SetError type",
    )


@case(
    "core.push.state-change-after-verification",
    rfc="8620",
    section="7.2",
    level=MUST,
    quote="The JMAP server will then make an HTTP POST request to this URL for each push "
    "notification it wishes to send to the client.",
    sends="create and verify a PushSubscription, then create a mailbox",
    expects="a POST of a StateChange naming Mailbox for the account",
)
def state_change_after_verification(ctx: Context) -> None:
    sub_id, path = _subscribe(ctx)
    _verify(ctx, sub_id, path)
    ctx.mailbox()
    deliveries = _receiver(ctx).wait(path, WAIT, count=2)
    expect(len(deliveries) >= 2, "no StateChange POST within 10 s")
    body = deliveries[1].json()
    expect_eq(body.get("@type"), "StateChange", "@type")
    expect("Mailbox" in body.get("changed", {}).get(ctx.account_id, {}), show(body))


@case(
    "core.push.subscription-types",
    rfc="8620",
    section="7.2",
    level=MUST,
    quote="A StateChange notification will only be sent if the data for one of these types "
    "changes. Other types are omitted from the TypeState object.",
    sends="a verified subscription with types [Email]; create a mailbox, import an email",
    expects="every StateChange names only Email",
)
def subscription_types(ctx: Context) -> None:
    sub_id, path = _subscribe(ctx, types=["Email"])
    _verify(ctx, sub_id, path)
    ctx.import_email(messages.simple(), ctx.mailbox())
    deliveries = _receiver(ctx).wait(path, WAIT, count=2)
    expect(len(deliveries) >= 2, "no StateChange POST within 10 s")
    for delivery in deliveries[1:]:
        for account, types in delivery.json().get("changed", {}).items():
            expect(set(types) <= {"Email"}, f"{account}: {show(types)}")


@case(
    "core.push.get-hides-url-keys",
    rfc="8620",
    section="7.2.1",
    level=MUST,
    quote='If the "properties" argument is null or omitted, the server MUST default to all '
    "properties excluding these two.",
    sends="create a PushSubscription, PushSubscription/get it",
    expects="no url and no keys property",
)
def get_hides_url_keys(ctx: Context) -> None:
    sub_id, _ = _subscribe(ctx)
    got = ctx.call("PushSubscription/get", {"ids": [sub_id]})["list"]
    expect(got and "url" not in got[0] and "keys" not in got[0], show(got))


@case(
    "core.push.get-url-forbidden",
    rfc="8620",
    section="7.2.1",
    level=MUST,
    quote="If one of them is explicitly requested, the method call MUST be rejected with a "
    '"forbidden" error.',
    sends='PushSubscription/get properties ["url"]',
    expects="a forbidden error",
)
def get_url_forbidden(ctx: Context) -> None:
    sub_id, _ = _subscribe(ctx)
    ctx.expect_error("PushSubscription/get", {"ids": [sub_id], "properties": ["url"]}, "forbidden")


@case(
    "core.push.url-immutable",
    rfc="8620",
    section="7.2.2",
    level=MUST,
    quote='The "url" and "keys" properties are immutable; if the client wishes to change '
    "these, it must destroy the current push subscription and create a new one.",
    sends="update a subscription's url",
    expects="notUpdated[id].type = invalidProperties",
)
def url_immutable(ctx: Context) -> None:
    sub_id, _ = _subscribe(ctx)
    url, _ = _receiver(ctx).new_url()
    result = ctx.call("PushSubscription/set", {"update": {sub_id: {"url": url}}})
    expect_eq(
        as_map(result.get("notUpdated"), "notUpdated").get(sub_id, {}).get("type"),
        "invalidProperties",
        "SetError type",
    )


@case(
    "core.push.expires-minimum",
    rfc="8620",
    section="7.2",
    level=MUST,
    quote="This maximum expiry time MUST be at least 48 hours in the future",
    sends="create a subscription with expires one year ahead",
    expects="the expires the server keeps (if any) is at least 47 hours ahead",
)
def expires_minimum(ctx: Context) -> None:
    wanted = (datetime.now(UTC) + timedelta(days=365)).strftime("%Y-%m-%dT%H:%M:%SZ")
    sub_id, _ = _subscribe(ctx, expires=wanted)
    got = ctx.call("PushSubscription/get", {"ids": [sub_id]})["list"][0].get("expires")
    if got is not None:
        when = datetime.strptime(str(got)[:19], "%Y-%m-%dT%H:%M:%S").replace(tzinfo=UTC)
        expect(when - datetime.now(UTC) >= timedelta(hours=47), f"expires {got}")


@case(
    "core.push.credentials-scope",
    rfc="8620",
    section="7.2.1",
    level=MUST,
    quote="The server MUST only return push subscriptions that were created using the same "
    'authentication credentials as for this "PushSubscription/get" request.',
    sends="user 1 creates a subscription; user 2 calls PushSubscription/get ids null and by id",
    expects="user 2 sees neither",
)
def credentials_scope(ctx: Context) -> None:
    other = ctx.other
    sub_id, _ = _subscribe(ctx)
    listed = [s["id"] for s in other.call("PushSubscription/get", {"ids": None})["list"]]
    expect(sub_id not in listed, "user 2 lists user 1's subscription")
    by_id = other.call("PushSubscription/get", {"ids": [sub_id]})
    expect_eq(by_id.get("notFound"), [sub_id], "user 2's notFound")


@case(
    "core.push.destroy",
    rfc="8620",
    section="7.2.2",
    level=MUST,
    quote="Standard /set method as described in Section 5.3",
    sends="create and destroy a subscription",
    expects="destroyed lists it; get notFound",
)
def destroy(ctx: Context) -> None:
    sub_id, _ = _subscribe(ctx)
    result = ctx.call("PushSubscription/set", {"destroy": [sub_id]})
    expect(sub_id in (result.get("destroyed") or []), show(result))
    expect_eq(ctx.call("PushSubscription/get", {"ids": [sub_id]})["notFound"], [sub_id], "notFound")
