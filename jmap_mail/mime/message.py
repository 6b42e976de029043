"""`parse_message`: raw octets to a `ParsedMessage` (RFC 5322, RFC 2045-2046, RFC 8621 §4.1).

It never raises: mail arrives from anyone, and an ingest path that can be stopped by one hostile
message is a denial of service. A parser bug therefore degrades to a message whose whole content
is one opaque part, and is logged (without content).
"""

from __future__ import annotations

import logging

from jmap_mail.mime import content
from jmap_mail.mime.bodies import classify, has_attachment
from jmap_mail.mime.model import ParsedMessage, Part, iter_parts
from jmap_mail.mime.parser import OPAQUE_TYPE, parse_structure

__all__ = ["parse_message", "search_text"]

logger = logging.getLogger(__name__)


def _parse(raw: bytes) -> ParsedMessage:
    root = parse_structure(raw)
    lists = classify(root)
    return ParsedMessage(
        headers=root.headers,
        root=root,
        size=len(raw),
        text_body=[p.part_id for p in lists.text if p.part_id is not None],
        html_body=[p.part_id for p in lists.html if p.part_id is not None],
        attachments=[p.part_id for p in lists.attachments if p.part_id is not None],
        has_attachment=has_attachment(lists),
        preview=content.preview(raw, lists.text),
    )


def _fallback(raw: bytes) -> ParsedMessage:
    root = Part(
        "1", [], OPAQUE_TYPE, None, None, None, None, None, None, "7bit", 0, len(raw), len(raw)
    )
    return ParsedMessage([], root, len(raw), [], [], ["1"], True, "")


def parse_message(raw: bytes) -> ParsedMessage:
    """Parse a message (RFC 5322 + MIME) into headers, MIME tree and RFC 8621 §4.1.4 lists.

    Never raises and does bounded, roughly linear work on any input (see `parser` for limits).
    """
    data = bytes(raw)
    try:
        return _parse(data)
    except Exception:  # never let one message stop ingest; see the module docstring
        logger.exception("MIME parsing failed for a %d-octet message", len(data))
        return _fallback(data)


def search_text(raw: bytes, msg: ParsedMessage, limit: int = 1_000_000) -> str:
    """Plain text of the message's textBody parts for full-text search (RFC 8621 §4.4.1)."""
    by_id = {p.part_id: p for p in iter_parts(msg.root) if p.part_id is not None}
    parts = [by_id[pid] for pid in msg.text_body if pid in by_id]
    return content.search_text(raw, parts, limit)
