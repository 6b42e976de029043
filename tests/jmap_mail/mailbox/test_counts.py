"""Mailbox counts stay exact through every kind of change (RFC 8621 §2)."""

from __future__ import annotations

import random
from typing import Any

from jmap_mail.counts import recount
from jmap_mail.models import Mailbox
from tests.factories import message
from tests.jmap_client import JmapClient
from tests.jmap_mail.email.helpers import import_raw, role

COUNTS = ["totalEmails", "unreadEmails", "totalThreads", "unreadThreads"]


def _counts(jmap: JmapClient) -> dict[str, list[int]]:
    boxes = jmap.call("Mailbox/get", {"ids": None, "properties": COUNTS})["list"]
    return {b["id"]: [b[c] for c in COUNTS] for b in boxes}


def test_counts_follow_random_changes_and_match_a_recount(jmap: JmapClient) -> None:
    rng = random.Random(5)
    boxes = [role(jmap, r) for r in ("inbox", "archive", "trash")]
    ids: list[str] = []
    for n in range(12):
        parent = rng.choice(ids) if ids and rng.random() < 0.5 else None
        raw = message(
            f"Topic {n % 4}" if parent is None else f"Re: Topic {(n - 1) % 4}", message_id=f"c{n}@x"
        )
        ids.append(
            import_raw(jmap, raw, keywords={"$seen": True} if rng.random() < 0.5 else {})["id"]
        )
    for _ in range(40):
        email = rng.choice(ids)
        action = rng.choice(["seen", "unseen", "draft", "move", "add", "destroy"])
        update: dict[str, Any]
        if action == "seen":
            update = {"keywords/$seen": True}
        elif action == "unseen":
            update = {"keywords/$seen": None}
        elif action == "draft":
            update = {"keywords/$draft": True}
        elif action == "move":
            update = {"mailboxIds": {rng.choice(boxes): True}}
        elif action == "add":
            update = {f"mailboxIds/{rng.choice(boxes)}": True}
        else:
            jmap.call("Email/set", {"destroy": [email]})
            ids.remove(email)
            continue
        jmap.call("Email/set", {"update": {email: update}})
    maintained = _counts(jmap)
    recount(jmap.account.pk)
    assert maintained == _counts(jmap)
    assert sum(
        Mailbox.objects.filter(account=jmap.account).values_list("total_emails", flat=True)
    ) >= len(ids)


def test_unread_threads_count_threads_not_emails(jmap: JmapClient) -> None:
    inbox = role(jmap, "inbox")
    import_raw(jmap, message("Talk", message_id="t1@x"))
    import_raw(jmap, message("Re: Talk", message_id="t2@x", in_reply_to="t1@x"))
    import_raw(jmap, message("Other", message_id="o1@x"), keywords={"$seen": True})
    assert _counts(jmap)[inbox] == [3, 2, 2, 1]
