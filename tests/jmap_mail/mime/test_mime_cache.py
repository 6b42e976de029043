"""The cache form stored at ingest (RFC 8621 §4.1.4 properties computed once)."""

from __future__ import annotations

import pytest

from jmap_mail.mime import ParsedMessage, find_part, parse_message


def test_to_cache_is_compact_and_omits_unset_fields() -> None:
    """Only set fields are stored; containers have no partId (RFC 8621 §4.1.4)."""
    raw = (
        b"Subject: Hi\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n"
        b"--x\r\n\r\nbody\r\n--x\r\nContent-Type: image/png; name=a.png\r\n"
        b"Content-Disposition: attachment\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        b"AAAA\r\n--x--\r\n"
    )
    body = raw.index(b"--x")
    text = raw.index(b"body")
    image = raw.index(b"AAAA")
    assert parse_message(raw).to_cache() == {
        "v": 1,
        "size": len(raw),
        "root": {
            "h": [["Subject", " Hi"], ["Content-Type", " multipart/mixed; boundary=x"]],
            "t": "multipart/mixed",
            "enc": "7bit",
            "bs": body,
            "be": len(raw),
            "sz": len(raw) - body,
            "sub": [
                {
                    "h": [],
                    "t": "text/plain",
                    "enc": "7bit",
                    "bs": text,
                    "be": text + 4,
                    "sz": 4,
                    "id": "1",
                    "cs": "us-ascii",
                },
                {
                    "h": [
                        ["Content-Type", " image/png; name=a.png"],
                        ["Content-Disposition", " attachment"],
                        ["Content-Transfer-Encoding", " base64"],
                    ],
                    "t": "image/png",
                    "enc": "base64",
                    "bs": image,
                    "be": image + 4,
                    "sz": 3,
                    "id": "2",
                    "n": "a.png",
                    "d": "attachment",
                },
            ],
        },
        "text": ["1"],
        "html": ["1"],
        "att": ["2"],
        "hasAtt": True,
        "preview": "body",
    }


def test_from_cache_rebuilds_an_equal_message_sharing_root_headers() -> None:
    """The message header fields are the root part's (RFC 8621 §4.1.3-§4.1.4)."""
    msg = parse_message(b"From: a@b\r\nContent-Type: text/html\r\n\r\n<p>x</p>")
    again = ParsedMessage.from_cache(msg.to_cache())
    assert again == msg
    assert again.headers is again.root.headers
    assert find_part(again.root, "1") is again.root
    assert again.part("1") is again.root
    assert again.part("2") is None


def test_from_cache_refuses_another_cache_version() -> None:
    """A format change must be noticed, not misread."""
    data = parse_message(b"\r\nx").to_cache()
    data["v"] = 99
    with pytest.raises(ValueError, match="unsupported MIME cache version 99"):
        ParsedMessage.from_cache(data)
