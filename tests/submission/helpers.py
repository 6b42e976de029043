"""Shared steps of the submission tests: write a draft, submit it, read the result."""

from __future__ import annotations

from typing import Any

from jmap_mail.models import Mailbox
from tests.jmap_client import JmapClient


def mailbox_id(jmap: JmapClient, role: str) -> str:
    return str(Mailbox.objects.get(account=jmap.account, role=role).jmap_id)


def draft(
    jmap: JmapClient,
    to: str | list[str] = "friend@elsewhere.example",
    *,
    sender: str | None = None,
    subject: str = "Hello",
    body: str = "Hi there.\n",
    fields: dict[str, Any] | None = None,
) -> str:
    """Create a draft in Drafts with Email/set; returns its id. ``fields`` adds or replaces
    Email properties (cc, bcc, header:…)."""
    recipients = [to] if isinstance(to, str) else to
    values: dict[str, Any] = {
        "mailboxIds": {mailbox_id(jmap, "drafts"): True},
        "keywords": {"$draft": True, "$seen": True},
        "from": [{"name": "Sender", "email": sender or jmap.account.address}],
        "to": [{"name": None, "email": r} for r in recipients],
        "subject": subject,
        "bodyValues": {"b": {"value": body}},
        "textBody": [{"partId": "b", "type": "text/plain"}],
        **(fields or {}),
    }
    created = jmap.call("Email/set", {"create": {"d": values}})
    assert created["created"], created
    return str(created["created"]["d"]["id"])


def identity_id(jmap: JmapClient) -> str:
    return str(jmap.call("Identity/get")["list"][0]["id"])


def submit(jmap: JmapClient, email_id: str, **values: Any) -> dict[str, Any]:
    """EmailSubmission/set create "s"; returns the whole response arguments."""
    creation = {"identityId": identity_id(jmap), "emailId": email_id, **values}
    return jmap.call("EmailSubmission/set", {"create": {"s": creation}})


def submitted(jmap: JmapClient, email_id: str, **values: Any) -> dict[str, Any]:
    """Submit and return the created object (asserting success)."""
    result = submit(jmap, email_id, **values)
    assert result["notCreated"] is None, result["notCreated"]
    return dict(result["created"]["s"])


def not_created(jmap: JmapClient, email_id: str, **values: Any) -> dict[str, Any]:
    result = submit(jmap, email_id, **values)
    assert result["created"] is None, result
    return dict(result["notCreated"]["s"])


def get_submission(jmap: JmapClient, submission_id: str) -> dict[str, Any]:
    result = jmap.call("EmailSubmission/get", {"ids": [submission_id]})
    assert result["list"], result
    return dict(result["list"][0])
