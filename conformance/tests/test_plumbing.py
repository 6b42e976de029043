"""Self-tests of the suite's own plumbing (run with `pytest conformance/tests`).

They need no JMAP server: the registry, the RFC quotes, the EventSource reader, the push
receiver, URI templates and the docs generator are checked locally.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from conformance.client import Http, expand
from conformance.docs import write_docs
from conformance.push import EventStream, PushReceiver
from conformance.quotes import check
from conformance.registry import AREAS, select

SPECS = Path(__file__).resolve().parents[3] / "shared" / "specs"


def test_the_suite_has_at_least_300_cases_in_known_areas() -> None:
    cases = select(None)
    assert len(cases) >= 300
    assert {c.area for c in cases} <= set(AREAS)


def test_every_case_documents_what_it_sends_and_expects() -> None:
    for case in select(None):
        assert case.quote, case.id
        assert case.sends, case.id
        assert case.expects, case.id


@pytest.mark.skipif(not SPECS.is_dir(), reason="RFC texts not available")
def test_every_quote_occurs_in_its_rfc() -> None:
    assert check(select(None), SPECS) == []


def test_only_selects_an_area_without_its_longer_namesakes() -> None:
    ids = {c.area for c in select(["core.query"])}
    assert ids == {"core.query"}
    assert {c.area for c in select(["core"])} >= {"core.query", "core.querychanges"}


def test_uri_template_values_are_percent_encoded() -> None:
    url = expand(
        "/d/{accountId}/{blobId}/{name}?accept={type}",
        accountId="a1",
        blobId="b 2",
        name="x/y.txt",
        type="text/plain",
    )
    assert url == "/d/a1/b%202/x%2Fy.txt?accept=text%2Fplain"


class _SSEHandler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        self.wfile.write(
            b': comment\n\nevent: ping\ndata: {"interval": 5}\n\n'
            b'event: state\ndata: {"@type":"StateChange",\ndata: "changed":{}}\n'
            b"id: s1\n\n"
        )
        self.wfile.flush()

    def log_message(self, *args: object) -> None:
        return


@pytest.fixture
def sse_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _SSEHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/events"
    server.shutdown()
    server.server_close()


def test_event_stream_parses_types_multiline_data_and_ids(sse_url: str) -> None:
    http = Http(None, timeout=5.0, verify=True)
    with EventStream(http, sse_url) as stream:
        assert stream.status == 200
        ping = stream.next(5.0, "ping")
        state = stream.next(5.0, "state")
    assert ping is not None
    assert ping.json() == {"interval": 5}
    assert ping.id is None
    assert state is not None
    assert state.json() == {"@type": "StateChange", "changed": {}}
    assert state.id == "s1"


def test_push_receiver_records_posts_per_path() -> None:
    receiver = PushReceiver("127.0.0.1")
    try:
        url, path = receiver.new_url()
        other_url, _ = receiver.new_url()
        httpx.post(url, json={"@type": "PushVerification"}, headers={"TTL": "60"})
        httpx.post(other_url, json={"x": 1})
        got = receiver.wait(path, 2.0)
        assert [d.json() for d in got] == [{"@type": "PushVerification"}]
        assert got[0].headers["TTL"] == "60"
    finally:
        receiver.close()


def test_docs_have_one_page_per_area_and_an_index(tmp_path: Path) -> None:
    cases = select(None)
    written = write_docs(cases, tmp_path)
    assert tmp_path / "README.md" in written
    assert len(written) == len({c.area for c in cases}) + 1
    page = (tmp_path / "core.session.md").read_text(encoding="utf-8")
    assert "core.session.capability-core" in page
    assert "RFC 8620 §2" in page
