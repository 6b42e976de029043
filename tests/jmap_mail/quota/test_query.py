"""Quota/query (RFC 9425 §4.4, RFC 8620 §5.5)."""

from __future__ import annotations

from typing import Any

import pytest

from accounts.models import Account, Tenant
from tests.factories import make_account
from tests.jmap_client import JmapClient


@pytest.fixture
def quotas(jmap: JmapClient) -> dict[str, str]:
    """An account quota (500 octets used) and a tenant quota ("tenantN storage", 500 + 5000)."""
    Account.objects.filter(pk=jmap.account.pk).update(storage_quota=1000, storage_used=500)
    Tenant.objects.filter(pk=jmap.account.tenant_id).update(storage_quota=10_000)
    colleague = make_account(tenant=jmap.account.tenant)
    Account.objects.filter(pk=colleague.pk).update(storage_used=5000)
    listed = jmap.call("Quota/get", {"properties": ["scope"]})["list"]
    return {q["scope"]: q["id"] for q in listed}


def _ids(jmap: JmapClient, args: dict[str, Any]) -> list[str]:
    return list(jmap.call("Quota/query", args)["ids"])


def test_query_without_a_filter_lists_every_quota(jmap: JmapClient, quotas: dict[str, str]) -> None:
    """RFC 8620 §5.5."""
    result = jmap.call("Quota/query", {"calculateTotal": True})
    assert sorted(result["ids"]) == sorted(quotas.values())
    assert (result["total"], result["position"], result["canCalculateChanges"]) == (2, 0, True)
    assert result["queryState"] == jmap.state("Quota")


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ({"scope": "account"}, ["account"]),
        ({"scope": "domain"}, ["domain"]),
        ({"scope": "global"}, []),
        ({"resourceType": "octets"}, ["account", "domain"]),
        ({"resourceType": "count"}, []),
        ({"type": "Email"}, ["account", "domain"]),
        ({"type": "Calendar"}, []),
        ({"name": "STORAGE"}, ["domain"]),
        ({"name": "@", "scope": "account"}, ["account"]),
    ],
)
def test_filter_conditions_match_as_the_rfc_says(
    jmap: JmapClient, quotas: dict[str, str], condition: dict[str, str], expected: list[str]
) -> None:
    """RFC 9425 §4.4: name contains; scope, resourceType exact; types contains type."""
    found = _ids(jmap, {"filter": condition})
    assert sorted(found) == sorted(quotas[scope] for scope in expected)


def test_filter_operators_combine_conditions(jmap: JmapClient, quotas: dict[str, str]) -> None:
    """RFC 8620 §5.5 FilterOperator."""
    flt = {"operator": "NOT", "conditions": [{"scope": "account"}]}
    assert _ids(jmap, {"filter": flt}) == [quotas["domain"]]


def test_results_sort_by_used_and_by_name(jmap: JmapClient, quotas: dict[str, str]) -> None:
    """RFC 9425 §4.4: name and used must be sortable."""
    account, domain = quotas["account"], quotas["domain"]
    assert _ids(jmap, {"sort": [{"property": "used"}]}) == [account, domain]
    assert _ids(jmap, {"sort": [{"property": "used", "isAscending": False}]}) == [domain, account]
    # The account quota is named after its address ("user…"), the tenant's "tenant… storage".
    assert _ids(jmap, {"sort": [{"property": "name"}]}) == [domain, account]


def test_an_unknown_filter_or_sort_is_refused(jmap: JmapClient, quotas: dict[str, str]) -> None:
    """RFC 8620 §5.5 unsupportedFilter, unsupportedSort."""
    assert jmap.call_error("Quota/query", {"filter": {"hardLimit": 5}}) == "unsupportedFilter"
    assert jmap.call_error("Quota/query", {"sort": [{"property": "hardLimit"}]}) == (
        "unsupportedSort"
    )
    assert jmap.call_error("Quota/query", {"filter": {"scope": 1}}) == "invalidArguments"


def test_another_tenants_quotas_are_not_listed(
    jmap: JmapClient, other_jmap: JmapClient, quotas: dict[str, str]
) -> None:
    """STYLE §11: queries start from the account."""
    Account.objects.filter(pk=other_jmap.account.pk).update(storage_quota=10)
    assert other_jmap.call("Quota/get")["list"]
    assert sorted(_ids(jmap, {})) == sorted(quotas.values())
