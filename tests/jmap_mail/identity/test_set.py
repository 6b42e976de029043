"""Identity/set (RFC 8621 §6.3, RFC 8620 §5.3)."""

from __future__ import annotations

from typing import Any

from accounts.models import Account, Alias, Domain
from tests.factories import make_account, make_domain
from tests.jmap_client import JmapClient


def _create(jmap: JmapClient, values: dict[str, Any]) -> dict[str, Any]:
    return jmap.call("Identity/set", {"create": {"k": values}})


def _not_created(jmap: JmapClient, values: dict[str, Any]) -> dict[str, Any]:
    result = _create(jmap, values)
    assert result["created"] is None, result
    return dict(result["notCreated"]["k"])


def _alias(domain: Domain, local_part: str, *accounts: Account) -> Alias:
    alias = Alias.objects.create(domain=domain, local_part=local_part)
    alias.accounts.add(*accounts)
    return alias


def _default_id(jmap: JmapClient) -> str:
    return str(jmap.call("Identity/get")["list"][0]["id"])


def test_create_returns_the_id_and_the_defaulted_properties(jmap: JmapClient) -> None:
    """RFC 8620 §5.3: created holds server-set and defaulted properties."""
    result = _create(jmap, {"email": jmap.account.address, "name": "Work"})
    created = result["created"]["k"]
    assert created == {
        "id": created["id"],
        "replyTo": None,
        "bcc": None,
        "textSignature": "",
        "htmlSignature": "",
        "mayDelete": True,
    }
    assert result["oldState"] != result["newState"]
    got = jmap.call("Identity/get", {"ids": [created["id"]], "properties": ["name", "email"]})
    assert got["list"] == [{"id": created["id"], "name": "Work", "email": jmap.account.address}]


def test_an_email_is_required(jmap: JmapClient) -> None:
    """RFC 8621 §6: email has no default."""
    error = _not_created(jmap, {"name": "No address"})
    assert (error["type"], error["properties"]) == ("invalidProperties", ["email"])


def test_an_email_must_be_an_address(jmap: JmapClient) -> None:
    error = _not_created(jmap, {"email": "not an address"})
    assert (error["type"], error["properties"]) == ("invalidProperties", ["email"])


def test_the_accounts_own_address_is_matched_ignoring_case(jmap: JmapClient) -> None:
    result = _create(jmap, {"email": jmap.account.address.upper()})
    assert result["notCreated"] is None


def test_an_address_the_account_does_not_own_is_forbidden_from(jmap: JmapClient) -> None:
    """RFC 8621 §6.3 forbiddenFrom."""
    domain = jmap.account.domain.name
    assert _not_created(jmap, {"email": f"someone-else@{domain}"})["type"] == "forbiddenFrom"


def test_another_tenants_address_is_forbidden_from(
    jmap: JmapClient, other_jmap: JmapClient
) -> None:
    """RFC 8621 §6.3: one tenant never sends as another."""
    error = _not_created(jmap, {"email": other_jmap.account.address})
    assert error["type"] == "forbiddenFrom"


def test_an_alias_of_the_account_may_be_used(jmap: JmapClient) -> None:
    """RFC 8621 §6.3: an address delivered to the account is one it may send from."""
    _alias(jmap.account.domain, "sales", jmap.account)
    result = _create(jmap, {"email": f"Sales@{jmap.account.domain.name}"})
    assert result["notCreated"] is None


def test_an_alias_of_another_account_is_forbidden_from(jmap: JmapClient) -> None:
    """RFC 8621 §6.3 forbiddenFrom."""
    colleague = make_account(f"colleague@{jmap.account.domain.name}")
    _alias(jmap.account.domain, "support", colleague)
    error = _not_created(jmap, {"email": f"support@{jmap.account.domain.name}"})
    assert error["type"] == "forbiddenFrom"


def test_a_catch_all_target_may_send_from_any_address_of_the_domain(jmap: JmapClient) -> None:
    """RFC 8621 §6: "*@domain" allows any address in the domain."""
    domain = make_domain(jmap.account.tenant)
    _alias(domain, "", jmap.account)
    result = jmap.call(
        "Identity/set",
        {"create": {"a": {"email": f"*@{domain.name}"}, "b": {"email": f"anyone@{domain.name}"}}},
    )
    assert result["notCreated"] is None
    assert set(result["created"]) == {"a", "b"}
    other = make_domain(jmap.account.tenant)
    assert _not_created(jmap, {"email": f"anyone@{other.name}"})["type"] == "forbiddenFrom"


def test_a_wildcard_address_needs_a_catch_all(jmap: JmapClient) -> None:
    """RFC 8621 §6: "*@domain" only where the account receives the whole domain."""
    _alias(jmap.account.domain, "sales", jmap.account)
    error = _not_created(jmap, {"email": f"*@{jmap.account.domain.name}"})
    assert error["type"] == "forbiddenFrom"


