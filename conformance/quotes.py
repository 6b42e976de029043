"""Check that every case's quoted sentence really occurs in the RFC text.

`python -m conformance check-quotes --specs DIR` reads `rfcNNNN-*.txt` from DIR, drops page
headers and footers, normalises white space, and looks for each quote (fragments separated by
"..." must appear in order).
"""

from __future__ import annotations

import re
from pathlib import Path

from conformance.registry import Case

PAGE_LINE = re.compile(r"^(RFC \d{4} .*\d{4}|.*\[Page \d+\])$")


def normalise(text: str) -> str:
    text = text.replace("\u201c", '"').replace("\u201d", '"').replace("\u2019", "'")
    text = re.sub(r"\s+", " ", text)
    return re.sub(r"([-/]) ", r"\1", text).strip()


def load_rfc(specs: Path, number: str) -> str | None:
    matches = sorted(specs.glob(f"rfc{number}*.txt"))
    if not matches:
        return None
    lines = matches[0].read_text(encoding="utf-8").splitlines()
    kept = [line for line in lines if not PAGE_LINE.match(line.strip()) and "\f" not in line]
    return normalise("\n".join(kept))


def quote_found(quote: str, text: str) -> bool:
    position = 0
    for fragment in (normalise(f) for f in re.split(r"\.\.\.|…", quote)):
        if not fragment:
            continue
        found = text.find(fragment, position)
        if found < 0:
            return False
        position = found + len(fragment)
    return True


def check(cases: list[Case], specs: Path) -> list[str]:
    """Problems found: a missing RFC file or a quote not in its RFC."""
    cache: dict[str, str | None] = {}
    problems = []
    for case in cases:
        if case.rfc not in cache:
            cache[case.rfc] = load_rfc(specs, case.rfc)
        text = cache[case.rfc]
        if text is None:
            problems.append(f"{case.id}: no text for RFC {case.rfc} in {specs}")
        elif not quote_found(case.quote, text):
            problems.append(f"{case.id}: quote not found in RFC {case.rfc}: {case.quote!r}")
    return problems
