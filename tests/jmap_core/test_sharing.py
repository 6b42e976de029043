"""Accounts shared with the user (accounts.AccountAccess) in the session, the API, upload and
download (RFC 8620 §1.6.2, §2, §3.6.2, §6).

The user is ``account`` (``jmap``); ``colleague`` is another account of the same tenant, and
``other_account`` one of another tenant, which no share can open.
"""

from __future__ import annotations

import json
from typing import Any

from accounts.models import Account, AccountAccess
from tests.factories import PASSWORD, make_email, make_token, share
from tests.jmap_client import CORE, MAIL, JmapClient

SUBMISSION = "urn:ietf:params:jmap:submission"


def mailbox_names(jmap: JmapClient, account_id: str) -> list[str]:
    listed = jmap.call("Mailbox/get", {"accountId": account_id, "properties": ["name"]})["list"]
    return sorted(mailbox["name"] for mailbox in listed)


# ----- Session (RFC 8620 §2) ---------------------------------------------------------------


def test_the_session_lists_a_read_only_share_as_neither_personal_nor_writable(
    jmap: JmapClient, colleague: Account
) -> None:
    """RFC 8620 §2: isPersonal false, isReadOnly true; a read-only account offers no mailbox
    creation (RFC 8621 §1.3.1 mayCreateTopLevelMailbox) and no submission (sending as the owner
    is not part of access to its mail)."""
    share(colleague, jmap.account)
    session = jmap.session()
    own = session["accounts"][jmap.account_id]
    assert own["isPersonal"] is True
    assert own["isReadOnly"] is False
    own_caps = own["accountCapabilities"]
    shared_caps = {uri: value for uri, value in own_caps.items() if uri != SUBMISSION}
    shared_caps[MAIL] = {**own_caps[MAIL], "mayCreateTopLevelMailbox": False}
    assert session["accounts"][colleague.jmap_id] == {
        "name": colleague.address,
        "isPersonal": False,
        "isReadOnly": True,
        "accountCapabilities": shared_caps,
    }
    assert set(session["accounts"]) == {jmap.account_id, colleague.jmap_id}
    assert set(session["primaryAccounts"].values()) == {jmap.account_id}
    assert session["username"] == jmap.account.address


def test_a_writable_share_is_not_read_only(jmap: JmapClient, colleague: Account) -> None:
    """RFC 8620 §2 isReadOnly false when the share allows writing."""
    share(colleague, jmap.account, may_write=True)
    shared = jmap.session()["accounts"][colleague.jmap_id]
    assert (shared["isPersonal"], shared["isReadOnly"]) == (False, False)
    assert shared["accountCapabilities"][MAIL]["mayCreateTopLevelMailbox"] is True
    assert SUBMISSION not in shared["accountCapabilities"]


def test_a_read_only_token_sees_every_account_read_only(
    jmap: JmapClient, colleague: Account
) -> None:
    share(colleague, jmap.account, may_write=True)
    reader = JmapClient(jmap.account, token=make_token(jmap.account, read_only=True))
    accounts = reader.session()["accounts"]
    assert accounts[jmap.account_id]["isReadOnly"] is True
    assert accounts[colleague.jmap_id]["isReadOnly"] is True


def test_primary_accounts_stay_the_users_own(jmap: JmapClient, colleague: Account) -> None:
    """RFC 8620 §2 primaryAccounts: the account the user would expect, its own."""
    before = jmap.session()["primaryAccounts"]
    share(colleague, jmap.account, may_write=True)
    assert jmap.session()["primaryAccounts"] == before
    assert set(before.values()) == {jmap.account_id}


def test_sharing_is_one_way(jmap: JmapClient, colleague: Account) -> None:
    share(colleague, jmap.account)
    colleague_session = JmapClient(colleague, PASSWORD).session()
    assert list(colleague_session["accounts"]) == [colleague.jmap_id]


def test_the_session_state_moves_when_a_share_is_granted_changed_or_revoked(
    jmap: JmapClient, colleague: Account
) -> None:
    """RFC 8620 §3.4 sessionState: it changes whenever the Session object would."""

    def api_state() -> str:
        return str(jmap.request([["Core/echo", {}, "e"]], using=[CORE]).json["sessionState"])

    alone = api_state()
    assert alone == jmap.session()["state"]
    access = share(colleague, jmap.account)
    reading = api_state()
    assert reading == jmap.session()["state"]
    access.may_write = True
    access.save()
    writing = api_state()
    access.delete()
    assert len({alone, reading, writing}) == 3
    assert api_state() == alone


