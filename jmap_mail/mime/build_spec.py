"""What to build for Email/set create, validated against RFC 8621 §4.6.

`BuildSpec.from_jmap` turns a JMAP Email create object into a `BuildSpec`, collecting every
property that breaks a §4.6 rule into one `BuildError` (the caller answers ``invalidProperties``
with `BuildError.properties`). Property paths inside bodies are slash-separated with list
indexes, e.g. ``bodyStructure/subParts/1/charset``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from jmap_mail.mime._json import JSONValue
from jmap_mail.mime.forms import CONVENIENCE_HEADERS, form_allowed, parse_header_property
from jmap_mail.mime.headers import Header
from jmap_mail.mime.validate import (
    Problems,
    check_header_value,
    check_part_conflicts,
    check_part_fields,
)

__all__ = ["BlobNotFound", "BodyPartSpec", "BuildError", "BuildSpec", "HeaderSpec"]

# Email properties the message octets do not carry; the caller stores them.
METADATA_PROPERTIES = frozenset({"mailboxIds", "keywords", "receivedAt"})
_BODY_LISTS = ("textBody", "htmlBody", "attachments")
_BODY_PROPERTIES = frozenset({*_BODY_LISTS, "bodyStructure", "bodyValues"})
_PART_FIELDS = frozenset(
    {
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
        "subParts",
    }
)


class BuildError(Exception):
    """An Email create object that RFC 8621 §4.6 forbids (SetError ``invalidProperties``)."""

    def __init__(self, properties: list[str], description: str) -> None:
        super().__init__(description)
        self.properties = properties
        self.description = description


class BlobNotFound(Exception):
    """Body parts refer to blobs that do not exist (RFC 8621 §4.6 SetError ``blobNotFound``)."""

    def __init__(self, blob_ids: list[str]) -> None:
        super().__init__(f"blobs not found: {', '.join(blob_ids)}")
        self.blob_ids = blob_ids


@dataclass(slots=True)
class HeaderSpec:
    """One header property to write: ``header:{name}[:as{form}][:all]`` or a convenience one.

    With `all`, `value` is a list holding one value per field instance (RFC 8621 §4.1.3).
    """

    prop: str
    name: str
    form: str
    value: JSONValue
    all: bool = False


@dataclass(slots=True)
class BodyPartSpec:
    """An EmailBodyPart given on create (RFC 8621 §4.1.4, §4.6)."""

    path: str
    part_id: str | None = None
    blob_id: str | None = None
    type: str | None = None
    charset: str | None = None
    disposition: str | None = None
    name: str | None = None
    cid: str | None = None
    language: list[str] | None = None
    location: str | None = None
    headers: list[HeaderSpec] = field(default_factory=list)
    sub_parts: list[BodyPartSpec] | None = None


@dataclass(slots=True)
class BuildSpec:
    """Everything needed to write a message for Email/set create (RFC 8621 §4.6).

    Give either `body_structure` or any of `text_body`/`html_body`/`attachments`. `domain` is
    the right-hand side of a generated Message-ID; `date` is used when no Date field is given
    (the current time if None). `extra_headers` are server-added Raw fields written after the
    client's.
    """

    headers: list[HeaderSpec] = field(default_factory=list)
    body_structure: BodyPartSpec | None = None
    text_body: BodyPartSpec | None = None
    html_body: BodyPartSpec | None = None
    attachments: list[BodyPartSpec] = field(default_factory=list)
    body_values: dict[str, str] = field(default_factory=dict)
    domain: str = "localhost"
    date: datetime | None = None
    extra_headers: list[Header] = field(default_factory=list)

    @classmethod
    def from_jmap(
        cls, email: Mapping[str, JSONValue], *, domain: str, date: datetime | None = None
    ) -> BuildSpec:
        """Validate a JMAP Email create object (RFC 8621 §4.6) and turn it into a BuildSpec.

        Ignores ``mailboxIds``, ``keywords`` and ``receivedAt``; raises `BuildError` naming
        every offending property, including unknown and server-set ones such as ``id``.
        """
        problems = Problems()
        for key in email:
            known = key in METADATA_PROPERTIES or key in _BODY_PROPERTIES or key == "headers"
            if not (known or key in CONVENIENCE_HEADERS or key.startswith("header:")):
                problems.add(key, f"{key!r} cannot be set on create (RFC 8620 §5.3)")
        spec = cls(domain=domain, date=date)
        spec.headers = _header_specs(email, problems, email_level=True, prefix="")
        spec.body_values = _body_values(email.get("bodyValues"), problems)
        _body(spec, email, problems)
        problems.raise_if_any(BuildError)
        return spec


def _header_specs(
    obj: Mapping[str, JSONValue], problems: Problems, *, email_level: bool, prefix: str
) -> list[HeaderSpec]:
    """Header properties of an Email or EmailBodyPart, with §4.6 rules on names and forms."""
    specs: list[HeaderSpec] = []
    for key, value in obj.items():
        path = prefix + key
        if key == "headers":
            problems.add(path, "headers must be given as individual header properties (§4.6)")
            continue
        if email_level and key in CONVENIENCE_HEADERS:
            name, form = CONVENIENCE_HEADERS[key]
            specs.append(HeaderSpec(path, name, form, value))
            continue
        if not key.startswith("header:"):
            continue
        prop = parse_header_property(key)
        if prop is None:
            problems.add(path, f"malformed header property {key!r}")
        elif not form_allowed(prop.name, prop.form):
            problems.add(path, f"form {prop.form} is not allowed for {prop.name} (§4.1.2)")
        elif email_level and prop.name.lower().startswith("content-"):
            problems.add(path, "Content-* header fields belong on body parts (§4.6)")
        elif not email_level and prop.name.lower() == "content-transfer-encoding":
            problems.add(path, "Content-Transfer-Encoding is chosen by the server (§4.6)")
        else:
            specs.append(HeaderSpec(path, prop.name, prop.form, value, prop.all))
    for spec in specs:
        check_header_value(spec.prop, spec.form, spec.value, spec.all, problems)
    _reject_duplicates(specs, problems)
    return specs


def _reject_duplicates(specs: list[HeaderSpec], problems: Problems) -> None:
    """Two properties for one header field are ambiguous (RFC 8621 §4.6)."""
    seen: dict[str, str] = {}
    for spec in specs:
        key = spec.name.lower()
        if key in seen:
            problems.add(seen[key], f"{spec.name} is given more than once")
            problems.add(spec.prop, f"{spec.name} is given more than once")
        seen.setdefault(key, spec.prop)


def _body_values(value: JSONValue, problems: Problems) -> dict[str, str]:
    """bodyValues: partId -> text; isEncodingProblem and isTruncated must not be true (§4.6)."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        problems.add("bodyValues", "bodyValues must be an object")
        return {}
    texts: dict[str, str] = {}
    for part_id, body in value.items():
        path = f"bodyValues/{part_id}"
        if not isinstance(body, dict) or not isinstance(body.get("value"), str):
            problems.add(path, "an EmailBodyValue needs a string value")
            continue
        for flag in ("isEncodingProblem", "isTruncated"):
            if body.get(flag, False) is not False:
                problems.add(f"{path}/{flag}", f"{flag} must be false or omitted (§4.6)")
        text = body["value"]
        assert isinstance(text, str)
        texts[part_id] = text
    return texts


