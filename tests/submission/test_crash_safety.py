"""A worker killed mid-delivery: nothing is lost and nothing is sent twice.

The worker process is SIGKILLed while the relay holds its RCPT command (so no message has been
transmitted). Its recipients stay ``sending`` under a lease; once the lease lapses, the sweep
hands them to a new worker, which delivers exactly once.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from typing import Any

from django.db import connections

from submission.models import OutboundRecipient
from submission.tasks import deliver_message, sweep_outbound
from tests.jmap_client import JmapClient
from tests.submission.helpers import draft, get_submission, submitted
from tests.submission.peers import Relay, wait_until


def _run_in_child(message_pk: int) -> int:
    """Fork a process that runs the delivery task; returns its pid."""
    connections.close_all()  # the child must open its own database connection
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child is killed before it returns
        for connection in connections.all(initialized_only=True):
            connection.connection = None  # never touch the parent's socket
        try:
            deliver_message.apply(args=(message_pk,))
        finally:
            os._exit(0)
    return pid


def test_a_worker_killed_mid_delivery_delivers_exactly_once_after_restart(
    transactional_db: None, jmap: JmapClient, relay: Relay, settings: Any, request: Any
) -> None:
    settings.MAILYARD_OUTBOUND_LEASE = 2
    from config.celery import app

    # Queue the message without a worker running, so that only the child attempts it.
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    try:
        created = submitted(jmap, draft(jmap, "friend@elsewhere.example"))
    finally:
        app.conf.task_always_eager = eager
    message_pk = OutboundRecipient.objects.get().message_id
    relay.handler.stall_rcpt = threading.Event()
    relay.handler.stall_rcpt.set()
    child = _run_in_child(message_pk)
    assert relay.handler.rcpt_started.wait(15)
    os.kill(child, signal.SIGKILL)
    os.waitpid(child, 0)
    relay.handler.stall_rcpt.clear()
    row = OutboundRecipient.objects.get()
    assert (row.state, row.attempts) == ("sending", 1)
    assert sweep_outbound.apply().get() == 0  # the dead worker's lease has not lapsed yet
    time.sleep(2.2)
    worker = request.getfixturevalue("worker")
    assert worker is not None
    assert sweep_outbound() == 1
    got = wait_until(
        lambda: (s := get_submission(jmap, created["id"]))["undoStatus"] == "final" and s
    )
    assert got["deliveryStatus"]["friend@elsewhere.example"]["delivered"] == "unknown"
    time.sleep(0.5)
    assert len(relay.messages) == 1
    row.refresh_from_db()
    assert (row.state, row.attempts) == ("relayed", 2)
    deliver_message.apply(args=(message_pk,))  # a duplicated task finds nothing to do
    assert len(relay.messages) == 1
