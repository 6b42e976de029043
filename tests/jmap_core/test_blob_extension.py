"""The JMAP blob management extension (RFC 9404): capability, Blob/upload, Blob/get, Blob/lookup."""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest
from django.utils import timezone

from accounts.models import Account
from jmap_core import blobs
from jmap_core.models import BlobRef
from tests.factories import make_token, message
from tests.jmap_client import CORE, MAIL, JmapClient
from tests.jmap_mail.email.helpers import import_raw, role

BLOB = "urn:ietf:params:jmap:blob"
FOX = "The quick brown fox jumped over the lazy dog."
# RFC 9404 §4.2.2: "The quick brown fox jumped over the \x81\x81 dog.", not UTF-8.
BAD_FOX = "VGhlIHF1aWNrIGJyb3duIGZveCBqdW1wZWQgb3ZlciB0aGUggYEgZG9nLg=="
# RFC 9404 §4.1.1: a one-pixel PNG of 95 octets.
PNG = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABAQMAAAAl21bKAAAAA1BMVEX/AAAZ4gk3AAAAAXRSTlN/gFy0ywAAAApJRE"
    "FUeJxjYgAAAAYAAzY3fKgAAAAASUVORK5CYII="
)
WITH_ATTACHMENT = (
    b"From: alice@example.com\r\nTo: bob@example.com\r\nSubject: Menu\r\n"
    b"Message-ID: <menu@example.com>\r\nMIME-Version: 1.0\r\n"
    b'Content-Type: multipart/mixed; boundary="x"\r\n\r\n'
    b"--x\r\nContent-Type: text/plain\r\n\r\nSee the menu.\r\n"
    b"--x\r\nContent-Type: application/pdf\r\n"
    b'Content-Disposition: attachment; filename="menu.pdf"\r\n'
    b"Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n--x--\r\n"
)


@pytest.fixture
def jmap(jmap: JmapClient) -> JmapClient:
    jmap.using = [CORE, MAIL, BLOB]
    return jmap


@pytest.fixture
def other_jmap(other_jmap: JmapClient) -> JmapClient:
    other_jmap.using = [CORE, MAIL, BLOB]
    return other_jmap


def upload(jmap: JmapClient, *sources: dict[str, Any], type_: str | None = None) -> Any:
    """One Blob/upload creation that must succeed; its created object."""
    item: dict[str, Any] = {"data": list(sources)}
    if type_ is not None:
        item["type"] = type_
    result = jmap.call("Blob/upload", {"create": {"new": item}})
    assert result["notCreated"] is None, result
    return result["created"]["new"]


def not_created(jmap: JmapClient, item: Any) -> Any:
    """One Blob/upload creation that must fail; its SetError."""
    result = jmap.call("Blob/upload", {"create": {"new": item}})
    assert result["created"] is None, result
    return result["notCreated"]["new"]


def blob_get(jmap: JmapClient, ids: list[str], **args: Any) -> Any:
    return jmap.call("Blob/get", {"ids": ids, **args})


def invocation(jmap: JmapClient, name: str, call_id: str, **args: Any) -> list[Any]:
    """A [name, arguments, call id] triple in ``jmap``'s account, for multi-call requests."""
    return [name, {"accountId": jmap.account_id, **args}, call_id]


def texts(**sources: str) -> dict[str, Any]:
    """A Blob/upload ``create`` map: each creation id to one data:asText source."""
    return {cid: {"data": [{"data:asText": text}]} for cid, text in sources.items()}


# ----- the capability (RFC 9404 §3.1) ----------------------------------------------------------


def test_the_session_advertises_the_capability_and_its_account_limits(jmap: JmapClient) -> None:
    """RFC 9404 §3.1: an empty object in the session, the limits on the account."""
    session = jmap.session()
    assert session["capabilities"][BLOB] == {}
    assert session["accounts"][jmap.account_id]["accountCapabilities"][BLOB] == {
        "maxSizeBlobSet": 50_000_000,
        "maxDataSources": 64,
        "supportedTypeNames": ["Mailbox", "Thread", "Email"],
        "supportedDigestAlgorithms": ["sha-256", "sha"],
    }
    assert session["primaryAccounts"][BLOB] == jmap.account_id


