from __future__ import annotations

from typing import Any

from tests.jmap_client import JmapClient


def role(jmap: JmapClient, name: str) -> str:
    return str(jmap.call("Mailbox/query", {"filter": {"role": name}})["ids"][0])


def import_raw(
    jmap: JmapClient,
    raw: bytes,
    *,
    mailbox: str = "inbox",
    keywords: dict[str, bool] | None = None,
    received_at: str | None = None,
) -> dict[str, Any]:
    blob_id = jmap.upload(raw, "message/rfc822").json()["blobId"]
    item: dict[str, Any] = {
        "blobId": blob_id,
        "mailboxIds": {role(jmap, mailbox): True},
        "keywords": keywords or {},
    }
    if received_at:
        item["receivedAt"] = received_at
    result = jmap.call("Email/import", {"emails": {"i": item}})
    assert result["notCreated"] is None, result
    return dict(result["created"]["i"])
