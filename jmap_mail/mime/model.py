"""The parsed shape of a message (RFC 8621 §4.1.3-§4.1.4) and its compact cache form.

A `ParsedMessage` is computed once at ingest and stored as JSON (`to_cache`); later reads rebuild
it (`from_cache`) and slice part bodies out of the raw message with the stored byte offsets, so
no request has to re-parse MIME.

Cache format, version 1 (keys are short because it is stored per message)::

    {"v": 1, "size": int, "root": PART, "text": [partId], "html": [partId], "att": [partId],
     "hasAtt": bool, "preview": str}
    PART = {"h": [[name, value], ...], "t": type, "enc": encoding, "bs": body_start,
            "be": body_end, "sz": size, and only when set: "id": partId, "cs": charset,
            "n": name, "d": disposition, "cid": cid, "lang": [tag], "loc": location,
            "sub": [PART]}

The message header fields are the root part's (`headers` and `root.headers` are one list).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from jmap_mail.mime.headers import Header

__all__ = ["CACHE_VERSION", "Header", "ParsedMessage", "Part", "find_part", "iter_parts"]

CACHE_VERSION = 1


@dataclass(slots=True)
class Part:
    """One MIME entity, an EmailBodyPart without its blobId (RFC 8621 §4.1.4).

    `body_start`/`body_end` delimit the still transfer-encoded body inside the raw message;
    `size` is the octet count after transfer decoding. `part_id` is None exactly for multipart
    containers, whose children are `sub_parts`. message/rfc822 parts are leaves.
    """

    part_id: str | None
    headers: list[Header]
    type: str
    charset: str | None
    name: str | None
    disposition: str | None
    cid: str | None
    language: list[str] | None
    location: str | None
    encoding: str
    body_start: int
    body_end: int
    size: int
    sub_parts: list[Part] = field(default_factory=list)

    def to_cache(self) -> dict[str, Any]:
        """Compact JSON form; see the module docstring."""
        data: dict[str, Any] = {
            "h": [[h.name, h.value] for h in self.headers],
            "t": self.type,
            "enc": self.encoding,
            "bs": self.body_start,
            "be": self.body_end,
            "sz": self.size,
        }
        optional: dict[str, Any] = {
            "id": self.part_id,
            "cs": self.charset,
            "n": self.name,
            "d": self.disposition,
            "cid": self.cid,
            "lang": self.language,
            "loc": self.location,
        }
        data.update((key, value) for key, value in optional.items() if value is not None)
        if self.sub_parts:
            data["sub"] = [sub.to_cache() for sub in self.sub_parts]
        return data

    @classmethod
    def from_cache(cls, data: dict[str, Any]) -> Part:
        """Rebuild a part from `to_cache` output."""
        return cls(
            part_id=data.get("id"),
            headers=[Header(str(name), str(value)) for name, value in data["h"]],
            type=data["t"],
            charset=data.get("cs"),
            name=data.get("n"),
            disposition=data.get("d"),
            cid=data.get("cid"),
            language=data.get("lang"),
            location=data.get("loc"),
            encoding=data["enc"],
            body_start=int(data["bs"]),
            body_end=int(data["be"]),
            size=int(data["sz"]),
            sub_parts=[cls.from_cache(sub) for sub in data.get("sub", [])],
        )


@dataclass(slots=True)
class ParsedMessage:
    """A parsed message: headers, MIME tree and the RFC 8621 §4.1.4 derived body properties.

    `text_body`, `html_body` and `attachments` hold partIds; `preview` is at most 256
    characters (RFC 8621 §4.1.4).
    """

    headers: list[Header]
    root: Part
    size: int
    text_body: list[str]
    html_body: list[str]
    attachments: list[str]
    has_attachment: bool
    preview: str

    def to_cache(self) -> dict[str, Any]:
        """JSON-serialisable compact form for a database JSON column (format: module docstring)."""
        return {
            "v": CACHE_VERSION,
            "size": self.size,
            "root": self.root.to_cache(),
            "text": list(self.text_body),
            "html": list(self.html_body),
            "att": list(self.attachments),
            "hasAtt": self.has_attachment,
            "preview": self.preview,
        }

    @classmethod
    def from_cache(cls, data: dict[str, Any]) -> ParsedMessage:
        """Rebuild from `to_cache` output; ValueError if it is another cache version."""
        if data.get("v") != CACHE_VERSION:
            raise ValueError(f"unsupported MIME cache version {data.get('v')!r}")
        root = Part.from_cache(data["root"])
        return cls(
            headers=root.headers,
            root=root,
            size=int(data["size"]),
            text_body=[str(p) for p in data["text"]],
            html_body=[str(p) for p in data["html"]],
            attachments=[str(p) for p in data["att"]],
            has_attachment=bool(data["hasAtt"]),
            preview=str(data["preview"]),
        )

    def part(self, part_id: str) -> Part | None:
        """The leaf part with `part_id`, or None."""
        return find_part(self.root, part_id)


def iter_parts(root: Part) -> Iterator[Part]:
    """Every part of the tree, depth first, containers before their children."""
    stack = [root]
    while stack:
        part = stack.pop()
        yield part
        stack.extend(reversed(part.sub_parts))


def find_part(root: Part, part_id: str) -> Part | None:
    """The part whose partId is `part_id` (RFC 8621 §4.1.4), or None if there is none."""
    return next((p for p in iter_parts(root) if p.part_id == part_id), None)
