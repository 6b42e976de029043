"""Mail benchmark (issue 3): a large account built through Email/import, then the views a mail
client uses, with latencies and the server's RSS.

    .venv/bin/python -m bench.mail [--messages 100000] [--clients 2] [--via blob|upload]

Prints JSON: import throughput, inbox view (Email/query inMailbox + receivedAt desc +
collapseThreads + limit 50, Email/get of the 50 with list properties, Thread/get, in one
request) p50/p99, a full-text query p50/p99, Email/changes and Mailbox/get after 10 changes,
and EXPLAIN ANALYZE of the inbox and full-text queries.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import random
import subprocess
import time
from typing import Any

import httpx

from bench.common import (
    BLOB,
    CORE,
    MAIL,
    PYTHON,
    ROOT,
    Client,
    basic,
    cpu_seconds,
    create_account,
    percentiles,
    postgres_cpu_seconds,
    rss_mb,
    running_server,
)

ADDRESS, PASSWORD = "mail@bench.test", "bench password 1"
WORDS = [
    "meeting",
    "budget",
    "report",
    "invoice",
    "project",
    "schedule",
    "review",
    "launch",
    "customer",
    "design",
    "release",
    "travel",
    "lunch",
    "holiday",
    "contract",
    "update",
    "question",
    "answer",
    "proposal",
    "deadline",
    "server",
    "network",
    "kitchen",
    "garden",
    "concert",
    "ticket",
    "flight",
    "hotel",
    "payment",
    "account",
    "security",
    "password",
    "weekend",
]
PEOPLE = [
    f"{n} <{n.lower()}@example.{d}>"
    for n in ("Alice", "Bob", "Carol", "Dave", "Erin", "Frank", "Grace", "Heidi")
    for d in ("com", "org")
]


def make_message(
    n: int, rng: random.Random, earlier: list[tuple[str, str]]
) -> tuple[bytes, tuple[str, str]]:
    reply = earlier and rng.random() < 0.35
    if reply:
        parent_id, subject = rng.choice(earlier[-500:])
        subject = subject if subject.startswith("Re: ") else "Re: " + subject
    else:
        subject = " ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 7))).capitalize()
    msgid = f"bench{n}.{rng.getrandbits(32)}@example.com"
    paragraphs = rng.randint(2, 30)
    body = "\r\n\r\n".join(
        " ".join(rng.choice(WORDS) for _ in range(rng.randint(20, 60))) for _ in range(paragraphs)
    )
    headers = [
        f"From: {rng.choice(PEOPLE)}",
        f"To: {ADDRESS}",
        f"Subject: {subject}",
        "Date: Mon, 01 Jan 2024 10:00:00 +0000",
        f"Message-ID: <{msgid}>",
    ]
    if reply:
        headers += [f"In-Reply-To: <{parent_id}>", f"References: <{parent_id}>"]
    headers += ["MIME-Version: 1.0"]
    if rng.random() < 0.08:
        attachment = rng.randbytes(rng.randint(5_000, 60_000))
        encoded = base64.encodebytes(attachment).decode().replace("\n", "\r\n")
        headers.append('Content-Type: multipart/mixed; boundary="b1"')
        text = (
            f"--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n"
            f'--b1\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename="data{n}.bin"\r\n'
            f"Content-Transfer-Encoding: base64\r\n\r\n{encoded}--b1--\r\n"
        )
    else:
        headers.append("Content-Type: text/plain; charset=utf-8")
        text = body + "\r\n"
    raw = ("\r\n".join(headers) + "\r\n\r\n" + text).encode()
    return raw, (msgid, subject)


async def import_all(
    base: str,
    session: dict[str, Any],
    account_id: str,
    mailboxes: dict[str, str],
    total: int,
    clients: int,
    via: str,
) -> dict[str, Any]:
    rng = random.Random(7)
    earlier: list[tuple[str, str]] = []
    messages = []
    for n in range(total):
        raw, ident = make_message(n, rng, earlier)
        earlier.append(ident)
        messages.append(raw)
    start_epoch = 1_640_995_200  # 2022-01-01
    queue: asyncio.Queue[int] = asyncio.Queue()
    batch = 50
    for offset in range(0, total, batch):
        queue.put_nowait(offset)
    upload_url = session["uploadUrl"].replace("{accountId}", account_id)

    def item(n: int, blob_id: str) -> dict[str, Any]:
        box = mailboxes["inbox"] if n % 10 else mailboxes["archive"]
        received = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(start_epoch + n * 600))
        return {
            "blobId": blob_id,
            "mailboxIds": {box: True},
            "keywords": {"$seen": True} if n % 10 < 7 else {},
            "receivedAt": received,
        }

    async def worker() -> None:
        async with httpx.AsyncClient(headers=basic(ADDRESS, PASSWORD), timeout=300) as http:
            while not queue.empty():
                offset = queue.get_nowait()
                numbers = range(offset, min(total, offset + batch))
                if via == "upload":
                    # RFC 8620 §6.1: one upload request per message, then one Email/import.
                    emails = {}
                    for n in numbers:
                        response = await http.post(
                            upload_url,
                            content=messages[n],
                            headers={"Content-Type": "message/rfc822"},
                        )
                        emails[str(n)] = item(n, response.json()["blobId"])
                    calls: list[list[Any]] = [
                        ["Email/import", {"accountId": account_id, "emails": emails}, "i"]
                    ]
                else:
                    # RFC 9404 §4.1: the messages travel in the API request as Blob/upload
                    # creations, which Email/import names by creation id.
                    uploads = {
                        f"b{n}": {
                            "data": [{"data:asBase64": base64.b64encode(messages[n]).decode()}],
                            "type": "message/rfc822",
                        }
                        for n in numbers
                    }
                    emails = {str(n): item(n, f"#b{n}") for n in numbers}
                    calls = [
                        ["Blob/upload", {"accountId": account_id, "create": uploads}, "u"],
                        ["Email/import", {"accountId": account_id, "emails": emails}, "i"],
                    ]
                response = await http.post(
                    session["apiUrl"], json={"using": [CORE, MAIL, BLOB], "methodCalls": calls}
                )
                responses = response.json()["methodResponses"]
                result = responses[-1][1]
                assert responses[-1][0] == "Email/import", responses
                assert not result.get("notCreated"), result

    started, client_cpu = time.perf_counter(), time.process_time()
    await asyncio.gather(*(worker() for _ in range(clients)))
    elapsed = time.perf_counter() - started
    client_cpu = time.process_time() - client_cpu
    return {
        "messages": total,
        "seconds": round(elapsed, 1),
        "messages_per_s": round(total / elapsed, 1),
        "via": via,
        "clients": clients,
        "batch": batch,
        "bytes": sum(len(m) for m in messages),
        "client_cpu_s": round(client_cpu, 1),
    }


def timed(client: Client, calls: list[list[Any]], runs: int) -> dict[str, float]:
    for _ in range(3):
        client.call(calls)
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        responses = client.call(calls)
        samples.append((time.perf_counter() - start) * 1000)
        assert all(r[0] != "error" for r in responses), responses
    return percentiles(samples)


def inbox_view(account_id: str, inbox: str) -> list[list[Any]]:
    return [
        [
            "Email/query",
            {
                "accountId": account_id,
                "filter": {"inMailbox": inbox},
                "sort": [{"property": "receivedAt", "isAscending": False}],
                "collapseThreads": True,
                "limit": 50,
                "calculateTotal": True,
            },
            "q",
        ],
        [
            "Email/get",
            {
                "accountId": account_id,
                "#ids": {"resultOf": "q", "name": "Email/query", "path": "/ids"},
                "properties": [
                    "threadId",
                    "mailboxIds",
                    "keywords",
                    "subject",
                    "from",
                    "receivedAt",
                    "preview",
                    "hasAttachment",
                    "size",
                ],
            },
            "g",
        ],
        [
            "Thread/get",
            {
                "accountId": account_id,
                "#ids": {"resultOf": "g", "name": "Email/get", "path": "/list/*/threadId"},
            },
            "t",
        ],
    ]


EXPLAIN = r"""
import django, os, json
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()
from config.embedded import start_if_needed; start_if_needed()
from django.db.models import Q
from accounts.models import Account
from accounts.auth import Principal
from jmap_core.context import CallContext, RequestContext
from jmap_core.standard import build_filter
from jmap_mail.email.type import EMAIL_TYPE
account = Account.objects.get(address="%s")
ctx = CallContext(RequestContext(Principal(account), frozenset()), "x", "Email/query")
ctx.account = account
inbox = account.jmap_id and __import__("jmap_mail.models", fromlist=["Mailbox"]).Mailbox.objects.get(account=account, role="inbox").jmap_id
from jmap_mail.models import MailboxMessage
mailbox = __import__("jmap_mail.models", fromlist=["Mailbox"]).Mailbox.objects.get(account=account, role="inbox")
listing = MailboxMessage.objects.filter(mailbox=mailbox, expunged=False).order_by("-received_at", "-email_id").values_list("email__jmap_id", "thread_id")[:500]
print("=== inbox list view (memberships, first chunk)")
print(listing.explain(analyze=True))
for label, flt, extra in [("fulltext", {"text": "budget invoice"}, {})]:
    ordering = EMAIL_TYPE.order_by(ctx, [{"property": "receivedAt", "isAscending": False}])
    qs = EMAIL_TYPE.query_ids(ctx, build_filter(EMAIL_TYPE, ctx, flt), ordering, extra)[:50]
    print("=== " + label)
    print(qs.explain(analyze=True))
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=100_000)
    # Two import streams keep both cores busy (one parses while the other writes); more only
    # add lock and GIL contention on a 2-core machine.
    parser.add_argument("--clients", type=int, default=2)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument(
        "--via",
        choices=("blob", "upload"),
        default="blob",
        help="send messages as RFC 9404 Blob/upload creations (default) or one upload each",
    )
    parser.add_argument(
        "--reuse", action="store_true", help="keep the account of the last run; skip the import"
    )
    args = parser.parse_args()
    with running_server("mail", fresh=not args.reuse) as (base, proc, env):
        if not args.reuse:
            create_account(env, ADDRESS, PASSWORD)
        client = Client(base, ADDRESS, PASSWORD)
        account_id = client.account_id
        boxes = client.call(
            [["Mailbox/get", {"accountId": account_id, "ids": None, "properties": ["role"]}, "m"]]
        )[0][1]["list"]
        mailboxes = {b["role"]: b["id"] for b in boxes}
        results: dict[str, Any] = {}
        if not args.reuse:
            rss_before = rss_mb(proc.pid)
            cpu_before = (cpu_seconds(proc.pid), postgres_cpu_seconds(env))
            imported = asyncio.run(
                import_all(
                    base,
                    client.session,
                    account_id,
                    mailboxes,
                    args.messages,
                    args.clients,
                    args.via,
                )
            )
            imported["server_rss_mb_before"] = round(rss_before, 1)
            imported["server_rss_mb_after"] = round(rss_mb(proc.pid), 1)
            # Where the CPU went, per message: the server, PostgreSQL and this client (which
            # shares the machine's two cores with them; its own CPU counts the sending only).
            server_cpu, pg_cpu = cpu_before
            per = 1000 / args.messages
            imported["cpu_ms_per_message"] = {
                "server": round((cpu_seconds(proc.pid) - server_cpu) * per, 2),
                "postgres": round(((postgres_cpu_seconds(env) or 0) - (pg_cpu or 0)) * per, 2)
                if pg_cpu is not None
                else None,
                "client": round(imported.pop("client_cpu_s") * per, 2),
            }
            results["import"] = imported
        else:
            results["server_rss_mb_start"] = round(rss_mb(proc.pid), 1)
        results["inbox_view_ms"] = timed(
            client, inbox_view(account_id, mailboxes["inbox"]), args.runs
        )
        results["full_text_query_ms"] = timed(
            client,
            [
                [
                    "Email/query",
                    {
                        "accountId": account_id,
                        "filter": {"text": "budget invoice"},
                        "sort": [{"property": "receivedAt", "isAscending": False}],
                        "limit": 50,
                    },
                    "f",
                ]
            ],
            args.runs,
        )
        results["full_text_phrase_ms"] = timed(
            client,
            [
                [
                    "Email/query",
                    {"accountId": account_id, "filter": {"text": '"kitchen garden"'}, "limit": 50},
                    "f",
                ]
            ],
            args.runs,
        )
        # Words in no email, ORed: PostgreSQL has no statistics for them (RFC 8621 §4.4.1 text).
        unknown = [{"text": "zebra"}, {"text": "quokka"}]
        results["full_text_unknown_or_ms"] = timed(
            client,
            [
                [
                    "Email/query",
                    {
                        "accountId": account_id,
                        "filter": {"operator": "OR", "conditions": unknown},
                        "sort": [{"property": "receivedAt", "isAscending": False}],
                        "limit": 50,
                    },
                    "f",
                ]
            ],
            args.runs,
        )
        email_state = client.call([["Email/get", {"accountId": account_id, "ids": []}, "s"]])[0][1][
            "state"
        ]
        mailbox_state = client.call([["Mailbox/get", {"accountId": account_id, "ids": []}, "s"]])[
            0
        ][1]["state"]
        latest = client.call(inbox_view(account_id, mailboxes["inbox"])[:1])[0][1]["ids"][:10]
        client.call(
            [
                [
                    "Email/set",
                    {
                        "accountId": account_id,
                        "update": {i: {"keywords/$flagged": True} for i in latest},
                    },
                    "u",
                ]
            ]
        )
        results["changes_after_10_ms"] = timed(
            client,
            [
                ["Email/changes", {"accountId": account_id, "sinceState": email_state}, "c"],
                ["Mailbox/changes", {"accountId": account_id, "sinceState": mailbox_state}, "mc"],
                ["Mailbox/get", {"accountId": account_id, "ids": None}, "mg"],
            ],
            args.runs,
        )
        results["server_rss_mb_end"] = round(rss_mb(proc.pid), 1)
        explain = subprocess.run(
            [PYTHON, "-c", EXPLAIN % ADDRESS], cwd=ROOT, env=env, capture_output=True, text=True
        )
    print(json.dumps(results, indent=2))
    print(explain.stdout or explain.stderr)


if __name__ == "__main__":
    main()
