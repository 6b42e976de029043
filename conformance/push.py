"""Push plumbing for the suite: an EventSource reader and a loopback push receiver.

The receiver is a plain `http.server` on loopback; a PushSubscription gets a unique path on it
so that a case only sees the pushes meant for it (RFC 8620 §7.2).
"""

from __future__ import annotations

import contextlib
import json
import queue
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx

from conformance.client import Http

JSON = Any


@dataclass
class Event:
    """One server-sent event (W3C EventSource §7)."""

    type: str = "message"
    data: str = ""
    id: str | None = None

    def json(self) -> JSON:
        return json.loads(self.data)


class EventStream:
    """Reads an EventSource response on a thread, so a case can wait with a deadline."""

    def __init__(self, http: Http, url: str, headers: dict[str, str] | None = None) -> None:
        self.http = http
        self.url = url
        self.headers = {"Accept": "text/event-stream", **(headers or {})}
        self.events: queue.Queue[Event | None] = queue.Queue()
        self.ready = threading.Event()
        self.status: int | None = None
        self.response_headers: dict[str, str] = {}
        self.error: str | None = None
        self.ended = False
        self._response: httpx.Response | None = None
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> EventStream:
        self._thread.start()
        self.ready.wait(15.0)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._response is not None:
            with contextlib.suppress(Exception):  # closing from another thread may race
                self._response.close()

    def _run(self) -> None:
        timeout = httpx.Timeout(15.0, read=None)
        try:
            with self.http.client.stream(
                "GET", self.url, headers=self.headers, timeout=timeout
            ) as response:
                self._response = response
                self.status = response.status_code
                self.response_headers = dict(response.headers)
                self.ready.set()
                self._parse(response)
        except Exception as exc:
            self.error = f"{type(exc).__name__}: {exc}"
        finally:
            self.ended = True
            self.ready.set()
            self.events.put(None)

    def _parse(self, response: httpx.Response) -> None:
        current = Event()
        data: list[str] = []
        for line in response.iter_lines():
            if line == "":
                if data or current.type != "message":
                    current.data = "\n".join(data)
                    self.events.put(current)
                current, data = Event(), []
                continue
            if line.startswith(":"):
                continue
            name, _, value = line.partition(":")
            value = value[1:] if value.startswith(" ") else value
            if name == "event":
                current.type = value
            elif name == "data":
                data.append(value)
            elif name == "id":
                current.id = value

    def next(self, timeout: float, kind: str | None = None) -> Event | None:
        """The next event (of type `kind`, when given) within `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                event = self.events.get(timeout=left)
            except queue.Empty:
                return None
            if event is None:
                self.events.put(None)
                return None
            if kind is None or event.type == kind:
                return event
        return None


@dataclass
class Delivery:
    path: str
    headers: dict[str, str]
    body: bytes
    received: float = field(default_factory=time.monotonic)

    def json(self) -> JSON:
        return json.loads(self.body.decode("utf-8"))


class PushReceiver:
    """A loopback HTTP endpoint that records every POST made to it."""

    def __init__(self, host: str) -> None:
        self.deliveries: list[Delivery] = []
        self.lock = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                with receiver.lock:
                    receiver.deliveries.append(Delivery(self.path, dict(self.headers), body))
                    receiver.lock.notify_all()
                self.send_response(201)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                return

        self.server = ThreadingHTTPServer((host, 0), Handler)
        self.host = host
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def new_url(self) -> tuple[str, str]:
        path = f"/push/{secrets.token_hex(8)}"
        return f"http://{self.host}:{self.server.server_address[1]}{path}", path

    def wait(self, path: str, timeout: float, count: int = 1) -> list[Delivery]:
        """Deliveries to `path`, waiting up to `timeout` for at least `count` of them."""
        deadline = time.monotonic() + timeout
        with self.lock:
            while True:
                found = [d for d in self.deliveries if d.path == path]
                left = deadline - time.monotonic()
                if len(found) >= count or left <= 0:
                    return found
                self.lock.wait(left)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
