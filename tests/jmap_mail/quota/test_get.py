"""Quota/get (RFC 9425 §4.2) and the quota capability (RFC 9425 §2.1)."""

from __future__ import annotations

from accounts.models import Account
from jmap_mail.quota import QUOTA
from tests.factories import PASSWORD, make_account, make_tenant
from tests.jmap_client import CORE, MAIL, JmapClient

USING = [CORE, MAIL, QUOTA]


def test_an_account_without_limits_has_no_quotas(jmap: JmapClient) -> None:
    """RFC 9425 §4.2: ids null fetches every quota of the account."""
    result = jmap.call("Quota/get", {"ids": None})
    assert (result["list"], result["notFound"]) == ([], [])


def test_an_account_storage_limit_is_an_account_octets_quota(db: None) -> None:
    """RFC 9425 §4.1: used and hardLimit in octets, scope account."""
    account = make_account(storage_quota=1000)
    jmap = JmapClient(account, PASSWORD)
    jmap.upload(b"hello")
    result = jmap.call("Quota/get", {"ids": None}, using=USING)
    assert result["list"] == [
        {
            "id": result["list"][0]["id"],
            "resourceType": "octets",
            "used": 5,
            "hardLimit": 1000,
            "scope": "account",
            "name": account.address,
            "types": ["Email"],
            "description": "Storage for this account's messages and uploads.",
        }
    ]


def test_a_tenant_storage_limit_is_a_domain_quota_over_all_its_accounts(db: None) -> None:
    """RFC 9425 §3.1: scope domain covers every account sharing it."""
    tenant = make_tenant("acme", storage_quota=10_000)
    account, colleague = make_account(tenant=tenant), make_account(tenant=tenant)
    JmapClient(colleague, PASSWORD).upload(b"1234567")
    jmap = JmapClient(account, PASSWORD)
    jmap.upload(b"abc")
    result = jmap.call("Quota/get", {"ids": None}, using=USING)
    assert result["list"] == [
        {
            "id": result["list"][0]["id"],
            "resourceType": "octets",
            "used": 10,
            "hardLimit": 10_000,
            "scope": "domain",
            "name": "acme storage",
            "types": ["Email"],
            "description": "Storage shared by all accounts of acme.",
        }
    ]


def test_properties_and_ids_select_what_is_returned(jmap: JmapClient) -> None:
    """RFC 8620 §5.1."""
    Account.objects.filter(pk=jmap.account.pk).update(storage_quota=50)
    quota_id = jmap.call("Quota/get")["list"][0]["id"]
    result = jmap.call("Quota/get", {"ids": [quota_id, "qnope"], "properties": ["used"]})
    assert (result["list"], result["notFound"]) == ([{"id": quota_id, "used": 0}], ["qnope"])


def test_quotas_are_hidden_when_the_client_does_not_use_their_types(jmap: JmapClient) -> None:
    """RFC 9425 §4.1: no Quota whose types the client did not ask for in using."""
    Account.objects.filter(pk=jmap.account.pk).update(storage_quota=50)
    quota_id = jmap.call("Quota/get")["list"][0]["id"]
    result = jmap.call("Quota/get", {"ids": [quota_id]}, using=[CORE, QUOTA])
    assert (result["list"], result["notFound"]) == ([], [quota_id])


def test_another_tenants_quota_is_not_found(jmap: JmapClient, other_jmap: JmapClient) -> None:
    """RFC 8620 §5.1: ids are scoped to the account."""
    Account.objects.filter(pk=other_jmap.account.pk).update(storage_quota=50)
    theirs = other_jmap.call("Quota/get")["list"][0]["id"]
    result = jmap.call("Quota/get", {"ids": [theirs]})
    assert (result["list"], result["notFound"]) == ([], [theirs])
    assert jmap.call_error("Quota/get", {"accountId": other_jmap.account_id}) == "accountNotFound"


def test_quota_methods_need_the_quota_capability(jmap: JmapClient) -> None:
    """RFC 9425 §2.1."""
    assert jmap.call_error("Quota/get", using=[CORE, MAIL]) == "unknownMethod"


def test_quotas_cannot_be_set(jmap: JmapClient) -> None:
    """RFC 9425 §4 defines no Quota/set."""
    assert jmap.call_error("Quota/set", {"create": {}}) == "unknownMethod"


def test_the_session_advertises_the_quota_capability(jmap: JmapClient) -> None:
    """RFC 9425 §2.1: an empty object in the session and in the account."""
    session = jmap.session()
    assert session["capabilities"][QUOTA] == {}
    assert session["accounts"][jmap.account_id]["accountCapabilities"][QUOTA] == {}
