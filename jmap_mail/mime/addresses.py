"""RFC 5322 §3.4 address-list parsing for the Addresses and GroupedAddresses forms.

RFC 8621 §4.1.2.3 asks for best-effort parsing "in the face of invalid structure to accommodate
invalid messages and semi-complete drafts", so this is a forgiving tokenizer plus a small state
machine rather than a strict grammar: it never fails, it only yields fewer or odder addresses.
Display names get the Text form treatment (RFC 2047 decoding, unfolding, trimming, NFC). As a
deliberate leniency, encoded-words inside a quoted display name are decoded too: RFC 2047 §5 rule 3
forbids writing them there, but widespread mailers do, and showing ``=?UTF-8?B?…?=`` as a name
helps no one.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from jmap_mail.mime.rfc2047 import ENCODED_WORD, decode_word_run, drop_controls

__all__ = ["Address", "Group", "parse_address_list"]

_SPECIALS = frozenset('()<>,;:@"[]')
_WS_SPLIT = re.compile(r"([ \t]+)")


@dataclass(frozen=True, slots=True)
class Address:
    """An EmailAddress (RFC 8621 §4.1.2.3)."""

    name: str | None
    email: str


@dataclass(slots=True)
class Group:
    """An EmailAddressGroup (RFC 8621 §4.1.2.4); `name` is None for ungrouped mailboxes."""

    name: str | None
    addresses: list[Address] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str  # ws | word | qs | comment | literal | angle | special
    text: str  # decoded content (qs, comment) or the text itself
    raw: str


def _read_quoted(value: str, pos: int) -> tuple[_Token, int]:
    """Read a quoted-string starting at the DQUOTE at `pos`; an unterminated one runs to the end."""
    out: list[str] = []
    i = pos + 1
    while i < len(value):
        char = value[i]
        if char == "\\" and i + 1 < len(value):
            out.append(value[i + 1])
            i += 2
            continue
        if char == '"':
            return _Token("qs", "".join(out), value[pos : i + 1]), i + 1
        out.append(char)
        i += 1
    return _Token("qs", "".join(out), value[pos:]), len(value)


def _read_comment(value: str, pos: int) -> tuple[_Token, int]:
    """Read a (possibly nested) comment starting at "(" at `pos`."""
    out: list[str] = []
    depth, i = 0, pos
    while i < len(value):
        char = value[i]
        if char == "\\" and i + 1 < len(value):
            out.append(value[i + 1])
            i += 2
            continue
        if char == "(":
            depth += 1
            if depth > 1:
                out.append(char)
        elif char == ")":
            depth -= 1
            if depth == 0:
                return _Token("comment", "".join(out), value[pos : i + 1]), i + 1
            out.append(char)
        else:
            out.append(char)
        i += 1
    return _Token("comment", "".join(out), value[pos:]), len(value)


def _read_delimited(value: str, pos: int, close: str, kind: str) -> tuple[_Token, int]:
    end = value.find(close, pos + 1)
    stop = len(value) if end < 0 else end + 1
    inner = value[pos + 1 : end if end >= 0 else len(value)]
    return _Token(kind, inner, value[pos:stop]), stop


def _tokenize(value: str) -> list[_Token]:
    tokens: list[_Token] = []
    i, n = 0, len(value)
    while i < n:
        char = value[i]
        if char in " \t\r\n":
            j = i
            while j < n and value[j] in " \t\r\n":
                j += 1
            tokens.append(_Token("ws", " ", value[i:j]))
            i = j
        elif char == '"':
            token, i = _read_quoted(value, i)
            tokens.append(token)
        elif char == "(":
            token, i = _read_comment(value, i)
            tokens.append(token)
        elif char == "<":
            token, i = _read_delimited(value, i, ">", "angle")
            tokens.append(token)
        elif char == "[":
            token, i = _read_delimited(value, i, "]", "literal")
            tokens.append(token)
        elif char in _SPECIALS:
            tokens.append(_Token("special", char, char))
            i += 1
        else:
            j = i
            while j < n and value[j] not in _SPECIALS and value[j] not in " \t\r\n":
                j += 1
            tokens.append(_Token("word", value[i:j], value[i:j]))
            i = j
    return tokens


def _clean_text(text: str) -> str | None:
    """Unfold, trim and NFC-normalise a name (RFC 8621 §4.1.2.3 steps 1-3); empty becomes None."""
    text = drop_controls(" ".join(text.replace("\r", " ").replace("\n", " ").split(" ")))
    text = unicodedata.normalize("NFC", text.strip(" \t"))
    return text or None


def _phrase(tokens: list[_Token]) -> str | None:
    """Decode a display-name phrase: words, quoted strings and encoded-words (RFC 2047 §5 rule 3).

    Runs of bare words are decoded as RFC 2047 §6.2 says; quoted strings are unquoted and, as a
    leniency (see the module docstring), their encoded-words decoded on their own.
    """
    out: list[str] = []
    run: list[str] = []

    def flush_run() -> None:
        text = "".join(run)
        out.append(decode_word_run(_WS_SPLIT.split(text)) if "=?" in text else text)
        run.clear()

    for token in tokens:
        if token.kind == "qs":
            flush_run()
            text = token.text
            has_word = "=?" in text and ENCODED_WORD.search(text) is not None
            out.append(decode_word_run(_WS_SPLIT.split(text)) if has_word else text)
        elif token.kind == "ws":
            run.append(" ")
        elif token.kind != "comment":
            run.append(token.raw)
    flush_run()
    return _clean_text("".join(out))


def _addr_spec(text: str) -> str:
    """An addr-spec with CFWS and obsolete routes removed; quoted local parts keep their spaces."""
    out: list[str] = []
    quoted = False
    for char in text:
        if char == '"':
            quoted = not quoted
        if quoted or char not in " \t\r\n":
            out.append(char)
    spec = "".join(out)
    if spec.startswith("@") and ":" in spec:
        spec = spec.rsplit(":", 1)[1]
    return spec


def _mailbox(buf: list[_Token]) -> Address | None:
    """Turn the tokens between two separators into one mailbox, or None if there is nothing."""
    angle_at = next((i for i, t in enumerate(buf) if t.kind == "angle"), None)
    if angle_at is not None:
        name = _phrase(_trim_ws([t for t in buf[:angle_at] if t.kind != "comment"]))
        if name is None:
            name = _comment_name(buf[angle_at + 1 :])
        return Address(name, _addr_spec(_strip_addr_comments(buf[angle_at].text)))
    spec_at = [i for i, t in enumerate(buf) if t.kind not in ("comment", "ws")]
    if not spec_at:
        return None
    spec = _trim_ws([t for t in buf[: spec_at[-1] + 1] if t.kind != "comment"])
    return Address(_comment_name(buf[spec_at[-1] + 1 :]), "".join(_spec_pieces(spec)))


def _spec_pieces(tokens: list[_Token]) -> list[str]:
    """Raw text of an addr-spec: white space dropped except one space between two bare words.

    RFC 5322 §3.4.1 allows CFWS around the dots and the "@"; a space between two words means the
    "address" is really a draft's free text, which RFC 8621 §4.1.2.3 says to keep best effort.
    """
    pieces: list[str] = []
    for i, token in enumerate(tokens):
        if token.kind != "ws":
            pieces.append(token.raw)
            continue
        prev, nxt = tokens[i - 1].raw, tokens[i + 1].raw
        if not (prev.endswith((".", "@")) or nxt.startswith((".", "@"))):
            pieces.append(" ")
    return pieces


def _strip_addr_comments(text: str) -> str:
    return "".join(t.raw for t in _tokenize(text) if t.kind != "comment")


def _comment_name(tokens: list[_Token]) -> str | None:
    for token in tokens:
        if token.kind == "comment":
            return _clean_text(decode_word_run(_WS_SPLIT.split(token.text)))
        if token.kind != "ws":
            return None
    return None


def _trim_ws(tokens: list[_Token]) -> list[_Token]:
    start, end = 0, len(tokens)
    while start < end and tokens[start].kind == "ws":
        start += 1
    while end > start and tokens[end - 1].kind == "ws":
        end -= 1
    return tokens[start:end]


def parse_address_list(value: str) -> list[Group]:
    """Parse an address-list (RFC 5322 §3.4) into groups as RFC 8621 §4.1.2.4 shapes them.

    Consecutive mailboxes outside any group share one Group with name None; a group (even an
    empty one such as ``undisclosed-recipients:;``) becomes its own Group.
    """
    groups: list[Group] = []
    buf: list[_Token] = []
    group: Group | None = None

    def target() -> Group:
        if group is not None:
            return group
        if not groups or groups[-1].name is not None:
            groups.append(Group(None))
        return groups[-1]

    def flush() -> None:
        mailbox = _mailbox(buf)
        if mailbox is not None:
            target().addresses.append(mailbox)
        buf.clear()

    for token in _tokenize(value):
        text = token.text if token.kind == "special" else ""
        if text == "," or (text == ";" and group is None):
            flush()
        elif text == ":" and group is None and _starts_group(buf):
            group = Group(_phrase(_trim_ws([t for t in buf if t.kind != "comment"])) or "")
            groups.append(group)
            buf.clear()
        elif text == ";" and group is not None:
            flush()
            group = None
        else:
            buf.append(token)
    flush()
    return [g for g in groups if g.name is not None or g.addresses]


def _starts_group(buf: list[_Token]) -> bool:
    """A ":" opens a group only after a phrase, never inside an address (RFC 5322 §3.4)."""
    if any(t.kind == "angle" or (t.kind == "special" and t.text == "@") for t in buf):
        return False
    return any(t.kind in ("word", "qs") for t in buf)
