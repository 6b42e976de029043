"""An EventSource client for tests: httpx streaming on a thread, parsed as the W3C spec says."""

from __future__ import annotations

import json
import queue
import threading
from dataclasses import dataclass
from typing import Any

import httpx


@dataclass(frozen=True)
class Event:
    event: str | None  # None: a block without data (only fields like id)
    id: str | None  # the last event id after this block
    data: str

    def json(self) -> Any:
        return json.loads(self.data)


class EventStream:
    """Opens ``url`` and queues every event block until closed."""

    def __init__(self, url: str, headers: dict[str, str] | None = None) -> None:
        self.events: queue.Queue[Event | None] = queue.Queue()
        self.opened = threading.Event()
        self.status = 0
        self.response_headers: httpx.Headers = httpx.Headers()
        self.body = b""
        self._client = httpx.Client(timeout=httpx.Timeout(30.0, read=None))
        self._thread = threading.Thread(target=self._run, args=(url, headers or {}), daemon=True)
        self._thread.start()
        assert self.opened.wait(30), "the event source did not answer"

    def _run(self, url: str, headers: dict[str, str]) -> None:
        try:
            with self._client.stream("GET", url, headers=headers) as response:
                self.status = response.status_code
                self.response_headers = response.headers
                if response.status_code != 200:
                    self.body = response.read()
                    self.opened.set()
                    return
                self.opened.set()
                self._parse(response)
        except (httpx.HTTPError, RuntimeError):
            pass
        finally:
            self.opened.set()
            self.events.put(None)

    def _parse(self, response: httpx.Response) -> None:
        event: str | None = None
        data: list[str] = []
        last_id: str | None = None
        for line in response.iter_lines():
            if line == "":
                self.events.put(
                    Event(event or ("message" if data else None), last_id, "\n".join(data))
                )
                event, data = None, []
                continue
            if line.startswith(":"):
                continue
            name, _, value = line.partition(":")
            value = value[1:] if value.startswith(" ") else value
            if name == "event":
                event = value
            elif name == "data":
                data.append(value)
            elif name == "id":
                last_id = value

    def next(self, timeout: float = 10.0) -> Event:
        try:
            item = self.events.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError("no event arrived") from None
        assert item is not None, "the stream ended"
        return item

    def next_named(self, name: str, timeout: float = 10.0) -> Event:
        while True:
            event = self.next(timeout)
            if event.event == name:
                return event

    def ended(self, timeout: float = 10.0) -> bool:
        try:
            while True:
                if self.events.get(timeout=timeout) is None:
                    return True
        except queue.Empty:
            return False

    def close(self) -> None:
        self._client.close()
