"""Identity/get (RFC 8621 §6.1, RFC 8620 §5.1) and the submission capability (RFC 8621 §1.3.2)."""

from __future__ import annotations

from jmap_mail.identity import SUBMISSION
from jmap_mail.models.identity import Identity
from tests.factories import PASSWORD, make_account
from tests.jmap_client import CORE, MAIL, JmapClient


def test_a_new_account_has_an_undeletable_identity_for_its_address(db: None) -> None:
    """RFC 8621 §6: mayDelete is false for the user's default address."""
    account = make_account(display_name="Joe Bloggs")
    jmap = JmapClient(account, PASSWORD)
    result = jmap.call("Identity/get", {"ids": None}, using=[CORE, SUBMISSION])
    assert result == {
        "accountId": account.jmap_id,
        "state": result["state"],
        "list": [
            {
                "id": result["list"][0]["id"],
                "name": "Joe Bloggs",
                "email": account.address,
                "replyTo": None,
                "bcc": None,
                "textSignature": "",
                "htmlSignature": "",
                "mayDelete": False,
            }
        ],
        "notFound": [],
    }


def test_get_returns_only_the_requested_properties_and_the_id(jmap: JmapClient) -> None:
    """RFC 8620 §5.1: the id is always returned."""
    identity = jmap.call("Identity/get")["list"][0]
    result = jmap.call("Identity/get", {"ids": [identity["id"]], "properties": ["email"]})
    assert result["list"] == [{"id": identity["id"], "email": jmap.account.address}]


def test_unknown_ids_are_not_found(jmap: JmapClient) -> None:
    """RFC 8620 §5.1 notFound."""
    result = jmap.call("Identity/get", {"ids": ["inope"]})
    assert (result["list"], result["notFound"]) == ([], ["inope"])


def test_another_tenants_identity_is_not_found(jmap: JmapClient, other_jmap: JmapClient) -> None:
    """RFC 8620 §5.1: ids are scoped to the account."""
    theirs = other_jmap.call("Identity/get")["list"][0]["id"]
    result = jmap.call("Identity/get", {"ids": [theirs]})
    assert (result["list"], result["notFound"]) == ([], [theirs])


def test_another_tenants_account_cannot_be_named(jmap: JmapClient, other_jmap: JmapClient) -> None:
    """RFC 8620 §3.6.2 accountNotFound."""
    assert (
        jmap.call_error("Identity/get", {"accountId": other_jmap.account_id}) == "accountNotFound"
    )


def test_identity_methods_need_the_submission_capability(jmap: JmapClient) -> None:
    """RFC 8621 §1.3.2: Identity belongs to urn:ietf:params:jmap:submission."""
    assert jmap.call_error("Identity/get", using=[CORE, MAIL]) == "unknownMethod"


def test_the_session_advertises_the_submission_capability(jmap: JmapClient) -> None:
    """RFC 8621 §1.3.2: an empty session value and the account limits."""
    session = jmap.session()
    assert session["capabilities"][SUBMISSION] == {}
    account = session["accounts"][jmap.account_id]
    value = account["accountCapabilities"][SUBMISSION]
    # FUTURERELEASE's second argument is a date, so only its first is compared (RFC 4865 §3).
    assert value["submissionExtensions"].pop("FUTURERELEASE")[0] == "604800"
    assert value == {
        "maxDelayedSend": 604800,
        "submissionExtensions": {"SIZE": ["50000000"], "DSN": []},
    }
    assert session["primaryAccounts"][SUBMISSION] == jmap.account_id


def test_an_account_without_an_identity_gets_its_default_one_on_get(jmap: JmapClient) -> None:
    """Accounts provisioned before identities existed get theirs when first asked."""
    Identity.all_objects.filter(account=jmap.account).delete()
    result = jmap.call("Identity/get")
    assert [(i["email"], i["mayDelete"]) for i in result["list"]] == [(jmap.account.address, False)]
    assert jmap.call("Identity/get")["list"] == result["list"]
