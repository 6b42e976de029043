"""RFC 5322 / MIME messages built by the suite, so it works against any server.

Every message gets a unique Message-ID and a unique token, because servers may refuse
duplicates (RFC 8621 §4.8 allows `alreadyExists`).
"""

from __future__ import annotations

import base64
import secrets
from dataclasses import dataclass, field

CRLF = "\r\n"
DEFAULT_DATE = "Tue, 02 Jan 2024 10:00:00 +0000"


def token() -> str:
    return secrets.token_hex(6)


def new_message_id() -> str:
    return f"{token()}.cf@conformance.example"


@dataclass
class Part:
    """A leaf MIME part: headers plus an already-encoded body."""

    content_type: str
    body: str
    headers: list[tuple[str, str]] = field(default_factory=list)

    def render(self) -> str:
        lines = [f"Content-Type: {self.content_type}"]
        lines += [f"{name}: {value}" for name, value in self.headers]
        return CRLF.join(lines) + CRLF + CRLF + self.body


@dataclass
class Multipart:
    """A multipart/* entity with sub-parts."""

    subtype: str
    parts: list[Part | Multipart]
    headers: list[tuple[str, str]] = field(default_factory=list)
    boundary: str = field(default_factory=lambda: "b-" + token())

    @property
    def content_type(self) -> str:
        return f'multipart/{self.subtype}; boundary="{self.boundary}"'

    @property
    def body(self) -> str:
        chunks = [f"--{self.boundary}{CRLF}{p.render()}{CRLF}" for p in self.parts]
        return "This is a MIME message." + CRLF + "".join(chunks) + f"--{self.boundary}--{CRLF}"

    def render(self) -> str:
        lines = [f"Content-Type: {self.content_type}"]
        lines += [f"{name}: {value}" for name, value in self.headers]
        return CRLF.join(lines) + CRLF + CRLF + self.body


def text(body: str, subtype: str = "plain", charset: str = "utf-8", **extra: str) -> Part:
    headers = [(k.replace("_", "-"), v) for k, v in extra.items()]
    return Part(f"text/{subtype}; charset={charset}", body, headers)


def attachment(
    data: bytes, content_type: str, filename: str, inline: bool = False, cid: str | None = None
) -> Part:
    disposition = "inline" if inline else "attachment"
    headers = [
        ("Content-Disposition", f'{disposition}; filename="{filename}"'),
        ("Content-Transfer-Encoding", "base64"),
    ]
    if cid:
        headers.append(("Content-ID", f"<{cid}>"))
    encoded = base64.encodebytes(data).decode("ascii").replace("\n", CRLF)
    return Part(content_type, encoded, headers)


def message(
    *,
    subject: str = "Conformance message",
    from_: str = '"Alice Sender" <alice@conformance.example>',
    to: str | None = '"Bob Receiver" <bob@conformance.example>',
    cc: str | None = None,
    bcc: str | None = None,
    date: str | None = DEFAULT_DATE,
    message_id: str | None = None,
    in_reply_to: str | None = None,
    references: str | None = None,
    headers: list[tuple[str, str]] | None = None,
    body: Part | Multipart | str | None = None,
) -> bytes:
    """A complete message; `body` defaults to a short unique text/plain part."""
    if body is None:
        body = f"Hello from the conformance suite, token {token()}.{CRLF}"
    if isinstance(body, str):
        body = text(body)
    top: list[tuple[str, str]] = [("From", from_)]
    for name, value in (("To", to), ("Cc", cc), ("Bcc", bcc)):
        if value is not None:
            top.append((name, value))
    top.append(("Subject", subject))
    if date is not None:
        top.append(("Date", date))
    top.append(("Message-ID", f"<{message_id or new_message_id()}>"))
    if in_reply_to:
        top.append(("In-Reply-To", in_reply_to))
    if references:
        top.append(("References", references))
    top += headers or []
    top.append(("MIME-Version", "1.0"))
    head = CRLF.join(f"{name}: {value}" for name, value in top)
    return (head + CRLF + body.render()).encode("utf-8")


def simple(subject: str | None = None, body: str | None = None, **kw: str | None) -> bytes:
    """A one-part text/plain message with a unique subject token."""
    return message(subject=subject or f"Conformance {token()}", body=body, **kw)  # type: ignore[arg-type]


PNG_1PX = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)
