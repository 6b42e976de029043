"""EmailSubmission/set create: what is checked and what is answered (RFC 8621 §7.5)."""

from __future__ import annotations

import datetime
from typing import Any

from accounts.models import Alias, Tenant
from submission.models import OutboundMessage, OutboundRecipient
from tests.factories import PASSWORD, make_account
from tests.jmap_client import JmapClient
from tests.submission.helpers import (
    draft,
    get_submission,
    identity_id,
    not_created,
    submitted,
)


def _envelope(mail_from: str, *rcpts: str, **params: Any) -> dict[str, Any]:
    return {
        "mailFrom": {"email": mail_from, "parameters": params or None},
        "rcptTo": [{"email": r, "parameters": None} for r in rcpts],
    }


def test_create_answers_the_server_set_and_defaulted_properties(jmap: JmapClient) -> None:
    """RFC 8620 §5.3 created; RFC 8621 §7: threadId, sendAt (now), undoStatus pending."""
    email_id = draft(jmap, ["a@elsewhere.example", "b@elsewhere.example"])
    thread_id = jmap.call("Email/get", {"ids": [email_id], "properties": ["threadId"]})["list"][0][
        "threadId"
    ]
    created = submitted(jmap, email_id)
    sent = datetime.datetime.fromisoformat(created.pop("sendAt").replace("Z", "+00:00"))
    assert abs(sent - datetime.datetime.now(datetime.UTC)) < datetime.timedelta(seconds=10)
    assert created == {
        "id": created["id"],
        "threadId": thread_id,
        "envelope": {
            "mailFrom": {"email": jmap.account.address, "parameters": None},
            "rcptTo": [
                {"email": "a@elsewhere.example", "parameters": None},
                {"email": "b@elsewhere.example", "parameters": None},
            ],
        },
        "undoStatus": "pending",
        "deliveryStatus": {
            address: {
                "smtpReply": "250 2.1.5 Queued",
                "delivered": "queued",
                "displayed": "unknown",
            }
            for address in ("a@elsewhere.example", "b@elsewhere.example")
        },
        "dsnBlobIds": [],
        "mdnBlobIds": [],
    }


def test_the_generated_envelope_takes_to_cc_and_bcc_once_each(jmap: JmapClient) -> None:
    """RFC 8621 §7: rcptTo is the deduplicated To, Cc and Bcc addresses (domains compare
    case-insensitively, local parts do not: RFC 5321 §2.4)."""
    email_id = draft(
        jmap,
        ["a@elsewhere.example", "B@elsewhere.example"],
        fields={
            "cc": [{"name": None, "email": "a@ELSEWHERE.example"}],
            "bcc": [{"name": None, "email": "c@elsewhere.example"}],
        },
    )
    created = submitted(jmap, email_id)
    assert [r["email"] for r in created["envelope"]["rcptTo"]] == [
        "a@elsewhere.example",
        "B@elsewhere.example",
        "c@elsewhere.example",
    ]


def _wildcard_identity(jmap: JmapClient) -> str:
    Alias.objects.create(domain=jmap.account.domain, local_part="").accounts.add(jmap.account)
    wildcard = f"*@{jmap.account.domain.name}"
    created = jmap.call("Identity/set", {"create": {"w": {"email": wildcard}}})["created"]
    return str(created["w"]["id"])


def test_the_generated_mail_from_is_the_sender_header_when_the_identity_covers_it(
    jmap: JmapClient,
) -> None:
    """RFC 8621 §7: mailFrom comes from Sender before From."""
    identity = _wildcard_identity(jmap)
    domain = jmap.account.domain.name
    email_id = draft(
        jmap,
        sender=f"team@{domain}",
        fields={"header:Sender:asAddresses": [{"name": None, "email": f"boss@{domain}"}]},
    )
    created = submitted(jmap, email_id, identityId=identity)
    assert created["envelope"]["mailFrom"] == {"email": f"boss@{domain}", "parameters": None}


def test_a_sender_the_identity_does_not_cover_gives_the_identitys_address(
    jmap: JmapClient,
) -> None:
    """RFC 8621 §7: "the email property from the Identity MUST be used instead"."""
    email_id = draft(
        jmap,
        fields={
            "header:Sender:asAddresses": [{"name": None, "email": "someone@elsewhere.example"}]
        },
    )
    created = submitted(jmap, email_id)
    assert created["envelope"]["mailFrom"]["email"] == jmap.account.address


