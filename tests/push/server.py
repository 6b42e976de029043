"""A real daphne process serving ``config.asgi:application`` against the test database.

Push is tested through real transports (issue 5): the server runs in a subprocess on a free
loopback port, with ``DATABASE_URL`` pointing at pytest-django's test database, so that rows a
test commits (``transactional_db``) are what the server sees.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any
from urllib.parse import quote

import httpx
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]

# Fast clocks for tests: pings may be 1 s, back-off starts at 1 s.
TEST_ENV = {
    "MAILYARD_PUSH_ALLOW_HTTP": "1",
    "MAILYARD_PUSH_PING_MIN": "1",
    "MAILYARD_PUSH_RETRY_SECONDS": "1",
    "MAILYARD_PUSH_COALESCE_MS": "200",
    "CELERY_TASK_ALWAYS_EAGER": "1",
    "LOG_LEVEL": "WARNING",
}


# As recommended for production: WebSocket messages up to maxSizeRequest reach the application,
# which answers a RequestError (RFC 8887 §4.3.4) instead of daphne closing the socket at 1 MiB.
DAPHNE_ARGS = [
    "--websocket-max-message-size",
    str(16 * 1024 * 1024),
    "--websocket-max-frame-size",
    str(16 * 1024 * 1024),
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def database_url() -> str:
    """A DATABASE_URL for the database this test process is using."""
    db = connection.settings_dict
    host = str(db["HOST"] or "")
    host_part = quote(host, safe="") if host.startswith("/") else host
    port = f":{db['PORT']}" if db.get("PORT") else ""
    password = f":{quote(str(db['PASSWORD']), safe='')}" if db.get("PASSWORD") else ""
    return f"postgres://{quote(str(db['USER']), safe='')}{password}@{host_part}{port}/{db['NAME']}"


@dataclass
class Server:
    base: str  # http://127.0.0.1:PORT
    process: subprocess.Popen[bytes]
    log: IO[bytes]

    @property
    def ws_url(self) -> str:
        return self.base.replace("http://", "ws://") + "/jmap/ws/"

    def api(self, auth: str, calls: list[list[Any]], using: list[str] | None = None) -> Any:
        body = {
            "using": using or ["urn:ietf:params:jmap:core", "urn:ietf:params:jmap:mail"],
            "methodCalls": calls,
        }
        response = httpx.post(
            f"{self.base}/jmap/api/", json=body, headers={"Authorization": auth}, timeout=30
        )
        assert response.status_code == 200, response.text
        return response.json()["methodResponses"]

    def session(self, auth: str) -> Any:
        response = httpx.get(
            f"{self.base}/jmap/session/", headers={"Authorization": auth}, timeout=30
        )
        assert response.status_code == 200, response.text
        return response.json()

    def output(self) -> str:
        self.log.flush()
        self.log.seek(0)
        return self.log.read().decode(errors="replace")


def start(**env: str) -> Server:
    port = free_port()
    full_env = {
        **os.environ,
        **TEST_ENV,
        "DATABASE_URL": database_url(),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        **env,
    }
    log = tempfile.TemporaryFile()  # noqa: SIM115 - lives as long as the server
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "daphne",
            "-b",
            "127.0.0.1",
            "-p",
            str(port),
            *DAPHNE_ARGS,
            "config.asgi:application",
        ],
        cwd=ROOT,
        env=full_env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    server = Server(f"http://127.0.0.1:{port}", process, log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"daphne exited early:\n{server.output()}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{server.base}/healthz", timeout=2).status_code == 200:
                return server
        time.sleep(0.1)
    stop(server)
    raise RuntimeError(f"daphne did not start:\n{server.output()}")


def stop(server: Server) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()
    server.log.close()


@contextlib.contextmanager
def running(**env: str) -> Iterator[Server]:
    server = start(**env)
    try:
        yield server
    finally:
        stop(server)
