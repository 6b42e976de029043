"""Email/copy (RFC 8621 §4.7, RFC 8620 §5.4) between the user's account and one shared with it.

The user is ``account`` (``jmap``); ``colleague`` shares its account (accounts.AccountAccess).
"""

from __future__ import annotations

from typing import Any

import pytest

from accounts.models import Account, AccountAccess, Tenant
from jmap_mail.quota import QUOTA
from tests.factories import message, share
from tests.jmap_client import CORE, MAIL, JmapClient
from tests.jmap_mail.email.helpers import import_raw, role


@pytest.fixture
def reading(jmap: JmapClient, colleague: Account) -> AccountAccess:
    """The colleague's account, shared read-only with the user."""
    return share(colleague, jmap.account)


@pytest.fixture
def writing(jmap: JmapClient, colleague: Account) -> AccountAccess:
    """The colleague's account, shared read-write with the user."""
    return share(colleague, jmap.account, may_write=True)


def copy_args(colleague: Account, create: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"fromAccountId": colleague.jmap_id, "create": create, **extra}


def get_email(jmap: JmapClient, email_id: str, account_id: str | None = None) -> dict[str, Any]:
    found = jmap.call(
        "Email/get",
        {
            "accountId": account_id or jmap.account_id,
            "ids": [email_id],
            "properties": ["mailboxIds", "keywords", "receivedAt", "subject", "threadId"],
        },
    )["list"]
    assert len(found) == 1, found
    return dict(found[0])


def still_there(jmap: JmapClient, email_id: str, account_id: str) -> bool:
    args = {"accountId": account_id, "ids": [email_id], "properties": ["id"]}
    return bool(jmap.call("Email/get", args)["list"])


def used(account: Account) -> int:
    return Account.objects.get(pk=account.pk).storage_used


# ----- Success ------------------------------------------------------------------------------


@pytest.mark.usefixtures("reading")
def test_copy_from_a_shared_account_keeps_the_originals_metadata(
    jmap: JmapClient, colleague: Account, colleague_jmap: JmapClient
) -> None:
    """RFC 8621 §4.7: "created" has id, blobId, threadId and size; RFC 8620 §5.4: properties not
    given keep the original's values, oldState/newState are the destination's Email states."""
    original = import_raw(
        colleague_jmap,
        message("Minutes"),
        keywords={"$seen": True, "$flagged": True},
        received_at="2023-01-03T09:00:00Z",
    )
    inbox = role(jmap, "inbox")
    old_state, source_state = jmap.state("Email"), colleague_jmap.state("Email")
    result = jmap.call(
        "Email/copy",
        copy_args(colleague, {"c": {"id": original["id"], "mailboxIds": {inbox: True}}}),
    )
    created = result["created"]["c"]
    assert result == {
        "fromAccountId": colleague.jmap_id,
        "accountId": jmap.account_id,
        "oldState": old_state,
        "newState": jmap.state("Email"),
        "created": {
            "c": {
                "id": created["id"],
                "blobId": original["blobId"],
                "threadId": created["threadId"],
                "size": original["size"],
            }
        },
        "notCreated": None,
    }
    assert result["newState"] != old_state
    assert created["id"] != original["id"]
    assert created["threadId"] != original["threadId"]
    assert get_email(jmap, created["id"]) == {
        "id": created["id"],
        "mailboxIds": {inbox: True},
        "keywords": {"$seen": True, "$flagged": True},
        "receivedAt": "2023-01-03T09:00:00Z",
        "subject": "Minutes",
        "threadId": created["threadId"],
    }
    assert still_there(colleague_jmap, original["id"], colleague.jmap_id)
    assert colleague_jmap.state("Email") == source_state


@pytest.mark.usefixtures("reading")
def test_copy_overrides_mailbox_ids_keywords_and_received_at(
    jmap: JmapClient, colleague: Account, colleague_jmap: JmapClient
) -> None:
    """RFC 8621 §4.7: "only the mailboxIds, keywords, and receivedAt properties may be set"."""
    original = import_raw(colleague_jmap, message("Report"), keywords={"$seen": True})
    boxes = {role(jmap, "inbox"): True, role(jmap, "archive"): True}
    item = {
        "id": original["id"],
        "mailboxIds": boxes,
        "keywords": {"$flagged": True, "$forwarded": True},
        "receivedAt": "2020-02-02T02:02:02Z",
    }
    created = jmap.call("Email/copy", copy_args(colleague, {"c": item}))["created"]["c"]
    got = get_email(jmap, created["id"])
    assert (got["mailboxIds"], got["keywords"], got["receivedAt"]) == (
        boxes,
        {"$flagged": True, "$forwarded": True},
        "2020-02-02T02:02:02Z",
    )


