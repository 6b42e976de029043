"""Run selected cases one by one and collect a verdict for each."""

from __future__ import annotations

import sys
import time
import traceback
from dataclasses import dataclass, field
from typing import TextIO

import httpx

from conformance.client import MAIL, Exchange, Http, JmapClient
from conformance.context import Context, RunState
from conformance.registry import Case, CaseFailure, NotSupported, Skipped

PASSED, FAILED, UNSUPPORTED, SKIPPED = "passed", "failed", "not supported", "skipped"
STATUSES = (PASSED, FAILED, UNSUPPORTED, SKIPPED)
KEEP_EXCHANGES = 6


@dataclass
class Result:
    case: Case
    status: str
    message: str = ""
    duration: float = 0.0
    exchanges: list[Exchange] = field(default_factory=list)
    cleanup_errors: list[str] = field(default_factory=list)


@dataclass
class Users:
    """The HTTP clients of the run: the main user and an optional second one."""

    main: JmapClient
    other: JmapClient | None


# These areas test RFC 8620 generics through the Mailbox and Email types of RFC 8621.
MAIL_VEHICLE = (
    "core.refs",
    "core.get",
    "core.changes",
    "core.set",
    "core.query",
    "core.querychanges",
    "core.limits",
    "mail.",
)


def _verdict(case: Case, ctx: Context) -> tuple[str, str]:
    needs = list(case.requires)
    if case.id.startswith(MAIL_VEHICLE):
        needs.append(MAIL)
    missing = [cap for cap in needs if cap not in ctx.session.capabilities]
    if missing:
        return UNSUPPORTED, f"the server does not advertise {', '.join(missing)}"
    try:
        case.func(ctx)
    except NotSupported as exc:
        return UNSUPPORTED, str(exc)
    except Skipped as exc:
        return SKIPPED, str(exc)
    except CaseFailure as exc:
        return FAILED, str(exc) or "assertion failed"
    except httpx.HTTPError as exc:
        return FAILED, f"HTTP transport error: {type(exc).__name__}: {exc}"
    except Exception as exc:
        where = traceback.extract_tb(exc.__traceback__)[-1]
        return FAILED, (
            f"unexpected {type(exc).__name__}: {exc} "
            f"(at {where.filename.rsplit('/', 1)[-1]}:{where.lineno})"
        )
    return PASSED, ""


def run_case(case: Case, run: RunState, users: Users) -> Result:
    journals = [users.main.http.journal] + ([users.other.http.journal] if users.other else [])
    for journal in journals:
        journal.clear()
    ctx = Context(run, users.main, users.other)
    started = time.monotonic()
    status, message = _verdict(case, ctx)
    exchanges = [e for j in journals for e in j][-KEEP_EXCHANGES:]
    ctx.run_cleanups()
    duration = time.monotonic() - started
    return Result(case, status, message, duration, exchanges, ctx.cleanup_errors)


def run_all(
    cases: list[Case], run: RunState, users: Users, *, verbose: bool, out: TextIO = sys.stdout
) -> list[Result]:
    results: list[Result] = []
    for case in cases:
        result = run_case(case, run, users)
        results.append(result)
        if verbose or result.status == FAILED:
            tail = f": {result.message}" if result.message else ""
            out.write(f"[{result.status:>13}] {case.id} ({case.level.value}){tail}\n")
            out.flush()
    for cleanup in reversed(run.cleanups):
        try:
            cleanup()
        except Exception as exc:
            out.write(f"fixture cleanup failed: {exc}\n")
    return results


def make_http(
    user: str | None, password: str | None, bearer: str | None, *, timeout: float, verify: bool
) -> Http:
    auth: httpx.Auth | None = None
    if bearer:
        auth = _Bearer(bearer)
    elif user is not None:
        auth = httpx.BasicAuth(user, password or "")
    return Http(auth, timeout=timeout, verify=verify)


class _Bearer(httpx.Auth):
    def __init__(self, token: str) -> None:
        self.token = token

    def auth_flow(self, request: httpx.Request):  # type: ignore[no-untyped-def]
        request.headers["Authorization"] = f"Bearer {self.token}"
        yield request
