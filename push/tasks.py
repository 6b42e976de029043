"""Celery tasks of the push app (STYLE §6: thin, take ids, idempotent).

With a broker (``REDIS_URL``) ``enqueue`` hands tasks to Celery with their countdown. Without
one, Celery runs tasks eagerly, which would make a request wait for a push service and make
back-off impossible; so in that mode tasks run on one background thread of this process that
honours countdowns (``LocalRunner``).
"""

from __future__ import annotations

import heapq
import itertools
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from celery import Task
from django.db import close_old_connections, connection

from config.celery import app
from push import delivery

logger = logging.getLogger(__name__)


@app.task(name="push.deliver", ignore_result=True)
def deliver(subscription_pk: int) -> None:
    """Send a subscription's pending StateChange (RFC 8620 §7.2)."""
    delivery.deliver(subscription_pk)


@app.task(name="push.verify", ignore_result=True)
def verify(subscription_pk: int, attempt: int = 1) -> None:
    """POST the PushVerification object of a new subscription (RFC 8620 §7.2.2)."""
    delivery.send_verification(subscription_pk, attempt)


@app.task(name="push.purge", ignore_result=True)
def purge() -> None:
    """Remove expired and orphaned subscriptions (run by Celery beat)."""
    removed = delivery.purge()
    if removed:
        logger.info("removed %d push subscriptions", removed)


def enqueue(task: Task[Any, Any], *args: Any, countdown: float = 0.0) -> None:
    """Run ``task`` after ``countdown`` seconds, through Celery or the local runner."""
    if app.conf.task_always_eager:
        runner.submit(task.run, args, countdown)
    else:
        task.apply_async(args, countdown=countdown)


class LocalRunner:
    """One daemon thread running delayed jobs in due order (the broker-less mode)."""

    def __init__(self) -> None:
        self._jobs: list[tuple[float, int, Callable[..., Any], tuple[Any, ...]]] = []
        self._seq = itertools.count()
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None

    def submit(self, fn: Callable[..., Any], args: tuple[Any, ...], countdown: float) -> None:
        with self._cond:
            heapq.heappush(self._jobs, (time.monotonic() + countdown, next(self._seq), fn, args))
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="push-runner", daemon=True)
                self._thread.start()
            self._cond.notify()

    def idle(self) -> bool:
        with self._cond:
            return not self._jobs

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._jobs or self._jobs[0][0] > time.monotonic():
                    timeout = self._jobs[0][0] - time.monotonic() if self._jobs else None
                    self._cond.wait(timeout)
                _, _, fn, args = heapq.heappop(self._jobs)
            try:
                close_old_connections()
                fn(*args)
            except Exception:
                logger.exception("push job failed")
            finally:
                # Each job opens its own connection; keep none open between jobs.
                connection.close()


runner = LocalRunner()