def test_max_size_blob_set_is_the_upload_limit(jmap: JmapClient, settings: Any) -> None:
    """RFC 9404 §4.1: Blob/upload is restricted by the upload size limit."""
    settings.JMAP_LIMITS = {"maxSizeUpload": 1234}
    caps = jmap.session()["accounts"][jmap.account_id]["accountCapabilities"]
    assert caps[BLOB]["maxSizeBlobSet"] == 1234


def test_the_methods_need_the_capability_in_using(jmap: JmapClient) -> None:
    """RFC 9404 §4: the methods are selected by urn:ietf:params:jmap:blob."""
    for name in ("Blob/upload", "Blob/get", "Blob/lookup"):
        assert jmap.call_error(name, {}, using=[CORE, MAIL]) == "unknownMethod"


# ----- Blob/upload (RFC 9404 §4.1) -------------------------------------------------------------


def test_upload_from_text_answers_like_the_upload_endpoint(jmap: JmapClient) -> None:
    """RFC 9404 §4.1: id, type and size, plus the upload endpoint's members."""
    created = upload(jmap, {"data:asText": FOX})
    endpoint = jmap.upload(FOX.encode()).json()
    assert created == {"id": endpoint["blobId"], **endpoint}
    assert created["size"] == 45
    assert created["type"] == "application/octet-stream"
    assert jmap.download(created["id"]).content == FOX.encode()


def test_upload_from_base64_keeps_the_given_type(jmap: JmapClient) -> None:
    """RFC 9404 §4.1.1."""
    created = upload(jmap, {"data:asBase64": PNG}, type_="image/png")
    assert (created["type"], created["size"]) == ("image/png", 95)
    download = jmap.download(created["id"], "pixel.png", "image/png")
    assert download.content.startswith(b"\x89PNG")


def test_base64_without_padding_is_accepted(jmap: JmapClient) -> None:
    assert upload(jmap, {"data:asBase64": "YXQ"})["size"] == 2


def test_no_data_sources_make_an_empty_blob(jmap: JmapClient) -> None:
    """RFC 9404 §4.1: zero sources create an empty blob."""
    created = upload(jmap)
    assert created["size"] == 0
    assert blob_get(jmap, [created["id"]])["list"] == [
        {"id": created["id"], "data:asText": "", "size": 0}
    ]


def test_sources_concatenate_ranges_of_blobs_created_earlier(jmap: JmapClient) -> None:
    """RFC 9404 §4.1.2, the complex example: #creationIds from an earlier call."""
    cat = {
        "data": [
            {"data:asText": "How"},
            {"blobId": "#b4", "length": 7, "offset": 3},
            {"data:asText": "was t"},
            {"blobId": "#b4", "length": 1, "offset": 1},
            {"data:asBase64": "YXQ/"},
        ]
    }
    result = jmap.request(
        [
            invocation(jmap, "Blob/upload", "S4", create=texts(b4=FOX)),
            invocation(jmap, "Blob/upload", "CAT", create={"cat": cat}),
            invocation(jmap, "Blob/get", "G4", properties=["data:asText", "size"], ids=["#cat"]),
        ]
    )
    cat = result.sentence(1)[1]["created"]["cat"]
    assert result.sentence(2) == [
        "Blob/get",
        {
            "accountId": jmap.account_id,
            "list": [{"id": cat["id"], "data:asText": "How quick was that?", "size": 19}],
            "notFound": [],
        },
        "G4",
    ]


