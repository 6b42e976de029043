"""Terminal summary, JSON and static HTML reports of a run."""

from __future__ import annotations

import html
import json
from collections import Counter, defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from conformance.registry import AREAS, Level
from conformance.runner import FAILED, PASSED, SKIPPED, STATUSES, UNSUPPORTED, Result

JSON = Any


def by_area(results: list[Result]) -> dict[str, Counter[str]]:
    table: dict[str, Counter[str]] = defaultdict(Counter)
    for result in results:
        table[result.case.area][result.status] += 1
    return dict(sorted(table.items(), key=lambda kv: list(AREAS).index(kv[0])))


def must_failures(results: list[Result]) -> list[Result]:
    return [r for r in results if r.status == FAILED and r.case.level is Level.MUST]


def write_summary(results: list[Result], out: TextIO) -> None:
    header = f"{'area':<20} {'passed':>7} {'failed':>7} {'not supp.':>10} {'skipped':>8}"
    out.write("\n" + header + "\n" + "-" * len(header) + "\n")
    totals: Counter[str] = Counter()
    for area, counts in by_area(results).items():
        totals.update(counts)
        out.write(
            f"{area:<20} {counts[PASSED]:>7} {counts[FAILED]:>7} "
            f"{counts[UNSUPPORTED]:>10} {counts[SKIPPED]:>8}\n"
        )
    out.write("-" * len(header) + "\n")
    out.write(
        f"{'total':<20} {totals[PASSED]:>7} {totals[FAILED]:>7} "
        f"{totals[UNSUPPORTED]:>10} {totals[SKIPPED]:>8}\n"
    )
    musts = must_failures(results)
    out.write(f"\n{len(results)} cases; {len(musts)} MUST-level failures.\n")


def result_json(result: Result) -> dict[str, JSON]:
    case = result.case
    return {
        "id": case.id,
        "area": case.area,
        "rfc": case.rfc,
        "section": case.section,
        "level": case.level.value,
        "quote": case.quote,
        "sends": case.sends,
        "expects": case.expects,
        "status": result.status,
        "message": result.message,
        "durationSeconds": round(result.duration, 3),
        "exchanges": [e.to_json() for e in result.exchanges] if result.status == FAILED else [],
        "cleanupErrors": result.cleanup_errors,
    }


def write_json(results: list[Result], path: Path, meta: dict[str, JSON]) -> None:
    doc = {
        "generatedAt": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        **meta,
        "summary": {area: {s: c[s] for s in STATUSES} for area, c in by_area(results).items()},
        "results": [result_json(r) for r in results],
    }
    path.write_text(json.dumps(doc, indent=2, ensure_ascii=False), encoding="utf-8")


CSS = """
body{font-family:system-ui,sans-serif;margin:2em;max-width:80em}
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3em .6em}
.passed{color:#176}.failed{color:#b00;font-weight:bold}.unsupported{color:#886}.skipped{color:#888}
pre{background:#f6f6f6;padding:.6em;overflow-x:auto;white-space:pre-wrap;max-height:30em}
blockquote{border-left:3px solid #ccc;margin:.5em 0;padding-left:1em;color:#444}
details{margin:1em 0;border:1px solid #ddd;padding:.5em}
"""


def _esc(value: object) -> str:
    return html.escape(str(value))


def _summary_table(results: list[Result]) -> str:
    rows = [
        "<tr><th>area</th><th>passed</th><th>failed</th><th>not supported</th><th>skipped</th></tr>"
    ]
    for area, c in by_area(results).items():
        rows.append(
            f"<tr><td>{_esc(area)}</td><td>{c[PASSED]}</td><td>{c[FAILED]}</td>"
            f"<td>{c[UNSUPPORTED]}</td><td>{c[SKIPPED]}</td></tr>"
        )
    return "<table>" + "".join(rows) + "</table>"


