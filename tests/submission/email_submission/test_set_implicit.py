"""onSuccessUpdateEmail / onSuccessDestroyEmail and the implicit Email/set (RFC 8621 §7.5),
and the rest of EmailSubmission/set: update (undoStatus only) and destroy."""

from __future__ import annotations

from submission.models import OutboundRecipient
from tests.jmap_client import CORE, JmapClient
from tests.submission.conftest import SUBMISSION
from tests.submission.helpers import draft, get_submission, identity_id, mailbox_id, submitted


def _send_and_file(jmap: JmapClient, using: list[str]) -> list[list[object]]:
    email_id = draft(jmap, "friend@elsewhere.example")
    result = jmap.request(
        [
            [
                "EmailSubmission/set",
                {
                    "accountId": jmap.account_id,
                    "create": {"s": {"identityId": identity_id(jmap), "emailId": email_id}},
                    "onSuccessUpdateEmail": {
                        "#s": {
                            f"mailboxIds/{mailbox_id(jmap, 'drafts')}": None,
                            f"mailboxIds/{mailbox_id(jmap, 'sent')}": True,
                            "keywords/$draft": None,
                        }
                    },
                },
                "c1",
            ]
        ],
        using=using,
    )
    return result.responses


def test_on_success_update_email_moves_the_draft_to_sent(jmap: JmapClient) -> None:
    """The implicit Email/set answers after EmailSubmission/set, under the same call id."""
    responses = _send_and_file(jmap, jmap.using)
    assert [(r[0], r[2]) for r in responses] == [("EmailSubmission/set", "c1"), ("Email/set", "c1")]
    email_id = get_submission(jmap, responses[0][1]["created"]["s"]["id"])["emailId"]  # type: ignore[index]
    assert responses[1][1]["updated"] == {email_id: None}  # type: ignore[index]
    got = jmap.call("Email/get", {"ids": [email_id], "properties": ["mailboxIds", "keywords"]})
    assert got["list"][0] == {
        "id": email_id,
        "mailboxIds": {mailbox_id(jmap, "sent"): True},
        "keywords": {"$seen": True},
    }


def test_the_implicit_call_works_when_using_names_only_core_and_submission(
    jmap: JmapClient,
) -> None:
    """As widely used client libraries send it: the mail capability is not in using."""
    responses = _send_and_file(jmap, [CORE, SUBMISSION])
    assert [r[0] for r in responses] == ["EmailSubmission/set", "Email/set"]
    assert responses[1][1]["notUpdated"] is None  # type: ignore[index]


def test_on_success_destroy_email_destroys_the_draft(jmap: JmapClient) -> None:
    email_id = draft(jmap)
    responses = jmap.request(
        [
            [
                "EmailSubmission/set",
                {
                    "accountId": jmap.account_id,
                    "create": {"s": {"identityId": identity_id(jmap), "emailId": email_id}},
                    "onSuccessDestroyEmail": ["#s"],
                },
                "c1",
            ]
        ]
    ).responses
    assert responses[1] == [
        "Email/set",
        {
            "accountId": jmap.account_id,
            "oldState": responses[1][1]["oldState"],
            "newState": responses[1][1]["newState"],
            "created": None,
            "updated": None,
            "destroyed": [email_id],
            "notCreated": None,
            "notUpdated": None,
            "notDestroyed": None,
        },
        "c1",
    ]
    submission_id = responses[0][1]["created"]["s"]["id"]
    assert get_submission(jmap, submission_id)["emailId"] == email_id  # the record keeps the id
    assert OutboundRecipient.objects.filter(state="queued").count() == 1  # sending goes on


def test_no_implicit_call_for_a_submission_that_failed(jmap: JmapClient) -> None:
    email_id = draft(jmap, sender="ceo@bank.example")
    responses = jmap.request(
        [
            [
                "EmailSubmission/set",
                {
                    "accountId": jmap.account_id,
                    "create": {"s": {"identityId": identity_id(jmap), "emailId": email_id}},
                    "onSuccessDestroyEmail": ["#s"],
                },
                "c1",
            ]
        ]
    ).responses
    assert [r[0] for r in responses] == ["EmailSubmission/set"]


def test_bad_on_success_arguments_are_invalid_arguments(jmap: JmapClient) -> None:
    assert (
        jmap.call_error("EmailSubmission/set", {"onSuccessUpdateEmail": ["#s"]})
        == "invalidArguments"
    )
    assert jmap.call_error("EmailSubmission/set", {"onSuccessDestroyEmail": "#s"}) == (
        "invalidArguments"
    )


def test_only_undo_status_can_change_and_only_to_canceled(jmap: JmapClient) -> None:
    """RFC 8621 §7: every other property is immutable or server-set."""
    created = submitted(jmap, draft(jmap))
    other = draft(jmap)
    result = jmap.call(
        "EmailSubmission/set",
        {
            "update": {created["id"]: {"emailId": other}},
        },
    )
    assert result["notUpdated"][created["id"]]["type"] == "invalidProperties"
    result = jmap.call("EmailSubmission/set", {"update": {created["id"]: {"undoStatus": "final"}}})
    assert result["notUpdated"][created["id"]] == {
        "type": "invalidProperties",
        "description": "undoStatus can only become canceled",
        "properties": ["undoStatus"],
    }


def test_cancelling_a_queued_submission_cancels_every_recipient(jmap: JmapClient) -> None:
    created = submitted(jmap, draft(jmap, ["a@elsewhere.example", "b@elsewhere.example"]))
    result = jmap.call(
        "EmailSubmission/set", {"update": {created["id"]: {"undoStatus": "canceled"}}}
    )
    assert set(result["updated"]) == {created["id"]}
    assert sorted(OutboundRecipient.objects.values_list("state", flat=True)) == ["canceled"] * 2
    assert get_submission(jmap, created["id"])["undoStatus"] == "canceled"
    again = jmap.call(
        "EmailSubmission/set", {"update": {created["id"]: {"undoStatus": "canceled"}}}
    )
    assert again["updated"] == {created["id"]: None}  # no change to make


def test_destroying_a_submission_removes_the_record_but_not_the_delivery(
    jmap: JmapClient,
) -> None:
    """RFC 8621 §7.5: destroying the record MUST NOT affect the deliveries it represents."""
    created = submitted(jmap, draft(jmap))
    result = jmap.call("EmailSubmission/set", {"destroy": [created["id"]]})
    assert result["destroyed"] == [created["id"]]
    assert jmap.call("EmailSubmission/get", {"ids": [created["id"]]})["notFound"] == [created["id"]]
    assert OutboundRecipient.objects.get().state == "queued"