def test_a_creation_may_use_another_of_the_same_call(jmap: JmapClient) -> None:
    """RFC 8620 §5.3: creations are ordered so that references resolve, whatever the map order."""
    result = jmap.call(
        "Blob/upload",
        {
            "create": {
                "second": {"data": [{"blobId": "#first", "offset": 4}]},
                "first": {"data": [{"data:asText": "abcdefgh"}]},
            }
        },
    )
    assert result["notCreated"] is None
    second = result["created"]["second"]["id"]
    assert blob_get(jmap, [second])["list"][0]["data:asText"] == "efgh"


def test_a_range_may_start_at_the_end_and_be_empty(jmap: JmapClient) -> None:
    """RFC 9404 §4.1: offset and length MAY be zero."""
    source = upload(jmap, {"data:asText": "abc"})["id"]
    created = upload(
        jmap, {"blobId": source, "offset": 3}, {"blobId": source, "offset": 0, "length": 0}
    )
    assert created["size"] == 0


def test_upload_creation_ids_serve_email_import_in_the_same_request(jmap: JmapClient) -> None:
    """RFC 9404 §4.1: each blobId goes into createdIds, even when the client sent none."""
    raw = message("Inline")
    inbox = role(jmap, "inbox")
    item = {"blobId": "#raw", "mailboxIds": {inbox: True}}
    result = jmap.request(
        [
            invocation(jmap, "Blob/upload", "u", create=texts(raw=raw.decode())),
            invocation(jmap, "Email/import", "i", emails={"e": item}),
        ]
    )
    blob_id = result.sentence(0)[1]["created"]["raw"]["id"]
    imported = result.sentence(1)[1]
    assert imported["notCreated"] is None
    assert imported["created"]["e"]["blobId"] == blob_id
    assert "createdIds" not in result.json
    email_id = imported["created"]["e"]["id"]
    email = jmap.call("Email/get", {"ids": [email_id], "properties": ["subject"]})
    assert email["list"][0]["subject"] == "Inline"


def test_upload_creation_ids_serve_email_set_attachments(jmap: JmapClient) -> None:
    """RFC 9404 §4.1: a blob created inline can be attached by its creation id."""
    draft = {
        "mailboxIds": {role(jmap, "drafts"): True},
        "attachments": [{"blobId": "#pdf", "type": "application/pdf", "name": "a.pdf"}],
    }
    result = jmap.request(
        [
            invocation(jmap, "Blob/upload", "u", create=texts(pdf="%PDF-1.4")),
            invocation(jmap, "Email/set", "s", create={"d": draft}),
        ],
        createdIds={},
    )
    created = result.sentence(1)[1]["created"]["d"]
    assert result.json["createdIds"] == {
        "pdf": result.sentence(0)[1]["created"]["pdf"]["id"],
        "d": created["id"],
    }
    got = jmap.call("Email/get", {"ids": [created["id"]], "properties": ["attachments"]})
    assert jmap.download(got["list"][0]["attachments"][0]["blobId"]).content == b"%PDF-1.4"


@pytest.mark.parametrize(
    ("item", "properties"),
    [
        ("not an object", []),
        ({"data": [], "colour": "red"}, ["colour"]),
        ({}, ["data"]),
        ({"data": {"data:asText": "x"}}, ["data"]),
        ({"data": [], "type": 7}, ["type"]),
        ({"data": ["x"]}, ["data"]),
        ({"data": [{}]}, ["data"]),
        ({"data": [{"data:asText": "a", "data:asBase64": "YQ=="}]}, ["data"]),
        ({"data": [{"data:asText": "a", "blobId": "b" + "0" * 64}]}, ["data"]),
        ({"data": [{"data:asText": "a", "offset": 0}]}, ["data"]),
        ({"data": [{"data:asText": 5}]}, ["data"]),
        ({"data": [{"data:asText": "a", "extra": 1}]}, ["data"]),
        ({"data": [{"data:asBase64": "no base64!"}]}, ["data"]),
        ({"data": [{"data:asBase64": "YQ=\n="}]}, ["data"]),
        ({"data": [{"blobId": "#src", "offset": -1}]}, ["data"]),
        ({"data": [{"blobId": "#src", "length": 1.5}]}, ["data"]),
        ({"data": [{"blobId": "#src", "offset": 4}]}, ["data"]),
        ({"data": [{"blobId": "#src", "offset": 1, "length": 3}]}, ["data"]),
        ({"data": [{"data:asText": "a"}] * 65}, ["data"]),
    ],
)
def test_invalid_upload_objects_are_not_created(
    jmap: JmapClient, item: Any, properties: list[str]
) -> None:
    """RFC 9404 §4.1: bad sources, bad base64, unsatisfiable ranges, more than maxDataSources;
    the server MUST NOT guess."""
    result = jmap.request(
        [
            invocation(jmap, "Blob/upload", "a", create=texts(src="abc")),
            invocation(jmap, "Blob/upload", "b", create={"new": item}),
        ]
    )
    error = result.sentence(1)[1]["notCreated"]["new"]
    assert (error["type"], error["properties"]) == ("invalidProperties", properties)


