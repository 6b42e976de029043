"""A run-wide corpus of five messages in a mailbox of its own, for Email/query cases.

Queries are always scoped to the corpus mailbox, so whatever else the account holds never
changes the expected results. Expectations that depend on server choices (threading,
hasAttachment) are computed from what the server reports, not assumed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from conformance import messages as m
from conformance.checks import as_map, expect, show
from conformance.context import Context
from conformance.registry import NotSupported

JSON = Any
KEYS = ("e1", "e2", "e3", "e4", "e5")


@dataclass
class Corpus:
    mailbox: str
    mailbox2: str
    token: str
    emails: dict[str, dict[str, JSON]]

    def key_of(self, email_id: str) -> str:
        for key, email in self.emails.items():
            if email["id"] == email_id:
                return key
        return f"<foreign {email_id}>"

    def keys(self, ids: list[str]) -> list[str]:
        return [self.key_of(i) for i in ids]

    def thread_mates(self, key: str) -> list[str]:
        thread = self.emails[key]["threadId"]
        return [k for k, e in self.emails.items() if e["threadId"] == thread]


def _raws(tok: str) -> dict[str, tuple[bytes, dict[str, bool], str]]:
    e1_id = f"e1.{tok}@conformance.example"
    attachment = m.attachment(
        b"%PDF-1.4 conformance " + tok.encode() * 40, "application/pdf", "report.pdf"
    )
    long_body = " ".join(["durian"] + [f"filler{i}" for i in range(400)]) + "\r\n"
    return {
        "e1": (
            m.message(
                subject=f"alpha {tok}",
                message_id=e1_id,
                from_='"Alice Anders" <alice.anders@conformance.example>',
                to='"Bob Brown" <bob.brown@conformance.example>',
                date="Mon, 01 Jan 2024 09:00:00 +0000",
                body=f"The apple orchard, {tok}.\r\n",
            ),
            {"$seen": True},
            "2024-01-10T00:00:00Z",
        ),
        "e2": (
            m.message(
                subject=f"beta {tok}",
                from_='"Carol Cole" <carol.cole@conformance.example>',
                to='"Dave Dunn" <dave.dunn@conformance.example>',
                cc='"Erin Earl" <erin.earl@conformance.example>',
                date="Thu, 01 Feb 2024 09:00:00 +0000",
                body=m.Multipart("mixed", [m.text(f"A banana note {tok}.\r\n"), attachment]),
            ),
            {"$flagged": True},
            "2024-02-10T00:00:00Z",
        ),
        "e3": (
            m.message(
                subject=f"Re: alpha {tok}",
                from_='"Bob Brown" <bob.brown@conformance.example>',
                to='"Alice Anders" <alice.anders@conformance.example>',
                date="Fri, 01 Mar 2024 09:00:00 +0000",
                in_reply_to=f"<{e1_id}>",
                references=f"<{e1_id}>",
                headers=[("X-CF-Marker", f"present-{tok}")],
                body=f"Replying about the apple pie {tok}.\r\n",
            ),
            {"$seen": True, "$flagged": True},
            "2024-03-10T00:00:00Z",
        ),
        "e4": (
            m.message(
                subject=f"gamma {tok}",
                from_='"Zed Zulu" <zed.zulu@conformance.example>',
                to='"Amy Apple" <amy.apple@conformance.example>',
                bcc='"Frank Fox" <frank.fox@conformance.example>',
                date="Mon, 01 Apr 2024 09:00:00 +0000",
                body=m.text(f"<html><body><p>A cherry tart {tok}</p></body></html>", "html"),
            ),
            {},
            "2024-04-10T00:00:00Z",
        ),
        "e5": (
            m.message(
                subject=f"delta {tok}",
                from_='"Mallory Moss" <mallory.moss@conformance.example>',
                to='"Bob Brown" <bob.brown@conformance.example>',
                date="Sun, 31 Dec 2023 09:00:00 +0000",
                body=long_body,
            ),
            {"$draft": True},
            "2024-05-10T00:00:00Z",
        ),
    }


def build(ctx: Context) -> Corpus:
    tok = m.token()
    mailbox = ctx.mailbox(ctx.unique("corpus"))
    mailbox2 = ctx.mailbox(ctx.unique("corpus2"))
    emails: dict[str, dict[str, JSON]] = {}
    for key, (raw, keywords, received) in _raws(tok).items():
        boxes = {mailbox: True, mailbox2: True} if key == "e4" else {mailbox: True}
        blob = ctx.upload(raw, "message/rfc822")
        result = ctx.call(
            "Email/import",
            {
                "emails": {
                    key: {
                        "blobId": blob["blobId"],
                        "mailboxIds": boxes,
                        "keywords": keywords,
                        "receivedAt": received,
                    }
                }
            },
        )
        created = as_map(result.get("created"), "created")
        expect(key in created, f"corpus import failed: {show(result.get('notCreated'))}")
        ctx.destroy_later("Email", created[key]["id"])
        emails[key] = {"id": created[key]["id"], "raw": raw}
    ids = [e["id"] for e in emails.values()]
    got = ctx.call(
        "Email/get",
        {
            "ids": ids,
            "properties": [
                "threadId",
                "size",
                "receivedAt",
                "keywords",
                "hasAttachment",
                "mailboxIds",
            ],
        },
    )["list"]
    by_id = {e["id"]: e for e in got}
    for email in emails.values():
        email.update(by_id[email["id"]])
    corpus = Corpus(mailbox, mailbox2, tok, emails)
    _wait_for_index(ctx, corpus)
    return corpus


def _wait_for_index(ctx: Context, corpus: Corpus) -> None:
    """Full-text indexes may lag an import (Cyrus/Xapian); wait until a body word is found."""

    def probe() -> bool:
        response = ctx.responses(
            [
                (
                    "Email/query",
                    {
                        "filter": {
                            "operator": "AND",
                            "conditions": [{"inMailbox": corpus.mailbox}, {"text": "banana"}],
                        }
                    },
                )
            ]
        )[0]
        return response[0] == "Email/query" and corpus.emails["e2"]["id"] in response[1]["ids"]

    ctx.eventually(probe, timeout=10.0, interval=0.5)


def get(ctx: Context) -> Corpus:
    return ctx.fixture("corpus", build)


def query(
    ctx: Context, corpus: Corpus, condition: dict[str, JSON] | None = None, **extra: JSON
) -> list[str]:
    """Email/query scoped to the corpus mailbox; returns corpus keys in result order."""
    conditions: list[JSON] = [{"inMailbox": corpus.mailbox}]
    if condition is not None:
        conditions.append(condition)
    response = ctx.responses(
        [("Email/query", {"filter": {"operator": "AND", "conditions": conditions}, **extra})]
    )[0]
    if response[0] == "error" and response[1].get("type") in (
        "unsupportedFilter",
        "unsupportedSort",
    ):
        raise NotSupported(
            f"Email/query answered {response[1]['type']} for {show(condition)} {show(extra)}"
        )
    expect(response[0] == "Email/query", f"Email/query failed: {show(response[1])}")
    return corpus.keys(response[1]["ids"])
