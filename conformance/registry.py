"""The case registry: every conformance case is a function registered with `@case`.

A case carries the RFC section it checks, the sentence it rests on, the requirement level
and a one-line description of what it sends and expects. The docs in `docs/conformance/` are
generated from this registry, so the documentation and the executable tests cannot drift.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from conformance.context import Context

CaseFunc = Callable[["Context"], None]


class Level(StrEnum):
    """RFC 2119 requirement level of the sentence a case rests on."""

    MUST = "MUST"
    SHOULD = "SHOULD"
    MAY = "MAY"


MUST = Level.MUST
SHOULD = Level.SHOULD
MAY = Level.MAY


class NotSupported(Exception):
    """The server declined an optional feature; the case reports "not supported"."""


class Skipped(Exception):
    """A prerequisite of the test run is missing (e.g. no second account was given)."""


class CaseFailure(AssertionError):
    """The server's answer contradicts the RFC sentence the case rests on."""


@dataclass(frozen=True, slots=True)
class Case:
    """One documented, executable conformance case."""

    id: str
    rfc: str
    section: str
    quote: str
    level: Level
    sends: str
    expects: str
    func: CaseFunc
    requires: tuple[str, ...] = ()

    @property
    def area(self) -> str:
        """The longest registered area key that prefixes the id (`core.session`)."""
        keys = [k for k in AREAS if self.id.startswith(k + ".")]
        return max(keys, key=len) if keys else ""

    @property
    def citation(self) -> str:
        return f"RFC {self.rfc} §{self.section}"


@dataclass(frozen=True, slots=True)
class Area:
    """A group of cases, documented on one page."""

    key: str
    title: str
    sections: str


CASES: dict[str, Case] = {}

AREAS: dict[str, Area] = {
    a.key: a
    for a in (
        Area("core.session", "The JMAP Session resource", "RFC 8620 §2"),
        Area("core.request", "Request and response objects, request-level errors", "RFC 8620 §3"),
        Area("core.method", "Method-level errors and Core/echo", "RFC 8620 §3.6.2, §4"),
        Area("core.refs", "Result references and creation ids", "RFC 8620 §3.7, §5.3"),
        Area("core.get", "Standard /get", "RFC 8620 §5.1"),
        Area("core.changes", "Standard /changes and state strings", "RFC 8620 §5.2"),
        Area("core.set", "Standard /set, PatchObject and SetError", "RFC 8620 §5.3"),
        Area("core.copy", "Standard /copy", "RFC 8620 §5.4"),
        Area("core.query", "Standard /query", "RFC 8620 §5.5"),
        Area("core.querychanges", "Standard /queryChanges", "RFC 8620 §5.6"),
        Area("core.blob", "Binary data: upload, download, Blob/copy", "RFC 8620 §6"),
        Area("core.push", "Push: EventSource and PushSubscription", "RFC 8620 §7"),
        Area("core.limits", "Limits enforcement", "RFC 8620 §2, §5.1, §5.3"),
        Area("mail.capability", "Mail capabilities", "RFC 8621 §1.3"),
        Area("mail.mailbox", "Mailbox", "RFC 8621 §2"),
        Area("mail.thread", "Thread", "RFC 8621 §3"),
        Area("mail.email", "Email metadata and Email/get", "RFC 8621 §4.1.1, §4.2"),
        Area("mail.header", "Email header fields and parsed forms", "RFC 8621 §4.1.2, §4.1.3"),
        Area("mail.body", "Email body parts and body values", "RFC 8621 §4.1.4, §4.2"),
        Area("mail.emailset", "Email/set", "RFC 8621 §4.6"),
        Area("mail.import", "Email/import", "RFC 8621 §4.8"),
        Area("mail.parse", "Email/parse", "RFC 8621 §4.9"),
        Area("mail.emailcopy", "Email/copy", "RFC 8621 §4.7"),
        Area("mail.filter", "Email/query filters", "RFC 8621 §4.4.1"),
        Area("mail.sort", "Email/query sorting and thread collapsing", "RFC 8621 §4.4.2, §4.4.3"),
        Area("mail.querychanges", "Email/changes and Email/queryChanges", "RFC 8621 §4.3, §4.5"),
        Area("mail.snippet", "SearchSnippet", "RFC 8621 §5"),
        Area("mail.identity", "Identity", "RFC 8621 §6"),
        Area("mail.submission", "EmailSubmission", "RFC 8621 §7"),
        Area("mail.vacation", "VacationResponse", "RFC 8621 §8"),
        Area("ws", "JMAP over WebSocket", "RFC 8887"),
        Area("quota", "Quotas", "RFC 9425"),
        Area("blob", "Blob management: Blob/upload, Blob/get, Blob/lookup", "RFC 9404"),
    )
}


def case(
    case_id: str,
    *,
    rfc: str,
    section: str,
    quote: str,
    level: Level,
    sends: str,
    expects: str,
    requires: tuple[str, ...] = (),
) -> Callable[[CaseFunc], CaseFunc]:
    """Register `func` as the case `case_id`; a duplicate id fails at import time."""

    def register(func: CaseFunc) -> CaseFunc:
        if case_id in CASES:
            raise ValueError(f"duplicate conformance case id {case_id}")
        new = Case(
            case_id, rfc, section, " ".join(quote.split()), level, sends, expects, func, requires
        )
        if new.area not in AREAS:
            raise ValueError(f"case {case_id} is in an unknown area {new.area}")
        CASES[case_id] = new
        return func

    return register


def select(only: list[str] | None) -> list[Case]:
    """Cases whose id or area starts with one of the `only` prefixes (all when None)."""
    from conformance import cases  # noqa: F401  (importing registers every case)

    chosen = list(CASES.values())
    if only:
        chosen = [c for c in chosen if any(_matches(c, p) for p in only)]
    return chosen


def _matches(chosen: Case, prefix: str) -> bool:
    """`core` selects every core.* area, `core.query` only that area, a full id one case."""
    prefix = prefix.rstrip(".")
    return any(name == prefix or name.startswith(prefix + ".") for name in (chosen.area, chosen.id))