def _exchange_html(data: dict[str, JSON]) -> str:
    req_headers = "\n".join(f"{k}: {v}" for k, v in data["requestHeaders"].items())
    res_headers = "\n".join(f"{k}: {v}" for k, v in data["responseHeaders"].items())
    status = data["status"] if data["status"] is not None else data["error"]
    return (
        f"<h4>{_esc(data['method'])} {_esc(data['url'])} → {_esc(status)}</h4>"
        f"<pre>{_esc(req_headers)}\n\n{_esc(data['requestBody'])}</pre>"
        f"<pre>{_esc(res_headers)}\n\n{_esc(data['responseBody'])}</pre>"
    )


def _failure_html(result: Result) -> str:
    data = result_json(result)
    exchanges = "".join(_exchange_html(e) for e in data["exchanges"])
    return (
        f"<details open><summary class=failed>{_esc(data['id'])} ({data['level']}, "
        f"RFC {data['rfc']} §{data['section']})</summary>"
        f"<blockquote>{_esc(data['quote'])}</blockquote>"
        f"<p><b>Sends:</b> {_esc(data['sends'])}<br><b>Expects:</b> {_esc(data['expects'])}"
        f"</p><p class=failed>{_esc(data['message'])}</p>{exchanges}</details>"
    )


def _all_rows(results: list[Result]) -> str:
    rows = ["<tr><th>case</th><th>level</th><th>section</th><th>status</th><th>note</th></tr>"]
    for r in results:
        cls = r.status.replace("not supported", "unsupported")
        rows.append(
            f"<tr><td>{_esc(r.case.id)}</td><td>{r.case.level.value}</td>"
            f"<td>{_esc(r.case.citation)}</td><td class={cls}>{_esc(r.status)}</td>"
            f"<td>{_esc(r.message)}</td></tr>"
        )
    return "<table>" + "".join(rows) + "</table>"


def write_html(results: list[Result], path: Path, meta: dict[str, JSON]) -> None:
    failures = [r for r in results if r.status == FAILED]
    body = (
        f"<h1>JMAP conformance report</h1><p>{_esc(meta.get('sessionUrl', ''))}, "
        f"{len(results)} cases, {len(failures)} failed.</p>"
        f"<h2>Summary</h2>{_summary_table(results)}"
        f"<h2>Failures</h2>{''.join(_failure_html(r) for r in failures) or '<p>None.</p>'}"
        f"<h2>All cases</h2>{_all_rows(results)}"
    )
    page = (
        f"<!doctype html><html><head><meta charset=utf-8><title>JMAP conformance</title>"
        f"<style>{CSS}</style></head><body>{body}</body></html>"
    )
    path.write_text(page, encoding="utf-8")


def write_reports(results: list[Result], directory: Path, meta: dict[str, JSON]) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    write_json(results, directory / "report.json", meta)
    write_html(results, directory / "report.html", meta)


def markdown_results(doc: dict[str, JSON]) -> str:
    """A Markdown per-area table and failure list from a report.json (for RESULTS.md)."""
    lines = ["| area | passed | failed | not supported | skipped |", "|---|---|---|---|---|"]
    totals: Counter[str] = Counter()
    for area, counts in doc["summary"].items():
        totals.update(counts)
        lines.append(
            f"| {area} | {counts[PASSED]} | {counts[FAILED]} | {counts[UNSUPPORTED]} | "
            f"{counts[SKIPPED]} |"
        )
    lines.append(
        f"| **total** | {totals[PASSED]} | {totals[FAILED]} | {totals[UNSUPPORTED]} | "
        f"{totals[SKIPPED]} |"
    )
    lines.append("")
    for result in doc["results"]:
        if result["status"] == FAILED:
            lines.append(
                f"- `{result['id']}` ({result['level']}, RFC {result['rfc']} "
                f"§{result['section']}): {result['message'][:160]}"
            )
    return "\n".join(lines) + "\n"