@pytest.mark.usefixtures("reading")
def test_null_keywords_give_the_copy_none(
    jmap: JmapClient, colleague: Account, colleague_jmap: JmapClient
) -> None:
    """RFC 8620 §5.3: null sets the default value (no keywords, RFC 8621 §4.1.1)."""
    original = import_raw(colleague_jmap, message(), keywords={"$seen": True})
    item = {"id": original["id"], "mailboxIds": {role(jmap, "inbox"): True}, "keywords": None}
    created = jmap.call("Email/copy", copy_args(colleague, {"c": item}))["created"]["c"]
    assert get_email(jmap, created["id"])["keywords"] == {}


@pytest.mark.usefixtures("reading")
def test_a_copy_is_referenced_by_its_creation_id_later_in_the_request(
    jmap: JmapClient, colleague: Account, colleague_jmap: JmapClient
) -> None:
    """RFC 8620 §5.4: "the server MUST record the creation id"; §3.3 createdIds."""
    original = import_raw(colleague_jmap, message("Referenced"))
    item = {"id": original["id"], "mailboxIds": {role(jmap, "inbox"): True}}
    result = jmap.request(
        [
            [
                "Email/copy",
                {"accountId": jmap.account_id, **copy_args(colleague, {"k": item})},
                "a",
            ],
            [
                "Email/get",
                {"accountId": jmap.account_id, "ids": ["#k"], "properties": ["subject"]},
                "b",
            ],
        ],
        createdIds={},
    )
    copied = result.sentence(0)[1]["created"]["k"]["id"]
    assert result.sentence(1)[1]["list"] == [{"id": copied, "subject": "Referenced"}]
    assert result.json["createdIds"] == {"k": copied}


def test_copy_into_a_writable_share(
    jmap: JmapClient, colleague: Account, colleague_jmap: JmapClient, writing: AccountAccess
) -> None:
    """The other direction: from the user's own account into the shared one."""
    mine = import_raw(jmap, message("For Ann"))
    their_inbox = role(colleague_jmap, "inbox")
    result = jmap.call(
        "Email/copy",
        {
            "fromAccountId": jmap.account_id,
            "accountId": colleague.jmap_id,
            "create": {"c": {"id": mine["id"], "mailboxIds": {their_inbox: True}}},
        },
    )
    copied = result["created"]["c"]["id"]
    assert (result["fromAccountId"], result["accountId"]) == (jmap.account_id, colleague.jmap_id)
    assert get_email(colleague_jmap, copied)["mailboxIds"] == {their_inbox: True}
    assert used(colleague) == mine["size"]


# ----- onSuccessDestroyOriginal (RFC 8620 §5.4) --------------------------------------------


def test_destroy_original_with_a_writable_share_answers_an_implicit_email_set(
    jmap: JmapClient, colleague: Account, colleague_jmap: JmapClient, writing: AccountAccess
) -> None:
    """RFC 8620 §5.4: "after emitting the Foo/copy response ... the server MUST make a single call
    to Foo/set to destroy the original of each successfully copied record; the output of this is
    added to the responses as normal", under the same method call id."""
    original = import_raw(colleague_jmap, message("Move me"))
    source_state = colleague_jmap.state("Email")
    item = {"id": original["id"], "mailboxIds": {role(jmap, "inbox"): True}}
    result = jmap.request(
        [
            [
                "Email/copy",
                {
                    "accountId": jmap.account_id,
                    **copy_args(colleague, {"c": item}, onSuccessDestroyOriginal=True),
                },
                "m",
            ]
        ]
    )
    (copy_name, copied, copy_id), (set_name, destroyed, set_id) = result.triples()
    assert (copy_name, copy_id, set_name, set_id) == ("Email/copy", "m", "Email/set", "m")
    assert copied["created"]["c"]["id"]
    assert destroyed == {
        "accountId": colleague.jmap_id,
        "oldState": source_state,
        "newState": colleague_jmap.state("Email"),
        "created": None,
        "updated": None,
        "destroyed": [original["id"]],
        "notCreated": None,
        "notUpdated": None,
        "notDestroyed": None,
    }
    assert not still_there(colleague_jmap, original["id"], colleague.jmap_id)
    assert still_there(jmap, copied["created"]["c"]["id"], jmap.account_id)