def test_invalid_utf8_in_text_is_not_created(jmap: JmapClient) -> None:
    """RFC 9404 §4.1: invalid UTF-8 in data:asText (a lone surrogate escape) is refused."""
    create = '{"new": {"data": [{"data:asText": "\\ud800"}]}}'
    body = (
        f'{{"using": {json.dumps(jmap.using)}, "methodCalls": [["Blob/upload", '
        f'{{"accountId": "{jmap.account_id}", "create": {create}}}, "c"]]}}'
    )
    response = jmap.post(None, raw=body.encode()).sentence(0)[1]
    assert response["notCreated"]["new"]["type"] == "invalidProperties"


def test_a_missing_source_blob_is_blob_not_found(jmap: JmapClient) -> None:
    """RFC 9404 §4.1: an invalid reference rejects the creation."""
    missing = "b" + "0" * 64
    error = not_created(jmap, {"data": [{"blobId": missing}]})
    assert error == {
        "type": "blobNotFound",
        "description": f"no blob {missing}",
        "notFound": [missing],
    }
    assert not_created(jmap, {"data": [{"blobId": "#nope"}]})["notFound"] == ["#nope"]


def test_another_accounts_blob_is_not_a_source(jmap: JmapClient, other_jmap: JmapClient) -> None:
    """RFC 8620 §6.1: a blob is reachable only from the account that holds it."""
    theirs = other_jmap.upload(b"secret").json()["blobId"]
    assert not_created(jmap, {"data": [{"blobId": theirs}]})["type"] == "blobNotFound"


def test_one_bad_creation_leaves_the_others(jmap: JmapClient) -> None:
    """RFC 9404 §4.1: like Foo/set, each creation succeeds or fails alone."""
    result = jmap.call(
        "Blob/upload",
        {"create": {"ok": {"data": [{"data:asText": "fine"}]}, "bad": {"data": [{}]}}},
    )
    assert set(result["created"]) == {"ok"}
    assert set(result["notCreated"]) == {"bad"}
    assert "oldState" not in result
    assert "newState" not in result


def test_a_blob_over_max_size_blob_set_is_too_large(jmap: JmapClient, settings: Any) -> None:
    """RFC 9404 §3.1 maxSizeBlobSet, concatenation included."""
    settings.JMAP_LIMITS = {"maxSizeUpload": 10}
    assert upload(jmap, {"data:asText": "0123456789"})["size"] == 10
    error = not_created(jmap, {"data": [{"data:asText": "012345"}, {"data:asText": "6789A"}]})
    assert error["type"] == "tooLarge"


def test_a_blob_over_the_quota_is_over_quota(jmap: JmapClient) -> None:
    """RFC 8620 §5.3 overQuota: inline blobs count against storage like uploads."""
    Account.objects.filter(pk=jmap.account.pk).update(storage_quota=5)
    assert not_created(jmap, {"data": [{"data:asText": "123456"}]})["type"] == "overQuota"
    upload(jmap, {"data:asText": "12345"})
    assert Account.objects.get(pk=jmap.account.pk).storage_used == 5


