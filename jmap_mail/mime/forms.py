"""Parsed forms of header field values (RFC 8621 §4.1.2) and `header:` properties (§4.1.3)."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import datetime

from jmap_mail.mime._json import JSONValue
from jmap_mail.mime.addresses import Address, Group, parse_address_list
from jmap_mail.mime.headers import Header, strip_comments
from jmap_mail.mime.rfc2047 import decode_unstructured

__all__ = [
    "CONVENIENCE_HEADERS",
    "FORMS",
    "HeaderProperty",
    "form_allowed",
    "header_form",
    "header_property_value",
    "parse_date",
    "parse_header_property",
    "parse_message_ids",
    "parse_urls",
]

FORMS = ("raw", "text", "addresses", "groupedaddresses", "messageids", "date", "urls")
_SUFFIXES = {
    "asRaw": "raw",
    "asText": "text",
    "asAddresses": "addresses",
    "asGroupedAddresses": "groupedaddresses",
    "asMessageIds": "messageids",
    "asDate": "date",
    "asURLs": "urls",
}

# RFC 8621 §4.1.3 convenience properties: property -> (header field, form)
CONVENIENCE_HEADERS: dict[str, tuple[str, str]] = {
    "messageId": ("Message-ID", "messageids"),
    "inReplyTo": ("In-Reply-To", "messageids"),
    "references": ("References", "messageids"),
    "sender": ("Sender", "addresses"),
    "from": ("From", "addresses"),
    "to": ("To", "addresses"),
    "cc": ("Cc", "addresses"),
    "bcc": ("Bcc", "addresses"),
    "replyTo": ("Reply-To", "addresses"),
    "subject": ("Subject", "text"),
    "sentAt": ("Date", "date"),
}

_ADDRESS_FIELDS = frozenset(
    [
        "from",
        "sender",
        "reply-to",
        "to",
        "cc",
        "bcc",
        "resent-from",
        "resent-sender",
        "resent-reply-to",
        "resent-to",
        "resent-cc",
        "resent-bcc",
    ]
)
# Which header fields each parsed form is allowed on (RFC 8621 §4.1.2.2-§4.1.2.7).
_ALLOWED: dict[str, frozenset[str]] = {
    "text": frozenset({"subject", "comments", "keywords", "list-id"}),
    "addresses": _ADDRESS_FIELDS,
    "groupedaddresses": _ADDRESS_FIELDS,
    "messageids": frozenset({"message-id", "in-reply-to", "references", "resent-message-id"}),
    "date": frozenset({"date", "resent-date"}),
    "urls": frozenset(
        {
            "list-help",
            "list-unsubscribe",
            "list-subscribe",
            "list-post",
            "list-owner",
            "list-archive",
        }
    ),
}
# Fields defined by RFC 5322 or RFC 2369; any other field may be read in every form.
_DEFINED = frozenset().union(*_ALLOWED.values(), {"return-path", "received"}) - {"list-id"}

_FIELD_NAME = re.compile(r"[\x21-\x39\x3b-\x7e]+")
_FOLD = re.compile(r"\r?\n(?=[ \t])")
_BRACKETED = re.compile(r"<([^<>]*)>")
_DATE = re.compile(
    r"^(?:[A-Za-z]+\s*,?\s*)?(\d{1,2})\s*[- ]?\s*([A-Za-z]{3,})\.?\s*[- ]?\s*(\d{2,4})\s+"
    r"(\d{1,2}):(\d{1,2})(?::(\d{1,2}))?(?:\.\d+)?\s*([+-]\d{2}:?\d{2}|[A-Za-z]+)?\s*$"
)
_MONTHS = {
    m: i
    for i, m in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1
    )
}
_ZONES = {
    "ut": 0,
    "utc": 0,
    "gmt": 0,
    "z": 0,
    "est": -300,
    "edt": -240,
    "cst": -360,
    "cdt": -300,
    "mst": -420,
    "mdt": -360,
    "pst": -480,
    "pdt": -420,
}


@dataclass(frozen=True, slots=True)
class HeaderProperty:
    """A parsed ``header:{name}[:as{form}][:all]`` property name (RFC 8621 §4.1.3)."""

    name: str
    form: str
    all: bool


@functools.lru_cache(maxsize=1024)
def parse_header_property(prop: str) -> HeaderProperty | None:
    """Parse a `header:` property name, or None if it is not one or is malformed (§4.1.3)."""
    if not prop.startswith("header:"):
        return None
    name, *suffixes = prop[len("header:") :].split(":")
    if not _FIELD_NAME.fullmatch(name):
        return None
    form = "raw"
    if suffixes and suffixes[0] in _SUFFIXES:
        form = _SUFFIXES[suffixes.pop(0)]
    every = suffixes == ["all"]
    if suffixes and not every:
        return None
    return HeaderProperty(name, form, every)


def form_allowed(name: str, form: str) -> bool:
    """Whether `form` may be used for header field `name` (RFC 8621 §4.1.2.2-§4.1.2.7)."""
    key = name.lower()
    if form == "raw" or (key not in _DEFINED and form in FORMS):
        return True
    return key in _ALLOWED.get(form, frozenset())


def _address_json(address: Address) -> JSONValue:
    return {"name": address.name, "email": address.email}


def _groups_json(groups: list[Group]) -> JSONValue:
    return [{"name": g.name, "addresses": [_address_json(a) for a in g.addresses]} for g in groups]


def parse_message_ids(value: str) -> list[str] | None:
    """The MessageIds form (RFC 8621 §4.1.2.5): msg-ids without CFWS or angle brackets.

    Obsolete phrases between msg-ids (RFC 5322 §4.5.4 obs-in-reply-to) are skipped; a lone
    unbracketed ``left@right`` token is accepted as a best effort; anything else is null.
    """
    text = strip_comments(_FOLD.sub("", value))
    ids = ["".join(found.split()) for found in _BRACKETED.findall(text)]
    ids = [found for found in ids if found]
    if ids:
        return ids
    bare = text.split()
    if len(bare) == 1 and "@" in bare[0] and "<" not in bare[0] and ">" not in bare[0]:
        return bare
    return None


def parse_urls(value: str) -> list[str] | None:
    """The URLs form (RFC 8621 §4.1.2.7, RFC 2369 §2): bracketed URLs, comments dropped."""
    text = strip_comments(_FOLD.sub("", value))
    urls = ["".join(found.split()) for found in _BRACKETED.findall(text)]
    urls = [url for url in urls if url]
    return urls or None


def _zone_minutes(zone: str | None) -> int | None:
    """Offset in minutes of an RFC 5322 §3.3 zone, obsolete names included (§4.3)."""
    if zone is None:
        return 0
    if zone[0] in "+-":
        digits = zone[1:].replace(":", "")
        hours, minutes = int(digits[:2]), int(digits[2:])
        if hours > 23 or minutes > 59:
            return None
        return (hours * 60 + minutes) * (-1 if zone[0] == "-" else 1)
    # military and unknown alphabetic zones mean "-0000" (RFC 5322 §4.3)
    return _ZONES.get(zone.lower(), 0)


def parse_date(value: str) -> str | None:
    """The Date form (RFC 8621 §4.1.2.6): an RFC 5322 §3.3 date-time as an RFC 3339 string.

    The zone offset is kept (``+01:00``; ``Z`` for a zero offset). Obsolete syntax from RFC 5322
    §4.3 is accepted: two- and three-digit years, named zones, missing seconds. A missing zone is
    read as UTC. Anything unparseable or out of range is null.
    """
    match = _DATE.match(" ".join(strip_comments(_FOLD.sub("", value)).split()))
    if match is None:
        return None
    day, month_name, year_text, hour, minute, second, zone = match.groups()
    month = _MONTHS.get(month_name[:3].lower())
    offset = _zone_minutes(zone)
    year = int(year_text)
    if len(year_text) == 2:
        year += 2000 if year < 50 else 1900
    elif len(year_text) == 3:
        year += 1900
    if month is None or offset is None:
        return None
    sec = min(int(second or 0), 59)  # a leap second cannot be represented; keep the minute
    try:
        moment = datetime(year, month, int(day), int(hour), int(minute), sec)  # noqa: DTZ001
    except ValueError:
        return None
    sign = "-" if offset < 0 else "+"
    suffix = "Z" if offset == 0 else f"{sign}{abs(offset) // 60:02d}:{abs(offset) % 60:02d}"
    return moment.strftime("%Y-%m-%dT%H:%M:%S") + suffix


def header_form(value: str, form: str) -> JSONValue:
    """Value `value` (Raw form, RFC 8621 §4.1.2.1) in parsed form `form` (§4.1.2.2-§4.1.2.7).

    `form` is one of FORMS, case-insensitive, with or without the ``as`` prefix. Addresses and
    GroupedAddresses never fail (best effort); MessageIds, Date and URLs are null on failure.
    """
    key = form.lower()
    key = key[2:] if key.startswith("as") else key
    if key == "raw":
        return value
    if key == "text":
        return decode_unstructured(value)
    if key == "addresses":
        groups = parse_address_list(value)
        return [_address_json(a) for g in groups for a in g.addresses]
    if key == "groupedaddresses":
        return _groups_json(parse_address_list(value))
    if key == "messageids":
        ids = parse_message_ids(value)
        return None if ids is None else list(ids)
    if key == "date":
        return parse_date(value)
    if key == "urls":
        urls = parse_urls(value)
        return None if urls is None else list(urls)
    raise ValueError(f"unknown header form {form!r}")


def header_property_value(headers: list[Header], prop: HeaderProperty) -> JSONValue:
    """Value of a `header:` property over `headers` (RFC 8621 §4.1.3): the last instance or null,
    or with ``:all`` every instance in message order (an empty list when there is none)."""
    wanted = prop.name.lower()
    values = [header_form(h.value, prop.form) for h in headers if h.name.lower() == wanted]
    if prop.all:
        return values
    return values[-1] if values else None