def test_an_unknown_email_or_identity_is_invalid_properties(jmap: JmapClient) -> None:
    """RFC 8621 §7.5."""
    result = jmap.call(
        "EmailSubmission/set",
        {"create": {"s": {"identityId": "inothere", "emailId": "enothere"}}},
    )
    assert result["notCreated"]["s"] == {
        "type": "invalidProperties",
        "description": "no such identity or email in this account",
        "properties": ["emailId", "identityId"],
    }


def test_another_accounts_identity_and_email_are_not_found(
    jmap: JmapClient, other_jmap: JmapClient
) -> None:
    """Tenant isolation: ids of another tenant's account do not exist here."""
    other_jmap.using = jmap.using
    theirs = draft(other_jmap, "x@elsewhere.example")
    result = jmap.call(
        "EmailSubmission/set",
        {"create": {"s": {"identityId": identity_id(other_jmap), "emailId": theirs}}},
    )
    assert result["notCreated"]["s"]["properties"] == ["emailId", "identityId"]
    assert not OutboundMessage.objects.exists()


def test_a_from_address_the_identity_does_not_cover_is_forbidden_from(jmap: JmapClient) -> None:
    """RFC 8621 §7.5 forbiddenFrom, §9.6."""
    email_id = draft(jmap, sender="ceo@bank.example")
    error = not_created(jmap, email_id)
    assert error["type"] == "forbiddenFrom"


def test_a_message_without_from_is_an_invalid_email(jmap: JmapClient) -> None:
    email_id = draft(jmap, fields={"from": None})
    error = not_created(jmap, email_id)
    assert (error["type"], error["properties"]) == ("invalidEmail", ["from"])


def test_an_envelope_sender_that_is_not_the_accounts_is_forbidden_mail_from(
    jmap: JmapClient,
) -> None:
    """RFC 8621 §7.5 forbiddenMailFrom, §9.6 (no flooding a third party with bounces)."""
    envelope = _envelope("victim@elsewhere.example", "x@elsewhere.example")
    assert not_created(jmap, draft(jmap), envelope=envelope)["type"] == "forbiddenMailFrom"
    envelope = _envelope("", "x@elsewhere.example")
    assert not_created(jmap, draft(jmap), envelope=envelope)["type"] == "forbiddenMailFrom"


def test_an_alias_of_the_account_may_be_the_envelope_sender(jmap: JmapClient) -> None:
    Alias.objects.create(domain=jmap.account.domain, local_part="sales").accounts.add(jmap.account)
    envelope = _envelope(f"sales@{jmap.account.domain.name}", "x@elsewhere.example")
    created = submitted(jmap, draft(jmap), envelope=envelope)
    assert get_submission(jmap, created["id"])["envelope"] == envelope


def test_an_empty_recipient_list_is_no_recipients(jmap: JmapClient) -> None:
    envelope = _envelope(jmap.account.address)
    assert not_created(jmap, draft(jmap), envelope=envelope)["type"] == "noRecipients"


def test_too_many_recipients_names_the_limit(jmap: JmapClient, settings: Any) -> None:
    """RFC 8621 §7.5 tooManyRecipients with maxRecipients."""
    settings.MAILYARD_SMTP_MAX_RECIPIENTS = 3
    rcpts = [f"r{n}@elsewhere.example" for n in range(4)]
    error = not_created(jmap, draft(jmap), envelope=_envelope(jmap.account.address, *rcpts))
    assert error == {
        "type": "tooManyRecipients",
        "description": "at most 3 recipients per message",
        "maxRecipients": 3,
    }


def test_a_huge_recipient_list_is_refused_without_queueing_anything(jmap: JmapClient) -> None:
    rcpts = [f"r{n}@elsewhere.example" for n in range(5000)]
    error = not_created(jmap, draft(jmap), envelope=_envelope(jmap.account.address, *rcpts))
    assert error["type"] == "tooManyRecipients"
    assert not OutboundRecipient.objects.exists()


def test_recipients_that_are_not_addresses_are_listed(jmap: JmapClient) -> None:
    """RFC 8621 §7.5 invalidRecipients; a CRLF is never let into an SMTP command."""
    bad = [
        "not an address",
        "x@elsewhere.example>\r\nRCPT TO:<spam@victim.example",
        "x@elsewhere.example\r\nBcc: y@z.example",
        "@nolocal.example",
        "a@[127.0.0.1]",
    ]
    envelope = _envelope(jmap.account.address, "ok@elsewhere.example", *bad)
    error = not_created(jmap, draft(jmap), envelope=envelope)
    assert error["type"] == "invalidRecipients"
    assert error["invalidRecipients"] == bad