def test_inline_blobs_expire_like_uploads(jmap: JmapClient) -> None:
    """RFC 9404 §4.1: the same lifetime and expiry as RFC 8620 §6 uploads."""
    blob_id = upload(jmap, {"data:asText": "temporary"})["id"]
    ref = BlobRef.objects.get(account=jmap.account, content__sha256=blob_id[1:])
    assert ref.expires_at is not None
    assert ref.expires_at > timezone.now() + datetime.timedelta(hours=1)
    assert blobs.purge_expired(timezone.now() + datetime.timedelta(days=2)) == 1
    assert blob_get(jmap, [blob_id])["notFound"] == [blob_id]


def test_upload_arguments_are_checked(jmap: JmapClient, settings: Any) -> None:
    """RFC 8620 §3.6.2 invalidArguments, §5.3 requestTooLarge over maxObjectsInSet."""
    assert jmap.call_error("Blob/upload", {}) == "invalidArguments"
    assert jmap.call_error("Blob/upload", {"create": []}) == "invalidArguments"
    assert jmap.call_error("Blob/upload", {"create": {"a/b": {"data": []}}}) == "invalidArguments"
    assert jmap.call_error("Blob/upload", {"create": {}, "destroy": []}) == "invalidArguments"
    settings.JMAP_LIMITS = {"maxObjectsInSet": 1}
    two: dict[str, Any] = {"a": {"data": []}, "b": {"data": []}}
    assert jmap.call_error("Blob/upload", {"create": two}) == "requestTooLarge"


def test_upload_is_refused_on_another_or_a_read_only_account(
    jmap: JmapClient, other_jmap: JmapClient
) -> None:
    """RFC 8620 §3.6.2 accountNotFound, accountReadOnly."""
    create: dict[str, Any] = {"create": {"x": {"data": []}}}
    assert jmap.call_error("Blob/upload", {"accountId": other_jmap.account_id, **create}) == (
        "accountNotFound"
    )
    reader = JmapClient(jmap.account, token=make_token(jmap.account, read_only=True))
    reader.using = jmap.using
    assert reader.call_error("Blob/upload", create) == "accountReadOnly"


def test_a_token_without_the_capability_cannot_use_it(jmap: JmapClient) -> None:
    """RFC 8620 §3.6.1: a capability the credential may not use is unknownCapability."""
    limited = JmapClient(jmap.account, token=make_token(jmap.account, capabilities=[MAIL]))
    assert BLOB not in limited.session()["capabilities"]
    result = limited.request([invocation(jmap, "Blob/get", "c", ids=[])], using=[CORE, BLOB])
    assert result.status == 400
    assert result.json["type"] == "urn:ietf:params:jmap:error:unknownCapability"


# ----- Blob/get (RFC 9404 §4.2) ----------------------------------------------------------------


def test_get_text_digests_and_size(jmap: JmapClient) -> None:
    """RFC 9404 §4.2.1, the simple example."""
    blob_id = upload(jmap, {"data:asText": FOX})["id"]
    props = ["data:asText", "digest:sha", "size"]
    assert blob_get(jmap, [blob_id, "not-a-blob"], properties=props) == {
        "accountId": jmap.account_id,
        "list": [
            {
                "id": blob_id,
                "data:asText": FOX,
                "digest:sha": "wIVPufsDxBzOOALLDSIFKebu+U4=",
                "size": 45,
            }
        ],
        "notFound": ["not-a-blob"],
    }
    ranged = blob_get(jmap, [blob_id], properties=[*props, "digest:sha-256"], offset=4, length=9)
    assert ranged["list"] == [
        {
            "id": blob_id,
            "data:asText": "quick bro",
            "digest:sha": "QiRAPtfyX8K6tm1iOAtZ87Xj3Ww=",
            "digest:sha-256": "gdg9INW7lwHK6OQ9u0dwDz2ZY/gubi0En0xlFpKt0OA=",
            "size": 45,
        }
    ]


