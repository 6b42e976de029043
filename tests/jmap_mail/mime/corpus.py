"""Shared helpers for the MIME tests: the message corpus and JMAP-shaped views of parts."""

from __future__ import annotations

from pathlib import Path

from jmap_mail.mime import ParsedMessage, Part, body_value, find_part, header_form
from jmap_mail.mime._json import JSONValue

CORPUS = Path(__file__).resolve().parents[2] / "corpus"


def load(name: str) -> bytes:
    """The octets of tests/corpus/`name`."""
    return (CORPUS / name).read_bytes()


def corpus_names() -> list[str]:
    return sorted(path.name for path in CORPUS.glob("*.eml"))


def part_json(part: Part) -> dict[str, JSONValue]:
    """A part as the default Email/get bodyProperties show it (RFC 8621 §4.2), minus blobId."""
    data: dict[str, JSONValue] = {
        "partId": part.part_id,
        "size": part.size,
        "name": part.name,
        "type": part.type,
        "charset": part.charset,
        "disposition": part.disposition,
        "cid": part.cid,
        "language": list(part.language) if part.language is not None else None,
        "location": part.location,
    }
    if part.part_id is None:
        data["subParts"] = [part_json(sub) for sub in part.sub_parts]
    return data


def header(msg: ParsedMessage, name: str, form: str = "raw") -> JSONValue:
    """The last `name` field of `msg` in `form`, or None (RFC 8621 §4.1.3)."""
    values = [h.value for h in msg.headers if h.name.lower() == name.lower()]
    return header_form(values[-1], form) if values else None


def text_of(raw: bytes, msg: ParsedMessage, part_id: str) -> str:
    """The decoded value of text part `part_id`."""
    part = find_part(msg.root, part_id)
    assert part is not None
    value = body_value(raw, part)["value"]
    assert isinstance(value, str)
    return value
