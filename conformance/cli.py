"""Command line: run the suite, regenerate the docs, list cases or check the RFC quotes."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import httpx

from conformance.context import RunState
from conformance.registry import select

DEFAULT_DOCS = Path("docs/conformance")


def _areas(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


def run_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m conformance",
        description="Black-box JMAP conformance suite (RFC 8620, 8621, 8887, 9404, 9425). "
        "Other commands: `docs [--out DIR]`, `list [--only AREAS]`, "
        "`check-quotes --specs DIR`, `results REPORT.json`.",
    )
    p.add_argument("--session-url", required=True, help="URL of the JMAP Session resource")
    p.add_argument("--user", help="user name for HTTP Basic authentication")
    p.add_argument("--password", help="password for --user")
    p.add_argument("--bearer", help="bearer token (instead of --user/--password)")
    p.add_argument("--user2", help="a second user, for cross-account and submission cases")
    p.add_argument("--password2", help="password for --user2")
    p.add_argument("--bearer2", help="bearer token of the second user")
    p.add_argument("--only", type=_areas, help="comma-separated areas or case-id prefixes")
    p.add_argument("--report", type=Path, help="write report.json and report.html here")
    p.add_argument("--write-docs", type=Path, help="also regenerate the case docs here")
    p.add_argument("--timeout", type=float, default=30.0, help="HTTP timeout in seconds")
    p.add_argument("--insecure", action="store_true", help="do not verify TLS certificates")
    p.add_argument(
        "--push-host",
        default="127.0.0.1",
        help="address of the loopback push receiver, as the server will reach it",
    )
    p.add_argument("--strict", action="store_true", help="exit non-zero on SHOULD failures too")
    p.add_argument("-v", "--verbose", action="store_true", help="print every case's verdict")
    return p


def run(argv: list[str]) -> int:
    from conformance.report import must_failures, write_reports, write_summary
    from conformance.runner import FAILED, Users, make_http, run_all

    args = run_parser().parse_args(argv)
    cases = select(args.only)
    if not cases:
        sys.stderr.write("no case matches --only\n")
        return 2
    verify = not args.insecure
    main_http = make_http(
        args.user, args.password, args.bearer, timeout=args.timeout, verify=verify
    )
    from conformance.client import JmapClient

    users = Users(JmapClient(main_http, args.session_url), None)
    if args.user2 or args.bearer2:
        other_http = make_http(
            args.user2, args.password2, args.bearer2, timeout=args.timeout, verify=verify
        )
        users.other = JmapClient(other_http, args.session_url)
    try:
        users.main.session  # noqa: B018 - fail early if the session cannot be fetched
    except (httpx.HTTPError, ValueError) as exc:
        sys.stderr.write(f"cannot fetch the session at {args.session_url}: {exc}\n")
        return 2
    state = RunState(
        options={"push_host": args.push_host, "insecure": args.insecure, "timeout": args.timeout}
    )
    results = run_all(cases, state, users, verbose=args.verbose)
    write_summary(results, sys.stdout)
    if args.report:
        meta = {"sessionUrl": args.session_url, "user": args.user, "only": args.only}
        write_reports(results, args.report, meta)
        sys.stdout.write(f"reports written to {args.report}/report.json and report.html\n")
    if args.write_docs:
        from conformance.docs import write_docs

        write_docs(select(None), args.write_docs)
    failed = must_failures(results)
    if args.strict:
        failed = [r for r in results if r.status == FAILED]
    return 1 if failed else 0


def docs(argv: list[str]) -> int:
    from conformance.docs import write_docs

    p = argparse.ArgumentParser(prog="python -m conformance docs")
    p.add_argument("--out", type=Path, default=DEFAULT_DOCS)
    args = p.parse_args(argv)
    for path in write_docs(select(None), args.out):
        sys.stdout.write(f"wrote {path}\n")
    return 0


def list_cases(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="python -m conformance list")
    p.add_argument("--only", type=_areas)
    args = p.parse_args(argv)
    for case in select(args.only):
        sys.stdout.write(f"{case.id:<60} {case.level.value:<6} {case.citation}\n")
    return 0


def check_quotes(argv: list[str]) -> int:
    from conformance.quotes import check

    p = argparse.ArgumentParser(prog="python -m conformance check-quotes")
    p.add_argument("--specs", type=Path, required=True, help="folder with rfcNNNN-*.txt")
    args = p.parse_args(argv)
    problems = check(select(None), args.specs)
    for problem in problems:
        sys.stdout.write(problem + "\n")
    sys.stdout.write(f"{len(problems)} quote problems\n")
    return 1 if problems else 0


def results(argv: list[str]) -> int:
    import json

    from conformance.report import markdown_results

    p = argparse.ArgumentParser(prog="python -m conformance results")
    p.add_argument("report", type=Path, help="a report.json written by --report")
    args = p.parse_args(argv)
    sys.stdout.write(markdown_results(json.loads(args.report.read_text(encoding="utf-8"))))
    return 0


COMMANDS = {"docs": docs, "list": list_cases, "check-quotes": check_quotes, "results": results}


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in COMMANDS:
        return COMMANDS[argv[0]](argv[1:])
    return run(argv)
