"""The MIME layer of the mail model: parsing, header forms and message building (RFC 8621 §4).

A plain library without Django: the Email methods call it with raw message octets and store
`ParsedMessage.to_cache()` at ingest.
"""

from __future__ import annotations

from jmap_mail.mime.build import BlobNotFound, BodyPartSpec, BuildError, BuildSpec, build_message
from jmap_mail.mime.build_spec import HeaderSpec
from jmap_mail.mime.content import body_value, decode_part
from jmap_mail.mime.forms import (
    CONVENIENCE_HEADERS,
    HeaderProperty,
    form_allowed,
    header_form,
    header_property_value,
    parse_header_property,
)
from jmap_mail.mime.message import parse_message, search_text
from jmap_mail.mime.model import Header, ParsedMessage, Part, find_part, iter_parts

__all__ = [
    "CONVENIENCE_HEADERS",
    "BlobNotFound",
    "BodyPartSpec",
    "BuildError",
    "BuildSpec",
    "Header",
    "HeaderProperty",
    "HeaderSpec",
    "ParsedMessage",
    "Part",
    "body_value",
    "build_message",
    "decode_part",
    "find_part",
    "form_allowed",
    "header_form",
    "header_property_value",
    "iter_parts",
    "parse_header_property",
    "parse_message",
    "search_text",
]
