"""Load benchmark of the core engine (issue 2): requests/s and latency for Core/echo and the
session resource under concurrent clients on loopback, and the server's RSS.

    .venv/bin/python -m bench.load [--clients 16] [--seconds 10]

The load comes from wrk (Debian package ``wrk``) when installed: a Python client on the same two
cores would measure itself more than the server. Without wrk, an httpx client is used.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import shutil
import subprocess
import tempfile
import time

import httpx

from bench.common import CORE, basic, create_account, percentiles, rss_mb, running_server

ADDRESS, PASSWORD = "load@bench.test", "bench password 1"


async def _drive(
    base: str, path: str, body: dict[str, object] | None, clients: int, seconds: float
) -> dict[str, float]:
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds

    async def worker() -> None:
        nonlocal errors
        async with httpx.AsyncClient(
            base_url=base, headers=basic(ADDRESS, PASSWORD), timeout=30
        ) as http:
            while time.perf_counter() < deadline:
                start = time.perf_counter()
                response = await (
                    http.post(path, json=body) if body is not None else http.get(path)
                )
                latencies.append((time.perf_counter() - start) * 1000)
                if response.status_code != 200:
                    errors += 1

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(clients)))
    elapsed = time.perf_counter() - started
    return {
        "requests": len(latencies),
        "errors": errors,
        "rps": round(len(latencies) / elapsed, 1),
        **percentiles(latencies),
    }


WRK_SCRIPT = """
wrk.method = "%s"
wrk.headers["Authorization"] = "%s"
wrk.headers["Content-Type"] = "application/json"
wrk.body = %s
done = function(summary, latency, requests)
  io.write(string.format("RESULT %%d %%d %%f %%f %%f\\n", summary.requests,
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.mean / 1000))
end
"""


def _wrk(
    base: str, path: str, body: dict[str, object] | None, clients: int, seconds: float
) -> dict[str, float]:
    method = "POST" if body is not None else "GET"
    lua_body = json.dumps(json.dumps(body)) if body is not None else "nil"
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT % (method, basic(ADDRESS, PASSWORD)["Authorization"], lua_body))
    out = subprocess.run(
        [
            "wrk",
            "-t",
            "2",
            "-c",
            str(clients),
            "-d",
            f"{int(seconds)}s",
            "-s",
            script.name,
            base + path,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    match = re.search(r"RESULT (\d+) (\d+) ([\d.]+) ([\d.]+) ([\d.]+)", out)
    assert match, out
    requests, errors = int(match.group(1)), int(match.group(2))
    return {
        "requests": requests,
        "errors": errors,
        "rps": round(requests / seconds, 1),
        "p50": round(float(match.group(3)), 2),
        "p99": round(float(match.group(4)), 2),
        "mean": round(float(match.group(5)), 2),
    }


def measure(
    base: str, path: str, body: dict[str, object] | None, clients: int, seconds: float
) -> dict[str, float]:
    if shutil.which("wrk"):
        return _wrk(base, path, body, clients, seconds)
    return asyncio.run(_drive(base, path, body, clients, seconds))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=10)
    args = parser.parse_args()
    with running_server("load") as (base, proc, env):
        create_account(env, ADDRESS, PASSWORD)
        echo = {"using": [CORE], "methodCalls": [["Core/echo", {"hello": "world"}, "0"]]}
        asyncio.run(_drive(base, "/jmap/api/", echo, 2, 2))  # warm up
        idle_rss = rss_mb(proc.pid)
        results = {
            "clients": args.clients,
            "seconds": args.seconds,
            "load_generator": "wrk" if shutil.which("wrk") else "httpx",
            "Core/echo": measure(base, "/jmap/api/", echo, args.clients, args.seconds),
            "session": measure(base, "/jmap/session/", None, args.clients, args.seconds),
            "server_rss_mb": {
                "after_warmup": round(idle_rss, 1),
                "after_load": round(rss_mb(proc.pid), 1),
            },
        }
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
