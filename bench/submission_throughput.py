"""Outbound submission throughput (issue 4): EmailSubmission/set through the Celery queue to a
local SMTP sink.

    REDIS_URL=redis://127.0.0.1:6379/15 .venv/bin/python -m bench.submission_throughput \\
        [--messages 1000] [--clients 4] [--workers 4]

A fresh database and a daphne server (``bench.common.running_server``) configured with the
smarthost transport pointing at an aiosmtpd sink in this process; ``--workers`` Celery worker
processes (prefork, as in production) on a queue of their own. Each of ``--clients`` threads
sends as its own account (submissions of one account serialise on its write lock). Drafts are
made first (not timed); then every client submits its share, one EmailSubmission/set per
request with onSuccessUpdateEmail moving the draft to Sent, as a mail client does. Prints JSON: the API rate
(submissions answered per second, and request latency) and the end-to-end rate (first submit to
the last message accepted by the sink), plus the sink's count.

Without REDIS_URL the server runs Celery eagerly (delivery inside the request), which is
reported as such: the queue needs a broker shared between processes.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import threading
import time
from typing import Any

import httpx
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from bench.common import (
    CORE,
    MAIL,
    PYTHON,
    ROOT,
    create_account,
    free_port,
    percentiles,
    running_server,
)

SUBMISSION = "urn:ietf:params:jmap:submission"
PASSWORD = "bench password 1"  # noqa: S105 - throwaway bench accounts


class Sink:
    """Accepts everything; counts messages and remembers when the last one arrived."""

    def __init__(self) -> None:
        self.count = 0
        self.last = 0.0
        self.lock = threading.Lock()

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        with self.lock:
            self.count += 1
            self.last = time.perf_counter()
        return "250 2.0.0 Ok"


def _address(n: int) -> str:
    return f"sender{n}@submission.bench.test"


def _token(env: dict[str, str], address: str) -> str:
    done = subprocess.run(
        [PYTHON, "manage.py", "issuetoken", address, "--name", "bench"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


class Api:
    def __init__(self, base: str, token: str) -> None:
        self.http = httpx.Client(
            base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=120
        )
        session = self.http.get("/.well-known/jmap").json()
        self.api_url = session["apiUrl"]
        self.account_id = session["primaryAccounts"][MAIL]

    def call(self, name: str, args: dict[str, Any]) -> dict[str, Any]:
        body = {
            "using": [CORE, MAIL, SUBMISSION],
            "methodCalls": [[name, {"accountId": self.account_id, **args}, "c"]],
        }
        response = self.http.post(self.api_url, json=body)
        response.raise_for_status()
        return dict(response.json()["methodResponses"][0][1])


def _drafts(api: Api, address: str, count: int) -> tuple[list[str], dict[str, str]]:
    boxes = api.call("Mailbox/get", {"properties": ["role"]})["list"]
    roles = {box["role"]: box["id"] for box in boxes}
    ids: list[str] = []
    for start in range(0, count, 100):
        create = {
            f"d{n}": {
                "mailboxIds": {roles["drafts"]: True},
                "keywords": {"$draft": True},
                "from": [{"name": "Bench", "email": address}],
                "to": [{"name": None, "email": f"rcpt{n % 50}@far.example"}],
                "subject": f"Benchmark message {n}",
                "bodyValues": {"b": {"value": "Lorem ipsum dolor sit amet.\n" * 60}},
                "textBody": [{"partId": "b", "type": "text/plain"}],
            }
            for n in range(start, min(count, start + 100))
        }
        created = api.call("Email/set", {"create": create})["created"]
        ids += [created[key]["id"] for key in create]
    return ids, roles


def _submit(
    api: Api, identity: str, email_ids: list[str], roles: dict[str, str], out: list[float]
) -> None:
    for email_id in email_ids:
        start = time.perf_counter()
        result = api.call(
            "EmailSubmission/set",
            {
                "create": {"s": {"identityId": identity, "emailId": email_id}},
                "onSuccessUpdateEmail": {
                    "#s": {
                        f"mailboxIds/{roles['drafts']}": None,
                        f"mailboxIds/{roles['sent']}": True,
                        "keywords/$draft": None,
                    }
                },
            },
        )
        out.append((time.perf_counter() - start) * 1000)
        if not result.get("created"):
            raise RuntimeError(f"not submitted: {result}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()
    sink = Sink()
    sink_port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=sink_port)
    controller.start()
    queue = f"bench-outbound-{os.getpid()}"
    os.environ.update(
        {
            "MAILYARD_SMTP_TRANSPORT": "smarthost",
            "MAILYARD_SMTP_HOST": "127.0.0.1",
            "MAILYARD_SMTP_PORT": str(sink_port),
            "MAILYARD_SMTP_SECURITY": "none",
            "MAILYARD_SMTP_HOSTNAME": "bench.mailyard.test",
            "MAILYARD_SMTP_ACCOUNT_HOURLY_LIMIT": "0",
            "MAILYARD_SMTP_ACCOUNT_DAILY_LIMIT": "0",
            "MAILYARD_OUTBOUND_QUEUE": queue,
        }
    )
    queued = bool(os.environ.get("REDIS_URL"))
    worker = None
    try:
        with running_server("submission") as (base, _, env):
            apis, jobs = [], []
            share = args.messages // args.clients
            for n in range(args.clients):  # one sending account per client
                create_account(env, _address(n), PASSWORD)
                api = Api(base, _token(env, _address(n)))
                identity = api.call("Identity/get", {})["list"][0]["id"]
                email_ids, roles = _drafts(api, _address(n), share)
                apis.append(api)
                jobs.append((identity, email_ids, roles))
            if queued:
                worker = subprocess.Popen(
                    [
                        PYTHON,
                        "-m",
                        "celery",
                        "-A",
                        "config",
                        "worker",
                        "-Q",
                        queue,
                        "-c",
                        str(args.workers),
                        "-l",
                        "WARNING",
                        "-n",
                        f"bench-{os.getpid()}@%h",
                    ],
                    cwd=ROOT,
                    env=env,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
                time.sleep(5)  # let the workers connect before the clock starts
            latencies: list[list[float]] = [[] for _ in jobs]
            threads = [
                threading.Thread(target=_submit, args=(apis[i], *jobs[i], latencies[i]))
                for i in range(len(jobs))
            ]
            start = time.perf_counter()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            answered = time.perf_counter() - start
            deadline = time.monotonic() + 600
            while sink.count < share * args.clients and time.monotonic() < deadline:
                time.sleep(0.05)
            delivered = sink.last - start
    finally:
        if worker is not None:
            worker.terminate()
            worker.wait(30)
        controller.stop()
    samples = [ms for per_client in latencies for ms in per_client]
    sent = share * args.clients
    print(
        json.dumps(
            {
                "messages": sent,
                "clients (one sending account each)": args.clients,
                "delivery": f"celery queue, {args.workers} worker processes" if queued else "eager",
                "api_seconds": round(answered, 2),
                "submissions_per_second": round(sent / answered, 1),
                "request_ms": percentiles(samples),
                "end_to_end_seconds": round(delivered, 2),
                "delivered_per_second": round(sink.count / delivered, 1),
                "received_by_sink": sink.count,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
