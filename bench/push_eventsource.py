"""EventSource benchmark (issue 5): N idle event-source connections on one daphne process.

    .venv/bin/python -m bench.push_eventsource [--connections 1000 10000] [--rounds 20]
        [--layer memory|redis]

For each N: the server's RSS before and after opening N connections (``RSS per connection``),
then ``--rounds`` changes, each a Mailbox rename committed through JMAP, and for every one the
time from the commit to the ``state`` event's arrival at each of the N clients: p50/p99 over all
deliveries, and p50/p99 of the time until the *last* of the N clients had it.

``--layer memory`` (the embedded default) commits through the server's own HTTP API, since an
in-memory layer reaches no other process: the clock starts when that request is sent, and its
round trip is reported beside. ``--layer redis`` (production) commits in a separate process
that shares the Redis channel layer: the clock starts at the commit itself (the
``state_changed`` signal). Clients are raw asyncio sockets in this process.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import subprocess
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx

from bench.common import (
    CORE,
    MAIL,
    PYTHON,
    ROOT,
    basic,
    create_account,
    percentiles,
    rss_mb,
    running_server,
)

ADDRESS, PASSWORD = "push@bench.test", "bench password 1"
PATH = "/jmap/eventsource/?types=Mailbox&closeafter=no&ping=0"


class Listener:
    """One idle event-source connection that timestamps every state event."""

    def __init__(self, arrivals: list[float]) -> None:
        self.arrivals = arrivals
        self.writer: asyncio.StreamWriter | None = None

    async def open(self, host: str, port: int, auth: str) -> None:
        reader, writer = await asyncio.open_connection(host, port)
        self.writer = writer
        # HTTP/1.0: the stream comes unchunked and ends when the connection does.
        writer.write(
            f"GET {PATH} HTTP/1.0\r\nHost: {host}:{port}\r\nAuthorization: {auth}\r\n"
            "Accept: text/event-stream\r\n\r\n".encode()
        )
        status = await reader.readline()
        if b" 200 " not in status:
            raise RuntimeError(f"event source answered {status!r}")
        while (await reader.readline()).strip():
            pass
        self.task = asyncio.get_running_loop().create_task(self._read(reader))

    async def _read(self, reader: asyncio.StreamReader) -> None:
        while line := await reader.readline():
            if line.startswith(b"event: state"):
                self.arrivals.append(time.time())

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


class Committer:
    """A process on the same database and Redis layer that renames a mailbox on request."""

    SCRIPT = """
import os, sys, time
import django
django.setup()
from accounts.auth import Principal
from accounts.models import Account
from jmap_core import dispatch
from jmap_core.state import state_changed
from jmap_mail.models import Mailbox
account = Account.objects.get(address=sys.argv[1])
mailbox = Mailbox.objects.get(account=account, role="inbox")
stamps = []
state_changed.connect(lambda **kw: stamps.append(time.time()), weak=False)
principal = Principal(account)
for n, _ in enumerate(sys.stdin):
    request = {"using": ["urn:ietf:params:jmap:core", "urn:ietf:params:jmap:mail"],
               "methodCalls": [["Mailbox/set", {"accountId": account.jmap_id,
                                "update": {mailbox.jmap_id: {"name": f"Inbox {n}"}}}, "0"]]}
    dispatch.run_request(principal, request)
    print(stamps[-1], flush=True)
