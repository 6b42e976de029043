"""Changes made through the real HTTP API of a running server (another request than the push)."""

from __future__ import annotations

from typing import Any

from tests.push.server import Server


def mailbox_id(server: Server, auth: str, account_id: str, role: str) -> str:
    responses = server.api(
        auth, [["Mailbox/get", {"accountId": account_id, "properties": ["role"]}, "0"]]
    )
    return str(next(m["id"] for m in responses[0][1]["list"] if m["role"] == role))


def create_draft(
    server: Server, auth: str, account_id: str, subject: str = "Hi", drafts: str = ""
) -> dict[str, Any]:
    """Email/set create (RFC 8621 §4.6); returns the method response arguments."""
    drafts = drafts or mailbox_id(server, auth, account_id, "drafts")
    email = {
        "mailboxIds": {drafts: True},
        "keywords": {"$draft": True},
        "subject": subject,
        "textBody": [{"partId": "t", "type": "text/plain"}],
        "bodyValues": {"t": {"value": "hello"}},
    }
    responses = server.api(
        auth, [["Email/set", {"accountId": account_id, "create": {"e": email}}, "0"]]
    )
    name, result, _ = responses[0]
    assert name == "Email/set", responses
    assert result["created"], responses
    return dict(result)


def states(server: Server, auth: str, account_id: str, *types: str) -> dict[str, str]:
    """What Foo/get says each type's state is now."""
    calls = [[f"{t}/get", {"accountId": account_id, "ids": []}, t] for t in types]
    return {r[2]: r[1]["state"] for r in server.api(auth, calls)}
