"""Upload, download and Blob/copy (RFC 8620 §6)."""

from __future__ import annotations

import json
from typing import Any

from accounts.models import Account
from jmap_core.models import BlobContent
from tests.jmap_client import CORE, JmapClient


def test_upload_then_download_round_trips(jmap: JmapClient) -> None:
    """RFC 8620 §6.1, §6.2."""
    response = jmap.upload(b"hello world", "text/plain")
    assert response.status_code == 201
    body = response.json()
    assert body["accountId"] == jmap.account_id
    assert body["size"] == 11
    assert body["type"] == "text/plain"
    download = jmap.download(body["blobId"], "h\u00e9llo.txt", "text/plain")
    assert download.status_code == 200
    assert download.content == b"hello world"
    assert download["Content-Type"] == "text/plain"
    assert "filename*=UTF-8''h%C3%A9llo.txt" in download["Content-Disposition"]
    assert "immutable" in download["Cache-Control"]


def test_the_same_content_gives_the_same_blob_and_counts_once(jmap: JmapClient) -> None:
    first = jmap.upload(b"same").json()["blobId"]
    second = jmap.upload(b"same").json()["blobId"]
    assert first == second
    assert Account.objects.get(pk=jmap.account.pk).storage_used == 4


def test_another_accounts_blob_is_not_found(jmap: JmapClient, other_jmap: JmapClient) -> None:
    """RFC 8620 §6.1: unreferenced blobs are visible only to the uploader."""
    blob_id = other_jmap.upload(b"secret").json()["blobId"]
    assert jmap.download(blob_id).status_code == 404
    assert jmap.download(blob_id, account_id=other_jmap.account_id).status_code == 404
    assert jmap.upload(b"x", account_id=other_jmap.account_id).status_code == 404


def test_uploads_over_the_size_limit_are_refused(jmap: JmapClient, settings: Any) -> None:
    settings.JMAP_LIMITS = {"maxSizeUpload": 10}
    response = jmap.upload(b"x" * 11)
    assert response.status_code == 413
    assert response.json()["limit"] == "maxSizeUpload"


def test_uploads_over_quota_are_refused(jmap: JmapClient) -> None:
    Account.objects.filter(pk=jmap.account.pk).update(storage_quota=5)
    response = jmap.upload(b"123456")
    assert response.status_code == 413
    assert response.json()["type"] == "urn:ietf:params:jmap:error:overQuota"


def test_blob_copy_between_reachable_accounts(jmap: JmapClient, other_jmap: JmapClient) -> None:
    """RFC 8620 §6.3: fromAccountNotFound for an account the user cannot reach."""
    blob_id = jmap.upload(b"data").json()["blobId"]
    result = jmap.call(
        "Blob/copy", {"fromAccountId": jmap.account_id, "blobIds": [blob_id, "bnope"]}, using=[CORE]
    )
    assert result["copied"] == {blob_id: blob_id}
    assert result["notCopied"]["bnope"]["type"] == "notFound"
    error = jmap.call_error(
        "Blob/copy", {"fromAccountId": other_jmap.account_id, "blobIds": [blob_id]}, using=[CORE]
    )
    assert error == "fromAccountNotFound"


def test_unknown_blob_download_is_a_problem_document(jmap: JmapClient) -> None:
    response = jmap.download("b" + "0" * 64)
    assert response.status_code == 404
    assert json.loads(response.content)["status"] == 404


def test_blob_bytes_are_stored_lz4_compressed_and_read_back(jmap: JmapClient) -> None:
    """The default store compresses in the server process; downloads give the original bytes."""
    data = b"Subject: compressible\r\n\r\n" + b"the same line again and again\r\n" * 400
    blob_id = jmap.upload(data).json()["blobId"]
    row = BlobContent.objects.get(sha256=blob_id[1:])
    assert row.store == "postgres-lz4"
    assert row.size == len(data)
    assert len(bytes(row.data)) < len(data) // 4
    assert jmap.download(blob_id).content == data


def test_rows_of_the_plain_postgres_store_still_read(jmap: JmapClient, settings: Any) -> None:
    """Blobs written before the LZ4 store (or with MAILYARD_BLOB_STORE=postgres) stay
    readable."""
    settings.MAILYARD_BLOB_STORE = "postgres"
    raw = b"From: a@example.com\r\nSubject: plain\r\n\r\nstored as it is\r\n"
    blob_id = jmap.upload(raw, "message/rfc822").json()["blobId"]
    row = BlobContent.objects.get(sha256=blob_id[1:])
    assert (row.store, bytes(row.data)) == ("postgres", raw)
    settings.MAILYARD_BLOB_STORE = "postgres-lz4"
    assert jmap.download(blob_id).content == raw
