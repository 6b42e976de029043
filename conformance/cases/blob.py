"""RFC 9404: the JMAP blob management extension (Blob/upload, Blob/get, Blob/lookup)."""

from __future__ import annotations

import secrets

from conformance import messages
from conformance.checks import (
    JSONObject,
    as_list,
    as_map,
    expect,
    expect_eq,
    expect_set_error,
    expect_type,
    expect_unsigned,
    show,
)
from conformance.client import BLOB, CORE, MAIL
from conformance.context import Context
from conformance.registry import MUST, NotSupported, case

NEEDS = (BLOB,)
USING = [CORE, MAIL, BLOB]
FOX = "The quick brown fox jumped over the lazy dog."


def _upload(ctx: Context, *sources: JSONObject) -> JSONObject:
    """One Blob/upload creation that must succeed; its created object."""
    result = ctx.call("Blob/upload", {"create": {"b": {"data": list(sources)}}}, using=USING)
    created = as_map(result.get("created"), "created")
    expect("b" in created, f"Blob/upload failed: {show(result.get('notCreated'))}")
    return dict(created["b"])


def _get(ctx: Context, blob_id: str, **args: object) -> JSONObject:
    """The Blob object Blob/get returns for ``blob_id``."""
    result = ctx.call("Blob/get", {"ids": [blob_id], **args}, using=USING)
    found = [b for b in as_list(result.get("list"), "list") if isinstance(b, dict)]
    expect(len(found) == 1, f"Blob/get did not return {blob_id}: {show(result)}")
    return dict(found[0])


def _unique_text() -> str:
    return f"conformance {secrets.token_hex(8)} {FOX}"


@case(
    "blob.capability",
    rfc="9404",
    section="3.1",
    level=MUST,
    quote="The value of this property in the JMAP Session capabilities property MUST be an "
    "empty object.",
    sends="GET the session",
    expects="an empty blob capability in the session; the account's value has maxSizeBlobSet, "
    "maxDataSources >= 64, supportedTypeNames and supportedDigestAlgorithms",
    requires=NEEDS,
)
def capability(ctx: Context) -> None:
    expect_eq(ctx.session.capabilities.get(BLOB), {}, "session capability")
    value = ctx.account_capability(BLOB)
    expect(value is not None, "the account does not list the blob capability")
    assert value is not None
    size = value.get("maxSizeBlobSet")
    expect(size is None or isinstance(size, int), f"maxSizeBlobSet {show(size)}")
    expect_unsigned(value.get("maxDataSources"), "maxDataSources")
    expect(int(value["maxDataSources"]) >= 64, "maxDataSources must be at least 64")
    expect_type(value.get("supportedTypeNames"), list, "supportedTypeNames")
    expect_type(value.get("supportedDigestAlgorithms"), list, "supportedDigestAlgorithms")


@case(
    "blob.upload-concatenates",
    rfc="9404",
    section="4.1",
    level=MUST,
    quote="The result of each of these sources is concatenated in order to create the blob.",
    sends="Blob/upload of text, ranges of an earlier #creationId and base64, then Blob/get "
    "(the RFC 9404 §4.1.2 example)",
    expects='the blob reads "How quick was that?", 19 octets',
    requires=NEEDS,
)
def upload_concatenates(ctx: Context) -> None:
    cat = {
        "data": [
            {"data:asText": "How"},
            {"blobId": "#b4", "length": 7, "offset": 3},
            {"data:asText": "was t"},
            {"blobId": "#b4", "length": 1, "offset": 1},
            {"data:asBase64": "YXQ/"},
        ]
    }
    responses = ctx.responses(
        [
            ("Blob/upload", {"create": {"b4": {"data": [{"data:asText": FOX}]}}}),
            ("Blob/upload", {"create": {"cat": cat}}),
            ("Blob/get", {"ids": ["#cat"], "properties": ["data:asText", "size"]}),
        ],
        using=USING,
    )
    expect_eq(responses[2][0], "Blob/get", "third response")
    found = as_list(responses[2][1].get("list"), "list")
    expect(len(found) == 1, f"Blob/get list: {show(found)}")
    blob = found[0]
    assert isinstance(blob, dict)
    expect_eq(blob.get("data:asText"), "How quick was that?", "data:asText")
    expect_eq(blob.get("size"), 19, "size")


