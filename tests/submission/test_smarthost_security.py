"""The smarthost transport with STARTTLS (RFC 3207), implicit TLS (RFC 8314) and SMTP AUTH
(RFC 4954), against a real aiosmtpd server with a self-signed certificate."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from submission.models import OutboundRecipient
from tests.jmap_client import JmapClient
from tests.submission.helpers import draft, submitted
from tests.submission.peers import Relay, self_signed, server_context, wait_until


@pytest.fixture
def certificate(tmp_path: Path) -> tuple[Path, Path]:
    return self_signed(tmp_path)


@pytest.fixture
def tls_relay(settings: Any, certificate: tuple[Path, Path]) -> Iterator[Relay]:
    """A relay that demands STARTTLS before AUTH, and AUTH before mail."""
    server = Relay(
        tls_context=server_context(*certificate),
        require_starttls=True,
        auth_required=True,
        auth_require_tls=True,
        authenticator=True,
    )
    settings.MAILYARD_SMTP_PORT = server.port
    settings.MAILYARD_SMTP_CA_FILE = str(certificate[0])
    yield server
    server.stop()


def test_starttls_and_login_before_sending(
    jmap: JmapClient, tls_relay: Relay, worker: object, settings: Any
) -> None:
    settings.MAILYARD_SMTP_SECURITY = "starttls"
    settings.MAILYARD_SMTP_USER = "mailyard"
    settings.MAILYARD_SMTP_PASSWORD = "relay-secret"
    submitted(jmap, draft(jmap))
    wait_until(lambda: tls_relay.messages)
    assert tls_relay.handler.logins == ["mailyard"]
    _wait_until_recorded()


def test_a_wrong_password_is_a_temporary_failure(
    jmap: JmapClient, tls_relay: Relay, worker: object, settings: Any
) -> None:
    """A configuration problem of ours: the message waits for the operator to fix it."""
    settings.MAILYARD_SMTP_SECURITY = "starttls"
    settings.MAILYARD_SMTP_USER = "mailyard"
    settings.MAILYARD_SMTP_PASSWORD = "wrong"
    submitted(jmap, draft(jmap))
    row = wait_until(lambda: OutboundRecipient.objects.filter(attempts=1, state="queued").first())
    assert row.smtp_reply.startswith("451 4.7.0 127.0.0.1 refused our login: 535")
    assert tls_relay.messages == []


def test_an_untrusted_certificate_is_refused(
    jmap: JmapClient, tls_relay: Relay, worker: object, settings: Any
) -> None:
    settings.MAILYARD_SMTP_SECURITY = "starttls"
    settings.MAILYARD_SMTP_CA_FILE = ""
    submitted(jmap, draft(jmap))
    row = wait_until(lambda: OutboundRecipient.objects.filter(attempts=1, state="queued").first())
    assert "CERTIFICATE_VERIFY_FAILED" in row.smtp_reply


def test_implicit_tls(
    jmap: JmapClient, worker: object, settings: Any, certificate: tuple[Path, Path]
) -> None:
    server = Relay(ssl_context=server_context(*certificate))
    try:
        settings.MAILYARD_SMTP_PORT = server.port
        settings.MAILYARD_SMTP_SECURITY = "tls"
        settings.MAILYARD_SMTP_CA_FILE = str(certificate[0])
        submitted(jmap, draft(jmap))
        wait_until(lambda: server.messages)
        _wait_until_recorded()
    finally:
        server.stop()


def _wait_until_recorded() -> None:
    """The relay has the message before the worker has recorded it: wait for that too, so the
    worker's transaction is not still open when the test's tables are flushed."""
    wait_until(lambda: OutboundRecipient.objects.filter(state="relayed").exists())
