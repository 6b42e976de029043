"""SearchSnippet/get (RFC 8621 §5): matched terms of a search, highlighted with <mark>.

PostgreSQL's ts_headline finds the matches with the same stemming as the search itself; it marks
them with control characters that cannot occur in the text, and the result is HTML-escaped here
before they become <mark> tags, so message content can never inject markup.
"""

from __future__ import annotations

import html

from django.conf import settings
from django.db import connection

from jmap_core import limits
from jmap_core.args import ArgReader
from jmap_core.context import CallContext
from jmap_core.errors import RequestTooLarge
from jmap_core.registry import method
from jmap_core.standard import build_filter
from jmap_core.types import JSONObject, JSONValue
from jmap_mail import mime
from jmap_mail.capabilities import MAIL
from jmap_mail.email.type import EMAIL_TYPE
from jmap_mail.models import Email

_START, _STOP = "\x01", "\x02"
# ts_headline's parser skips what looks like markup; hide < > & behind control characters.
_HIDE = str.maketrans(
    {"<": "\x03", ">": "\x04", "&": "\x05", **dict.fromkeys("\x00\x01\x02\x03\x04\x05", " ")}
)
_SHOW = {"\x03": "&lt;", "\x04": "&gt;", "\x05": "&amp;"}
PREVIEW_OCTETS = 255


def _terms(flt: JSONValue, keys: tuple[str, ...], negated: bool = False) -> list[str]:
    """Search words of ``flt`` under ``keys``, skipping what sits under NOT (nothing matched)."""
    if not isinstance(flt, dict):
        return []
    if "operator" in flt:
        conditions = flt.get("conditions")
        inner_negated = negated or flt.get("operator") == "NOT"
        return (
            [t for c in conditions or [] for t in _terms(c, keys, inner_negated)]
            if isinstance(conditions, list)
            else []
        )
    if negated:
        return []
    return [str(flt[k]) for k in keys if isinstance(flt.get(k), str)]


def _headline(text: str, terms: list[str], *, fragment: bool) -> str | None:
    if not text or not terms:
        return None
    options = f"StartSel={_START}, StopSel={_STOP}, HighlightAll={'false' if fragment else 'true'}"
    if fragment:
        options += ', MaxWords=25, MinWords=8, MaxFragments=2, FragmentDelimiter=" … "'
    query = " OR ".join(terms)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT ts_headline(%s::regconfig, %s, websearch_to_tsquery(%s::regconfig, %s), %s)",
            [
                settings.MAILYARD_SEARCH_CONFIG,
                text.translate(_HIDE),
                settings.MAILYARD_SEARCH_CONFIG,
                query,
                options,
            ],
        )
        marked = str(cursor.fetchone()[0])
    if _START not in marked:
        return None
    return _to_html(marked, PREVIEW_OCTETS if fragment else 0)


def _to_html(marked: str, max_octets: int) -> str:
    """Escape, turn the markers into <mark> tags, and stay within ``max_octets`` (0: no limit)."""
    out: list[str] = []
    size = 0
    inside = False
    for char in " ".join(marked.split()):
        if char in (_START, _STOP):
            inside = char == _START
            piece = "<mark>" if inside else "</mark>"
        else:
            piece = _SHOW.get(char) or html.escape(char, quote=False)
        closing = len("</mark>") if inside or piece == "<mark>" else 0
        if max_octets and size + len(piece.encode()) + closing > max_octets:
            break
        out.append(piece)
        size += len(piece.encode())
    text = "".join(out)
    if text.count("<mark>") > text.count("</mark>"):
        text += "</mark>"
    return text


@method("SearchSnippet/get", capability=MAIL)
def snippet_get(ctx: CallContext, arguments: JSONObject) -> JSONObject:
    """RFC 8621 §5.1."""
    reader = ArgReader(arguments, ("accountId", "filter", "emailIds"))
    email_ids = reader.ids("emailIds", required=True) or []
    flt = arguments.get("filter")
    reader.done()
    if len(email_ids) > limits.get("maxObjectsInGet"):
        raise RequestTooLarge("too many emailIds")
    build_filter(EMAIL_TYPE, ctx, flt)  # the same filter validation as Email/query
    subject_terms = _terms(flt, ("text", "subject"))
    body_terms = _terms(flt, ("text", "body"))
    wanted = [str(ctx.resolve_id(i)) for i in dict.fromkeys(email_ids)]
    emails = {
        e.jmap_id: e
        for e in Email.objects.filter(account=ctx.account, jmap_id__in=wanted).select_related(
            "blob"
        )
    }
    snippets: list[JSONValue] = []
    for email_id in wanted:
        email = emails.get(email_id)
        if email is None:
            continue
        snippets.append(
            {
                "emailId": email_id,
                "subject": _headline(email.subject, subject_terms, fragment=False),
                "preview": _headline(_body_text(email), body_terms, fragment=True)
                if body_terms
                else None,
            }
        )
    return {
        "accountId": ctx.account.jmap_id,
        "list": snippets,
        "notFound": [i for i in wanted if i not in emails],
    }


def _body_text(email: Email) -> str:
    from jmap_core import blobs

    raw = blobs.read_content(email.blob)
    return mime.search_text(raw, mime.ParsedMessage.from_cache(email.parsed), 100_000)