# ----- Methods (RFC 8620 §3.6.2) -----------------------------------------------------------


def test_a_shared_account_is_read_through_its_account_id(
    jmap: JmapClient, colleague: Account, colleague_jmap: JmapClient
) -> None:
    colleague_jmap.call("Mailbox/set", {"create": {"p": {"name": "Projects"}}})
    share(colleague, jmap.account)
    assert "Projects" in mailbox_names(jmap, colleague.jmap_id)
    assert "Projects" not in mailbox_names(jmap, jmap.account_id)


def test_every_write_to_a_read_only_share_is_account_read_only(
    jmap: JmapClient, colleague: Account, colleague_jmap: JmapClient
) -> None:
    """RFC 8620 §3.6.2 accountReadOnly: "This method modifies state, but the account is
    read-only (as returned on the corresponding Account object in the JMAP Session resource)"."""
    share(colleague, jmap.account)
    email = make_email(colleague)
    inbox = colleague_jmap.call("Mailbox/query", {"filter": {"role": "inbox"}})["ids"][0]
    before = colleague_jmap.state("Mailbox"), colleague_jmap.state("Email")
    theirs = {"accountId": colleague.jmap_id}
    calls: list[tuple[str, dict[str, Any]]] = [
        ("Mailbox/set", {**theirs, "create": {"m": {"name": "Mine now"}}}),
        ("Mailbox/set", {**theirs, "destroy": [inbox]}),
        ("Email/set", {**theirs, "update": {email.jmap_id: {"keywords/$seen": True}}}),  # type: ignore[attr-defined]
        ("Email/set", {**theirs, "destroy": [email.jmap_id]}),  # type: ignore[attr-defined]
        ("VacationResponse/set", {**theirs, "update": {"singleton": {"isEnabled": True}}}),
    ]
    using = [CORE, MAIL, "urn:ietf:params:jmap:vacationresponse"]
    for name, args in calls:
        assert jmap.call_error(name, args, using=using) == "accountReadOnly", name
    assert (colleague_jmap.state("Mailbox"), colleague_jmap.state("Email")) == before


def test_a_writable_share_takes_writes(
    jmap: JmapClient, colleague: Account, colleague_jmap: JmapClient
) -> None:
    share(colleague, jmap.account, may_write=True)
    created = jmap.call(
        "Mailbox/set", {"accountId": colleague.jmap_id, "create": {"m": {"name": "From Ann"}}}
    )
    assert created["accountId"] == colleague.jmap_id
    assert "From Ann" in mailbox_names(colleague_jmap, colleague.jmap_id)
    assert "From Ann" not in mailbox_names(jmap, jmap.account_id)


def test_a_read_only_token_cannot_write_to_a_writable_share(
    jmap: JmapClient, colleague: Account
) -> None:
    share(colleague, jmap.account, may_write=True)
    reader = JmapClient(jmap.account, token=make_token(jmap.account, read_only=True))
    args = {"accountId": colleague.jmap_id, "create": {"m": {"name": "X"}}}
    assert reader.call_error("Mailbox/set", args) == "accountReadOnly"


def test_submission_is_not_offered_in_a_shared_account(
    jmap: JmapClient, colleague: Account
) -> None:
    """RFC 8620 §3.6.2 accountNotSupportedByMethod: the session lists no submission there."""
    share(colleague, jmap.account, may_write=True)
    using = [CORE, MAIL, SUBMISSION]
    for name in ("Identity/get", "EmailSubmission/get"):
        error = jmap.call_error(name, {"accountId": colleague.jmap_id}, using=using)
        assert error == "accountNotSupportedByMethod", name


def test_a_revoked_share_is_account_not_found(jmap: JmapClient, colleague: Account) -> None:
    """RFC 8620 §3.6.2 accountNotFound, from the next request on."""
    share(colleague, jmap.account, may_write=True)
    AccountAccess.objects.filter(owner=colleague).delete()
    assert jmap.call_error("Mailbox/get", {"accountId": colleague.jmap_id}) == "accountNotFound"
    assert colleague.jmap_id not in jmap.session()["accounts"]


def test_a_deactivated_owner_is_account_not_found(jmap: JmapClient, colleague: Account) -> None:
    share(colleague, jmap.account)
    Account.objects.filter(pk=colleague.pk).update(is_active=False)
    assert jmap.call_error("Mailbox/get", {"accountId": colleague.jmap_id}) == "accountNotFound"
    assert colleague.jmap_id not in jmap.session()["accounts"]


