"""Shared pieces of the benchmarks: run a Mailyard server on loopback and talk JMAP to it.

The server is daphne serving ``config.asgi:application`` with its own embedded PostgreSQL under
``var/bench`` (or ``BENCH_DATABASE_URL``), so benchmarks never touch development data.
"""

from __future__ import annotations

import base64
import contextlib
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
CORE = "urn:ietf:params:jmap:core"
MAIL = "urn:ietf:params:jmap:mail"
BLOB = "urn:ietf:params:jmap:blob"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_env(var_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["MAILYARD_VAR_DIR"] = str(var_dir)
    env.pop("DATABASE_URL", None)
    if os.environ.get("BENCH_DATABASE_URL"):
        env["DATABASE_URL"] = os.environ["BENCH_DATABASE_URL"]
    env.setdefault("LOG_LEVEL", "WARNING")
    # Benchmarks measure the server, not the limits that protect it.
    env.setdefault("MAILYARD_MAX_CONCURRENT_REQUESTS", "1000")
    env.setdefault("MAILYARD_MAX_CALLS_IN_REQUEST", "1000")
    env.setdefault("MAILYARD_MAX_OBJECTS_IN_SET", "5000")
    env.setdefault("MAILYARD_MAX_OBJECTS_IN_GET", "5000")
    return env


def stop_embedded_postgres(pgdata: Path) -> None:
    """Stop an embedded PostgreSQL left running in ``pgdata`` (fast shutdown) and wait for it."""
    pid_file = pgdata / "postmaster.pid"
    if not pid_file.exists():
        return
    pid = int(pid_file.read_text().split()[0])
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGINT)
        for _ in range(100):
            os.kill(pid, 0)
            time.sleep(0.1)


def manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    return done.stdout


@contextlib.contextmanager
def running_server(
    name: str, *, fresh: bool = True
) -> Iterator[tuple[str, subprocess.Popen[bytes], dict[str, str]]]:
    """Start daphne on a free port; yields (base URL, process, environment)."""
    var_dir = ROOT / "var" / "bench" / name
    if fresh and var_dir.exists():
        stop_embedded_postgres(var_dir / "pg")
        shutil.rmtree(var_dir)
    var_dir.mkdir(parents=True, exist_ok=True)
    env = server_env(var_dir)
    manage(env, "migrate", "--noinput")
    port = free_port()
    proc = subprocess.Popen(
        [PYTHON, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "config.asgi:application"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(var_dir / "server.log", "wb"),
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        else:
            raise RuntimeError("server did not start")
        yield base, proc, env
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)


def create_account(env: dict[str, str], address: str, password: str) -> None:
    manage(env, "createaccount", address, "--password", password)


def basic(address: str, password: str) -> dict[str, str]:
    token = base64.b64encode(f"{address}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


def _ticks(pid: int, *, children: bool = False) -> int:
    """User and system CPU ticks of ``pid`` (and of its children it has waited for)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return 0
    # Fields after the command: state is [0], utime [11], stime [12], cutime [13], cstime [14].
    used = int(fields[11]) + int(fields[12])
    return used + (int(fields[13]) + int(fields[14]) if children else 0)


def cpu_seconds(pid: int) -> float:
    return _ticks(pid) / os.sysconf("SC_CLK_TCK")


def postgres_cpu_seconds(env: dict[str, str]) -> float | None:
    """CPU used so far by the embedded PostgreSQL of a benchmark: the postmaster, its live
    processes and the backends that have exited; None for an external server."""
    if env.get("DATABASE_URL"):
        return None
    pid_file = Path(env["MAILYARD_VAR_DIR"]) / "pg" / "postmaster.pid"
    if not pid_file.exists():
        return None
    postmaster = int(pid_file.read_text().split()[0])
    ticks = _ticks(postmaster, children=True)
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(FileNotFoundError, ProcessLookupError):
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                if int(fields[1]) == postmaster:
                    ticks += _ticks(int(entry.name))
    return ticks / os.sysconf("SC_CLK_TCK")


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def percentiles(samples_ms: list[float]) -> dict[str, float]:
    ordered = sorted(samples_ms)

    def pick(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 2)

    return {"p50": pick(0.5), "p99": pick(0.99), "mean": round(statistics.fmean(ordered), 2)}


class Client:
    """A minimal synchronous JMAP client over one keep-alive connection."""

    def __init__(self, base: str, address: str, password: str) -> None:
        self.http = httpx.Client(base_url=base, headers=basic(address, password), timeout=120)
        self.session = self.http.get("/.well-known/jmap").json()
        self.account_id = self.session["primaryAccounts"][MAIL]

    def call(self, calls: list[list[Any]], using: list[str] | None = None) -> list[list[Any]]:
        response = self.http.post(
            self.session["apiUrl"], json={"using": using or [CORE, MAIL], "methodCalls": calls}
        )
        response.raise_for_status()
        return list(response.json()["methodResponses"])

    def upload(self, data: bytes) -> str:
        url = self.session["uploadUrl"].replace("{accountId}", self.account_id)
        response = self.http.post(url, content=data, headers={"Content-Type": "message/rfc822"})
        response.raise_for_status()
        return str(response.json()["blobId"])
