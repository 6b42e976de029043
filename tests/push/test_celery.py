"""Web Push deliveries through a real Celery worker and Redis broker (issue 5).

The other Web Push tests run deliveries on the server's local runner; this one sends them the
production way: daphne queues ``push.verify`` and ``push.deliver`` on the broker and a separate
``celery worker`` process POSTs them.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from tests.push import server as servers
from tests.push.changes import create_draft, states
from tests.push.conftest import LiveUser
from tests.push.receiver import Receiver, UserAgent


@contextmanager
def celery_worker(broker: str) -> Iterator[None]:
    env = {
        **os.environ,
        **servers.TEST_ENV,
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "REDIS_URL": broker,
        "DATABASE_URL": servers.database_url(),
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    command = [sys.executable, "-m", "celery", "-A", "config", "worker", "-P", "solo"]
    command += ["--without-heartbeat", "--without-gossip", "--without-mingle", "-l", "WARNING"]
    worker = subprocess.Popen(
        command, cwd=servers.ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        yield
    finally:
        worker.terminate()
        worker.wait(timeout=20)


def test_a_celery_worker_sends_the_verification_and_the_state_change(
    user: LiveUser, receiver: Receiver, redis_url: str
) -> None:
    # A database of its own, so no other test run's worker takes these tasks.
    broker = redis_url.rsplit("/", 1)[0] + "/14"
    with (
        servers.running(REDIS_URL=broker, CELERY_TASK_ALWAYS_EAGER="0") as server,
        celery_worker(broker),
    ):
        agent = UserAgent()
        create = {
            "deviceClientId": "d",
            "url": receiver.url("/push/celery", agent),
            "keys": agent.keys,
        }
        responses = server.api(
            user.auth, [["PushSubscription/set", {"create": {"k": create}}, "0"]]
        )
        subscription_id = responses[0][1]["created"]["k"]["id"]
        code = receiver.next(timeout=60).payload["verificationCode"]
        update = {subscription_id: {"verificationCode": code}}
        server.api(user.auth, [["PushSubscription/set", {"update": update}, "0"]])
        create_draft(server, user.auth, user.account.jmap_id)
        push = receiver.next(timeout=30)
        now = states(server, user.auth, user.account.jmap_id, "Email")
        assert push.payload["changed"][user.account.jmap_id]["Email"] == now["Email"]
