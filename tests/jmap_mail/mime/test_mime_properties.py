"""Property tests: parsing never raises, offsets stay in bounds, the cache round-trips.

RFC 8621 §4.1.4 blobIds are computed from part offsets, so offsets out of range would break
downloads; `to_cache`/`from_cache` must be lossless because ingest stores the cache once.
"""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jmap_mail.mime import ParsedMessage, body_value, header_form, parse_message
from jmap_mail.mime.forms import FORMS
from jmap_mail.mime.model import iter_parts

from .corpus import corpus_names, load

_CORPUS = [load(name) for name in corpus_names()]
_MIME_TOKENS = [
    b"\r\n",
    b"\n",
    b"--",
    b"--b\r\n",
    b"--b--\r\n",
    b"Content-Type: multipart/mixed; boundary=b\r\n",
    b"Content-Type: message/rfc822\r\n",
    b"Content-Transfer-Encoding: base64\r\n",
    b"Content-Transfer-Encoding: quoted-printable\r\n",
    b"Content-Disposition: attachment; filename*0*=utf-8''%E2%82; filename*1*=%AC\r\n",
    b"=?utf-8?q?=E2=82?=",
    b"\x00",
    b"\xff",
    b": ",
    b" ",
]
_SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _check(raw: bytes) -> ParsedMessage:
    msg = parse_message(raw)
    ids = [p.part_id for p in iter_parts(msg.root) if p.part_id is not None]
    assert len(ids) == len(set(ids))
    for part in iter_parts(msg.root):
        assert 0 <= part.body_start <= part.body_end <= len(raw)
        assert (part.part_id is None) == part.type.startswith("multipart/")
        if part.type.startswith("text/") and part.part_id is not None:
            value = body_value(raw, part, 64)["value"]
            assert isinstance(value, str)
            assert len(value.encode("utf-8")) <= 64
    assert set(msg.text_body) | set(msg.html_body) | set(msg.attachments) <= set(ids)
    assert len(msg.preview) <= 256
    cached = json.loads(json.dumps(msg.to_cache()))
    assert ParsedMessage.from_cache(cached) == msg
    return msg


@_SETTINGS
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_parse_without_raising(raw: bytes) -> None:
    """parse_message never raises (RFC 8621 §4.1.4 leaves malformed content to us)."""
    _check(raw)


@_SETTINGS
@given(st.lists(st.sampled_from(_MIME_TOKENS) | st.binary(max_size=8), max_size=60))
def test_mime_shaped_noise_parses_without_raising(tokens: list[bytes]) -> None:
    """Noise built from MIME syntax reaches deeper code paths than random octets."""
    _check(b"Content-Type: multipart/mixed; boundary=b\r\n\r\n" + b"".join(tokens))


@_SETTINGS
@given(
    st.sampled_from(range(len(_CORPUS))),
    st.lists(
        st.tuples(st.integers(0, 10_000), st.integers(0, 8), st.binary(max_size=6)), max_size=8
    ),
)
def test_mutated_corpus_messages_parse_without_raising(
    index: int, edits: list[tuple[int, int, bytes]]
) -> None:
    """Splicing bytes into real messages keeps every invariant."""
    raw = bytearray(_CORPUS[index])
    for position, length, replacement in edits:
        at = position % (len(raw) + 1)
        raw[at : at + length] = replacement
    _check(bytes(raw))


@_SETTINGS
@given(st.text(max_size=300), st.sampled_from(FORMS))
def test_header_forms_never_raise_on_any_text(value: str, form: str) -> None:
    """RFC 8621 §4.1.2: forms are best effort or null, never an error."""
    result = header_form(value, form)
    json.dumps(result)


def test_every_corpus_message_round_trips_through_the_cache() -> None:
    """The cache is lossless for the whole corpus, headers included."""
    for raw in _CORPUS:
        _check(raw)
