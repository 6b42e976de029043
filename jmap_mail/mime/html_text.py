"""HTML to plain text for previews and full-text indexing (RFC 8621 §4.1.4 `preview`).

A single forward scan with ``str.find`` and anchored regex matches, so the work is linear in the
input however broken the markup is (an unclosed ``<script`` or comment swallows the rest, as a
browser would). Scripts, styles, the head and comments are dropped; block elements become line
breaks; character references are decoded after the tags are gone, so ``&lt;b&gt;`` stays text.
"""

from __future__ import annotations

import html
import re

__all__ = ["collapse_whitespace", "html_to_text"]

_TAG = re.compile(r"</?([A-Za-z][A-Za-z0-9:-]*)")
_SKIP = frozenset({"script", "style", "head", "title", "template", "noscript", "xml"})
_BLOCK = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "br",
        "dd",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "ul",
    ]
)
_SKIP_END = {name: re.compile(rf"</{name}\s*>", re.IGNORECASE) for name in _SKIP}
_SKIP_END["head"] = re.compile(r"</head\s*>|(?=<body[\s>])", re.IGNORECASE)
_WHITESPACE = re.compile(r"\s+")


def collapse_whitespace(text: str) -> str:
    """Collapse every white space run (line breaks included) to one space and trim."""
    return _WHITESPACE.sub(" ", text).strip()


def _tag_end(markup: str, pos: int) -> int:
    """Index just past the ">" closing the tag whose name ends at `pos`, honouring quotes."""
    n = len(markup)
    quote = ""
    i = pos
    while i < n:
        char = markup[i]
        if quote:
            end = markup.find(quote, i)
            if end < 0:
                return n
            i, quote = end + 1, ""
            continue
        if char in "\"'":
            quote = char
        elif char == ">":
            return i + 1
        elif char == "<":
            return i  # a new tag starts: the old one was never closed
        i += 1
    return n


def html_to_text(markup: str, limit: int = 0) -> str:
    """Visible text of `markup`, keeping line breaks at block boundaries.

    With `limit` > 0, stop once about `limit` characters of text have been produced.
    """
    out: list[str] = []
    produced = 0
    pos, n = 0, len(markup)
    while pos < n and (limit <= 0 or produced < limit):
        lt = markup.find("<", pos)
        if lt < 0:
            lt = n
        if lt > pos:
            chunk = html.unescape(markup[pos:lt])
            out.append(chunk)
            produced += len(chunk)
        if lt >= n:
            break
        if markup.startswith("<!--", lt):
            end = markup.find("-->", lt + 4)
            pos = n if end < 0 else end + 3
            continue
        match = _TAG.match(markup, lt)
        if match is None:
            if markup.startswith(("<!", "<?"), lt):
                end = markup.find(">", lt)
                pos = n if end < 0 else end + 1
            else:
                out.append("<")
                pos = lt + 1
            continue
        name = match.group(1).lower()
        pos = _tag_end(markup, match.end())
        closing = markup.startswith("</", lt)
        if name in _SKIP and not closing:
            found = _SKIP_END[name].search(markup, pos)
            pos = n if found is None else found.end()
        elif name in _BLOCK:
            out.append("\n")
    return "".join(out)
