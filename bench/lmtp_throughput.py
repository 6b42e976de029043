"""Inbound LMTP throughput (issue 4): messages per second through ``manage.py inbound``.

    .venv/bin/python -m bench.lmtp_throughput [--messages 2000] [--connections 10] [--accounts 10]

A fresh database (``bench.common.running_server``), ``--accounts`` hosted accounts, the LMTP
server as an operator runs it, and ``--connections`` concurrent front-MTA connections
(``smtplib.LMTP``), each delivering its share of ~3 KB messages to a random account, one
recipient per transaction. Every 250 means the message is committed. Prints JSON: throughput,
per-transaction latency, and the count found afterwards through JMAP.
"""

from __future__ import annotations

import argparse
import json
import random
import smtplib
import subprocess
import threading
import time

from bench.common import (
    CORE,
    MAIL,
    PYTHON,
    ROOT,
    Client,
    create_account,
    free_port,
    percentiles,
    running_server,
)

PASSWORD = "bench password 1"  # noqa: S105 - a throwaway bench account
WORDS = [
    "invoice",
    "meeting",
    "budget",
    "report",
    "launch",
    "travel",
    "review",
    "design",
    "schedule",
    "customer",
]


def _message(n: int, to: str) -> bytes:
    body = "\r\n".join(" ".join(random.choices(WORDS, k=12)) for _ in range(40))
    return (
        f"From: Sender {n} <sender{n % 97}@outside.example>\r\nTo: {to}\r\n"
        f"Subject: {' '.join(random.choices(WORDS, k=5))} {n}\r\n"
        f"Date: Tue, 03 Jan 2023 10:00:00 +0100\r\nMessage-ID: <bench{n}@outside.example>\r\n"
        "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n"
        f"{body}\r\n"
    ).encode()


def _wait_for_port(port: int) -> None:
    for _ in range(300):
        try:
            smtplib.LMTP("127.0.0.1", port).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("the LMTP server did not start")


def _client(port: int, share: int, offset: int, rcpts: list[str], out: list[float]) -> None:
    client = smtplib.LMTP("127.0.0.1", port)
    for n in range(offset, offset + share):
        data = _message(n, rcpt := random.choice(rcpts))
        start = time.perf_counter()
        refused = client.sendmail(f"sender{n % 97}@outside.example", [rcpt], data)
        out.append((time.perf_counter() - start) * 1000)
        if refused:
            raise RuntimeError(f"refused: {refused}")
    client.quit()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--connections", type=int, default=10)
    parser.add_argument("--accounts", type=int, default=10)
    args = parser.parse_args()
    with running_server("lmtp") as (base, _, env):
        rcpts = [f"user{i}@lmtp.bench.test" for i in range(args.accounts)]
        for address in rcpts:
            create_account(env, address, PASSWORD)
        port = free_port()
        server = subprocess.Popen(
            [PYTHON, "manage.py", "inbound", "--host", "127.0.0.1", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
        )
        try:
            _wait_for_port(port)
            share = args.messages // args.connections
            latencies: list[list[float]] = [[] for _ in range(args.connections)]
            threads = [
                threading.Thread(target=_client, args=(port, share, i * share, rcpts, latencies[i]))
                for i in range(args.connections)
            ]
            start = time.perf_counter()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            elapsed = time.perf_counter() - start
        finally:
            server.terminate()
            server.wait(30)
        stored = 0
        for address in rcpts:
            client = Client(base, address, PASSWORD)
            result = client.call(
                [["Email/query", {"accountId": client.account_id, "calculateTotal": True}, "q"]],
                using=[CORE, MAIL],
            )
            stored += int(result[0][1]["total"])
    sent = share * args.connections
    samples = [ms for per_client in latencies for ms in per_client]
    print(
        json.dumps(
            {
                "messages": sent,
                "connections": args.connections,
                "accounts": args.accounts,
                "seconds": round(elapsed, 2),
                "messages_per_second": round(sent / elapsed, 1),
                "transaction_ms": percentiles(samples),
                "stored": stored,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