def test_destroy_from_if_in_state_guards_the_implicit_destroy(
    jmap: JmapClient, colleague: Account, colleague_jmap: JmapClient, writing: AccountAccess
) -> None:
    """RFC 8620 §5.4 destroyFromIfInState: "passed on as the ifInState argument to the implicit
    Foo/set call"; a stale one is that call's stateMismatch, and the copy stands."""
    first = import_raw(colleague_jmap, message("First"))
    second = import_raw(colleague_jmap, message("Second"))
    inbox = role(jmap, "inbox")
    stale = "s-stale"
    result = jmap.request(
        [
            [
                "Email/copy",
                {
                    "accountId": jmap.account_id,
                    **copy_args(
                        colleague,
                        {"c": {"id": first["id"], "mailboxIds": {inbox: True}}},
                        onSuccessDestroyOriginal=True,
                        destroyFromIfInState=stale,
                    ),
                },
                "m",
            ]
        ]
    )
    assert [(name, call_id) for name, _, call_id in result.triples()] == [
        ("Email/copy", "m"),
        ("error", "m"),
    ]
    assert result.sentence(1)[1]["type"] == "stateMismatch"
    assert still_there(colleague_jmap, first["id"], colleague.jmap_id)
    assert result.sentence(0)[1]["created"]["c"]["id"]

    current = colleague_jmap.state("Email")
    args = copy_args(
        colleague,
        {"c": {"id": second["id"], "mailboxIds": {inbox: True}}},
        onSuccessDestroyOriginal=True,
        destroyFromIfInState=current,
    )
    result = jmap.request([["Email/copy", {"accountId": jmap.account_id, **args}, "n"]])
    assert result.single("Email/set")["destroyed"] == [second["id"]]
    assert result.single("Email/set")["oldState"] == current


def test_destroy_original_needs_write_access_to_the_from_account(
    jmap: JmapClient, colleague: Account, colleague_jmap: JmapClient, reading: AccountAccess
) -> None:
    """RFC 8620 §3.6.2: the implicit Email/set modifies a read-only account, so it answers
    accountReadOnly; the copy, into the user's own account, stands."""
    original = import_raw(colleague_jmap, message("Keep me"))
    item = {"id": original["id"], "mailboxIds": {role(jmap, "inbox"): True}}
    args = copy_args(colleague, {"c": item}, onSuccessDestroyOriginal=True)
    result = jmap.request([["Email/copy", {"accountId": jmap.account_id, **args}, "m"]])
    (copy_name, copied, _), (error_name, error, error_id) = result.triples()
    assert (copy_name, error_name, error_id, error["type"]) == (
        "Email/copy",
        "error",
        "m",
        "accountReadOnly",
    )
    assert still_there(jmap, copied["created"]["c"]["id"], jmap.account_id)
    assert still_there(colleague_jmap, original["id"], colleague.jmap_id)


def test_an_original_copied_twice_is_destroyed_once(
    jmap: JmapClient, colleague: Account, colleague_jmap: JmapClient, writing: AccountAccess
) -> None:
    original = import_raw(colleague_jmap, message("Twice"))
    create = {
        name: {"id": original["id"], "mailboxIds": {role(jmap, box): True}}
        for name, box in (("a", "inbox"), ("b", "archive"))
    }
    args = copy_args(colleague, create, onSuccessDestroyOriginal=True)
    result = jmap.request([["Email/copy", {"accountId": jmap.account_id, **args}, "m"]])
    assert set(result.single("Email/copy")["created"]) == {"a", "b"}
    assert result.single("Email/set")["destroyed"] == [original["id"]]


# ----- Blobs and quota ----------------------------------------------------------------------


@pytest.mark.usefixtures("reading")
def test_the_copy_owns_its_blob_and_counts_it_once(
    jmap: JmapClient, colleague: Account, colleague_jmap: JmapClient
) -> None:
    """RFC 8621 §4.7 blobId: the copy's blob is readable from the destination, whose quota
    (RFC 9425 §4.1 used) counts it once however many copies share it."""
    Account.objects.filter(pk=jmap.account.pk).update(storage_quota=1_000_000)
    original = import_raw(colleague_jmap, message("Attachment-sized", body="x" * 500))
    their_use = used(colleague)
    create = {
        name: {"id": original["id"], "mailboxIds": {role(jmap, box): True}}
        for name, box in (("a", "inbox"), ("b", "archive"))
    }
    result = jmap.call("Email/copy", copy_args(colleague, create))
    assert {c["blobId"] for c in result["created"].values()} == {original["blobId"]}
    assert used(jmap.account) == original["size"]
    assert used(colleague) == their_use
    quota = jmap.call("Quota/get", {"ids": None}, using=[CORE, MAIL, QUOTA])["list"]
    assert [(q["scope"], q["used"]) for q in quota] == [("account", original["size"])]
    download = jmap.download(original["blobId"], "m.eml", "message/rfc822")
    assert download.status_code == 200
    assert len(download.content) == original["size"]


