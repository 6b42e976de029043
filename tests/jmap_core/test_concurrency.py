"""Concurrent writers to one account (RFC 8620 §5.2 /changes stays exact) and the concurrency
limits of RFC 8620 §2 (maxConcurrentRequests, maxConcurrentUpload)."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection

from tests.factories import PASSWORD, make_account
from tests.jmap_client import CORE, JmapClient


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_never_lose_a_change() -> None:
    """Writers serialise on the account lock, so modseq order is commit order: a client that
    reads /changes while others write never skips a change."""
    account = make_account()
    since = JmapClient(account, PASSWORD).state("Mailbox")
    created: list[str] = []
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            client = JmapClient(account, PASSWORD)
            for i in range(5):
                result = client.call("Mailbox/set", {"create": {"c": {"name": f"w{n}-{i}"}}})
                created.append(result["created"]["c"]["id"])
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    seen: list[str] = []
    state = since
    reader = JmapClient(account, PASSWORD)
    for thread in threads:
        thread.start()
    while any(t.is_alive() for t in threads):
        result = reader.call("Mailbox/changes", {"sinceState": state, "maxChanges": 3})
        seen += result["created"]
        state = result["newState"]
    for thread in threads:
        thread.join()
    while True:
        result = reader.call("Mailbox/changes", {"sinceState": state})
        seen += result["created"]
        state = result["newState"]
        if not result["hasMoreChanges"]:
            break
    assert errors == []
    assert sorted(seen) == sorted(created)
    assert len(created) == 20


def test_max_concurrent_requests_is_enforced(jmap: JmapClient, settings: Any) -> None:
    """RFC 8620 §3.6.1 limit maxConcurrentRequests; a limit of 0 refuses every request."""
    settings.JMAP_LIMITS = {"maxConcurrentRequests": 0}
    result = jmap.request([["Core/echo", {}, "0"]], using=[CORE])
    assert result.status == 400
    assert result.json["type"] == "urn:ietf:params:jmap:error:limit"
    assert result.json["limit"] == "maxConcurrentRequests"


def test_max_concurrent_upload_is_enforced(jmap: JmapClient, settings: Any) -> None:
    settings.JMAP_LIMITS = {"maxConcurrentUpload": 0}
    response = jmap.upload(b"data")
    assert response.status_code == 429
    assert response.json()["limit"] == "maxConcurrentUpload"


def test_a_finished_request_frees_its_slot(jmap: JmapClient, settings: Any) -> None:
    settings.JMAP_LIMITS = {"maxConcurrentRequests": 1}
    for _ in range(3):
        assert jmap.request([["Core/echo", {}, "0"]], using=[CORE]).status == 200
