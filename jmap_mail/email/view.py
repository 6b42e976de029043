"""Rendering Email objects (RFC 8621 §4.1) from a stored or a parsed message.

``EmailView`` is what both Email/get (stored emails) and Email/parse (any message blob) render;
its raw octets are loaded only when body values are asked for.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from jmap_core.errors import InvalidArguments
from jmap_core.types import JSONObject, JSONValue
from jmap_mail import mime
from jmap_mail.email.blobids import part_blob_id

METADATA = ("id", "blobId", "threadId", "mailboxIds", "keywords", "size", "receivedAt")
BODY = (
    "bodyStructure",
    "bodyValues",
    "textBody",
    "htmlBody",
    "attachments",
    "hasAttachment",
    "preview",
)
DEFAULT_PROPERTIES = [
    "id",
    "blobId",
    "threadId",
    "mailboxIds",
    "keywords",
    "size",
    "receivedAt",
    "messageId",
    "inReplyTo",
    "references",
    "sender",
    "from",
    "to",
    "cc",
    "bcc",
    "replyTo",
    "subject",
    "sentAt",
    "hasAttachment",
    "preview",
    "bodyValues",
    "textBody",
    "htmlBody",
    "attachments",
]
BODY_PART_PROPERTIES = (
    "partId",
    "blobId",
    "size",
    "headers",
    "name",
    "type",
    "charset",
    "disposition",
    "cid",
    "language",
    "location",
    "subParts",
)
DEFAULT_BODY_PROPERTIES = [
    "partId",
    "blobId",
    "size",
    "name",
    "type",
    "charset",
    "disposition",
    "cid",
    "language",
    "location",
]
STATIC_PROPERTIES = frozenset((*METADATA, *BODY, "headers", *mime.CONVENIENCE_HEADERS))


def is_email_property(name: str) -> bool:
    return name in STATIC_PROPERTIES or _header_prop(name) is not None


def _header_prop(name: str) -> mime.HeaderProperty | None:
    prop = mime.parse_header_property(name)
    if prop is None or not mime.form_allowed(prop.name, prop.form):
        return None
    return prop


@dataclass(frozen=True, slots=True)
class BodyOptions:
    """The Email/get and Email/parse body arguments (RFC 8621 §4.2)."""

    properties: tuple[str, ...] = tuple(DEFAULT_BODY_PROPERTIES)
    fetch_text: bool = False
    fetch_html: bool = False
    fetch_all: bool = False
    max_bytes: int = 0


def parse_body_options(extra: JSONObject) -> BodyOptions:
    props = extra.get("bodyProperties")
    if props is None:
        props = list(DEFAULT_BODY_PROPERTIES)
    if not isinstance(props, list) or not all(
        isinstance(p, str) and (p in BODY_PART_PROPERTIES or _header_prop(p) is not None)
        for p in props
    ):
        raise InvalidArguments(
            "bodyProperties must list EmailBodyPart properties", arguments=["bodyProperties"]
        )
    flags = {}
    for name in ("fetchTextBodyValues", "fetchHTMLBodyValues", "fetchAllBodyValues"):
        value = extra.get(name, False)
        if not isinstance(value, bool):
            raise InvalidArguments(f"{name} must be a boolean", arguments=[name])
        flags[name] = value
    max_bytes = extra.get("maxBodyValueBytes", 0)
    if max_bytes is None:
        max_bytes = 0
    if isinstance(max_bytes, bool) or not isinstance(max_bytes, int) or max_bytes < 0:
        raise InvalidArguments(
            "maxBodyValueBytes must be an UnsignedInt", arguments=["maxBodyValueBytes"]
        )
    return BodyOptions(
        tuple(str(p) for p in props),
        flags["fetchTextBodyValues"],
        flags["fetchHTMLBodyValues"],
        flags["fetchAllBodyValues"],
        max_bytes,
    )


@dataclass(slots=True)
class EmailView:
    """One email as the serialiser sees it; stored and parsed emails both fit.

    The parsed structure and the raw octets are loaded only when a property needs them.
    """

    id: str | None
    blob_sha: str
    thread_id: str | None
    mailbox_ids: dict[str, bool] | None
    keywords: dict[str, bool] | None
    size: int
    received_at: datetime.datetime | None
    load_msg: Callable[[], mime.ParsedMessage]
    load_raw: Callable[[], bytes]
    has_attachment: bool | None = None
    preview: str | None = None
    summary: dict[str, JSONValue] = field(default_factory=dict)
    _msg: mime.ParsedMessage | None = field(default=None)
    _raw: bytes | None = field(default=None)

    @property
    def msg(self) -> mime.ParsedMessage:
        if self._msg is None:
            self._msg = self.load_msg()
        return self._msg

    @property
    def raw(self) -> bytes:
        if self._raw is None:
            self._raw = self.load_raw()
        return self._raw


def summarise(headers: list[mime.Header]) -> dict[str, JSONValue]:
    """The convenience properties (RFC 8621 §4.1.3) of a message, stored at ingest."""
    return {
        name: mime.header_property_value(headers, mime.HeaderProperty(field_name, form, False))
        for name, (field_name, form) in mime.CONVENIENCE_HEADERS.items()
    }


# Properties answered without the parsed structure.
WITHOUT_PARSE = frozenset((*METADATA, "hasAttachment", "preview", *mime.CONVENIENCE_HEADERS))


def utc(moment: datetime.datetime | None) -> str | None:
    """A UTCDate (RFC 8620 §1.4): Z, no fraction of a second."""
    if moment is None:
        return None
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def render(view: EmailView, props: set[str], options: BodyOptions) -> JSONObject:
    out: JSONObject = {}
    for name in props:
        out[name] = _value(view, name, options)
    if props & {"bodyValues"}:
        out["bodyValues"] = _body_values(view, options)
    return out


_METADATA: dict[str, Callable[[EmailView], JSONValue]] = {
    "id": lambda v: v.id,
    "blobId": lambda v: "b" + v.blob_sha,
    "threadId": lambda v: v.thread_id,
    "mailboxIds": lambda v: dict(v.mailbox_ids) if v.mailbox_ids is not None else None,
    "keywords": lambda v: dict(v.keywords) if v.keywords is not None else None,
    "size": lambda v: v.size,
    "receivedAt": lambda v: utc(v.received_at),
    "hasAttachment": lambda v: (
        v.msg.has_attachment if v.has_attachment is None else v.has_attachment
    ),
    "preview": lambda v: v.msg.preview if v.preview is None else v.preview,
}


def _value(view: EmailView, name: str, options: BodyOptions) -> JSONValue:
    if name in _METADATA:
        return _METADATA[name](view)
    if name == "headers":
        return [{"name": h.name, "value": h.value} for h in view.msg.headers]
    if name in mime.CONVENIENCE_HEADERS:
        if name in view.summary:
            return view.summary[name]
        field_name, form = mime.CONVENIENCE_HEADERS[name]
        return mime.header_property_value(
            view.msg.headers, mime.HeaderProperty(field_name, form, False)
        )
    if name == "bodyStructure":
        return _part_json(view, view.msg.root, options, structure=True)
    if name in ("textBody", "htmlBody", "attachments"):
        ids = {
            "textBody": view.msg.text_body,
            "htmlBody": view.msg.html_body,
            "attachments": view.msg.attachments,
        }[name]
        return [_part_json(view, part, options) for pid in ids if (part := view.msg.part(pid))]
    if name == "bodyValues":
        return {}
    prop = _header_prop(name)
    assert prop is not None, name
    return mime.header_property_value(view.msg.headers, prop)


def _part_json(
    view: EmailView, part: mime.Part, options: BodyOptions, *, structure: bool = False
) -> JSONObject:
    values: dict[str, JSONValue] = {
        "partId": part.part_id,
        "blobId": part_blob_id(view.blob_sha, part.part_id) if part.part_id else None,
        "size": part.size,
        "headers": [{"name": h.name, "value": h.value} for h in part.headers],
        "name": part.name,
        "type": part.type,
        "charset": part.charset,
        "disposition": part.disposition,
        "cid": part.cid,
        "language": part.language,  # type: ignore[dict-item]
        "location": part.location,
    }
    out: JSONObject = {}
    for prop in options.properties:
        if prop == "subParts":
            continue
        if prop in values:
            out[prop] = values[prop]
        else:
            header = _header_prop(prop)
            assert header is not None
            out[prop] = mime.header_property_value(part.headers, header)
    if part.part_id is None and (structure or "subParts" in options.properties):
        out["subParts"] = [
            _part_json(view, sub, options, structure=structure) for sub in part.sub_parts
        ]
    elif "subParts" in options.properties:
        out["subParts"] = None
    return out


def _body_values(view: EmailView, options: BodyOptions) -> JSONObject:
    """RFC 8621 §4.2: values of text parts chosen by the fetch* arguments."""
    wanted: list[str] = []
    if options.fetch_all:
        # Every text/* part of bodyStructure, not only those of textBody and htmlBody.
        wanted = [p.part_id for p in mime.iter_parts(view.msg.root) if p.part_id]
    else:
        if options.fetch_text:
            wanted += view.msg.text_body
        if options.fetch_html:
            wanted += view.msg.html_body
    out: JSONObject = {}
    for part_id in dict.fromkeys(wanted):
        part = view.msg.part(part_id)
        if part is not None and (part.type.startswith("text/")):
            out[part_id] = mime.body_value(view.raw, part, options.max_bytes)
    return out
