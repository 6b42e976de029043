"""Value checks for Email/set create properties (RFC 8621 §4.6, shapes from §4.1.2-§4.1.4)."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from jmap_mail.mime._json import JSONValue
from jmap_mail.mime.header_encode import parse_jmap_date

if TYPE_CHECKING:
    from jmap_mail.mime.build_spec import BodyPartSpec

__all__ = ["Problems", "check_header_value", "check_part_conflicts", "check_part_fields"]

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_MEDIA_TYPE = re.compile(r"[a-z0-9!#$&^_.+\-]+/[a-z0-9!#$&^_.+\-]+")
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_ATTRIBUTES = {"partId": "part_id", "blobId": "blob_id"}
_STRING_FIELDS = ("partId", "blobId", "type", "charset", "disposition", "name", "cid", "location")
# Header fields that EmailBodyPart properties write (RFC 8621 §4.1.4).
_FIELD_OWNERS = {
    "content-type": ("type", "charset"),
    "content-disposition": ("disposition",),
    "content-id": ("cid",),
    "content-language": ("language",),
    "content-location": ("location",),
}


class Problems:
    """Invalid properties collected while validating, raised together at the end."""

    def __init__(self) -> None:
        self.items: dict[str, str] = {}

    def add(self, prop: str, description: str) -> None:
        self.items.setdefault(prop, description)

    def raise_if_any(self, error: Callable[[list[str], str], Exception]) -> None:
        if self.items:
            raise error(list(self.items), "; ".join(f"{k}: {v}" for k, v in self.items.items()))


def _is_address(value: JSONValue) -> bool:
    if not isinstance(value, dict):
        return False
    name, email = value.get("name"), value.get("email")
    return (
        (name is None or isinstance(name, str))
        and isinstance(email, str)
        and not _CONTROL.search(email)
        and not any(c in email for c in "<>,")
    )


def _is_group(value: JSONValue) -> bool:
    if not isinstance(value, dict):
        return False
    name, addresses = value.get("name"), value.get("addresses")
    return (name is None or isinstance(name, str)) and (
        isinstance(addresses, list) and all(_is_address(a) for a in addresses)
    )


def _is_id_list(value: JSONValue) -> bool:
    return isinstance(value, list) and all(
        isinstance(item, str) and item and not re.search(r"[\s<>\x00-\x1f]", item) for item in value
    )


_FORM_CHECKS: dict[str, Callable[[JSONValue], bool]] = {
    "raw": lambda v: isinstance(v, str),
    "text": lambda v: isinstance(v, str),
    "addresses": lambda v: isinstance(v, list) and all(_is_address(a) for a in v),
    "groupedaddresses": lambda v: isinstance(v, list) and all(_is_group(g) for g in v),
    "messageids": _is_id_list,
    "date": lambda v: isinstance(v, str) and parse_jmap_date(v) is not None,
    "urls": _is_id_list,
}


def check_header_value(
    prop: str, form: str, value: JSONValue, every: bool, problems: Problems
) -> None:
    """`value` must have the JSON shape of `form` (RFC 8621 §4.1.2); null means "no field"."""
    if value is None:
        return
    items = value if every else [value]
    if every and not isinstance(value, list):
        problems.add(prop, "an :all header property takes a list")
        return
    assert isinstance(items, list)
    if not all(item is None or _FORM_CHECKS[form](item) for item in items):
        problems.add(prop, f"value is not a valid {form} form")


def check_part_fields(
    obj: Mapping[str, JSONValue], path: str, part: BodyPartSpec, problems: Problems
) -> None:
    """Fill `part` from `obj`, enforcing the EmailBodyPart rules of RFC 8621 §4.6."""
    for key in _STRING_FIELDS:
        value = obj.get(key)
        if value is not None and not isinstance(value, str):
            problems.add(f"{path}/{key}", f"{key} must be a string")
        elif isinstance(value, str) and key != "name" and _CONTROL.search(value):
            problems.add(f"{path}/{key}", f"{key} must not contain control characters")
        elif isinstance(value, str):
            setattr(part, _ATTRIBUTES.get(key, key), value)
    _check_language(obj.get("language"), f"{path}/language", part, problems)
    if part.type is not None:
        part.type = part.type.lower()
        if not _MEDIA_TYPE.fullmatch(part.type):
            problems.add(f"{path}/type", "type must be a media type such as text/plain")
    if part.disposition is not None and not _TOKEN.fullmatch(part.disposition):
        problems.add(f"{path}/disposition", "disposition must be a token")
    _check_content_source(obj, path, part, problems)


def _check_language(value: JSONValue, path: str, part: BodyPartSpec, problems: Problems) -> None:
    if value is None:
        return
    if isinstance(value, list) and all(
        isinstance(tag, str) and _TOKEN.fullmatch(tag) for tag in value
    ):
        part.language = [str(tag) for tag in value]
    else:
        problems.add(path, "language must be a list of language tags")


def _check_content_source(
    obj: Mapping[str, JSONValue], path: str, part: BodyPartSpec, problems: Problems
) -> None:
    """partId XOR blobId on leaves, neither on multiparts; charset/size only with a blobId."""
    subs = obj.get("subParts")
    if subs is not None and not isinstance(subs, list):
        problems.add(f"{path}/subParts", "subParts must be a list")
    if obj.get("size") is not None and not isinstance(obj.get("size"), int):
        problems.add(f"{path}/size", "size must be a number")
    if isinstance(subs, list):
        part.type = part.type or "multipart/mixed"
        if not part.type.startswith("multipart/"):
            problems.add(f"{path}/type", "only multipart/* parts have subParts")
        for key, value in (("partId", part.part_id), ("blobId", part.blob_id)):
            if value is not None:
                problems.add(f"{path}/{key}", f"a multipart part cannot have a {key}")
        return
    if part.type is not None and part.type.startswith("multipart/"):
        problems.add(f"{path}/subParts", "a multipart part needs subParts")
        return
    if part.part_id is not None:
        if part.blob_id is not None:
            problems.add(f"{path}/blobId", "give partId or blobId, not both (§4.6)")
        for key in ("charset", "size"):
            if obj.get(key) is not None:
                problems.add(f"{path}/{key}", f"{key} must be omitted with a partId (§4.6)")
        if not (part.type or "text/plain").startswith("text/"):
            problems.add(f"{path}/type", "a part with a partId holds text, so must be text/*")
    elif part.blob_id is None:
        problems.add(f"{path}/partId", "a body part needs a partId or a blobId")


def check_part_conflicts(part: BodyPartSpec, problems: Problems) -> None:
    """A header property must not duplicate a field the part's own properties write (§4.6)."""
    for spec in part.headers:
        owners = _FIELD_OWNERS.get(spec.name.lower(), ())
        given = [owner for owner in owners if getattr(part, owner) is not None]
        if given:
            problems.add(spec.prop, f"{spec.name} conflicts with {', '.join(given)}")