def test_reply_to_and_bcc_take_email_addresses(jmap: JmapClient) -> None:
    """RFC 8621 §6: EmailAddress[]|null; a missing name is null."""
    result = _create(
        jmap,
        {
            "email": jmap.account.address,
            "replyTo": [{"name": "Joe", "email": "joe@example.com"}],
            "bcc": [{"email": "archive@example.com"}],
        },
    )
    new_id = result["created"]["k"]["id"]
    got = jmap.call("Identity/get", {"ids": [new_id], "properties": ["replyTo", "bcc"]})
    assert got["list"] == [
        {
            "id": new_id,
            "replyTo": [{"name": "Joe", "email": "joe@example.com"}],
            "bcc": [{"name": None, "email": "archive@example.com"}],
        }
    ]


def test_invalid_values_are_all_listed(jmap: JmapClient) -> None:
    """RFC 8620 §5.3: properties lists every invalid property."""
    error = _not_created(
        jmap,
        {
            "email": 7,
            "name": None,
            "replyTo": "joe@example.com",
            "bcc": [{"name": "x", "email": "not an address"}],
            "textSignature": None,
            "htmlSignature": ["<b>"],
        },
    )
    assert error == {
        "type": "invalidProperties",
        "properties": ["bcc", "email", "htmlSignature", "name", "replyTo", "textSignature"],
    }


def test_email_address_objects_take_only_name_and_email(jmap: JmapClient) -> None:
    """RFC 8621 §4.1.2.3: an EmailAddress has a name and an email."""
    bad = [{"email": "a@example.com", "extra": 1}]
    error = _not_created(jmap, {"email": jmap.account.address, "bcc": bad})
    assert error["properties"] == ["bcc"]


def test_may_delete_is_server_set(jmap: JmapClient) -> None:
    """RFC 8621 §6: mayDelete is server-set."""
    error = _not_created(jmap, {"email": jmap.account.address, "mayDelete": False})
    assert (error["type"], error["properties"]) == ("invalidProperties", ["mayDelete"])


def test_update_changes_the_signatures_and_moves_the_state(jmap: JmapClient) -> None:
    """RFC 8620 §5.3 PatchObject."""
    identity_id = _default_id(jmap)
    result = jmap.call(
        "Identity/set",
        {"update": {identity_id: {"textSignature": "-- \nJoe", "htmlSignature": "<b>Joe</b>"}}},
    )
    assert result["updated"] == {identity_id: None}
    assert result["oldState"] != result["newState"]
    got = jmap.call("Identity/get", {"ids": [identity_id]})["list"][0]
    assert (got["textSignature"], got["htmlSignature"]) == ("-- \nJoe", "<b>Joe</b>")


def test_the_email_cannot_be_changed(jmap: JmapClient) -> None:
    """RFC 8621 §6: email is immutable (the same value may be sent back)."""
    identity_id = _default_id(jmap)
    same = jmap.call("Identity/set", {"update": {identity_id: {"email": jmap.account.address}}})
    assert same["updated"] == {identity_id: None}
    changed = jmap.call("Identity/set", {"update": {identity_id: {"email": "x@example.com"}}})
    error = changed["notUpdated"][identity_id]
    assert (error["type"], error["properties"]) == ("invalidProperties", ["email"])


def test_an_invalid_update_is_refused(jmap: JmapClient) -> None:
    identity_id = _default_id(jmap)
    result = jmap.call("Identity/set", {"update": {identity_id: {"replyTo": [{"name": "x"}]}}})
    assert result["notUpdated"][identity_id]["properties"] == ["replyTo"]


def test_the_default_identity_cannot_be_destroyed(jmap: JmapClient) -> None:
    """RFC 8621 §6: destroying an identity with mayDelete false is forbidden."""
    identity_id = _default_id(jmap)
    result = jmap.call("Identity/set", {"destroy": [identity_id]})
    assert result["notDestroyed"][identity_id]["type"] == "forbidden"
    assert jmap.call("Identity/get", {"ids": [identity_id]})["notFound"] == []


def test_other_identities_can_be_destroyed(jmap: JmapClient) -> None:
    """RFC 8620 §5.3 destroy."""
    new_id = _create(jmap, {"email": jmap.account.address})["created"]["k"]["id"]
    assert jmap.call("Identity/set", {"destroy": [new_id]})["destroyed"] == [new_id]
    assert jmap.call("Identity/get", {"ids": [new_id]})["notFound"] == [new_id]


def test_another_tenants_identity_cannot_be_updated_or_destroyed(
    jmap: JmapClient, other_jmap: JmapClient
) -> None:
    """RFC 8620 §5.3: another account's id is notFound."""
    theirs = other_jmap.call(
        "Identity/set", {"create": {"k": {"email": other_jmap.account.address}}}
    )
    their_id = theirs["created"]["k"]["id"]
    result = jmap.call(
        "Identity/set", {"update": {their_id: {"name": "Mine"}}, "destroy": [their_id]}
    )
    assert result["notUpdated"][their_id]["type"] == "notFound"
    assert result["notDestroyed"][their_id]["type"] == "notFound"
    assert other_jmap.call("Identity/get", {"ids": [their_id]})["list"][0]["name"] == ""
