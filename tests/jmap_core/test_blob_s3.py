"""Blob bytes in an S3-compatible store (MAILYARD_BLOB_STORE=s3), against a real local S3 server
(moto's server on loopback)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto.server import ThreadedMotoServer

from bench.common import free_port
from jmap_core import blobs
from jmap_core.models import BlobContent
from tests.factories import message
from tests.jmap_client import JmapClient
from tests.jmap_mail.email.helpers import import_raw


@pytest.fixture
def s3(settings: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port)
    server.start()
    for name, value in {
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    endpoint = f"http://127.0.0.1:{port}"
    client = boto3.client("s3", endpoint_url=endpoint)
    client.create_bucket(Bucket="mailyard-test")
    settings.MAILYARD_BLOB_STORE = "s3"
    settings.MAILYARD_S3_BUCKET = "mailyard-test"
    settings.MAILYARD_S3_ENDPOINT = endpoint
    blobs._STORES.clear()
    yield client
    blobs._STORES.clear()
    server.stop()


def test_uploads_and_messages_live_in_the_bucket(jmap: JmapClient, s3: Any) -> None:
    raw = message("Stored in S3", body="bytes outside the database")
    created = import_raw(jmap, raw)
    content = BlobContent.objects.get(sha256=created["blobId"][1:])
    assert content.store == "s3"
    assert content.data is None
    stored = s3.get_object(
        Bucket="mailyard-test", Key=f"blobs/{content.sha256[:2]}/{content.sha256}"
    )
    assert stored["Body"].read() == raw
    assert jmap.download(created["blobId"]).content == raw
    email = jmap.call(
        "Email/get",
        {"ids": [created["id"]], "properties": ["bodyValues"], "fetchAllBodyValues": True},
    )["list"][0]
    assert next(iter(email["bodyValues"].values()))["value"].strip() == "bytes outside the database"


def test_unreferenced_blobs_are_deleted_from_the_bucket(jmap: JmapClient, s3: Any) -> None:
    import datetime

    from django.utils import timezone

    blob_id = jmap.upload(b"short-lived").json()["blobId"]
    key = f"blobs/{blob_id[1:3]}/{blob_id[1:]}"
    assert s3.get_object(Bucket="mailyard-test", Key=key)["Body"].read() == b"short-lived"
    blobs.purge_expired(timezone.now() + datetime.timedelta(days=2))
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket="mailyard-test").get("Contents", [])]
    assert key not in keys
