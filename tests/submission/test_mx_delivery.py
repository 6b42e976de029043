"""Direct delivery to the recipient domains' MX hosts (RFC 5321 §5.1, RFC 7505 null MX).

DNS is outside the system, so only its answers are replaced; the SMTP peer is a real server.
"""

from __future__ import annotations

from typing import Any

import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.resolver
import pytest

from submission import transport
from submission.models import OutboundRecipient
from tests.jmap_client import JmapClient
from tests.submission.helpers import draft, get_submission, submitted
from tests.submission.peers import Relay, free_port, wait_until


class FakeDNS:
    """Answers from a table: {(name, type): [record text] | exception class}."""

    def __init__(self, table: dict[tuple[str, str], Any]) -> None:
        self.table = table
        self.asked: list[tuple[str, str]] = []

    def resolve(self, name: str, rdtype: str) -> list[Any]:
        self.asked.append((name, rdtype))
        found = self.table.get((name, rdtype))
        if found is None:
            raise dns.resolver.NoAnswer
        if isinstance(found, type) and issubclass(found, Exception):
            raise found
        kind = dns.rdatatype.from_text(rdtype)
        return [dns.rdata.from_text(dns.rdataclass.IN, kind, text) for text in found]


@pytest.fixture
def mx(settings: Any, relay: Relay, monkeypatch: pytest.MonkeyPatch) -> FakeDNS:
    settings.MAILYARD_SMTP_TRANSPORT = "mx"
    settings.MAILYARD_SMTP_MX_PORT = relay.port
    fake = FakeDNS(
        {
            ("elsewhere.example", "MX"): ["10 down.elsewhere.example.", "20 up.elsewhere.example."],
            ("down.elsewhere.example", "A"): ["127.0.0.2"],
            ("up.elsewhere.example", "A"): ["127.0.0.1"],
            ("other.example", "MX"): ["5 up.elsewhere.example."],
            ("implicit.example", "A"): ["127.0.0.1"],
            ("nullmx.example", "MX"): ["0 ."],
            ("nowhere.example", "MX"): dns.resolver.NXDOMAIN,
        }
    )
    monkeypatch.setattr(transport, "make_resolver", lambda: fake)
    return fake


def _final(jmap: JmapClient, submission_id: str) -> dict[str, Any]:
    return dict(
        wait_until(
            lambda: (s := get_submission(jmap, submission_id))["undoStatus"] == "final" and s
        )
    )


def test_mail_goes_to_the_first_mx_that_answers(
    jmap: JmapClient, mx: FakeDNS, relay: Relay, worker: object
) -> None:
    """RFC 5321 §5.1: MX hosts in preference order; an unreachable one is skipped."""
    created = submitted(jmap, draft(jmap, "friend@elsewhere.example"))
    got = _final(jmap, created["id"])
    assert got["deliveryStatus"]["friend@elsewhere.example"]["delivered"] == "unknown"
    assert [m.rcpt_tos for m in relay.messages] == [["friend@elsewhere.example"]]
    assert OutboundRecipient.objects.get().remote_host == "up.elsewhere.example"
    assert mx.asked[:2] == [("elsewhere.example", "MX"), ("down.elsewhere.example", "A")]


def test_each_domain_gets_its_own_transaction(
    jmap: JmapClient, mx: FakeDNS, relay: Relay, worker: object
) -> None:
    created = submitted(jmap, draft(jmap, ["a@elsewhere.example", "b@other.example"]))
    _final(jmap, created["id"])
    wait_until(lambda: len(relay.messages) == 2)
    assert sorted(m.rcpt_tos[0] for m in relay.messages) == [
        "a@elsewhere.example",
        "b@other.example",
    ]


def test_a_domain_without_mx_is_its_own_mail_server(
    jmap: JmapClient, mx: FakeDNS, relay: Relay, worker: object
) -> None:
    """RFC 5321 §5.1 implicit MX: the domain's address records."""
    created = submitted(jmap, draft(jmap, "x@implicit.example"))
    _final(jmap, created["id"])
    assert [m.rcpt_tos for m in relay.messages] == [["x@implicit.example"]]


@pytest.mark.parametrize(
    ("address", "reply"),
    [
        (
            "x@nullmx.example",
            "556 5.1.10 Domain nullmx.example accepts no mail (null MX, RFC 7505)",
        ),
        ("x@nowhere.example", "550 5.1.2 Domain nowhere.example does not exist"),
    ],
)
def test_domains_that_take_no_mail_bounce_at_once(
    jmap: JmapClient, mx: FakeDNS, worker: object, address: str, reply: str
) -> None:
    created = submitted(jmap, draft(jmap, address))
    got = wait_until(lambda: (s := get_submission(jmap, created["id"]))["dsnBlobIds"] and s)
    assert got["deliveryStatus"][address] == {
        "smtpReply": reply,
        "delivered": "no",
        "displayed": "unknown",
    }


def test_a_resolver_that_does_not_answer_is_a_temporary_failure(
    jmap: JmapClient, settings: Any, worker: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A real resolver pointed at a port where no DNS server listens: retried later."""
    settings.MAILYARD_SMTP_TRANSPORT = "mx"

    def dead_resolver() -> dns.resolver.Resolver:
        resolver = dns.resolver.Resolver(configure=False)
        resolver.nameservers = ["127.0.0.1"]
        resolver.port = free_port()
        resolver.lifetime = 1.0
        return resolver

    monkeypatch.setattr(transport, "make_resolver", dead_resolver)
    submitted(jmap, draft(jmap, "x@elsewhere.example"))
    row = wait_until(lambda: OutboundRecipient.objects.filter(attempts=1, state="queued").first())
    assert row.smtp_reply.startswith("451 4.4.3 DNS lookup for elsewhere.example failed")


def test_dns_names_are_parsed_as_dns_names() -> None:
    assert str(dns.name.from_text("up.elsewhere.example.")) == "up.elsewhere.example."
