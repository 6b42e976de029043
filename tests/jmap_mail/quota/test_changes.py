"""Quota/changes (RFC 9425 §4.3, RFC 8620 §5.2): usage moves the state."""

from __future__ import annotations

from accounts.models import Account, Tenant
from tests.factories import PASSWORD, make_account
from tests.jmap_client import JmapClient


def _limit(jmap: JmapClient, octets: int | None) -> None:
    Account.objects.filter(pk=jmap.account.pk).update(storage_quota=octets)


def _quota_id(jmap: JmapClient) -> str:
    return str(jmap.call("Quota/get")["list"][0]["id"])


def test_storing_a_blob_reports_only_used_as_changed(jmap: JmapClient) -> None:
    """RFC 9425 §4.3: updatedProperties is ["used"] when only usage changed."""
    _limit(jmap, 1000)
    quota_id = _quota_id(jmap)
    since = jmap.state("Quota")
    jmap.upload(b"twelve bytes")
    assert jmap.call("Quota/changes", {"sinceState": since}) == {
        "accountId": jmap.account_id,
        "oldState": since,
        "newState": jmap.state("Quota"),
        "hasMoreChanges": False,
        "created": [],
        "updated": [quota_id],
        "destroyed": [],
        "updatedProperties": ["used"],
    }
    assert since != jmap.state("Quota")
    assert jmap.call("Quota/get", {"ids": [quota_id], "properties": ["used"]})["list"] == [
        {"id": quota_id, "used": 12}
    ]


def test_the_state_stays_put_while_nothing_changes(jmap: JmapClient) -> None:
    """RFC 8620 §5.1: the state moves only when a Quota changes."""
    _limit(jmap, 1000)
    since = jmap.state("Quota")
    assert jmap.state("Quota") == since
    result = jmap.call("Quota/changes", {"sinceState": since})
    assert (result["newState"], result["updated"]) == (since, [])


def test_a_new_limit_changes_more_than_used(jmap: JmapClient) -> None:
    """RFC 9425 §4.3: updatedProperties is null when other properties changed."""
    _limit(jmap, 1000)
    quota_id = _quota_id(jmap)
    since = jmap.state("Quota")
    _limit(jmap, 2000)
    result = jmap.call("Quota/changes", {"sinceState": since})
    assert (result["updated"], result["updatedProperties"]) == ([quota_id], None)
    assert jmap.call("Quota/get", {"properties": ["hardLimit"]})["list"] == [
        {"id": quota_id, "hardLimit": 2000}
    ]


def test_setting_and_removing_a_limit_creates_and_destroys_a_quota(jmap: JmapClient) -> None:
    """RFC 8620 §5.2 created and destroyed."""
    since = jmap.state("Quota")
    _limit(jmap, 1000)
    created = jmap.call("Quota/changes", {"sinceState": since})
    quota_id = _quota_id(jmap)
    assert (created["created"], created["updated"], created["destroyed"]) == ([quota_id], [], [])
    middle = jmap.state("Quota")
    _limit(jmap, None)
    removed = jmap.call("Quota/changes", {"sinceState": middle})
    assert (removed["created"], removed["updated"], removed["destroyed"]) == ([], [], [quota_id])
    assert jmap.call("Quota/get", {"ids": [quota_id]})["notFound"] == [quota_id]


def test_a_colleagues_upload_moves_the_tenant_quota(
    jmap: JmapClient, other_jmap: JmapClient
) -> None:
    """RFC 9425 §3.1: a domain-scope quota counts every account of the tenant."""
    Tenant.objects.filter(pk=jmap.account.tenant_id).update(storage_quota=10_000)
    colleague = JmapClient(make_account(tenant=jmap.account.tenant), PASSWORD)
    quota_id = _quota_id(jmap)
    since = jmap.state("Quota")
    colleague.upload(b"abc")
    other_jmap.upload(b"another tenant")
    result = jmap.call("Quota/changes", {"sinceState": since})
    assert (result["updated"], result["updatedProperties"]) == ([quota_id], ["used"])
    assert jmap.call("Quota/get", {"properties": ["used"]})["list"] == [{"id": quota_id, "used": 3}]


def test_an_unknown_state_cannot_be_calculated(jmap: JmapClient) -> None:
    """RFC 8620 §5.2 cannotCalculateChanges."""
    assert jmap.call_error("Quota/changes", {"sinceState": "bogus"}) == "cannotCalculateChanges"
