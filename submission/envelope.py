"""The SMTP envelope of a submission (RFC 8621 §7 ``envelope``; RFC 5321 §4.1.2).

An envelope is checked strictly: addresses are RFC 5321 ``Mailbox`` values (a Dot-string or
Quoted-string local part and a domain name, RFC 6531 UTF-8 allowed), never containing control
characters, so nothing a client sends can inject a line into an SMTP command or a header.
Parameters are limited to those the queue understands: FUTURERELEASE (RFC 4865), SIZE (RFC 1870),
BODY (RFC 6152), SMTPUTF8 (RFC 6531) and DSN (RFC 3461).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from jmap_core.errors import SetError, invalid_properties
from jmap_core.types import JSONObject, JSONValue
from jmap_mail import mime

# RFC 5321 §4.1.2 atext, plus any non-ASCII character (RFC 6531 §3.3 UTF8-non-ascii).
_ATOM = r"[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~\u0080-\U0010ffff]+"
_DOT_STRING = re.compile(rf"{_ATOM}(?:\.{_ATOM})*")
# qtextSMTP and quoted-pairSMTP (§4.1.2).
_QUOTED = re.compile(r'"(?:[\x20\x21\x23-\x5b\x5d-\x7e\u0080-\U0010ffff]|\\[\x20-\x7e])*"')
_LABEL = (
    r"[A-Za-z0-9\u0080-\U0010ffff](?:[A-Za-z0-9\-\u0080-\U0010ffff]*[A-Za-z0-9\u0080-\U0010ffff])?"
)
_DOMAIN = re.compile(rf"{_LABEL}(?:\.{_LABEL})+")
_KEYWORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9\-]*")
# esmtp-value (§4.1.2) before xtext encoding: printable, no "=" and no space.
_VALUE = re.compile(r"[\x21-\x3c\x3e-\x7e]+")
_DIGITS = re.compile(r"[0-9]{1,10}")

MAIL_PARAMS = frozenset({"HOLDFOR", "HOLDUNTIL", "SIZE", "BODY", "ENVID", "RET", "SMTPUTF8"})
RCPT_PARAMS = frozenset({"NOTIFY", "ORCPT"})
_NOTIFY = frozenset({"SUCCESS", "FAILURE", "DELAY"})
_UPPER = frozenset({"BODY", "RET", "NOTIFY"})


@dataclass(frozen=True, slots=True)
class Address:
    """An envelope Address (RFC 8621 §7): a mailbox and its SMTP parameters."""

    email: str
    parameters: dict[str, str | None] = field(default_factory=dict)

    def to_json(self) -> JSONObject:
        params: JSONObject | None = dict(self.parameters) or None
        return {"email": self.email, "parameters": params}


@dataclass(frozen=True, slots=True)
class Envelope:
    mail_from: Address
    rcpt_to: list[Address]

    def to_json(self) -> JSONObject:
        return {
            "mailFrom": self.mail_from.to_json(),
            "rcptTo": [a.to_json() for a in self.rcpt_to],
        }


def split_address(address: str) -> tuple[str, str]:
    """Local part and domain of a mailbox (the domain after the last "@")."""
    local, _, domain = address.rpartition("@")
    return local, domain


def unquote_local(local: str) -> str:
    """A Quoted-string local part without its quoting (RFC 5321 §4.1.2)."""
    if len(local) >= 2 and local.startswith('"') and local.endswith('"'):
        return re.sub(r"\\(.)", r"\1", local[1:-1])
    return local


def is_mailbox(value: object) -> bool:
    """Whether ``value`` is an RFC 5321 §4.1.2 ``Mailbox`` we can send to (§4.5.3.1 lengths)."""
    if not isinstance(value, str) or not 3 <= len(value) <= 254 or "@" not in value:
        return False
    local, domain = split_address(value)
    if len(local.encode()) > 64 or len(domain.encode()) > 253:
        return False
    if not (_DOT_STRING.fullmatch(local) or _QUOTED.fullmatch(local)):
        return False
    return _DOMAIN.fullmatch(domain) is not None and not domain.replace(".", "").isdigit()


def _parameters(value: JSONValue, allowed: frozenset[str]) -> dict[str, str | None]:
    """Address parameters, upper-cased names; raises ValueError."""
    if value is None:
        return {}
    if not isinstance(value, dict) or len(value) > 10:
        raise ValueError("parameters must be an object")
    out: dict[str, str | None] = {}
    for name, item in value.items():
        key = name.upper()
        if not _KEYWORD.fullmatch(name) or key not in allowed or key in out:
            raise ValueError(f"unsupported parameter {name!r}")
        if item is not None and (not isinstance(item, str) or not _VALUE.fullmatch(item)):
            raise ValueError(f"bad value for {name}")
        out[key] = item.upper() if item is not None and key in _UPPER else item
    _check_values(out)
    return out


def _check_values(params: dict[str, str | None]) -> None:
    checks: dict[str, Callable[[str | None], bool]] = {
        "HOLDFOR": lambda v: v is not None and _DIGITS.fullmatch(v) is not None,
        "HOLDUNTIL": lambda v: v is not None and _parse_time(v) is not None,
        "SIZE": lambda v: v is not None and _DIGITS.fullmatch(v) is not None,
        "BODY": lambda v: v in ("7BIT", "8BITMIME"),
        "ENVID": lambda v: v is not None and len(v) <= 100,
        "RET": lambda v: v in ("FULL", "HDRS"),
        "SMTPUTF8": lambda v: v is None,
        "NOTIFY": _notify_ok,
        "ORCPT": lambda v: v is not None and ";" in v and len(v) <= 500,
    }
    for name, value in params.items():
        if not checks[name](value):
            raise ValueError(f"bad value for {name}")
    if "HOLDFOR" in params and "HOLDUNTIL" in params:
        raise ValueError("HOLDFOR and HOLDUNTIL exclude each other (RFC 4865 §4)")


def _notify_ok(value: str | None) -> bool:
    """RFC 3461 §4.1: NEVER alone, or a list of SUCCESS, FAILURE and DELAY."""
    if value is None:
        return False
    items = value.split(",")
    return items == ["NEVER"] or (
        bool(items) and set(items) <= _NOTIFY and len(set(items)) == len(items)
    )


def _parse_time(value: str) -> datetime.datetime | None:
    """An RFC 3339 date-time (RFC 4865 HOLDUNTIL)."""
    try:
        moment = datetime.datetime.fromisoformat(value.replace("z", "Z").replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def _address(value: JSONValue, allowed: frozenset[str]) -> Address:
    if not isinstance(value, dict) or set(value) - {"email", "parameters"} or "email" not in value:
        raise ValueError("not an Address object")
    email = value["email"]
    if not isinstance(email, str):
        raise ValueError("email must be a string")
    return Address(email, _parameters(value.get("parameters"), allowed))


def parse_envelope(value: JSONValue) -> Envelope:
    """A client-supplied envelope (RFC 8621 §7); raises SetError.

    Malformed structure or parameters are ``invalidProperties`` (``envelope``); recipients that
    are not addresses are ``invalidRecipients``, listing them all (§7.5).
    """
    if not isinstance(value, dict) or set(value) != {"mailFrom", "rcptTo"}:
        raise invalid_properties("envelope", description="envelope needs mailFrom and rcptTo")
    rcpts = value["rcptTo"]
    if not isinstance(rcpts, list):
        raise invalid_properties("envelope", description="rcptTo must be a list")
    try:
        mail_from = _address(value["mailFrom"], MAIL_PARAMS)
        rcpt_to = [_address(item, RCPT_PARAMS) for item in rcpts[:100_000]]
    except ValueError as error:
        raise invalid_properties("envelope", description=f"bad envelope: {error}") from None
    if mail_from.email and not is_mailbox(mail_from.email):
        raise invalid_properties("envelope", description="mailFrom is not an address")
    bad = [a.email for a in rcpt_to if not is_mailbox(a.email)]
    if bad:
        raise SetError(
            "invalidRecipients",
            f"not addresses to send to: {', '.join(bad[:10])}",
            invalidRecipients=bad,  # type: ignore[arg-type]
        )
    return Envelope(mail_from, _dedupe(rcpt_to))


def _dedupe(addresses: list[Address]) -> list[Address]:
    """One recipient per address; domains compare case-insensitively (RFC 5321 §2.4)."""
    seen: set[str] = set()
    out: list[Address] = []
    for address in addresses:
        local, domain = split_address(address.email)
        key = f"{local}@{domain.lower()}"
        if key not in seen:
            seen.add(key)
            out.append(address)
    return out


def header_addresses(headers: list[mime.Header], name: str) -> list[list[str]]:
    """For every ``name`` header field, the addresses in it (RFC 8621 §4.1.2.3 Addresses form)."""
    prop = mime.parse_header_property(f"header:{name}:asAddresses:all")
    assert prop is not None
    fields = mime.header_property_value(headers, prop)
    out: list[list[str]] = []
    for found in fields if isinstance(fields, list) else []:
        out.append([str(a["email"]) for a in found if isinstance(a, dict) and a.get("email")])  # type: ignore[union-attr]
    return out


def sender_address(headers: list[mime.Header]) -> str | None:
    """The address RFC 8621 §7 derives mailFrom from: Sender, else From; raises SetError when the
    field holds several addresses or occurs more than once (the SHOULD-reject case)."""
    for name in ("Sender", "From"):
        fields = header_addresses(headers, name)
        if not fields:
            continue
        if len(fields) > 1 or len(fields[-1]) != 1:
            raise SetError(
                "invalidEmail",
                f"the message has several {name} addresses; give an envelope",
                properties=[name.lower()],
            )
        return fields[-1][0]
    return None


def generate_envelope(
    headers: list[mime.Header], fallback_from: str, allowed: Callable[[str], bool]
) -> Envelope:
    """The envelope of RFC 8621 §7 for a submission without one.

    ``allowed`` is a predicate telling whether the identity may use an address as mailFrom;
    otherwise the identity's address (``fallback_from``) is used instead.
    """
    found = sender_address(headers)
    mail_from = found if found and allowed(found) else fallback_from
    rcpts: list[Address] = []
    bad: list[str] = []
    for name in ("To", "Cc", "Bcc"):
        for addresses in header_addresses(headers, name):
            for email in addresses:
                if is_mailbox(email):
                    rcpts.append(Address(email))
                else:
                    bad.append(email)
    if bad:
        raise SetError(
            "invalidRecipients",
            f"not addresses to send to: {', '.join(bad[:10])}",
            invalidRecipients=bad,  # type: ignore[arg-type]
        )
    return Envelope(Address(mail_from), _dedupe(rcpts))


def release_time(params: dict[str, str | None], now: datetime.datetime) -> datetime.datetime:
    """When a FUTURERELEASE message leaves (RFC 4865 §3): now, now + HOLDFOR, or HOLDUNTIL."""
    if params.get("HOLDFOR"):
        return now + datetime.timedelta(seconds=int(str(params["HOLDFOR"])))
    if params.get("HOLDUNTIL"):
        moment = _parse_time(str(params["HOLDUNTIL"]))
        assert moment is not None
        return max(now, moment.astimezone(datetime.UTC))
    return now


def xtext(value: str) -> str:
    """RFC 3461 §4 xtext: "+", "=" and characters outside 33-126 become "+XX"."""
    return "".join(f"+{ord(c):02X}" if c in "+=" or not 33 <= ord(c) <= 126 else c for c in value)


def smtp_params(params: dict[str, str | None]) -> list[str]:
    """Parameters as ``NAME=value`` words for MAIL or RCPT, xtext-encoding ENVID and ORCPT."""
    out: list[str] = []
    for name, value in params.items():
        if value is None:
            out.append(name)
        elif name in ("ENVID", "ORCPT"):
            kind, _, text = value.partition(";")
            out.append(f"{name}={xtext(value) if name == 'ENVID' else kind + ';' + xtext(text)}")
        else:
            out.append(f"{name}={value}")
    return out
