"""Quota/queryChanges (RFC 9425 §4.5, RFC 8620 §5.6)."""

from __future__ import annotations

from accounts.models import Account, Tenant
from tests.jmap_client import JmapClient

BY_USED = [{"property": "used", "isAscending": False}]


def test_a_usage_change_reorders_a_query_sorted_by_used(jmap: JmapClient) -> None:
    """RFC 8620 §5.6: a changed record is removed and added at its new index."""
    Account.objects.filter(pk=jmap.account.pk).update(storage_quota=1000)
    Tenant.objects.filter(pk=jmap.account.tenant_id).update(storage_quota=10_000)
    before = jmap.call("Quota/query", {"sort": BY_USED})
    assert len(before["ids"]) == 2
    jmap.upload(b"x" * 40)
    result = jmap.call(
        "Quota/queryChanges",
        {"sinceQueryState": before["queryState"], "sort": BY_USED, "calculateTotal": True},
    )
    after = jmap.call("Quota/query", {"sort": BY_USED})
    assert result == {
        "accountId": jmap.account_id,
        "oldQueryState": before["queryState"],
        "newQueryState": after["queryState"],
        "removed": sorted(before["ids"]),
        "added": [{"id": i, "index": n} for n, i in enumerate(after["ids"])],
        "total": 2,
    }


def test_no_changes_since_the_query_state_is_an_empty_answer(jmap: JmapClient) -> None:
    """RFC 8620 §5.6."""
    Account.objects.filter(pk=jmap.account.pk).update(storage_quota=1000)
    state = jmap.call("Quota/query")["queryState"]
    result = jmap.call("Quota/queryChanges", {"sinceQueryState": state})
    assert (result["newQueryState"], result["removed"], result["added"]) == (state, [], [])


def test_a_quota_whose_limit_goes_away_is_removed(jmap: JmapClient) -> None:
    """RFC 8620 §5.6 removed."""
    Account.objects.filter(pk=jmap.account.pk).update(storage_quota=1000)
    before = jmap.call("Quota/query")
    Account.objects.filter(pk=jmap.account.pk).update(storage_quota=None)
    result = jmap.call("Quota/queryChanges", {"sinceQueryState": before["queryState"]})
    assert (result["removed"], result["added"]) == (before["ids"], [])


def test_an_unknown_query_state_cannot_be_calculated(jmap: JmapClient) -> None:
    """RFC 8620 §5.6 cannotCalculateChanges."""
    error = jmap.call_error("Quota/queryChanges", {"sinceQueryState": "nope"})
    assert error == "cannotCalculateChanges"
