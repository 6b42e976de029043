"""Tombstone and blob clean-up (RFC 8620 §5.2 cannotCalculateChanges after pruning, §6)."""

from __future__ import annotations

import datetime

from django.utils import timezone

from accounts.models import Account
from jmap_core import blobs
from jmap_core.tasks import purge, purge_tombstones
from tests.jmap_client import JmapClient


def test_pruned_tombstones_make_old_states_unusable(jmap: JmapClient) -> None:
    old = jmap.state("Mailbox")
    box = jmap.call("Mailbox/set", {"create": {"b": {"name": "Old"}}})["created"]["b"]["id"]
    middle = jmap.state("Mailbox")
    jmap.call("Mailbox/set", {"destroy": [box]})
    assert jmap.call("Mailbox/changes", {"sinceState": middle})["destroyed"] == [box]
    assert purge_tombstones(timezone.now() + datetime.timedelta(days=365)) >= 1
    assert jmap.call_error("Mailbox/changes", {"sinceState": old}) == "cannotCalculateChanges"
    assert jmap.call_error("Mailbox/changes", {"sinceState": middle}) == "cannotCalculateChanges"
    current = jmap.state("Mailbox")
    assert jmap.call("Mailbox/changes", {"sinceState": current})["destroyed"] == []


def test_recent_tombstones_are_kept(jmap: JmapClient) -> None:
    since = jmap.state("Mailbox")
    box = jmap.call("Mailbox/set", {"create": {"b": {"name": "New"}}})["created"]["b"]["id"]
    jmap.call("Mailbox/set", {"destroy": [box]})
    purge_tombstones()
    assert jmap.call("Mailbox/changes", {"sinceState": since})["created"] == []


def test_expired_uploads_are_removed_and_free_the_quota(jmap: JmapClient) -> None:
    blob_id = jmap.upload(b"temporary").json()["blobId"]
    assert Account.objects.get(pk=jmap.account.pk).storage_used == 9
    assert blobs.purge_expired(timezone.now() + datetime.timedelta(days=2)) == 1
    assert Account.objects.get(pk=jmap.account.pk).storage_used == 0
    assert jmap.download(blob_id).status_code == 404


def test_the_periodic_task_runs(jmap: JmapClient) -> None:
    assert purge.apply().get() == {"tombstones": 0, "blobs": 0}


def test_storage_use_moves_the_quota_state(jmap: JmapClient) -> None:
    """RFC 9425 §4.3: a usage change is a Quota change, visible without calling Quota first."""
    from django.test import TestCase

    Account.objects.filter(pk=jmap.account.pk).update(storage_quota=10_000)
    quota_using = [
        "urn:ietf:params:jmap:core",
        "urn:ietf:params:jmap:mail",
        "urn:ietf:params:jmap:quota",
    ]
    before = jmap.call("Quota/get", {"ids": None}, using=quota_using)["state"]
    with TestCase.captureOnCommitCallbacks(execute=True):
        jmap.upload(b"counts against the quota")
    changes = jmap.call("Quota/changes", {"sinceState": before}, using=quota_using)
    assert len(changes["updated"]) == 1
    assert changes["updatedProperties"] == ["used"]