def test_quoted_local_parts_are_addresses(jmap: JmapClient) -> None:
    """RFC 5321 §4.1.2 Quoted-string local parts."""
    envelope = _envelope(jmap.account.address, '"john doe"@elsewhere.example')
    created = submitted(jmap, draft(jmap), envelope=envelope)
    assert get_submission(jmap, created["id"])["envelope"] == envelope


def test_a_malformed_envelope_is_invalid_properties(jmap: JmapClient) -> None:
    for envelope in (
        {"mailFrom": {"email": jmap.account.address}},
        {"mailFrom": "me", "rcptTo": []},
        _envelope(jmap.account.address, "x@elsewhere.example", XFORWARD="1"),
        _envelope(jmap.account.address, "x@elsewhere.example", HOLDFOR="soon"),
        _envelope(jmap.account.address, "x@elsewhere.example", RET="EVERYTHING"),
        {
            "mailFrom": {"email": jmap.account.address, "parameters": None},
            "rcptTo": [{"email": "x@elsewhere.example", "parameters": {"NOTIFY": "NEVER,SUCCESS"}}],
        },
    ):
        error = not_created(jmap, draft(jmap), envelope=envelope)
        assert (error["type"], error["properties"]) == ("invalidProperties", ["envelope"]), envelope


def test_a_message_over_the_size_limit_is_too_large(jmap: JmapClient, settings: Any) -> None:
    """RFC 8621 §7.5 tooLarge with maxSize."""
    email_id = draft(jmap, body="x" * 3000 + "\n")
    settings.MAILYARD_MAX_MESSAGE_SIZE = 2000
    error = not_created(jmap, email_id)
    assert (error["type"], error["maxSize"]) == ("tooLarge", 2000)


def test_a_new_submission_cannot_be_created_canceled(jmap: JmapClient) -> None:
    error = not_created(jmap, draft(jmap), undoStatus="canceled")
    assert (error["type"], error["properties"]) == ("invalidProperties", ["undoStatus"])


def test_server_set_properties_cannot_be_given(jmap: JmapClient) -> None:
    error = not_created(jmap, draft(jmap), sendAt="2030-01-01T00:00:00Z")
    assert (error["type"], error["properties"]) == ("invalidProperties", ["sendAt"])


def test_the_account_hourly_limit_is_a_rate_limit(jmap: JmapClient, settings: Any) -> None:
    """Flood control per account: RFC 8620 §5.3 rateLimit."""
    settings.MAILYARD_SMTP_ACCOUNT_HOURLY_LIMIT = 2
    for _ in range(2):
        submitted(jmap, draft(jmap))
    error = not_created(jmap, draft(jmap))
    assert error == {
        "type": "rateLimit",
        "description": "this account sent 2 messages in the last hour, the most it may; "
        "try again later",
    }


def test_the_tenants_daily_allowance_is_shared_by_its_accounts(jmap: JmapClient) -> None:
    """The tenant plan's daily limit: forbiddenToSend once spent, whoever sends."""
    tenant = Tenant.objects.get(pk=jmap.account.tenant_id)
    tenant.daily_send_limit = 1
    tenant.save()
    colleague = make_account(f"colleague@{jmap.account.domain.name}")
    submitted(jmap, draft(jmap))
    other = JmapClient(colleague, PASSWORD)
    other.using = jmap.using
    error = not_created(other, draft(other))
    assert error["type"] == "forbiddenToSend"
    assert f"{tenant.name} has sent its plan's 1 messages for today" in error["description"]


def test_a_wildcard_identity_sends_from_any_address_of_its_domain(jmap: JmapClient) -> None:
    """RFC 8621 §6: an identity "*@domain" covers every address of the domain."""
    identity = _wildcard_identity(jmap)
    email_id = draft(jmap, sender=f"anyone@{jmap.account.domain.name}")
    created = submitted(jmap, email_id, identityId=identity)
    assert created["envelope"]["mailFrom"]["email"] == f"anyone@{jmap.account.domain.name}"
    assert (
        not_created(jmap, draft(jmap, sender="x@elsewhere.example"), identityId=identity)["type"]
        == "forbiddenFrom"
    )


def test_one_failed_creation_leaves_the_others(jmap: JmapClient) -> None:
    """RFC 8620 §5.3: a SetError is per record."""
    good, bad = draft(jmap), draft(jmap, sender="ceo@bank.example")
    result = jmap.call(
        "EmailSubmission/set",
        {
            "create": {
                "a": {"identityId": identity_id(jmap), "emailId": good},
                "b": {"identityId": identity_id(jmap), "emailId": bad},
            }
        },
    )
    assert set(result["created"]) == {"a"}
    assert result["notCreated"]["b"]["type"] == "forbiddenFrom"
    assert OutboundMessage.objects.count() == 1