@pytest.mark.usefixtures("reading")
def test_a_copy_over_the_destination_quota_is_not_created(
    jmap: JmapClient, colleague: Account, colleague_jmap: JmapClient
) -> None:
    """RFC 8620 §5.3 SetError overQuota, per record: a small copy in the same call still fits."""
    big = import_raw(colleague_jmap, message("Big", body="y" * 2000))
    small = import_raw(colleague_jmap, message("Small", body="z"))
    Account.objects.filter(pk=jmap.account.pk).update(storage_quota=small["size"] + 100)
    inbox = role(jmap, "inbox")
    result = jmap.call(
        "Email/copy",
        copy_args(
            colleague,
            {
                "big": {"id": big["id"], "mailboxIds": {inbox: True}},
                "small": {"id": small["id"], "mailboxIds": {inbox: True}},
            },
        ),
    )
    assert result["notCreated"]["big"]["type"] == "overQuota"
    assert set(result["created"]) == {"small"}
    assert used(jmap.account) == small["size"]


@pytest.mark.usefixtures("reading")
def test_the_tenant_quota_counts_the_copy_too(
    jmap: JmapClient, colleague: Account, colleague_jmap: JmapClient
) -> None:
    """RFC 9425 §3.1: a domain-scoped quota covers every account of the tenant."""
    original = import_raw(colleague_jmap, message("Shared budget", body="w" * 1000))
    tenant = Tenant.objects.get(pk=jmap.account.tenant_id)
    Tenant.objects.filter(pk=tenant.pk).update(storage_quota=tenant.storage_used() + 10)
    item = {"id": original["id"], "mailboxIds": {role(jmap, "inbox"): True}}
    result = jmap.call("Email/copy", copy_args(colleague, {"c": item}))
    assert result["notCreated"]["c"]["type"] == "overQuota"
    assert result["newState"] == result["oldState"]


# ----- Threads (RFC 8621 §3) ----------------------------------------------------------------


@pytest.mark.usefixtures("reading")
def test_a_copied_reply_joins_its_thread_in_the_destination(
    jmap: JmapClient, colleague: Account, colleague_jmap: JmapClient
) -> None:
    """RFC 8621 §3: threads are per account; the copy is threaded among the destination's own
    emails, never the source's thread."""
    mine = import_raw(
        jmap, message("Plan", message_id="plan@example.com"), received_at="2024-05-01T08:00:00Z"
    )
    reply = import_raw(
        colleague_jmap,
        message("Re: Plan", message_id="reply@example.com", in_reply_to="plan@example.com"),
        received_at="2024-05-01T09:00:00Z",
    )
    item = {"id": reply["id"], "mailboxIds": {role(jmap, "inbox"): True}}
    created = jmap.call("Email/copy", copy_args(colleague, {"c": item}))["created"]["c"]
    assert created["threadId"] == mine["threadId"]
    thread = jmap.call("Thread/get", {"ids": [mine["threadId"]]})["list"][0]
    assert thread["emailIds"] == [mine["id"], created["id"]]


@pytest.mark.usefixtures("reading")
def test_copies_of_one_conversation_share_a_new_thread(
    jmap: JmapClient, colleague: Account, colleague_jmap: JmapClient
) -> None:
    parent = import_raw(colleague_jmap, message("Trip", message_id="trip@example.com"))
    child = import_raw(
        colleague_jmap,
        message("Re: Trip", message_id="trip2@example.com", in_reply_to="trip@example.com"),
    )
    unrelated = import_raw(colleague_jmap, message("Lunch", message_id="lunch@example.com"))
    inbox = role(jmap, "inbox")
    create = {
        name: {"id": email["id"], "mailboxIds": {inbox: True}}
        for name, email in (("p", parent), ("c", child), ("u", unrelated))
    }
    created = jmap.call("Email/copy", copy_args(colleague, create))["created"]
    assert created["p"]["threadId"] == created["c"]["threadId"]
    assert created["u"]["threadId"] != created["p"]["threadId"]
    assert created["p"]["threadId"] != parent["threadId"]


# ----- Errors -------------------------------------------------------------------------------


