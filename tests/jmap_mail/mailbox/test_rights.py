"""Mailbox myRights (RFC 8621 §2) for the user's own, read-only and shared accounts."""

from __future__ import annotations

from accounts.models import Account
from tests.factories import make_token, share
from tests.jmap_client import JmapClient

READ_ONLY = {
    "mayReadItems": True,
    "mayAddItems": False,
    "mayRemoveItems": False,
    "maySetSeen": False,
    "maySetKeywords": False,
    "mayCreateChild": False,
    "mayRename": False,
    "mayDelete": False,
    "maySubmit": False,
}


def rights_by_role(jmap: JmapClient, account_id: str) -> dict[str, dict[str, bool]]:
    listed = jmap.call(
        "Mailbox/get", {"accountId": account_id, "properties": ["role", "myRights"]}
    )["list"]
    return {mailbox["role"]: mailbox["myRights"] for mailbox in listed}


def test_a_read_only_share_may_only_read(jmap: JmapClient, colleague: Account) -> None:
    """RFC 8621 §2 myRights: "The set of rights ... the user has" in a read-only account
    (RFC 8620 §2 isReadOnly) allows reading and nothing else."""
    share(colleague, jmap.account)
    rights = rights_by_role(jmap, colleague.jmap_id)
    assert rights == dict.fromkeys(rights, READ_ONLY)
    assert set(rights) >= {"inbox", "drafts", "sent", "trash"}


def test_a_read_only_token_may_only_read_its_own_mailboxes(jmap: JmapClient) -> None:
    reader = JmapClient(jmap.account, token=make_token(jmap.account, read_only=True))
    rights = rights_by_role(reader, jmap.account_id)
    assert rights == dict.fromkeys(rights, READ_ONLY)


def test_a_writable_share_may_do_all_but_submit(jmap: JmapClient, colleague: Account) -> None:
    """RFC 8621 §2 maySubmit: the shared account offers no submission capability."""
    share(colleague, jmap.account, may_write=True)
    rights = rights_by_role(jmap, colleague.jmap_id)
    everything = dict.fromkeys(READ_ONLY, True) | {"maySubmit": False}
    assert rights["inbox"] == everything | {"mayRename": False, "mayDelete": False}
    assert rights["archive"] == everything


def test_the_owner_keeps_every_right_in_a_shared_account(
    jmap: JmapClient, colleague: Account, colleague_jmap: JmapClient
) -> None:
    share(colleague, jmap.account)
    assert rights_by_role(colleague_jmap, colleague.jmap_id)["archive"] == dict.fromkeys(
        READ_ONLY, True
    )
