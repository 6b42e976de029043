"""Writing RFC 5322 messages for Email/set create (RFC 8621 §4.6).

The output uses CRLF line ends and lines of at most 998 octets (RFC 5322 §2.1.1); header text
that is not ASCII is written as RFC 2047 encoded-words and parameters as RFC 2231 extended values,
so any RFC 5322/MIME reader can read it. Body text from `bodyValues` is written as UTF-8 with the
lightest transfer encoding that is safe: 7bit, else quoted-printable for mostly-ASCII text, else
base64 (RFC 2045 §6). Attached messages stay 7bit/8bit/binary (RFC 2046 §5.2.1).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

from jmap_mail.mime._json import JSONValue
from jmap_mail.mime.build_spec import BlobNotFound, BodyPartSpec, BuildError, BuildSpec, HeaderSpec
from jmap_mail.mime.header_encode import (
    fold_tokens,
    format_date,
    parse_jmap_date,
    phrase_tokens,
    render_address,
    render_params,
    render_raw,
    render_unstructured,
)
from jmap_mail.mime.headers import parse_params
from jmap_mail.mime.transfer import encode_base64, encode_quoted_printable
from jmap_mail.mime.validate import Problems

__all__ = ["BlobNotFound", "BodyPartSpec", "BuildError", "BuildSpec", "build_message"]

_RANK = {"8bit": 1, "binary": 2}  # what a container must declare; others need none
_LIST_FORMS = ("addresses", "groupedaddresses", "messageids", "urls")


def _tree(spec: BuildSpec) -> BodyPartSpec:
    """The part tree: bodyStructure as given, or one assembled from textBody/htmlBody/attachments
    (multipart/alternative for text plus HTML, multipart/related for images the HTML embeds by
    Content-ID, multipart/mixed for the other attachments)."""
    if spec.body_structure is not None:
        return spec.body_structure
    text, html = spec.text_body, spec.html_body
    inline = [
        a for a in spec.attachments if html is not None and a.cid and a.disposition != "attachment"
    ]
    regular = [a for a in spec.attachments if all(a is not i for i in inline)]
    html_node = html
    if html is not None and inline:
        html_node = BodyPartSpec("htmlBody", type="multipart/related", sub_parts=[html, *inline])
    body = text if html_node is None else html_node
    if text is not None and html_node is not None:
        body = BodyPartSpec("textBody", type="multipart/alternative", sub_parts=[text, html_node])
    if regular:
        return BodyPartSpec(
            "attachments",
            type="multipart/mixed",
            sub_parts=([body] if body is not None else []) + regular,
        )
    return body if body is not None else BodyPartSpec("textBody", type="text/plain")


def _walk(part: BodyPartSpec) -> Iterator[BodyPartSpec]:
    yield part
    for sub in part.sub_parts or []:
        yield from _walk(sub)


def _fetch_blobs(root: BodyPartSpec, fetch: Callable[[str], bytes | None]) -> dict[str, bytes]:
    """Every referenced blob, or BlobNotFound listing all missing ids (RFC 8621 §4.6)."""
    found: dict[str, bytes] = {}
    missing: list[str] = []
    for part in _walk(root):
        blob_id = part.blob_id
        if blob_id is None or blob_id in found or blob_id in missing:
            continue
        data = fetch(blob_id)
        if data is None:
            missing.append(blob_id)
        else:
            found[blob_id] = data
    if missing:
        raise BlobNotFound(missing)
    return found


def _header_value(spec: HeaderSpec, value: JSONValue) -> str | None:
    """Raw form of one header value in `spec.form`; None if a Raw value is unsafe to write."""
    name, form = spec.name, spec.form
    if form == "raw":
        assert isinstance(value, str)
        return render_raw(name, value)
    if form == "text":
        assert isinstance(value, str)
        return render_unstructured(name, value)
    if form == "date":
        assert isinstance(value, str)
        moment = parse_jmap_date(value)
        assert moment is not None
        return " " + format_date(moment)
    assert isinstance(value, list)
    return fold_tokens(name, _list_tokens(form, value))


def _list_tokens(form: str, value: list[JSONValue]) -> list[str]:
    tokens: list[str] = []
    if form in ("messageids", "urls"):
        tokens = [f"<{item}>" for item in value]
        if form == "urls":
            tokens = [t + "," for t in tokens[:-1]] + tokens[-1:]
        return tokens
    groups = value if form == "groupedaddresses" else [{"name": None, "addresses": value}]
    for group in groups:
        assert isinstance(group, dict)
        if tokens:
            tokens[-1] += ","
        addresses = group["addresses"]
        assert isinstance(addresses, list)
        label = group.get("name")
        if isinstance(label, str):
            head = phrase_tokens(label) if label else ['""']
            tokens += [*head[:-1], head[-1] + ":"]
        for i, address in enumerate(addresses):
            assert isinstance(address, dict)
            name, email = address.get("name"), address["email"]
            rendered = render_address(name if isinstance(name, str) else None, str(email))
            tokens += [*rendered[:-1], rendered[-1] + ("," if i < len(addresses) - 1 else "")]
        if isinstance(label, str):
            tokens[-1] += ";"
    return tokens


def _header_lines(specs: list[HeaderSpec], problems: Problems) -> list[str]:
    lines: list[str] = []
    for spec in specs:
        values = spec.value if spec.all and isinstance(spec.value, list) else [spec.value]
        for value in values:
            if value is None or (spec.form in _LIST_FORMS and value == []):
                continue
            rendered = _header_value(spec, value)
            if rendered is None:
                problems.add(spec.prop, "raw value has bare line breaks, NUL or unfoldable lines")
                continue
            lines.append(f"{spec.name}:{rendered}")
    return lines


def _seven_bit(data: bytes) -> bool:
    """ASCII, no NUL, CRLF line ends only and lines of at most 998 octets (RFC 5322 §2.1.1)."""
    return data.isascii() and _clean_lines(data)


def _clean_lines(data: bytes) -> bool:
    crlf = data.count(b"\r\n")
    if b"\x00" in data or data.count(b"\n") != crlf or data.count(b"\r") != crlf:
        return False
    return max(map(len, data.split(b"\r\n")), default=0) <= 998


def _encoding_for(data: bytes, media: str) -> str:
    """The Content-Transfer-Encoding to write `data` of type `media` with (RFC 2045 §6)."""
    if _seven_bit(data):
        return "7bit"
    if media.startswith(("message/", "multipart/")):
        return "8bit" if _clean_lines(data) else "binary"
    high = len(data) - len(data.translate(None, bytes(range(128, 256))))
    if media.startswith("text/") and high * 4 <= len(data):
        return "quoted-printable"
    return "base64"


def _normalise_text(text: str) -> bytes:
    """bodyValues text (LF line ends, RFC 8621 §4.1.4) as CRLF UTF-8 octets."""
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\r\n").encode("utf-8")


def _part_fields(
    part: BodyPartSpec, media: str, charset: str | None, boundary: str | None, encoding: str
) -> list[str]:
    """Content-* fields for `part` (RFC 2045 §5-§6, RFC 2183, RFC 2392, RFC 3282, RFC 2557)."""
    own = {spec.name.lower() for spec in part.headers}
    fields: list[str] = []
    if "content-type" not in own:
        params = [("charset", charset)] if charset else []
        params += [("boundary", boundary)] if boundary else []
        params += [("name", part.name)] if part.name else []
        fields.append("Content-Type:" + fold_tokens("Content-Type", render_params(media, params)))
    if part.disposition is not None:
        extra = [("filename", part.name)] if part.name else []
        fields.append(
            "Content-Disposition:"
            + fold_tokens("Content-Disposition", render_params(part.disposition.lower(), extra))
        )
    if part.cid is not None:
        fields.append(f"Content-ID: <{part.cid.strip().strip('<>')}>")
    if part.language:
        fields.append(
            "Content-Language:"
            + fold_tokens(
                "Content-Language",
                [
                    tag + ("," if i < len(part.language) - 1 else "")
                    for i, tag in enumerate(part.language)
                ],
            )
        )
    if part.location is not None:
        fields.append(f"Content-Location: {part.location}")
    if encoding != "7bit":
        fields.append(f"Content-Transfer-Encoding: {encoding}")
    return fields


def _media_of(part: BodyPartSpec) -> str:
    for spec in part.headers:
        if spec.name.lower() == "content-type" and isinstance(spec.value, str):
            return parse_params(spec.value)[0] or "text/plain"
    if part.type is not None:
        return part.type
    return "text/plain" if part.blob_id is None else "application/octet-stream"


def _render(
    part: BodyPartSpec, spec: BuildSpec, blobs: dict[str, bytes], problems: Problems
) -> tuple[list[str], bytes, str]:
    """(header lines, encoded body, transfer encoding) of one part, recursively."""
    media = _media_of(part)
    if part.sub_parts is not None:
        children = [_render(sub, spec, blobs, problems) for sub in part.sub_parts]
        boundary = "=_" + secrets.token_hex(16)
        while any(boundary.encode("ascii") in body for _, body, _ in children):
            boundary = "=_" + secrets.token_hex(16)  # pragma: no cover - 2**-128 chance
        marker = b"--" + boundary.encode("ascii")
        body = (
            b"".join(
                marker
                + b"\r\n"
                + "".join(f"{line}\r\n" for line in lines).encode("utf-8")
                + b"\r\n"
                + child
                + b"\r\n"
                for lines, child, _ in children
            )
            + marker
            + b"--\r\n"
        )
        inner = [enc for _, _, enc in children if enc in _RANK]
        encoding = max(inner, key=_RANK.__getitem__, default="7bit")
        fields = _part_fields(part, media, None, boundary, encoding)
        return fields + _header_lines(part.headers, problems), body, encoding
    if part.part_id is not None:
        content = _normalise_text(spec.body_values.get(part.part_id, ""))
        charset: str | None = "utf-8"
    else:
        content = blobs.get(part.blob_id, b"") if part.blob_id is not None else b""
        charset = part.charset
    encoding = _encoding_for(content, media)
    if encoding == "quoted-printable":
        content = encode_quoted_printable(content)
    elif encoding == "base64":
        content = encode_base64(content)
    fields = _part_fields(part, media, charset, None, encoding)
    return fields + _header_lines(part.headers, problems), content, encoding


def _check_root_conflicts(spec: BuildSpec, root: BodyPartSpec, problems: Problems) -> None:
    """The root part must not repeat a field set on the Email itself (RFC 8621 §4.6)."""
    top = {h.name.lower(): h.prop for h in spec.headers}
    for header in root.headers:
        if header.name.lower() in top:
            problems.add(header.prop, f"{header.name} is already set on the Email")


def build_message(spec: BuildSpec, fetch_blob: Callable[[str], bytes | None]) -> bytes:
    """Write the message an Email/set create describes (RFC 8621 §4.6).

    Adds Date and Message-ID (``<random@spec.domain>``) when not given, as §4.6 requires, and
    MIME-Version. Raises `BuildError` for properties that cannot be written and `BlobNotFound`
    (after validation) when referenced blobs are missing.
    """
    problems = Problems()
    root = _tree(spec)
    _check_root_conflicts(spec, root, problems)
    lines = _header_lines(spec.headers, problems)
    problems.raise_if_any(BuildError)
    blobs = _fetch_blobs(root, fetch_blob)
    lines += [f"{h.name}:{h.value}" for h in spec.extra_headers]
    written = {line.split(":", 1)[0].lower() for line in lines}
    if "date" not in written:
        lines.append("Date: " + format_date(spec.date or datetime.now(UTC)))
    if "message-id" not in written:
        lines.append(f"Message-ID: <{secrets.token_hex(16)}@{spec.domain}>")
    if "mime-version" not in written:
        lines.append("MIME-Version: 1.0")
    fields, body, _ = _render(root, spec, blobs, problems)
    problems.raise_if_any(BuildError)
    head = "".join(f"{line}\r\n" for line in lines + fields) + "\r\n"
    return head.encode("utf-8") + body
