"""Real-world and hostile messages through the API: ingest never fails, the raw octets are kept
byte-exact, and Email/get answers every property."""

from __future__ import annotations

import pytest

from tests.jmap_client import JmapClient
from tests.jmap_mail.email.helpers import import_raw
from tests.jmap_mail.mime.corpus import corpus_names, load

ALL_PROPERTIES = [
    "id",
    "blobId",
    "threadId",
    "mailboxIds",
    "keywords",
    "size",
    "receivedAt",
    "headers",
    "messageId",
    "inReplyTo",
    "references",
    "sender",
    "from",
    "to",
    "cc",
    "bcc",
    "replyTo",
    "subject",
    "sentAt",
    "bodyStructure",
    "bodyValues",
    "textBody",
    "htmlBody",
    "attachments",
    "hasAttachment",
    "preview",
]


def _nasty() -> dict[str, bytes]:
    boundary_bomb = b"".join(
        b"--b\r\nContent-Type: text/plain\r\n\r\npart\r\n" for _ in range(10_000)
    )
    nested = b"Content-Type: message/rfc822\r\n\r\n" * 300 + b"Subject: deep\r\n\r\nbody"
    return {
        "broken-boundary": b'Subject: x\r\nContent-Type: multipart/mixed; boundary="nope"\r\n\r\n--other\r\nhi\r\n',
        "bad-base64": b"Subject: x\r\nContent-Transfer-Encoding: base64\r\n\r\n!!!not base64@@@\r\n",
        "nul-bytes": b"Subject: a\x00b\r\nFrom: \x00@x\r\n\r\n\x00\x00body\x00",
        "huge-header": b"Subject: " + b"A" * 1_000_000 + b"\r\n\r\nbody",
        "many-parts": b'Subject: parts\r\nContent-Type: multipart/mixed; boundary="b"\r\n\r\n'
        + boundary_bomb
        + b"--b--\r\n",
        "deep-rfc822": b"Subject: outer\r\nMIME-Version: 1.0\r\n" + nested,
        "unknown-charset": b"Subject: =?x-unknown?q?abc?=\r\nContent-Type: text/plain; charset=x-bogus\r\n\r\n\xff\xfe text",
        "zeros": b"Subject: zip\r\nContent-Type: application/zip\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        + b"A" * 2_000_000,
    }


@pytest.mark.parametrize("name", corpus_names())
def test_corpus_messages_import_and_render(jmap: JmapClient, name: str) -> None:
    _check(jmap, load(name))


@pytest.mark.parametrize("name", sorted(_nasty()))
def test_hostile_messages_import_and_render(jmap: JmapClient, name: str) -> None:
    _check(jmap, _nasty()[name])


def _check(jmap: JmapClient, raw: bytes) -> None:
    created = import_raw(jmap, raw)
    email = jmap.call(
        "Email/get",
        {
            "ids": [created["id"]],
            "properties": ALL_PROPERTIES,
            "fetchAllBodyValues": True,
            "maxBodyValueBytes": 10_000,
        },
    )["list"][0]
    assert set(email) == set(ALL_PROPERTIES)
    assert email["size"] == len(raw)
    assert len(email["preview"]) <= 256
    assert jmap.download(created["blobId"]).content == raw
