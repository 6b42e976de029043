"""Preview and search text (RFC 8621 §4.1.4 `preview`, §4.4.1 `body`/`text` filters)."""

from __future__ import annotations

from jmap_mail.mime import parse_message, search_text
from jmap_mail.mime.html_text import html_to_text

from .corpus import load


def test_preview_of_an_html_only_message_is_its_visible_text() -> None:
    """RFC 8621 §4.1.4 `preview`: plain text, scripts, styles and comments left out."""
    msg = parse_message(load("html-only.eml"))
    assert msg.preview == "Big Sale Café prices & more € 5 <today>. One Two"


def test_preview_prefers_the_plain_text_alternative_and_collapses_white_space() -> None:
    """RFC 8621 §4.1.4 `preview`: collapsing white space gives a more useful preview."""
    msg = parse_message(load("alternative.eml"))
    assert msg.preview == (
        "Hallo Bob, anbei der Quartalsbericht für Q4. Die Zahlen sind gut — sehr gut sogar. "
        "Grüße Alice"
    )


def test_preview_is_at_most_256_characters() -> None:
    """RFC 8621 §4.1.4: "This MUST NOT be more than 256 characters in length"."""
    msg = parse_message(
        b"Content-Type: text/plain; charset=utf-8\r\n\r\n" + "Ωmega ".encode() * 500
    )
    assert len(msg.preview) == 256
    assert msg.preview.startswith("Ωmega Ωmega")


def test_preview_is_empty_for_a_message_without_text() -> None:
    """RFC 8621 §4.1.4: preview is a String, so empty rather than null."""
    assert parse_message(load("pgp-encrypted.eml")).preview == ""


def test_html_to_text_keeps_text_escaped_as_entities_and_breaks_blocks() -> None:
    """The visible text of HTML: tags gone, character references decoded once."""
    markup = "<div>A &lt;b&gt; tag</div><p>x&amp;y<br>z</p><!-- gone --><script>gone()</script>"
    assert html_to_text(markup) == "\nA <b> tag\n\nx&y\nz\n"


def test_html_to_text_survives_unclosed_constructs() -> None:
    """Broken markup never raises and never loops: unclosed things run to the end."""
    assert html_to_text("text <b") == "text "
    assert html_to_text("a < b and c > d") == "a < b and c > d"
    assert html_to_text("x<!-- never closed") == "x"
    assert html_to_text("<p title='unclosed>y") == "\n"
    assert html_to_text("<head><title>t</title><body>shown") == "shown"


def test_search_text_joins_the_text_body_parts_and_honours_the_limit() -> None:
    """RFC 8621 §4.4.1: text for the body filter, HTML reduced to its text."""
    raw = load("rfc8621-example.eml")
    msg = parse_message(raw)
    assert search_text(raw, msg) == "A\nB\nD\nK"
    assert search_text(raw, msg, limit=3) == "A\nB"


def test_search_text_of_html_drops_markup_and_nul_characters() -> None:
    """RFC 8621 §4.4.1; NUL is removed because text columns refuse it."""
    raw = b"Content-Type: text/html\r\n\r\n<p>caf\x00e <b>bar</b></p>"
    assert search_text(raw, parse_message(raw)) == "\ncafe bar\n"