def test_get_ranges_and_encoding_problems(jmap: JmapClient) -> None:
    """RFC 9404 §4.2.2, the example with range and encoding errors (G1 to G5)."""
    create = {
        "b1": {"data": [{"data:asBase64": BAD_FOX}]},
        "b2": {"data": [{"data:asText": "hello world"}], "type": "text/plain"},
    }
    ids = ["#b1", "#b2"]
    result = jmap.request(
        [
            invocation(jmap, "Blob/upload", "S1", create=create),
            invocation(jmap, "Blob/get", "G1", ids=ids),
            invocation(jmap, "Blob/get", "G2", ids=ids, properties=["data:asText", "size"]),
            invocation(jmap, "Blob/get", "G3", ids=ids, properties=["data:asBase64", "size"]),
            invocation(jmap, "Blob/get", "G4", ids=ids, offset=0, length=5),
            invocation(jmap, "Blob/get", "G5", ids=ids, offset=20, length=100),
        ]
    )
    created = result.sentence(0)[1]["created"]
    b1, b2 = created["b1"]["id"], created["b2"]["id"]
    assert (created["b1"]["size"], created["b2"]["size"]) == (43, 11)
    assert created["b2"]["type"] == "text/plain"
    lists = {call_id: args["list"] for _, args, call_id in result.triples()[1:]}
    assert lists == {
        "G1": [
            {"id": b1, "isEncodingProblem": True, "data:asBase64": BAD_FOX, "size": 43},
            {"id": b2, "data:asText": "hello world", "size": 11},
        ],
        # The RFC text rules over its example: data:asText is there, and null (§4.2).
        "G2": [
            {"id": b1, "isEncodingProblem": True, "data:asText": None, "size": 43},
            {"id": b2, "data:asText": "hello world", "size": 11},
        ],
        "G3": [
            {"id": b1, "data:asBase64": BAD_FOX, "size": 43},
            {"id": b2, "data:asBase64": "aGVsbG8gd29ybGQ=", "size": 11},
        ],
        "G4": [
            {"id": b1, "data:asText": "The q", "size": 43},
            {"id": b2, "data:asText": "hello", "size": 11},
        ],
        "G5": [
            {
                "id": b1,
                "isTruncated": True,
                "isEncodingProblem": True,
                "data:asBase64": "anVtcGVkIG92ZXIgdGhlIIGBIGRvZy4=",
                "size": 43,
            },
            {"id": b2, "isTruncated": True, "data:asText": "", "size": 11},
        ],
    }


def test_truncation_without_a_length_only_past_the_end(jmap: JmapClient) -> None:
    """RFC 9404 §4.2: a null length is unbounded, but an offset past the end truncates."""
    blob_id = upload(jmap, {"data:asText": "abc"})["id"]
    assert blob_get(jmap, [blob_id], offset=3)["list"] == [
        {"id": blob_id, "data:asText": "", "size": 3}
    ]
    assert blob_get(jmap, [blob_id], offset=4)["list"] == [
        {"id": blob_id, "isTruncated": True, "data:asText": "", "size": 3}
    ]
    assert blob_get(jmap, [blob_id], offset=1, length=2)["list"] == [
        {"id": blob_id, "data:asText": "bc", "size": 3}
    ]


def test_get_size_alone_reports_truncation_too(jmap: JmapClient) -> None:
    """RFC 9404 §4.2: size is of the whole blob, whatever the range."""
    blob_id = upload(jmap, {"data:asText": "abc"})["id"]
    assert blob_get(jmap, [blob_id], properties=["size"], offset=2, length=5)["list"] == [
        {"id": blob_id, "isTruncated": True, "size": 3}
    ]
    assert blob_get(jmap, [blob_id], properties=["id"])["list"] == [{"id": blob_id}]