@pytest.mark.usefixtures("reading")
def test_bad_copies_are_not_created_and_the_rest_are(
    jmap: JmapClient, colleague: Account, colleague_jmap: JmapClient
) -> None:
    """RFC 8620 §5.4 notCreated: each failure is a SetError of its own."""
    original = import_raw(colleague_jmap, message("Fine"))
    inbox = role(jmap, "inbox")
    their_inbox = role(colleague_jmap, "inbox")
    result = jmap.call(
        "Email/copy",
        copy_args(
            colleague,
            {
                "ok": {"id": original["id"], "mailboxIds": {inbox: True}},
                "gone": {"id": "enope", "mailboxIds": {inbox: True}},
                "subject": {"id": original["id"], "mailboxIds": {inbox: True}, "subject": "X"},
                "theirs": {"id": original["id"], "mailboxIds": {their_inbox: True}},
                "nowhere": {"id": original["id"]},
            },
        ),
    )
    assert set(result["created"]) == {"ok"}
    errors = {k: (v["type"], v.get("properties")) for k, v in result["notCreated"].items()}
    assert errors == {
        "gone": ("notFound", None),
        "subject": ("invalidProperties", ["subject"]),
        "theirs": ("invalidProperties", ["mailboxIds"]),
        "nowhere": ("invalidProperties", ["mailboxIds"]),
    }


@pytest.mark.usefixtures("reading")
def test_if_in_state_and_if_from_in_state_must_match(
    jmap: JmapClient, colleague: Account, colleague_jmap: JmapClient
) -> None:
    """RFC 8620 §5.4 ifFromInState, ifInState: a mismatch is stateMismatch, nothing copied."""
    original = import_raw(colleague_jmap, message())
    item = {"id": original["id"], "mailboxIds": {role(jmap, "inbox"): True}}
    before = jmap.state("Email")
    for stale in ({"ifInState": "s-old"}, {"ifFromInState": "s-old"}):
        error = jmap.call_error("Email/copy", copy_args(colleague, {"c": item}, **stale))
        assert error == "stateMismatch", stale
    assert jmap.state("Email") == before
    current = {"ifInState": before, "ifFromInState": colleague_jmap.state("Email")}
    assert jmap.call("Email/copy", copy_args(colleague, {"c": item}, **current))["created"]


@pytest.mark.usefixtures("reading")
def test_copy_into_a_read_only_share_is_account_read_only(
    jmap: JmapClient, colleague: Account, colleague_jmap: JmapClient
) -> None:
    """RFC 8620 §3.6.2 accountReadOnly for the destination."""
    mine = import_raw(jmap, message())
    args = {
        "fromAccountId": jmap.account_id,
        "accountId": colleague.jmap_id,
        "create": {"c": {"id": mine["id"], "mailboxIds": {role(colleague_jmap, "inbox"): True}}},
    }
    assert jmap.call_error("Email/copy", args) == "accountReadOnly"


def test_a_revoked_or_foreign_from_account_is_from_account_not_found(
    jmap: JmapClient,
    colleague: Account,
    colleague_jmap: JmapClient,
    other_account: Account,
    other_jmap: JmapClient,
) -> None:
    """RFC 8620 §5.4 fromAccountNotFound: a share revoked, or another tenant's account (even
    with a row written around AccountAccess.save)."""
    theirs = import_raw(colleague_jmap, message())
    foreign = import_raw(other_jmap, message())
    share(colleague, jmap.account, may_write=True).delete()
    AccountAccess.objects.bulk_create([AccountAccess(owner=other_account, grantee=jmap.account)])
    inbox = role(jmap, "inbox")
    for source, email in ((colleague, theirs), (other_account, foreign)):
        args = copy_args(source, {"c": {"id": email["id"], "mailboxIds": {inbox: True}}})
        assert jmap.call_error("Email/copy", args) == "fromAccountNotFound"


@pytest.mark.usefixtures("reading")
def test_too_many_copies_is_request_too_large(
    jmap: JmapClient, colleague: Account, colleague_jmap: JmapClient, settings: Any
) -> None:
    """RFC 8620 §2 maxObjectsInSet bounds /copy like /set."""
    original = import_raw(colleague_jmap, message())
    settings.JMAP_LIMITS = {"maxObjectsInSet": 1}
    item = {"id": original["id"], "mailboxIds": {role(jmap, "inbox"): True}}
    args = copy_args(colleague, {"a": item, "b": item})
    assert jmap.call_error("Email/copy", args) == "requestTooLarge"