def test_another_tenants_account_is_never_reachable(
    jmap: JmapClient, other_account: Account
) -> None:
    """STYLE §9: across the tenant boundary. Even a row written around AccountAccess.save (a
    bulk insert) opens nothing: the lookup itself stays in the user's tenant."""
    AccountAccess.objects.bulk_create(
        [AccountAccess(owner=other_account, grantee=jmap.account, may_write=True)]
    )
    assert jmap.call_error("Mailbox/get", {"accountId": other_account.jmap_id}) == "accountNotFound"
    assert list(jmap.session()["accounts"]) == [jmap.account_id]


# ----- Upload and download (RFC 8620 §6.1, §6.2) ------------------------------------------


def problem_type(response: Any) -> str:
    return str(json.loads(response.content)["type"])


def test_an_upload_to_a_writable_share_counts_against_the_owner(
    jmap: JmapClient, colleague: Account, colleague_jmap: JmapClient
) -> None:
    share(colleague, jmap.account, may_write=True)
    response = jmap.upload(b"for ann", "text/plain", account_id=colleague.jmap_id)
    assert response.status_code == 201
    body = response.json()
    assert body["accountId"] == colleague.jmap_id
    assert Account.objects.get(pk=colleague.pk).storage_used == 7
    assert Account.objects.get(pk=jmap.account.pk).storage_used == 0
    assert colleague_jmap.download(body["blobId"]).content == b"for ann"
    assert jmap.download(body["blobId"]).status_code == 404  # not in the user's own account


def test_an_upload_to_a_read_only_share_is_account_read_only(
    jmap: JmapClient, colleague: Account
) -> None:
    share(colleague, jmap.account)
    response = jmap.upload(b"x", account_id=colleague.jmap_id)
    assert response.status_code == 403
    assert problem_type(response) == "urn:ietf:params:jmap:error:accountReadOnly"
    assert Account.objects.get(pk=colleague.pk).storage_used == 0


def test_a_read_only_share_downloads(
    jmap: JmapClient, colleague: Account, colleague_jmap: JmapClient
) -> None:
    share(colleague, jmap.account)
    blob_id = colleague_jmap.upload(b"minutes", "text/plain").json()["blobId"]
    response = jmap.download(blob_id, "minutes.txt", "text/plain", account_id=colleague.jmap_id)
    assert response.status_code == 200
    assert response.content == b"minutes"


def test_upload_and_download_refuse_a_revoked_share_as_account_not_found(
    jmap: JmapClient, colleague: Account, colleague_jmap: JmapClient
) -> None:
    blob_id = colleague_jmap.upload(b"minutes").json()["blobId"]
    share(colleague, jmap.account, may_write=True).delete()
    for response in (
        jmap.upload(b"x", account_id=colleague.jmap_id),
        jmap.download(blob_id, account_id=colleague.jmap_id),
    ):
        assert response.status_code == 404
        assert problem_type(response) == "urn:ietf:params:jmap:error:accountNotFound"


def test_upload_and_download_refuse_another_tenant_as_account_not_found(
    jmap: JmapClient, other_account: Account, other_jmap: JmapClient
) -> None:
    blob_id = other_jmap.upload(b"secret").json()["blobId"]
    AccountAccess.objects.bulk_create(
        [AccountAccess(owner=other_account, grantee=jmap.account, may_write=True)]
    )
    for response in (
        jmap.upload(b"x", account_id=other_account.jmap_id),
        jmap.download(blob_id, account_id=other_account.jmap_id),
    ):
        assert response.status_code == 404
        assert problem_type(response) == "urn:ietf:params:jmap:error:accountNotFound"
    assert Account.objects.get(pk=other_account.pk).storage_used == 6


def test_blob_copy_from_a_read_only_share(
    jmap: JmapClient, colleague: Account, colleague_jmap: JmapClient
) -> None:
    """RFC 8620 §6.3: reading the source is enough; the copy is the user's own."""
    share(colleague, jmap.account)
    blob_id = colleague_jmap.upload(b"agenda").json()["blobId"]
    result = jmap.call(
        "Blob/copy", {"fromAccountId": colleague.jmap_id, "blobIds": [blob_id]}, using=[CORE]
    )
    assert result == {
        "fromAccountId": colleague.jmap_id,
        "accountId": jmap.account_id,
        "copied": {blob_id: blob_id},
        "notCopied": None,
    }
    assert jmap.download(blob_id).content == b"agenda"
