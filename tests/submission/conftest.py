"""Fixtures of the submission tests: a recording relay, a real Celery worker, an LMTP server."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connections

from accounts.models import Account
from tests.factories import PASSWORD
from tests.jmap_client import CORE, MAIL, JmapClient
from tests.submission.peers import Relay, free_port

SUBMISSION = "urn:ietf:params:jmap:submission"
USING = [CORE, MAIL, SUBMISSION]


@pytest.fixture(autouse=True)
def _outbound_settings(settings: Any) -> None:
    """Mail leaves through a loopback smarthost (nothing listens until ``relay`` starts), on a
    Celery queue of this test process alone (other runs may share the Redis database)."""
    settings.MAILYARD_SMTP_TRANSPORT = "smarthost"
    settings.MAILYARD_SMTP_HOST = "127.0.0.1"
    settings.MAILYARD_SMTP_PORT = free_port()
    settings.MAILYARD_SMTP_SECURITY = "none"
    settings.MAILYARD_SMTP_TIMEOUT = 10
    settings.MAILYARD_SMTP_HOSTNAME = "mx.mailyard.test"
    settings.MAILYARD_OUTBOUND_QUEUE = f"mailyard-test-outbound-{os.getpid()}"


@pytest.fixture
def jmap(account: Account) -> JmapClient:
    client = JmapClient(account, PASSWORD)
    client.using = list(USING)
    return client


@pytest.fixture
def relay(settings: Any) -> Iterator[Relay]:
    """A real SMTP server as the smarthost, recording what it receives."""
    server = Relay()
    settings.MAILYARD_SMTP_PORT = server.port
    yield server
    server.stop()


@pytest.fixture
def worker(transactional_db: None, settings: Any) -> Iterator[object]:
    """A real Celery worker (Celery's test worker, in a thread) on the outbound queue."""
    from celery.contrib.testing.worker import start_worker

    from config.celery import app

    eager, options = app.conf.task_always_eager, app.conf.broker_transport_options
    app.conf.task_always_eager = False
    # Short polls, so that the worker stops quickly at teardown.
    app.conf.broker_transport_options = {**options, "polling_interval": 0.05}
    try:
        with start_worker(
            app,
            pool="solo",
            perform_ping_check=False,
            queues=[settings.MAILYARD_OUTBOUND_QUEUE],
            shutdown_timeout=30,
            loglevel="WARNING",
        ) as controller:
            yield controller
    finally:
        app.conf.task_always_eager = eager
        app.conf.broker_transport_options = options
        connections.close_all()


@pytest.fixture
def lmtp_port(transactional_db: None) -> Iterator[int]:
    """The LMTP server of ``manage.py inbound``, on a loopback port."""
    from submission import lmtp

    port = free_port()
    controller = lmtp.lmtp_controller("127.0.0.1", port)
    controller.start()
    yield port
    lmtp.stop(controller)


@pytest.fixture
def smtp_port(transactional_db: None) -> Iterator[int]:
    """The optional inbound SMTP server, on a loopback port."""
    from submission import lmtp

    port = free_port()
    controller = lmtp.smtp_controller("127.0.0.1", port)
    controller.start()
    yield port
    lmtp.stop(controller)
