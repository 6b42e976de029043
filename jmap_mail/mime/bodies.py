"""textBody, htmlBody, attachments and hasAttachment (RFC 8621 §4.1.4).

`classify` follows the algorithm RFC 8621 §4.1.4 suggests (its JavaScript `parseStructure`)
step for step, so the worked example in the RFC decomposes exactly as printed there.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from jmap_mail.mime.model import Part

__all__ = ["BodyLists", "classify", "has_attachment"]

# Parts a client processes itself rather than offering for download (RFC 8621 §4.1.4 MAY).
_AUTOMATIC = frozenset(
    {
        "application/pgp-signature",
        "application/pkcs7-signature",
        "application/x-pkcs7-signature",
        "application/pgp-encrypted",
    }
)


@dataclass(slots=True)
class BodyLists:
    """The three flat part lists, plus parts embedded in an HTML body via multipart/related."""

    text: list[Part] = field(default_factory=list)
    html: list[Part] = field(default_factory=list)
    attachments: list[Part] = field(default_factory=list)
    embedded: set[int] = field(default_factory=set)  # id() of related, non-root parts


def _inline_media(media: str) -> bool:
    return media.startswith(("image/", "audio/", "video/"))


def _is_inline(part: Part, index: int, multipart_type: str) -> bool:
    """Is this a body part rather than an attachment (the `isInline` test of §4.1.4)."""
    return (
        part.disposition != "attachment"
        and (part.type in ("text/plain", "text/html") or _inline_media(part.type))
        and (
            index == 0
            or (multipart_type != "related" and (_inline_media(part.type) or not part.name))
        )
    )


def _walk(
    parts: list[Part],
    multipart_type: str,
    in_alternative: bool,
    bodies: tuple[list[Part] | None, list[Part] | None],
    lists: BodyLists,
) -> None:
    """`parseStructure` of RFC 8621 §4.1.4; `bodies` is (htmlBody, textBody), either may be None."""
    html_body, text_body = bodies
    text_length = len(text_body) if text_body is not None else -1
    html_length = len(html_body) if html_body is not None else -1
    for index, part in enumerate(parts):
        if part.part_id is None:
            sub_type = part.type.split("/", 1)[1]
            _walk(
                part.sub_parts,
                sub_type,
                in_alternative or sub_type == "alternative",
                (html_body, text_body),
                lists,
            )
            continue
        if not _is_inline(part, index, multipart_type):
            lists.attachments.append(part)
            if multipart_type == "related" and index > 0:
                lists.embedded.add(id(part))
            continue
        if multipart_type == "alternative":
            target = {"text/plain": text_body, "text/html": html_body}.get(part.type)
            (target if target is not None else lists.attachments).append(part)
            continue
        if in_alternative:
            if part.type == "text/plain":
                html_body = None
            if part.type == "text/html":
                text_body = None
        if text_body is not None:
            text_body.append(part)
        if html_body is not None:
            html_body.append(part)
        if (text_body is None or html_body is None) and _inline_media(part.type):
            lists.attachments.append(part)
    if multipart_type == "alternative" and text_body is not None and html_body is not None:
        if text_length == len(text_body) and html_length != len(html_body):
            text_body.extend(html_body[html_length:])  # found an HTML part only
        if html_length == len(html_body) and text_length != len(text_body):
            html_body.extend(text_body[text_length:])  # found a plain text part only


def classify(root: Part) -> BodyLists:
    """Decompose `root` into textBody, htmlBody and attachments (RFC 8621 §4.1.4)."""
    lists = BodyLists()
    _walk([root], "mixed", False, (lists.html, lists.text), lists)
    return lists


def has_attachment(lists: BodyLists) -> bool:
    """RFC 8621 §4.1.4 hasAttachment: an attachment not marked ``inline``.

    As the RFC allows, images embedded in an HTML body through multipart/related and signature
    parts that a client verifies automatically do not count.
    """
    return any(
        part.disposition != "inline"
        and part.type not in _AUTOMATIC
        and not (id(part) in lists.embedded and part.disposition is None and part.cid)
        for part in lists.attachments
    )