@case(
    "blob.upload-created-ids",
    rfc="9404",
    section="4.1",
    level=MUST,
    quote="For each successful upload, servers MUST add an entry to the createdIds map "
    "([RFC8620], Section 3.3) for the request; even if the caller did not explicitly pass a "
    "createdIds, the value must be available to later methods defined in the same Request "
    "Object.",
    sends="Blob/upload of a message, then Email/import of #creationId in the same request",
    expects="the email is created from the uploaded blob",
    requires=(BLOB, MAIL),
)
def upload_created_ids(ctx: Context) -> None:
    mailbox = ctx.mailbox()
    raw = messages.simple(subject=ctx.unique("inline")).decode()
    item = {"blobId": "#raw", "mailboxIds": {mailbox: True}}
    responses = ctx.responses(
        [
            ("Blob/upload", {"create": {"raw": {"data": [{"data:asText": raw}]}}}),
            ("Email/import", {"emails": {"e": item}}),
        ],
        using=USING,
    )
    expect_eq(responses[1][0], "Email/import", "second response")
    created = as_map(responses[1][1].get("created"), "created")
    expect("e" in created, f"Email/import: {show(responses[1][1].get('notCreated'))}")
    ctx.destroy_later("Email", str(created["e"]["id"]))
    blob_id = as_map(responses[0][1].get("created"), "Blob/upload created")["raw"]["id"]
    expect_eq(created["e"].get("blobId"), blob_id, "the email's blobId")


@case(
    "blob.upload-invalid-base64",
    rfc="9404",
    section="4.1",
    level=MUST,
    quote="Likewise, invalid characters in the base64 of data:asBase64 or invalid UTF-8 in "
    "data:asText MUST result in a notCreated response.",
    sends='Blob/upload with data:asBase64 "not base64!"',
    expects="notCreated for that creation id",
    requires=NEEDS,
)
def upload_invalid_base64(ctx: Context) -> None:
    create = {"bad": {"data": [{"data:asBase64": "not base64!"}]}}
    result = ctx.call("Blob/upload", {"create": create}, using=USING)
    expect_set_error(result, "notCreated", "bad", "invalidProperties")


@case(
    "blob.upload-range-outside",
    rfc="9404",
    section="4.1",
    level=MUST,
    quote="If the range cannot be fully satisfied (i.e., it begins or extends past the end of "
    "the data in the blob), then the DataSourceObject is invalid and results in a notCreated "
    "response for this creation id.",
    sends="Blob/upload of 3 octets, then a creation taking offset 1 length 3 of it",
    expects="notCreated for the second creation",
    requires=NEEDS,
)
def upload_range_outside(ctx: Context) -> None:
    source = str(_upload(ctx, {"data:asText": "abc"})["id"])
    create = {"bad": {"data": [{"blobId": source, "offset": 1, "length": 3}]}}
    result = ctx.call("Blob/upload", {"create": create}, using=USING)
    expect("bad" in as_map(result.get("notCreated"), "notCreated"), f"result: {show(result)}")


@case(
    "blob.get-size",
    rfc="9404",
    section="4.2",
    level=MUST,
    quote="The size value MUST always be the number of octets in the underlying blob, "
    "regardless of offset and length.",
    sends="Blob/get of a text blob with offset 4, length 9",
    expects="the 9 selected octets as text and the whole blob's size",
    requires=NEEDS,
)
def get_size(ctx: Context) -> None:
    text = _unique_text()
    blob_id = str(_upload(ctx, {"data:asText": text})["id"])
    blob = _get(ctx, blob_id, offset=4, length=9, properties=["data:asText", "size"])
    expect_eq(blob.get("data:asText"), text[4:13], "data:asText")
    expect_eq(blob.get("size"), len(text), "size")


@case(
    "blob.get-truncated",
    rfc="9404",
    section="4.2",
    level=MUST,
    quote="Either way, the isTruncated property in the result MUST be set to true to tell the "
    "client that the requested range could not be fully satisfied.",
    sends='Blob/get of "hello world" with offset 20, length 100',
    expects='isTruncated true and data:asText ""',
    requires=NEEDS,
)
def get_truncated(ctx: Context) -> None:
    blob_id = str(_upload(ctx, {"data:asText": "hello world"})["id"])
    blob = _get(ctx, blob_id, offset=20, length=100)
    expect_eq(blob.get("isTruncated"), True, "isTruncated")
    expect_eq(blob.get("data:asText"), "", "data:asText")


@case(
    "blob.get-encoding-problem",
    rfc="9404",
    section="4.2",
    level=MUST,
    quote="In the case where data was requested and the data is not valid UTF-8, then "
    "data:asBase64 MUST be returned.",
    sends="Blob/get with the default properties of a blob that is not UTF-8",
    expects="isEncodingProblem true and the octets as data:asBase64",
    requires=NEEDS,
)
def get_encoding_problem(ctx: Context) -> None:
    encoded = "VGhlIHF1aWNrIGJyb3duIGZveCBqdW1wZWQgb3ZlciB0aGUggYEgZG9nLg=="
    blob_id = str(_upload(ctx, {"data:asBase64": encoded})["id"])
    blob = _get(ctx, blob_id)
    expect_eq(blob.get("isEncodingProblem"), True, "isEncodingProblem")
    expect_eq(blob.get("data:asBase64"), encoded, "data:asBase64")
    expect("data:asText" not in blob or blob["data:asText"] is None, f"blob: {show(blob)}")