def _body(spec: BuildSpec, email: Mapping[str, JSONValue], problems: Problems) -> None:
    structure = email.get("bodyStructure")
    given_lists = [key for key in _BODY_LISTS if email.get(key) is not None]
    if structure is not None:
        for key in given_lists:
            problems.add(key, "bodyStructure excludes textBody, htmlBody and attachments (§4.6)")
        spec.body_structure = _part(structure, "bodyStructure", spec, problems)
        return
    for key, media in (("textBody", "text/plain"), ("htmlBody", "text/html")):
        value = email.get(key)
        if value is None:
            continue
        if not isinstance(value, list) or len(value) != 1:
            problems.add(key, f"{key} must contain exactly one part (§4.6)")
            continue
        part = _part(value[0], f"{key}/0", spec, problems)
        if part.type is None:
            part.type = media
        if part.type != media or part.sub_parts is not None:
            problems.add(f"{key}/0/type", f"{key} part must be of type {media} (§4.6)")
        setattr(spec, "text_body" if key == "textBody" else "html_body", part)
    attachments = email.get("attachments")
    if isinstance(attachments, list):
        spec.attachments = [
            _part(item, f"attachments/{i}", spec, problems) for i, item in enumerate(attachments)
        ]
    elif attachments is not None:
        problems.add("attachments", "attachments must be a list")


def _part(obj: JSONValue, path: str, spec: BuildSpec, problems: Problems) -> BodyPartSpec:
    """One EmailBodyPart, recursively, checked against RFC 8621 §4.6 "Within an EmailBodyPart"."""
    part = BodyPartSpec(path)
    if not isinstance(obj, dict):
        problems.add(path, "a body part must be an object")
        return part
    for key in obj:
        if key not in _PART_FIELDS and key != "headers" and not key.startswith("header:"):
            problems.add(f"{path}/{key}", f"unknown body part property {key!r}")
    check_part_fields(obj, path, part, problems)
    part.headers = _header_specs(obj, problems, email_level=False, prefix=f"{path}/")
    check_part_conflicts(part, problems)
    if part.part_id is not None and part.part_id not in spec.body_values:
        problems.add(f"{path}/partId", f"partId {part.part_id!r} is not in bodyValues (§4.6)")
    subs = obj.get("subParts")
    if isinstance(subs, list):
        part.sub_parts = [
            _part(sub, f"{path}/subParts/{i}", spec, problems) for i, sub in enumerate(subs)
        ]
    return part