def test_a_range_cut_inside_a_character_is_an_encoding_problem(jmap: JmapClient) -> None:
    """RFC 9404 §4.2: truncating in the middle of a multi-octet sequence."""
    blob_id = upload(jmap, {"data:asText": "é"})["id"]
    assert blob_get(jmap, [blob_id], length=1, properties=["data", "digest:sha-256"])["list"] == [
        {
            "id": blob_id,
            "isEncodingProblem": True,
            "data:asBase64": "ww==",
            "digest:sha-256": "rj9GGbBBPXDTAEuRMcN1IVMHTkVyW+E7mhSJeIleNZ4=",
        }
    ]


def test_get_reads_message_and_part_blobs(jmap: JmapClient) -> None:
    """RFC 9404 §4.2 over RFC 8621 §4.1.4: any blobId the account can download."""
    created = import_raw(jmap, WITH_ATTACHMENT)
    email = jmap.call("Email/get", {"ids": [created["id"]], "properties": ["attachments"]})
    part = email["list"][0]["attachments"][0]["blobId"]
    found = blob_get(jmap, [created["blobId"], part], properties=["data:asBase64", "size"])
    assert found["list"][1] == {"id": part, "data:asBase64": "JVBERi0xLjQK", "size": 9}
    assert found["list"][0]["size"] == len(WITH_ATTACHMENT)


def test_another_accounts_blob_is_not_found(jmap: JmapClient, other_jmap: JmapClient) -> None:
    """RFC 8620 §6.1: every endpoint is tried across the tenant boundary."""
    theirs = upload(other_jmap, {"data:asText": "secret"})["id"]
    assert blob_get(jmap, [theirs])["notFound"] == [theirs]
    assert blob_get(jmap, [theirs], properties=["size"])["notFound"] == [theirs]
    args = {"accountId": other_jmap.account_id, "ids": [theirs]}
    assert jmap.call_error("Blob/get", args) == "accountNotFound"


def test_get_arguments_are_checked(jmap: JmapClient, settings: Any) -> None:
    """RFC 8620 §5.1: unknown properties, no listing of every blob, maxObjectsInGet."""
    for args in (
        {"ids": ["x"], "properties": ["digest:md5"]},
        {"ids": ["x"], "properties": ["name"]},
        {"ids": None},
        {"ids": ["x"], "offset": -1},
        {"ids": ["x"], "length": "5"},
    ):
        assert jmap.call_error("Blob/get", args) == "invalidArguments", args
    settings.JMAP_LIMITS = {"maxObjectsInGet": 1}
    assert jmap.call_error("Blob/get", {"ids": ["a", "b"]}) == "requestTooLarge"


# ----- Blob/lookup (RFC 9404 §4.3) -------------------------------------------------------------


def lookup(jmap: JmapClient, ids: list[str], types: list[str] | None = None) -> Any:
    names = types if types is not None else ["Mailbox", "Thread", "Email"]
    return jmap.call("Blob/lookup", {"typeNames": names, "ids": ids})


def test_lookup_finds_the_email_its_thread_and_its_mailboxes(jmap: JmapClient) -> None:
    """RFC 9404 §4.3: an email and whatever contains it reference its blobs."""
    inbox, archive = role(jmap, "inbox"), role(jmap, "archive")
    created = import_raw(jmap, WITH_ATTACHMENT)
    jmap.call("Email/set", {"update": {created["id"]: {f"mailboxIds/{archive}": True}}})
    email = jmap.call("Email/get", {"ids": [created["id"]], "properties": ["attachments"]})
    part = email["list"][0]["attachments"][0]["blobId"]
    matched = {
        "Mailbox": sorted([inbox, archive]),
        "Thread": [created["threadId"]],
        "Email": [created["id"]],
    }
    assert lookup(jmap, [created["blobId"], part, "not-a-blob"]) == {
        "accountId": jmap.account_id,
        "list": [
            {"id": created["blobId"], "matchedIds": matched},
            {"id": part, "matchedIds": matched},
        ],
        "notFound": ["not-a-blob"],
    }