@case(
    "blob.get-digest",
    rfc="9404",
    section="4.2",
    level=MUST,
    quote="The base64 encoding of the digest of the octets in the selected range, calculated "
    "using the named algorithm.",
    sends="Blob/get digest:sha of the RFC 9404 §4.2.1 text, whole and offset 4 length 9",
    expects="wIVPufsDxBzOOALLDSIFKebu+U4= and QiRAPtfyX8K6tm1iOAtZ87Xj3Ww=",
    requires=NEEDS,
)
def get_digest(ctx: Context) -> None:
    value = ctx.account_capability(BLOB) or {}
    if "sha" not in as_list(value.get("supportedDigestAlgorithms"), "algorithms"):
        raise NotSupported("the server does not list the sha digest")
    blob_id = str(_upload(ctx, {"data:asText": FOX})["id"])
    whole = _get(ctx, blob_id, properties=["digest:sha"])
    expect_eq(whole.get("digest:sha"), "wIVPufsDxBzOOALLDSIFKebu+U4=", "digest:sha")
    part = _get(ctx, blob_id, properties=["digest:sha"], offset=4, length=9)
    expect_eq(part.get("digest:sha"), "QiRAPtfyX8K6tm1iOAtZ87Xj3Ww=", "digest:sha of the range")


def _lookup_types(ctx: Context) -> list[str]:
    value = ctx.account_capability(BLOB) or {}
    names = [str(n) for n in as_list(value.get("supportedTypeNames"), "supportedTypeNames")]
    wanted: list[str] = [n for n in ("Mailbox", "Thread", "Email") if n in names]
    if "Email" not in wanted:
        raise NotSupported("the server cannot look blobs up in Email")
    return wanted


@case(
    "blob.lookup-email",
    rfc="9404",
    section="4.3",
    level=MUST,
    quote="A map from type name to a list of Ids of that data type (e.g., the name "
    '"Email" maps to a list of emailIds).',
    sends="import a message into a new mailbox, then Blob/lookup its blobId in Mailbox, Thread "
    "and Email",
    expects="the email, its thread and its mailbox",
    requires=(BLOB, MAIL),
)
def lookup_email(ctx: Context) -> None:
    names = _lookup_types(ctx)
    mailbox = ctx.mailbox()
    email = ctx.import_email(messages.simple(subject=ctx.unique("lookup")), mailbox)
    result = ctx.call("Blob/lookup", {"typeNames": names, "ids": [email["blobId"]]}, using=USING)
    found = as_list(result.get("list"), "list")
    expect(len(found) == 1, f"Blob/lookup list: {show(found)}")
    info = found[0]
    assert isinstance(info, dict)
    expect_eq(info.get("id"), email["blobId"], "id")
    matched = as_map(info.get("matchedIds"), "matchedIds")
    expected = {"Mailbox": [mailbox], "Thread": [email["threadId"]], "Email": [email["id"]]}
    for name in names:
        expect_eq(matched.get(name), expected[name], f"matchedIds.{name}")


@case(
    "blob.lookup-unreferenced",
    rfc="9404",
    section="4.3",
    level=MUST,
    quote="If a blob is not visible to a user or does not exist on the server at all, then the "
    "server MUST still return an empty array for each type",
    sends="Blob/lookup of a blob nothing uses (and of the second user's message, if given)",
    expects="each listed with an empty array for every type",
    requires=(BLOB, MAIL),
)
def lookup_unreferenced(ctx: Context) -> None:
    names = _lookup_types(ctx)
    ids = [str(_upload(ctx, {"data:asText": _unique_text()})["id"])]
    if ctx.has_other:
        other = ctx.other
        ids.append(str(other.import_email(messages.simple(subject=ctx.unique("x")))["blobId"]))
    result = ctx.call("Blob/lookup", {"typeNames": names, "ids": ids}, using=USING)
    listed = {
        str(info.get("id")): info.get("matchedIds")
        for info in as_list(result.get("list"), "list")
        if isinstance(info, dict)
    }
    for blob_id in ids:
        expect(blob_id in listed, f"{blob_id} is not listed: {show(result)}")
        expect_eq(listed[blob_id], {name: [] for name in names}, f"matchedIds of {blob_id}")


@case(
    "blob.lookup-unknown-type",
    rfc="9404",
    section="4.3",
    level=MUST,
    quote="If a type name is not known by the server, or the associated capability has not been "
    'requested, then the server returns an "unknownDataType" error.',
    sends='Blob/lookup with typeNames ["NoSuchType"]',
    expects="error unknownDataType",
    requires=NEEDS,
)
def lookup_unknown_type(ctx: Context) -> None:
    args: JSONObject = {"typeNames": ["NoSuchType"], "ids": []}
    ctx.expect_error("Blob/lookup", args, "unknownDataType", using=USING)
