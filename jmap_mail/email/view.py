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
    """One email as the serialiser sees it; stored and parsed emails both fit."""

    id: str | None
    blob_sha: str
    thread_id: str | None
    mailbox_ids: dict[str, bool] | None
    keywords: dict[str, bool] | None
    size: int
    received_at: datetime.datetime | None
    msg: mime.ParsedMessage
    load_raw: Callable[[], bytes]
    _raw: bytes | None = field(default=None)

    @property
    def raw(self) -> bytes:
        if self._raw is None:
            self._raw = self.load_raw()
        return self._raw


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


def _value(view: EmailView, name: str, options: BodyOptions) -> JSONValue:
    metadata: dict[str, JSONValue] = {
        "id": view.id,
        "blobId": "b" + view.blob_sha,
        "threadId": view.thread_id,
        "mailboxIds": view.mailbox_ids,  # type: ignore[dict-item]
        "keywords": view.keywords,  # type: ignore[dict-item]
        "size": view.size,
        "receivedAt": utc(view.received_at),
        "hasAttachment": view.msg.has_attachment,
        "preview": view.msg.preview,
    }
    if name in metadata:
        return metadata[name]
    if name == "headers":
        return [{"name": h.name, "value": h.value} for h in view.msg.headers]
    if name in mime.CONVENIENCE_HEADERS:
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
        wanted = view.msg.text_body + view.msg.html_body
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
