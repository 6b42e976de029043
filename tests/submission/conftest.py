"""Fixtures of the submission tests: a recording relay, a real Celery worker, an LMTP server."""

from __future__ import annotations

import os
import time
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
OUTBOUND_QUEUE = f"mailyard-test-outbound-{os.getpid()}"
IDLE_QUEUE = f"{OUTBOUND_QUEUE}-idle"  # where tasks wait when a test runs no worker


@pytest.fixture(autouse=True)
def _outbound_settings(settings: Any) -> None:
    """Mail leaves through a loopback smarthost (nothing listens until ``relay`` starts), on a
    Celery queue of this test process alone (other runs may share the Redis database) that no
    worker reads unless the test asks for ``worker``."""
    settings.MAILYARD_SMTP_TRANSPORT = "smarthost"
    settings.MAILYARD_SMTP_HOST = "127.0.0.1"
    settings.MAILYARD_SMTP_PORT = free_port()
    settings.MAILYARD_SMTP_SECURITY = "none"
    settings.MAILYARD_SMTP_TIMEOUT = 10
    settings.MAILYARD_SMTP_HOSTNAME = "mx.mailyard.test"
    settings.MAILYARD_OUTBOUND_QUEUE = IDLE_QUEUE


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


@pytest.fixture(scope="session")
def _celery_worker(django_db_setup: None, django_db_blocker: Any) -> Iterator[object]:
    """One real Celery worker (Celery's test worker, in a thread) for the session, consuming
    this process's outbound queue; stopped before the test database goes away."""
    from celery.contrib.testing.worker import start_worker

    from config.celery import app

    @app.task(name="tests.submission.close_connections", shared=False)  # type: ignore[untyped-decorator]
    def close_connections() -> None:
        connections.close_all()

    with (
        django_db_blocker.unblock(),
        start_worker(
            app,
            pool="solo",
            perform_ping_check=False,
            queues=[OUTBOUND_QUEUE],
            shutdown_timeout=30,
            loglevel="WARNING",
        ) as controller,
    ):
        yield controller
        with app.connection_for_write() as connection:
            connection.default_channel.queue_purge(IDLE_QUEUE)
        eager = app.conf.task_always_eager
        app.conf.task_always_eager = False
        close_connections.apply_async(queue=OUTBOUND_QUEUE)
        app.conf.task_always_eager = eager
        time.sleep(0.5)


@pytest.fixture
def worker(transactional_db: None, _celery_worker: object, settings: Any) -> Iterator[object]:
    """The real worker delivers this test's mail: tasks go to the broker, not run in-process."""
    from config.celery import app

    settings.MAILYARD_OUTBOUND_QUEUE = OUTBOUND_QUEUE
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    try:
        yield _celery_worker
    finally:
        app.conf.task_always_eager = eager


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