"""

    def __init__(self, env: dict[str, str]) -> None:
        pg = Path(env["MAILYARD_VAR_DIR"]) / "pg"
        database = (
            env.get("DATABASE_URL") or f"postgres://postgres@{quote(str(pg), safe='')}/mailyard"
        )
        env = {**env, "DATABASE_URL": database, "DJANGO_SETTINGS_MODULE": "config.settings"}
        self.proc = subprocess.Popen(
            [PYTHON, "-c", self.SCRIPT, ADDRESS],
            cwd=ROOT,
            env=env,
            text=True,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )

    def commit(self) -> float:
        assert self.proc.stdin is not None
        assert self.proc.stdout is not None
        self.proc.stdin.write("go\n")
        self.proc.stdin.flush()
        return float(self.proc.stdout.readline())

    def close(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)


async def _open_all(
    n: int, host: str, port: int, auth: str, arrivals: list[float]
) -> list[Listener]:
    gate = asyncio.Semaphore(64)
    listeners = [Listener(arrivals) for _ in range(n)]

    async def one(listener: Listener) -> None:
        async with gate:
            await listener.open(host, port, auth)

    await asyncio.gather(*(one(listener) for listener in listeners))
    return listeners


async def _round(n: int, arrivals: list[float], trigger: Any) -> tuple[float, list[float], float]:
    arrivals.clear()
    start, request_ms = await trigger()
    deadline = time.monotonic() + 60
    while len(arrivals) < n and time.monotonic() < deadline:  # noqa: ASYNC110 - a bench poll
        await asyncio.sleep(0.002)
    if len(arrivals) < n:
        raise RuntimeError(f"only {len(arrivals)} of {n} clients got the event")
    latencies = [(t - start) * 1000 for t in arrivals]
    return max(latencies), latencies, request_ms


async def measure(
    base: str, pid: int, env: dict[str, str], n: int, rounds: int, layer: str
) -> dict[str, Any]:
    host, port = base.removeprefix("http://").split(":")
    auth = basic(ADDRESS, PASSWORD)["Authorization"]
    arrivals: list[float] = []
    api = httpx.AsyncClient(base_url=base, headers={"Authorization": auth}, timeout=120)
    mailbox = await _inbox(api)
    committer = Committer(env) if layer == "redis" else None

    async def trigger() -> tuple[float, float]:
        if committer is not None:
            return await asyncio.to_thread(committer.commit), 0.0
        start = time.time()
        body = {
            "using": [CORE, MAIL],
            "methodCalls": [
                [
                    "Mailbox/set",
                    {"accountId": mailbox[0], "update": {mailbox[1]: {"name": f"Inbox {start}"}}},
                    "0",
                ]
            ],
        }
        (await api.post("/jmap/api/", json=body)).raise_for_status()
        return start, (time.time() - start) * 1000

    warm = await _open_all(10, host, int(port), auth, arrivals)
    await _round(10, arrivals, trigger)
    for listener in warm:
        listener.close()
    await asyncio.sleep(2)
    before = rss_mb(pid)
    opened = time.monotonic()
    listeners = await _open_all(n, host, int(port), auth, arrivals)
    open_seconds = time.monotonic() - opened
    await asyncio.sleep(3)
    after = rss_mb(pid)
    everyone, each, requests = [], [], []
    for _ in range(rounds):
        last, latencies, request_ms = await _round(n, arrivals, trigger)
        everyone.append(last)
        each.extend(latencies)
        requests.append(request_ms)
        await asyncio.sleep(0.4)  # past the coalescing interval: one event per change
    for listener in listeners:
        listener.close()
    await api.aclose()
    if committer is not None:
        committer.close()
    result = {
        "connections": n,
        "layer": layer,
        "open_seconds": round(open_seconds, 1),
        "rss_mb_before": round(before, 1),
        "rss_mb_after": round(after, 1),
        "rss_kb_per_connection": round((after - before) * 1024 / n, 1),
        "latency_ms_each_client": percentiles(each),
        "latency_ms_all_clients": percentiles(everyone),
        "clock_starts": "commit (state_changed)" if committer else "API request sent",
    }
    if committer is None:
        result["api_request_ms"] = percentiles(requests)
    return result


async def _inbox(api: httpx.AsyncClient) -> tuple[str, str]:
    session = (await api.get("/jmap/session/")).json()
    account_id = session["primaryAccounts"][MAIL]
    body = {
        "using": [CORE, MAIL],
        "methodCalls": [["Mailbox/get", {"accountId": account_id, "properties": ["role"]}, "0"]],
    }
    listed = (await api.post("/jmap/api/", json=body)).json()["methodResponses"][0][1]["list"]
    return account_id, next(m["id"] for m in listed if m["role"] == "inbox")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--connections", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--layer", choices=["memory", "redis"], default="memory")
    args = parser.parse_args()
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    if args.layer == "redis":
        os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/15")
    else:
        os.environ.pop("REDIS_URL", None)
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "1"
    results = []
    for n in args.connections:
        with running_server(f"push-{args.layer}") as (base, proc, env):
            create_account(env, ADDRESS, PASSWORD)
            results.append(asyncio.run(measure(base, proc.pid, env, n, args.rounds, args.layer)))
            print(json.dumps(results[-1]), flush=True)


if __name__ == "__main__":
    main()