def test_lookup_lists_only_the_requested_types(jmap: JmapClient) -> None:
    created = import_raw(jmap, message())
    assert lookup(jmap, [created["blobId"]], ["Email"])["list"] == [
        {"id": created["blobId"], "matchedIds": {"Email": [created["id"]]}}
    ]
    assert lookup(jmap, [created["blobId"]], [])["list"] == [
        {"id": created["blobId"], "matchedIds": {}}
    ]


def test_lookup_finds_every_email_of_a_shared_blob(jmap: JmapClient) -> None:
    raw = message("Twice")
    first, second = import_raw(jmap, raw), import_raw(jmap, raw, mailbox="archive")
    matched = lookup(jmap, [first["blobId"]])["list"][0]["matchedIds"]
    assert matched["Email"] == sorted([first["id"], second["id"]])
    assert matched["Mailbox"] == sorted([role(jmap, "inbox"), role(jmap, "archive")])


def test_unreferenced_and_unseen_blobs_match_nothing(
    jmap: JmapClient, other_jmap: JmapClient
) -> None:
    """RFC 9404 §4.3, §5: an empty list per type, so another account's blob looks missing."""
    mine = upload(jmap, {"data:asText": "nobody uses me"})["id"]
    theirs = import_raw(other_jmap, message("Theirs"))["blobId"]
    missing = "b" + "0" * 64
    empty: dict[str, list[str]] = {"Mailbox": [], "Thread": [], "Email": []}
    assert lookup(jmap, [mine, theirs, missing, "p" + "0" * 64 + "_1"])["list"] == [
        {"id": mine, "matchedIds": empty},
        {"id": theirs, "matchedIds": empty},
        {"id": missing, "matchedIds": empty},
        {"id": "p" + "0" * 64 + "_1", "matchedIds": empty},
    ]


def test_a_destroyed_email_no_longer_references_its_blob(jmap: JmapClient) -> None:
    created = import_raw(jmap, message())
    jmap.call("Email/set", {"destroy": [created["id"]]})
    assert lookup(jmap, [created["blobId"]], ["Email"])["list"][0]["matchedIds"] == {"Email": []}


def test_lookup_of_a_blob_imported_in_the_same_request(jmap: JmapClient) -> None:
    """RFC 9404 §4.1 createdIds, §4.3."""
    inbox = role(jmap, "inbox")
    item = {"blobId": "#m", "mailboxIds": {inbox: True}}
    result = jmap.request(
        [
            invocation(jmap, "Blob/upload", "u", create=texts(m=message().decode())),
            invocation(jmap, "Email/import", "i", emails={"e": item}),
            invocation(jmap, "Blob/lookup", "l", typeNames=["Email"], ids=["#m"]),
        ]
    )
    email_id = result.sentence(1)[1]["created"]["e"]["id"]
    found = result.sentence(2)[1]["list"][0]
    assert found["matchedIds"] == {"Email": [email_id]}


def test_unknown_or_unrequested_types_are_unknown_data_type(jmap: JmapClient) -> None:
    """RFC 9404 §4.3: unknown to the server, or its capability not in using."""
    blob_id = "b" + "0" * 64
    for names in (["Foo"], ["Email", "Identity"], ["Core"]):
        args = {"typeNames": names, "ids": [blob_id]}
        assert jmap.call_error("Blob/lookup", args) == "unknownDataType", names
    args = {"typeNames": ["Email"], "ids": [blob_id]}
    assert jmap.call_error("Blob/lookup", args, using=[CORE, BLOB]) == "unknownDataType"


def test_lookup_arguments_are_checked(jmap: JmapClient, settings: Any) -> None:
    bad: list[dict[str, Any]] = [
        {"ids": []},
        {"typeNames": ["Email"]},
        {"typeNames": "Email", "ids": []},
    ]
    for args in bad:
        assert jmap.call_error("Blob/lookup", args) == "invalidArguments", args
    settings.JMAP_LIMITS = {"maxObjectsInGet": 1}
    args = {"typeNames": ["Email"], "ids": ["a", "b"]}
    assert jmap.call_error("Blob/lookup", args) == "requestTooLarge"
